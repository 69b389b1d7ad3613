"""`dbtier:aurora`: engine, Serverless v2 capacity range and auto-pause, readers, backups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.settings import DB_NAME, ConfigError, Fields, num, username

# The default version of each engine: Aurora MySQL 3.10 is the current long-term-support release.
AURORA_VERSIONS = {"aurora-mysql": "8.0.mysql_aurora.3.10.0", "aurora-postgresql": "16.8"}


@dataclass(frozen=True)
class AuroraConfig:
    enabled: bool = True
    engine: Literal["aurora-mysql", "aurora-postgresql"] = "aurora-mysql"
    engine_version: str = AURORA_VERSIONS["aurora-mysql"]
    min_capacity: float = 0.5
    max_capacity: float = 4.0
    seconds_until_auto_pause: int | None = None
    readers: int = 0
    backup_retention_days: int = 7
    deletion_protection: bool = True
    database_name: str = "appdb"
    username: str = "dbadmin"
    backtrack_hours: int = 0


def parse_aurora(raw: Any) -> AuroraConfig:
    d = AuroraConfig()
    f = Fields("dbtier:aurora", raw)
    engine = f.choice("engine", d.engine, AURORA_VERSIONS)
    version_pattern = (
        r"8\.0\.mysql_aurora\.3\.\d{2}\.\d+" if engine == "aurora-mysql" else r"1[3-7]\.\d+"
    )
    cfg = AuroraConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            AURORA_VERSIONS[engine],
            version_pattern,
            "an Aurora MySQL 3 version like 8.0.mysql_aurora.3.10.0"
            if engine == "aurora-mysql"
            else "an Aurora PostgreSQL version like 16.8",
        ),
        min_capacity=f.number("minCapacity", d.min_capacity, 0, 256),
        max_capacity=f.number("maxCapacity", d.max_capacity, 0.5, 256),
        seconds_until_auto_pause=f.integer("secondsUntilAutoPause", None, 300, 86400),
        readers=f.integer("readers", d.readers, 0, 15),
        backup_retention_days=f.integer("backupRetentionDays", d.backup_retention_days, 1, 35),
        deletion_protection=f.flag("deletionProtection", d.deletion_protection),
        database_name=f.text(
            "databaseName", d.database_name, DB_NAME, "a letter then up to 63 letters, digits or _"
        ),
        username=username(f, d.username, "Aurora"),
        backtrack_hours=f.integer("backtrackHours", d.backtrack_hours, 0, 72),
    )
    f.done()
    for name, value in (("minCapacity", cfg.min_capacity), ("maxCapacity", cfg.max_capacity)):
        if (value * 2) % 1:
            raise ConfigError(
                f"dbtier:aurora.{name} must be a multiple of 0.5 ACU (got {num(value)})"
            )
    if cfg.max_capacity < cfg.min_capacity:
        raise ConfigError(
            f"dbtier:aurora.maxCapacity must be >= minCapacity (got {num(cfg.max_capacity)} < {num(cfg.min_capacity)})"
        )
    if cfg.min_capacity == 0 and cfg.seconds_until_auto_pause is None:
        raise ConfigError(
            "dbtier:aurora.minCapacity 0 (auto-pause) needs dbtier:aurora.secondsUntilAutoPause between 300 and 86400"
        )
    if cfg.min_capacity > 0 and cfg.seconds_until_auto_pause is not None:
        raise ConfigError(
            "dbtier:aurora.secondsUntilAutoPause only applies with minCapacity 0"
            f" (got minCapacity {num(cfg.min_capacity)})"
        )
    if cfg.backtrack_hours and cfg.engine != "aurora-mysql":
        raise ConfigError("dbtier:aurora.backtrackHours is supported only with engine aurora-mysql")
    return cfg
