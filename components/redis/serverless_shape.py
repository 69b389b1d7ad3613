"""What a serverless RedisCluster decides, as plain values from its parsed `dbtier:redis`: the
serverless cache's arguments (name, engine and major version, usage limits, snapshots).

A serverless cache is always encrypted in transit and always a Redis Cluster to its clients
(they follow redirections, though it has a single endpoint); the key, the security group, the
subnets and the user group come in with the wiring.
"""

from __future__ import annotations

from typing import Any

from awsdata.elasticache import serverless_major_version
from components.redis.config import RedisConfig, replication_group_id
from components.redis.serverless_config import ServerlessConfig


def _limit(minimum: int | None, maximum: int | None) -> dict[str, int]:
    return {
        key: value
        for key, value in (("minimum", minimum), ("maximum", maximum))
        if value is not None
    }


def usage_limits(cfg: ServerlessConfig) -> dict[str, Any] | None:
    """The cache's usage limits, as far as the config sets them (None: AWS's, no limit)."""
    limits: dict[str, Any] = {}
    data = _limit(cfg.min_data_storage_gb, cfg.max_data_storage_gb)
    if data:
        limits["data_storage"] = {"unit": "GB", **data}
    ecpu = _limit(cfg.min_ecpu_per_second, cfg.max_ecpu_per_second)
    if ecpu:
        limits["ecpu_per_seconds"] = [ecpu]
    return limits or None


def serverless_args(cfg: RedisConfig, project: str, stack: str, name: str) -> dict[str, Any]:
    """The serverless cache's arguments that depend on no other resource."""
    return {
        # The same id a replication group of this component would have: per project and stack.
        "name": replication_group_id(project, stack, name),
        "description": f"dbtier {stack} {cfg.engine} {cfg.engine_version} serverless",
        "engine": cfg.engine,
        "major_engine_version": serverless_major_version(cfg.engine_version),
        "cache_usage_limits": usage_limits(cfg.serverless),
        "daily_snapshot_time": cfg.serverless.daily_snapshot_time,
        "snapshot_retention_limit": cfg.snapshot_retention_days,
    }
