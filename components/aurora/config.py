"""`dbtier:aurora`: engine, Serverless v2 capacity range and auto-pause, readers, backups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import aurora, rds, rds_insights, support
from components.change import ChangeConfig, check_change, parse_change
from components.credentials import CredentialsConfig, parse_credentials
from components.insights import InsightsMode, parse_insights, parse_monitoring_interval
from components.parameters import check_not_enforced
from components.settings import DB_NAME, ConfigError, Fields, iam_user, num, offered, username
from components.windows import AURORA_WINDOWS_DOCS

# The default version of each engine: Aurora MySQL 3.10 is the current long-term-support release.
AURORA_VERSIONS = {"aurora-mysql": "8.0.mysql_aurora.3.10.0", "aurora-postgresql": "16.8"}
# The class of the writer and readers: Serverless v2 scales them with the cluster's capacity.
AURORA_INSTANCE_CLASS = "db.serverless"
# The database user the exported IAM connect policy is for, unless config names another.
IAM_USER = "app"


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
    monitoring_interval: int = 60
    """Enhanced Monitoring on every instance (seconds between samples; 0 off)."""
    database_insights_mode: InsightsMode = "standard"
    """Database Insights for the cluster: standard, or advanced (465+ days of retention)."""
    performance_insights_retention_days: int = 7
    credentials: CredentialsConfig = field(default_factory=CredentialsConfig)
    """Who owns the master password and how often it rotates."""
    iam_user: str = IAM_USER
    """The database user applications connect as with IAM authentication (the exported
    connect policy names it; create it once with AWSAuthenticationPlugin or the rds_iam role)."""
    change: ChangeConfig = field(default_factory=ChangeConfig)
    """The cluster's windows, upgrades and user cluster parameters (flat keys: backupWindow...)."""


def parse_aurora(raw: Any, region: str | None = None) -> AuroraConfig:
    """Parse `dbtier:aurora`; the version, its Serverless v2 class and auto-pause are checked
    against what Aurora offers (in `region`, when known) through the pack's catalog."""
    d = AuroraConfig()
    f = Fields("dbtier:aurora", raw)
    engine = f.choice("engine", d.engine, AURORA_VERSIONS)
    version_pattern = (
        r"\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+"
        if engine == "aurora-mysql"
        else r"\d+(\.\d+)?(-limitless)?"
    )
    master = username(f, d.username, "Aurora")
    # Performance Insights is always on: db.serverless supports it on every Aurora engine.
    insights_mode, retention = parse_insights(
        f,
        True,
        rds_insights.performance_insights_problem(engine, AURORA_INSTANCE_CLASS),
        cluster=True,
    )
    cfg = AuroraConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            AURORA_VERSIONS[engine],
            version_pattern,
            "an Aurora MySQL version like 8.0.mysql_aurora.3.10.0"
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
        username=master,
        backtrack_hours=f.integer("backtrackHours", d.backtrack_hours, 0, 72),
        monitoring_interval=parse_monitoring_interval(f, d.monitoring_interval),
        database_insights_mode=insights_mode,
        performance_insights_retention_days=retention,
        credentials=parse_credentials(f),
        iam_user=iam_user(f, d.iam_user, "Aurora", master),
        # The cluster's windows: AURORA_WINDOWS_DOCS gives their lengths.
        change=parse_change(f, AURORA_WINDOWS_DOCS, AURORA_WINDOWS_DOCS),
    )
    f.done()
    check_change(f.key, cfg.change)
    check_parameters(cfg)
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
    if cfg.backtrack_hours and (problem := aurora.backtrack_problem(cfg.engine)):
        raise ConfigError(
            f"dbtier:aurora.backtrackHours: {problem} (engine aurora-mysql, or backtrackHours 0)"
        )
    if cfg.enabled:
        check_offered(cfg, region)
    return cfg


def check_parameters(cfg: AuroraConfig) -> None:
    """No user parameter may change one the cluster parameter group enforces for the engine."""
    from components.aurora.resources import cluster_parameters  # the component's own table

    check_not_enforced(
        "dbtier:aurora.parameters", cfg.change.parameters, cluster_parameters(cfg.engine)
    )


def check_offered(cfg: AuroraConfig, region: str | None) -> None:
    """What Aurora would refuse: the version, db.serverless for it in the region, auto-pause on a
    version without it; plus the pack's version policy."""
    key = "dbtier:aurora"
    offered(
        f"{key}.engineVersion",
        lambda: rds.rds_version_problem(cfg.engine, cfg.engine_version, cluster=True),
        lambda: support.support_problem(cfg.engine, cfg.engine_version),
        lambda: (
            region
            and rds.rds_class_problem(cfg.engine, AURORA_INSTANCE_CLASS, region, cfg.engine_version)
        ),
    )
    if cfg.min_capacity == 0:
        offered(
            f"{key}.minCapacity",
            lambda: (
                (problem := aurora.auto_pause_problem(cfg.engine, cfg.engine_version))
                and f"0 needs auto-pause: {problem}; raise minCapacity to 0.5 or upgrade engineVersion"
            ),
        )
