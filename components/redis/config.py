"""`dbtier:redis`: engine and version, node type, topology (nodes, or shards with replicas)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import elasticache, support
from components.parameters import Parameter, check_not_enforced, parse_parameters
from components.settings import ConfigError, Fields, log_retention, offered
from components.windows import (
    ELASTICACHE_WINDOW_MINUTES,
    ELASTICACHE_WINDOWS_DOCS,
    check_apart,
    daily,
    weekly,
)
from contract.fielddoc import doc

# The default version of each engine: the newest major ElastiCache offers.
REDIS_VERSIONS = {"redis": "7.1", "valkey": "8.0"}
# ElastiCache quotas: without cluster mode a group has a primary and at most 5 replicas; with it,
# at most 500 shards and 500 nodes (shards x (replicas + 1)), each shard at most 5 replicas.
QUOTAS_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html"
MAX_NODES = 6
MAX_REPLICAS = 5
MAX_CLUSTER_NODES = 500
# Snapshots run daily before the weekly maintenance window and never overlap it (ElastiCache
# takes both, at least 60 minutes each: ELASTICACHE_WINDOWS_DOCS).
SNAPSHOT_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"


@dataclass(frozen=True)
class RedisConfig:
    enabled: bool = field(default=True, metadata=doc("Create the ElastiCache replication group."))
    engine: Literal["redis", "valkey"] = field(
        default="redis", metadata=doc("Redis OSS or Valkey.")
    )
    engine_version: str = field(
        default=REDIS_VERSIONS["redis"],
        metadata=doc(
            "The engine version (the newest major ElastiCache offers).",
            rule="a version ElastiCache offers and still supports, like 7.1 or 8.0",
            default=f"{REDIS_VERSIONS['valkey']} with valkey",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
        ),
    )
    node_type: str = field(
        default="cache.t4g.micro",
        metadata=doc(
            "The node type.",
            rule="a current-generation type (encryption at rest) offered in the region",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html",
        ),
    )
    nodes: int = field(
        default=1,
        metadata=doc(
            "Nodes without cluster mode: a primary and replicas.",
            lo=1,
            hi=MAX_NODES,
            rule="not with shards",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html",
        ),
    )
    shards: int | None = field(
        default=None,
        metadata=doc(
            "Shards: turns cluster mode on (which needs automaticFailover).",
            lo=1,
            hi=MAX_CLUSTER_NODES,
            rule="shards x (replicasPerShard + 1) at most 500 nodes",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html",
        ),
    )
    replicas_per_shard: int | None = field(
        default=None,
        metadata=doc(
            "Replicas of each shard in cluster mode.",
            lo=0,
            hi=MAX_REPLICAS,
            rule="only with shards",
            default="0 with shards",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html",
        ),
    )
    automatic_failover: bool = field(
        default=False,
        metadata=doc(
            "Promote a replica when the primary fails.",
            rule="needs a replica (2+ nodes) or cluster mode, which requires it",
            default="true with a replica or in cluster mode",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
        ),
    )
    multi_az: bool = field(
        default=False,
        metadata=doc(
            "Replicas in other Availability Zones than the primary.",
            rule="needs a replica and automaticFailover",
            default="true with a replica",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
        ),
    )
    snapshot_retention_days: int = field(
        default=1,
        metadata=doc(
            "Days automatic snapshots are kept; 0 turns them off.",
            lo=0,
            hi=35,
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
        ),
    )
    log_retention_days: int | None = field(
        default=None,
        metadata=doc(
            "Retention of the slow and engine log groups; unset: dbtier:logs.retentionDays.",
            rule="a CloudWatch Logs retention period, as dbtier:logs.retentionDays",
            aws="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
        ),
    )
    auth_token_version: int = field(
        default=1,
        metadata=doc(
            "Bump it to rotate the AUTH token (a new generated token); see"
            " authTokenUpdateStrategy.",
            lo=1,
            hi=1_000_000,
        ),
    )
    auth_token_update_strategy: Literal["ROTATE", "SET"] | None = field(
        default=None,
        metadata=doc(
            "How a new token is applied: ROTATE (old and new both accepted), then SET (only the"
            " new).",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html",
        ),
    )
    snapshot_window: str = field(
        default=SNAPSHOT_WINDOW,
        metadata=doc(
            "Daily snapshot window, UTC.",
            rule="hh24:mi-hh24:mi, at least 60 minutes, not overlapping maintenanceWindow",
            aws=ELASTICACHE_WINDOWS_DOCS,
        ),
    )
    maintenance_window: str = field(
        default=MAINTENANCE_WINDOW,
        metadata=doc(
            "Weekly maintenance window, UTC.",
            rule="ddd:hh24:mi-ddd:hh24:mi with a lower-case day, at least 60 minutes",
            aws=ELASTICACHE_WINDOWS_DOCS,
        ),
    )
    apply_immediately: bool = field(
        default=False,
        metadata=doc("Apply modifications now instead of in the maintenance window."),
    )
    auto_minor_version_upgrade: bool = field(
        default=True, metadata=doc("Take minor engine upgrades in the maintenance window.")
    )
    parameters: tuple[Parameter, ...] = field(
        default=(),
        metadata=doc(
            "Engine parameters merged over dbtier's (never over cluster-enabled, which follows"
            " shards).",
            rule="at most 100; names of letters, digits, _ . -; values printable ASCII up to"
            " 4096, a number or true/false",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html",
            type="map: name to value",
        ),
    )

    @property
    def cluster_mode(self) -> bool:
        return self.shards is not None

    @property
    def total_nodes(self) -> int:
        if self.shards is not None:
            return self.shards * (1 + (self.replicas_per_shard or 0))
        return self.nodes


def parse_redis(raw: Any, region: str | None = None) -> RedisConfig:
    """Parse `dbtier:redis`; the version and node type are checked against what ElastiCache
    offers (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too)."""
    d = RedisConfig()
    f = Fields("dbtier:redis", raw)
    engine = f.choice("engine", d.engine, REDIS_VERSIONS)
    nodes = f.integer("nodes", None, 1, MAX_NODES)
    shards = f.integer("shards", None, 1, MAX_CLUSTER_NODES)
    replicas = f.integer("replicasPerShard", None, 0, MAX_REPLICAS)
    if shards is None and replicas is not None:
        raise ConfigError("dbtier:redis.replicasPerShard needs dbtier:redis.shards (cluster mode)")
    if shards is not None and nodes is not None:
        raise ConfigError("dbtier:redis.nodes and dbtier:redis.shards are exclusive: set one")
    total = shards * (1 + (replicas or 0)) if shards is not None else (nodes or 1)
    if total > MAX_CLUSTER_NODES:
        raise ConfigError(
            f"dbtier:redis.shards x (replicasPerShard + 1) is {total} nodes; ElastiCache allows"
            f" at most {MAX_CLUSTER_NODES} per cluster ({QUOTAS_DOCS})"
        )
    has_replica = total >= 2 if shards is None else (replicas or 0) >= 1
    # Cluster mode always runs with automatic failover (ElastiCache requires it); without cluster
    # mode, failover needs a replica to promote.
    failover_default = has_replica or shards is not None
    snapshot = daily(
        f, "snapshotWindow", SNAPSHOT_WINDOW, ELASTICACHE_WINDOW_MINUTES, ELASTICACHE_WINDOWS_DOCS
    )
    maintenance = weekly(
        f,
        "maintenanceWindow",
        MAINTENANCE_WINDOW,
        ELASTICACHE_WINDOW_MINUTES,
        ELASTICACHE_WINDOWS_DOCS,
    )
    cfg = RedisConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            REDIS_VERSIONS[engine],
            r"\d+\.(\d+|x)(\.\d+)?",
            "a Redis OSS version like 7.1" if engine == "redis" else "a Valkey version like 8.0",
        ),
        node_type=f.text(
            "nodeType",
            d.node_type,
            r"cache\.[a-z0-9]+\.[a-z0-9]+",
            "a node type like cache.r7g.large",
        ),
        nodes=nodes or 1,
        shards=shards,
        replicas_per_shard=replicas if shards is None else (replicas or 0),
        automatic_failover=f.flag("automaticFailover", failover_default),
        multi_az=f.flag("multiAz", has_replica),
        snapshot_retention_days=f.integer(
            "snapshotRetentionDays", d.snapshot_retention_days, 0, 35
        ),
        log_retention_days=log_retention(f, None),
        auth_token_version=f.integer("authTokenVersion", d.auth_token_version, 1, 1_000_000),
        # DELETE (moving to RBAC) is not offered: dbtier always authenticates with the token.
        auth_token_update_strategy=f.choice("authTokenUpdateStrategy", None, ("ROTATE", "SET")),
        snapshot_window=snapshot.text,
        maintenance_window=maintenance.text,
        apply_immediately=f.flag("applyImmediately", False),
        auto_minor_version_upgrade=f.flag("autoMinorVersionUpgrade", True),
        parameters=parse_parameters("dbtier:redis.parameters", f.get("parameters"), "elasticache"),
    )
    f.done()
    # A snapshot during maintenance competes with patching for the node: dbtier keeps them apart.
    check_apart(f.key, "snapshotWindow", snapshot, maintenance, "dbtier keeps them apart")
    check_not_enforced("dbtier:redis.parameters", cfg.parameters, enforced_parameters(cfg))
    if cfg.automatic_failover and not cfg.cluster_mode and not has_replica:
        raise ConfigError(
            f"dbtier:redis.automaticFailover needs at least 2 nodes (a replica to promote; got {total})"
        )
    if cfg.multi_az and not has_replica:
        raise ConfigError(
            "dbtier:redis.multiAz needs a replica in another AZ: at least 2 nodes, or"
            f" replicasPerShard >= 1 in cluster mode (got {total} node(s))"
        )
    if cfg.multi_az and not cfg.automatic_failover:
        raise ConfigError("dbtier:redis.multiAz needs automaticFailover and at least 2 nodes")
    if re.match(r"cache\.(t1|t2|m1|m2|m3|c1|r3)\.", cfg.node_type):
        raise ConfigError(
            f"dbtier:redis.nodeType {cfg.node_type} is a previous-generation type without"
            " encryption at rest; use a current type such as cache.t4g.micro or cache.r7g.large"
        )
    if cfg.enabled:
        offered(
            "dbtier:redis.engineVersion",
            lambda: elasticache.elasticache_version_problem(cfg.engine, cfg.engine_version),
            lambda: support.support_problem(cfg.engine, cfg.engine_version),
        )
        offered(
            "dbtier:redis.nodeType",
            lambda: support.generation_problem("elasticache", cfg.node_type),
            lambda: region and elasticache.elasticache_node_type_problem(cfg.node_type, region),
        )
    if cfg.cluster_mode and not cfg.automatic_failover:
        raise ConfigError("dbtier:redis.shards (cluster mode) needs automaticFailover true")
    return cfg


def enforced_parameters(cfg: RedisConfig) -> dict[str, str]:
    """The parameters dbtier sets: cluster mode must match the group's topology."""
    return {"cluster-enabled": "yes" if cfg.cluster_mode else "no"}


def replication_group_id(project: str, stack: str, name: str) -> str:
    """The replication group id of the component `name`: per project and stack, at most the 40
    characters ElastiCache allows; config validation checks the rest of AWS's rules."""
    return f"{project}-{stack}-{name}".lower()[:40].rstrip("-")
