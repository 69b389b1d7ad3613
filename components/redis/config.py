"""`dbtier:redis`: mode (a replication group or a serverless cache), engine and version, node
type and topology (nodes, or shards with replicas), and who may connect: the AUTH token, or RBAC
users (`components.redis.users_config`). Serverless settings: `components.redis.serverless_config`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import elasticache, support
from components.credentials import MAX_ROTATION_DAYS
from components.fieldcheck import check_object
from components.parameters import Parameter, check_not_enforced, parse_parameters
from components.redis.serverless_config import ServerlessConfig, parse_serverless
from components.redis.users_config import RedisUserConfig, check_users, parse_users
from components.settings import ConfigError, Fields, log_retention, offered
from components.windows import (
    ELASTICACHE_WINDOW_MINUTES,
    ELASTICACHE_WINDOWS_DOCS,
    check_apart,
    daily,
    weekly,
)
from contract.fielddoc import doc

MODES = ("replication-group", "serverless")
# The default version of each engine: the newest major ElastiCache offers.
REDIS_VERSIONS = {"redis": "7.1", "valkey": "8.0"}
# Days between rotations of the password users' secrets (dbtier:redis.rotationDays).
ROTATION_DAYS = 30
ROTATION_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/User-Secrets-Manager.html"
TOKEN_KEYS = ("authTokenVersion", "authTokenUpdateStrategy")
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
    enabled: bool = field(default=True, metadata=doc("Create the ElastiCache cache."))
    mode: Literal["replication-group", "serverless"] = field(
        default="replication-group",
        metadata=doc(
            "replication-group: nodes you size; serverless: ElastiCache Serverless, which scales"
            " by itself within usage limits.",
            rule="serverless needs users and takes none of the node settings",
            aws="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/WhatIs.deployment.html",
        ),
    )
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

    users: tuple[RedisUserConfig, ...] = field(
        default=(),
        metadata=doc(
            "RBAC users in a user group attached to the cache, instead of the AUTH token; the"
            " group's default user is off unless a user named default is listed.",
            rule="not with authTokenVersion or authTokenUpdateStrategy; required in serverless"
            " mode; Redis OSS 6.0+ or Valkey",
            aws=("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html",),
        ),
    )
    rotation_days: int = field(
        default=ROTATION_DAYS,
        metadata=doc(
            "Days between Secrets Manager rotations of each password user's secret.",
            lo=1,
            hi=MAX_ROTATION_DAYS,
            rule="only with password users",
            aws=ROTATION_DOCS,
        ),
    )
    serverless: ServerlessConfig = field(
        default=ServerlessConfig(),
        metadata=doc("The serverless cache's settings.", flat=True),
    )

    @property
    def is_serverless(self) -> bool:
        return self.mode == "serverless"

    @property
    def rbac(self) -> bool:
        """Users and a user group instead of the AUTH token."""
        return bool(self.users)

    @property
    def cluster_mode(self) -> bool:
        """Whether clients see a Redis Cluster: shards, or a serverless cache (always one)."""
        return self.shards is not None or self.is_serverless

    @property
    def total_nodes(self) -> int:
        if self.shards is not None:
            return self.shards * (1 + (self.replicas_per_shard or 0))
        return self.nodes


def parse_redis(raw: Any, region: str | None = None) -> RedisConfig:
    """Parse `dbtier:redis`; the version and node type are checked against what ElastiCache
    offers (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too)."""
    d = RedisConfig()
    check_object("dbtier:redis", raw, RedisConfig)
    f = Fields("dbtier:redis", raw)
    mode = f.choice("mode", d.mode, MODES)
    engine = f.choice("engine", d.engine, REDIS_VERSIONS)
    serverless = parse_serverless(f, mode == "serverless")
    nodes = _node_settings(f) if mode == "replication-group" else {}
    users = parse_users("dbtier:redis.users", f.get("users"))
    cfg = RedisConfig(
        enabled=f.flag("enabled", d.enabled),
        mode=mode,
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            REDIS_VERSIONS[engine],
            r"\d+\.(\d+|x)(\.\d+)?",
            "a Redis OSS version like 7.1" if engine == "redis" else "a Valkey version like 8.0",
        ),
        snapshot_retention_days=f.integer(
            "snapshotRetentionDays", d.snapshot_retention_days, 0, 35
        ),
        users=users,
        rotation_days=f.integer("rotationDays", d.rotation_days, 1, MAX_ROTATION_DAYS),
        serverless=serverless,
        **nodes,
    )
    f.done()
    _check_access(f, cfg)
    if cfg.is_serverless:
        if cfg.enabled:
            offered(
                "dbtier:redis.engineVersion",
                lambda: elasticache.serverless_version_problem(cfg.engine, cfg.engine_version),
            )
        return cfg
    _check_nodes(cfg)
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
    return cfg


def _check_access(f: Fields, cfg: RedisConfig) -> None:
    """Who may connect: the AUTH token or users, never both; users where the engine has them."""
    if cfg.rbac:
        for key in TOKEN_KEYS:
            if f.has(key):
                raise ConfigError(
                    f"dbtier:redis.{key} belongs to the AUTH-token mode, and dbtier:redis.users"
                    " to RBAC: a replication group takes one of them, never both (remove one)"
                )
        check_users("dbtier:redis.users", cfg.users, cfg.engine, cfg.engine_version)
    elif cfg.is_serverless:
        raise ConfigError(
            "dbtier:redis.users is required with mode serverless: a serverless cache has no AUTH"
            " token, so RBAC users are its only access control"
        )
    if f.has("rotationDays") and not any(u.auth == "password" for u in cfg.users):
        raise ConfigError(
            "dbtier:redis.rotationDays rotates password users' secrets: dbtier:redis.users has"
            " none (the AUTH token rotates with authTokenVersion)"
        )


def _node_settings(f: Fields) -> dict[str, Any]:
    """The replication group's own settings: topology, failover, windows, logs, the token."""
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
    # A snapshot during maintenance competes with patching for the node: dbtier keeps them apart.
    check_apart(f.key, "snapshotWindow", snapshot, maintenance, "dbtier keeps them apart")
    return {
        "node_type": f.text(
            "nodeType",
            RedisConfig.node_type,
            r"cache\.[a-z0-9]+\.[a-z0-9]+",
            "a node type like cache.r7g.large",
        ),
        "nodes": nodes or 1,
        "shards": shards,
        "replicas_per_shard": replicas if shards is None else (replicas or 0),
        "automatic_failover": f.flag("automaticFailover", failover_default),
        "multi_az": f.flag("multiAz", has_replica),
        "log_retention_days": log_retention(f, None),
        "auth_token_version": f.integer(
            "authTokenVersion", RedisConfig.auth_token_version, 1, 1_000_000
        ),
        # DELETE (moving to RBAC) is not offered: a stack moves to users through dbtier:redis.users.
        "auth_token_update_strategy": f.choice("authTokenUpdateStrategy", None, ("ROTATE", "SET")),
        "snapshot_window": snapshot.text,
        "maintenance_window": maintenance.text,
        "apply_immediately": f.flag("applyImmediately", False),
        "auto_minor_version_upgrade": f.flag("autoMinorVersionUpgrade", True),
        "parameters": parse_parameters(
            "dbtier:redis.parameters", f.get("parameters"), "elasticache"
        ),
    }


def _check_nodes(cfg: RedisConfig) -> None:
    """The replication group's topology rules, over the parsed settings."""
    check_not_enforced("dbtier:redis.parameters", cfg.parameters, enforced_parameters(cfg))
    total = cfg.total_nodes
    has_replica = total >= 2 if cfg.shards is None else (cfg.replicas_per_shard or 0) >= 1
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
    if cfg.cluster_mode and not cfg.automatic_failover:
        raise ConfigError("dbtier:redis.shards (cluster mode) needs automaticFailover true")


def enforced_parameters(cfg: RedisConfig) -> dict[str, str]:
    """The parameters dbtier sets: cluster mode must match the group's topology."""
    return {"cluster-enabled": "yes" if cfg.cluster_mode else "no"}


def replication_group_id(project: str, stack: str, name: str) -> str:
    """The replication group id of the component `name`: per project and stack, at most the 40
    characters ElastiCache allows; config validation checks the rest of AWS's rules."""
    return f"{project}-{stack}-{name}".lower()[:40].rstrip("-")
