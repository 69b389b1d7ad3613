"""What the alarms watch on the RedisCluster. A replication group: each node's CPU, memory,
evictions, connections and burst credits; replica lag. A serverless cache: throttled requests,
evictions, connections, and data storage and ECPUs near their limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from awsdata import instance_classes
from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, AT_LEAST, BELOW, Watch
from components.redis.config import RedisConfig

# ElastiCache's maxclients for Redis OSS and Valkey: 65000, not modifiable:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
MAX_CLIENTS = 65000


def evictions_and_connections(
    prefix: str, label: str, dims: Mapping[str, pulumi.Input[str]], alarms: AlarmsConfig
) -> list[Watch]:
    """Keys evicted in 5 minutes and client connections near maxclients, of a node or a
    serverless cache (roles `{prefix}evictions`, `{prefix}connections`)."""
    connections = int(MAX_CLIENTS * alarms.connections_percent / 100)
    return [
        Watch(
            "redis",
            f"{prefix}evictions",
            f"{label}: more than {alarms.evictions:g} keys evicted in 5 minutes",
            "AWS/ElastiCache",
            "Evictions",
            dims,
            "Sum",
            ABOVE,
            alarms.evictions,
            evaluation_periods=1,
        ),
        Watch(
            "redis",
            f"{prefix}connections",
            f"{label}: more than {connections} client connections"
            f" ({alarms.connections_percent:g}% of maxclients {MAX_CLIENTS})",
            "AWS/ElastiCache",
            "CurrConnections",
            dims,
            "Maximum",
            ABOVE,
            connections,
        ),
    ]


def redis_watches(
    cfg: RedisConfig, alarms: AlarmsConfig, node_ids: Sequence[pulumi.Output[str]]
) -> list[Watch]:
    """Per node: engine CPU, memory use, evictions, connections, CPU credits on burstable node
    types; one replication-lag alarm over all nodes."""
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
            *evictions_and_connections(f"{node}-", f"{cfg.engine} {node}", dims, alarms),
        ]
        if instance_classes.is_burstable(cfg.node_type):
            # Host-level metric of T-class nodes only; ElastiCache has no Unlimited mode (no
            # surplus-credit billing), so a node out of credits is held to its baseline CPU:
            # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.HostLevel.html
            watches.append(
                Watch(
                    "redis",
                    f"{node}-cpu-credits",
                    f"{cfg.engine} {node}: fewer than {alarms.cpu_credit_balance:g} CPU credits"
                    f" left on {cfg.node_type}; at zero it is throttled to its baseline CPU",
                    "AWS/ElastiCache",
                    "CPUCreditBalance",
                    dims,
                    "Minimum",
                    BELOW,
                    alarms.cpu_credit_balance,
                )
            )
    if cfg.total_nodes > 1 and node_ids:
        # ElastiCache publishes ReplicationLag only for nodes running as replicas, and which
        # nodes those are changes with every failover: a per-node alarm is blind on whichever
        # node is primary now. One alarm on the MAX over every node sees every replica.
        # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html
        watches.append(
            Watch(
                "redis",
                "replication-lag",
                f"{cfg.engine}: a replica more than {alarms.replica_lag_seconds:g} s behind its"
                " primary",
                "AWS/ElastiCache",
                "ReplicationLag",
                {"CacheClusterId": node_ids[0]},
                "Maximum",
                ABOVE,
                alarms.replica_lag_seconds,
                more_dimensions=[{"CacheClusterId": node_id} for node_id in node_ids[1:]],
            )
        )
    return watches


# A serverless cache's metrics, under the dimension clusterId (its name):
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html
# Usage limits are in GB; the alarm takes a GB as 10^9 bytes, the smaller reading, so it fires
# early rather than late if AWS means GiB.
GB = 10**9
# ElastiCacheProcessingUnits is a count per period: ECPU per second times the period's seconds.
ECPU_PERIOD = 60


def serverless_watches(
    cfg: RedisConfig, alarms: AlarmsConfig, cache_name: pulumi.Output[str]
) -> list[Watch]:
    """Throttled requests, evictions and connections of a serverless cache; with a usage limit,
    data storage and ECPU per second near it (where it throttles or evicts)."""
    dims = {"clusterId": cache_name}
    label = f"{cfg.engine} serverless"
    watches = [
        Watch(
            "redis",
            "throttled-commands",
            f"{label}: {alarms.throttles:g} or more requests throttled in 5 minutes (the load"
            " grew faster than the cache scales, or hit maxEcpuPerSecond)",
            "AWS/ElastiCache",
            "ThrottledCmds",
            dims,
            "Sum",
            AT_LEAST,
            alarms.throttles,
            evaluation_periods=1,
        ),
        *evictions_and_connections("", label, dims, alarms),
    ]
    limits = cfg.serverless
    if limits.max_data_storage_gb is not None:
        watches.append(
            Watch(
                "redis",
                "data-storage",
                f"{label}: more than {alarms.memory_percent:g}% of maxDataStorageGb"
                f" ({limits.max_data_storage_gb} GB) used; at the limit keys with a TTL are"
                " evicted, then writes fail",
                "AWS/ElastiCache",
                "BytesUsedForCache",
                dims,
                "Maximum",
                ABOVE,
                limits.max_data_storage_gb * GB * alarms.memory_percent / 100,
            )
        )
    if limits.max_ecpu_per_second is not None:
        watches.append(
            Watch(
                "redis",
                "ecpu",
                f"{label}: more than {alarms.cpu_percent:g}% of maxEcpuPerSecond"
                f" ({limits.max_ecpu_per_second}) used; at the limit requests are throttled",
                "AWS/ElastiCache",
                "ElastiCacheProcessingUnits",
                dims,
                "Sum",
                ABOVE,
                limits.max_ecpu_per_second * ECPU_PERIOD * alarms.cpu_percent / 100,
                period=ECPU_PERIOD,
                evaluation_periods=5,
            )
        )
    return watches
