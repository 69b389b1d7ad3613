"""What the alarms watch on the RedisCluster: each node's CPU, memory, evictions and lag."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, Watch
from components.redis.config import RedisConfig


def redis_watches(
    cfg: RedisConfig, alarms: AlarmsConfig, node_ids: Sequence[pulumi.Output[str]]
) -> list[Watch]:
    """Per node: engine CPU, memory use, evictions, and replication lag when there are replicas."""
    watches = []
    for n, node_id in enumerate(node_ids, 1):
        node = f"node-{n}"
        dims = {"CacheClusterId": node_id}
        watches += [
            Watch(
                "redis",
                f"{node}-cpu",
                f"{cfg.engine} {node}: engine CPU above {alarms.cpu_percent:g}%",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                dims,
                "Average",
                ABOVE,
                alarms.cpu_percent,
            ),
            Watch(
                "redis",
                f"{node}-memory",
                f"{cfg.engine} {node}: more than {alarms.memory_percent:g}% of memory used",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                dims,
                "Maximum",
                ABOVE,
                alarms.memory_percent,
            ),
            Watch(
                "redis",
                f"{node}-evictions",
                f"{cfg.engine} {node}: more than {alarms.evictions:g} keys evicted in 5 minutes",
                "AWS/ElastiCache",
                "Evictions",
                dims,
                "Sum",
                ABOVE,
                alarms.evictions,
                evaluation_periods=1,
            ),
        ]
        if cfg.total_nodes > 1:
            # Only replicas report ReplicationLag; the primary's alarm stays OK (missing data).
            watches.append(
                Watch(
                    "redis",
                    f"{node}-lag",
                    f"{cfg.engine} {node}: replica more than"
                    f" {alarms.replica_lag_seconds:g} s behind",
                    "AWS/ElastiCache",
                    "ReplicationLag",
                    dims,
                    "Maximum",
                    ABOVE,
                    alarms.replica_lag_seconds,
                )
            )
    return watches
