"""`dbtier:redis` with `mode: serverless`: the settings only an ElastiCache Serverless cache has
(usage limits, the daily snapshot time), and the node settings it refuses.

A serverless cache has no nodes, windows, parameter group, log delivery or AUTH token: ElastiCache
scales it, patches it and encrypts it in transit by itself, and RBAC users are its only access
control. A setting of those in a serverless stack is refused by name, never ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from awsdata import elasticache
from components.settings import ConfigError, Fields
from contract.fielddoc import doc

# Settings of a replication group that a serverless cache does not have.
NODE_ONLY = (
    "nodeType",
    "nodes",
    "shards",
    "replicasPerShard",
    "automaticFailover",
    "multiAz",
    "parameters",
    "snapshotWindow",
    "maintenanceWindow",
    "logRetentionDays",
    "authTokenVersion",
    "authTokenUpdateStrategy",
    "applyImmediately",
    "autoMinorVersionUpgrade",
)
SERVERLESS_ONLY = (
    "minDataStorageGb",
    "maxDataStorageGb",
    "minEcpuPerSecond",
    "maxEcpuPerSecond",
    "dailySnapshotTime",
)
# CreateServerlessCache's DailySnapshotTime: the hour and minute (UTC) the daily snapshot starts.
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)
CREATE_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html"
DAILY_SNAPSHOT_TIME = "03:00"


@dataclass(frozen=True)
class ServerlessConfig:
    min_data_storage_gb: int | None = field(
        default=None,
        metadata=doc(
            "Serverless: data storage the cache keeps ready, GB (unset: none reserved).",
            lo=elasticache.DATA_STORAGE_GB[0],
            hi=elasticache.DATA_STORAGE_GB[1],
            rule="mode serverless only; at most maxDataStorageGb",
            aws=elasticache.SERVERLESS_DOCS,
        ),
    )
    max_data_storage_gb: int | None = field(
        default=None,
        metadata=doc(
            "Serverless: the most data the cache stores, GB; at it, keys with a TTL are evicted"
            " (unset: no limit).",
            lo=elasticache.DATA_STORAGE_GB[0],
            hi=elasticache.DATA_STORAGE_GB[1],
            rule="mode serverless only",
            aws=elasticache.SERVERLESS_DOCS,
        ),
    )
    min_ecpu_per_second: int | None = field(
        default=None,
        metadata=doc(
            "Serverless: ElastiCache Processing Units per second kept ready (unset: none).",
            lo=elasticache.ECPU_PER_SECOND[0],
            hi=elasticache.ECPU_PER_SECOND[1],
            rule="mode serverless only; at most maxEcpuPerSecond",
            aws=elasticache.SERVERLESS_DOCS,
        ),
    )
    max_ecpu_per_second: int | None = field(
        default=None,
        metadata=doc(
            "Serverless: the most ECPUs per second; above it requests are throttled (unset: no"
            " limit).",
            lo=elasticache.ECPU_PER_SECOND[0],
            hi=elasticache.ECPU_PER_SECOND[1],
            rule="mode serverless only",
            aws=elasticache.SERVERLESS_DOCS,
        ),
    )
    daily_snapshot_time: str = field(
        default=DAILY_SNAPSHOT_TIME,
        metadata=doc(
            "Serverless: when the daily snapshot starts, hh24:mi UTC (snapshotRetentionDays"
            " keeps them).",
            rule="mode serverless only",
            aws=CREATE_DOCS,
        ),
    )


def refuse_keys(f: Fields, keys: tuple[str, ...], why: str) -> None:
    """Refuse the first of `keys` the config sets, saying `why`."""
    for key in keys:
        if f.has(key):
            raise ConfigError(f"{f.key}.{key} {why}")


def parse_serverless(f: Fields, serverless: bool) -> ServerlessConfig:
    """The serverless settings of `dbtier:redis` (`f`); in the other mode, none may be set
    (a value is still checked first, so a bad one is named for what is wrong with it)."""
    if serverless:
        refuse_keys(
            f,
            NODE_ONLY,
            "is not used with mode serverless: ElastiCache Serverless has no nodes, windows,"
            " parameter group, log delivery or AUTH token",
        )
    cfg = _read(f)
    if not serverless:
        refuse_keys(f, SERVERLESS_ONLY, "is a serverless cache's setting: it needs mode serverless")
    return cfg


def _read(f: Fields) -> ServerlessConfig:
    """The serverless keys, each in AWS's range, minimum at most maximum."""
    lo_gb, hi_gb = elasticache.DATA_STORAGE_GB
    lo_ecpu, hi_ecpu = elasticache.ECPU_PER_SECOND
    cfg = ServerlessConfig(
        min_data_storage_gb=f.integer("minDataStorageGb", None, lo_gb, hi_gb),
        max_data_storage_gb=f.integer("maxDataStorageGb", None, lo_gb, hi_gb),
        min_ecpu_per_second=f.integer("minEcpuPerSecond", None, lo_ecpu, hi_ecpu),
        max_ecpu_per_second=f.integer("maxEcpuPerSecond", None, lo_ecpu, hi_ecpu),
        daily_snapshot_time=f.text(
            "dailySnapshotTime", DAILY_SNAPSHOT_TIME, _TIME.pattern, "hh24:mi in UTC, e.g. 03:00"
        ),
    )
    limits = (
        (
            "minDataStorageGb",
            "data storage (GB)",
            elasticache.DATA_STORAGE_GB,
            cfg.min_data_storage_gb,
            cfg.max_data_storage_gb,
        ),
        (
            "minEcpuPerSecond",
            "ECPU per second",
            elasticache.ECPU_PER_SECOND,
            cfg.min_ecpu_per_second,
            cfg.max_ecpu_per_second,
        ),
    )
    for name, what, bounds, low, high in limits:
        problem = elasticache.usage_limit_problem(what, bounds, low, high)
        if problem:
            raise ConfigError(f"{f.key}.{name}: {problem}")
    return cfg
