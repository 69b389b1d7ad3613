"""What a RedisCluster decides, as plain values from its parsed `dbtier:redis`.

The parameter group (family, enforced and merged parameters), the replication group's
arguments (topology, failover and Multi-AZ, encryption, windows, its physical id), the log
groups and their delivery, the AUTH token's generation, which endpoints clients use, and the
fields of the connection secret. The component only wires resources from these; values that
exist only once deployed (log group names, the group's id) come in as opaque parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.base import ELASTICACHE_TOKEN_SPECIAL, family_of
from components.parameters import plain_parameters
from components.redis.config import RedisConfig, enforced_parameters, replication_group_id

REDIS_PORT = 6379
# ElastiCache AUTH tokens: 16-128 printable characters; of the punctuation only ! & # $ ^ < > -
# (no space, ", / or @). 64 characters from that alphabet is far beyond brute force.
AUTH_TOKEN_LENGTH = 64
LOG_TYPES = ("slow-log", "engine-log")


def parameter_group_args(cfg: RedisConfig) -> dict[str, Any]:
    """The parameter group: the version's family, and dbtier's parameters (cluster mode as the
    topology needs it) with the user's merged over them."""
    return {
        "family": family_of(cfg.engine, cfg.engine_version),
        "description": f"dbtier {cfg.engine}: cluster mode {'on' if cfg.cluster_mode else 'off'}",
        "parameters": plain_parameters(enforced_parameters(cfg), cfg.parameters),
    }


def log_groups(
    cfg: RedisConfig, stack: str, name: str, default_retention_days: int
) -> dict[str, dict[str, Any]]:
    """Each log type's group (name and retention, by log type): the redis key's own retention,
    else the stack's (dbtier:logs)."""
    return {
        log_type: {
            "name": f"/dbtier/{stack}/{name}/{log_type}",
            "retention_in_days": cfg.log_retention_days or default_retention_days,
        }
        for log_type in LOG_TYPES
    }


def log_delivery(destinations: Mapping[str, object]) -> list[Any]:
    """The group's log delivery: each log type, as JSON, to its CloudWatch log group
    (`destinations`: log type -> the group's name)."""
    return [
        {
            "destination": destinations[log_type],
            "destination_type": "cloudwatch-logs",
            "log_format": "json",
            "log_type": log_type,
        }
        for log_type in LOG_TYPES
    ]


def auth_token_keepers(version: int) -> dict[str, str] | None:
    """The token's pulumi-random keepers: a new version makes a new token. Version 1 has none,
    so a stack made before token rotation existed keeps its token."""
    return None if version == 1 else {"authTokenVersion": str(version)}


def auth_token_args(cfg: RedisConfig) -> dict[str, Any]:
    """How the AUTH token is generated: ElastiCache's alphabet, its length, its version."""
    return {
        "special": ELASTICACHE_TOKEN_SPECIAL,
        "length": AUTH_TOKEN_LENGTH,
        "keepers": auth_token_keepers(cfg.auth_token_version),
    }


def topology(cfg: RedisConfig) -> dict[str, Any]:
    """Shards with replicas each (cluster mode), or a number of nodes: a primary and replicas."""
    if cfg.cluster_mode:
        return {
            "cluster_mode": "enabled",
            "num_node_groups": cfg.shards,
            "replicas_per_node_group": cfg.replicas_per_shard,
        }
    return {"num_cache_clusters": cfg.nodes}


def group_args(cfg: RedisConfig, project: str, stack: str, name: str) -> dict[str, Any]:
    """The replication group's arguments that depend on no other resource: its id, engine,
    topology, failover and Multi-AZ, encryption in transit and at rest (the key comes with the
    wiring), the token's update strategy, upgrades and the snapshot and maintenance windows."""
    return {
        "replication_group_id": replication_group_id(project, stack, name),
        "description": f"dbtier {stack} {cfg.engine} {cfg.engine_version}",
        "engine": cfg.engine,
        "engine_version": cfg.engine_version,
        "node_type": cfg.node_type,
        "port": REDIS_PORT,
        "automatic_failover_enabled": cfg.automatic_failover,
        "multi_az_enabled": cfg.multi_az,
        "at_rest_encryption_enabled": True,
        "transit_encryption_enabled": True,
        "transit_encryption_mode": "required",
        # Sent with a changed token or strategy (ModifyReplicationGroup); ignored on create.
        # DELETE with users: a group that had a token moves to RBAC (AWS allows DELETE only then:
        # https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html).
        "auth_token_update_strategy": "DELETE" if cfg.rbac else cfg.auth_token_update_strategy,
        "auto_minor_version_upgrade": cfg.auto_minor_version_upgrade,
        "apply_immediately": cfg.apply_immediately,
        "snapshot_retention_limit": cfg.snapshot_retention_days,
        "snapshot_window": cfg.snapshot_window,
        "maintenance_window": cfg.maintenance_window,
        **topology(cfg),
    }


def endpoint_attributes(cfg: RedisConfig) -> tuple[str, str]:
    """The replication group attributes clients connect to, (primary, reader): in cluster mode
    both are the configuration endpoint (the client discovers the shards from it)."""
    if cfg.cluster_mode:
        return ("configuration_endpoint_address", "configuration_endpoint_address")
    return ("primary_endpoint_address", "reader_endpoint_address")


def secret_fields(cfg: RedisConfig, group_id: object) -> dict[str, Any]:
    """The connection secret's fields besides host, port and token: the default user, database
    0, the group's id and that TLS is required."""
    return {
        "engine": cfg.engine,
        "username": "default",
        "dbname": "0",
        "extra": {"replicationGroupId": group_id, "tls": "true"},
    }
