"""`dbtier:aurora`: engine, Serverless v2 capacity range and auto-pause, readers, backups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import aurora, rds, rds_insights, rds_reserved, support
from components.change import ChangeConfig, check_change, parse_change
from components.credentials import CredentialsConfig, parse_credentials
from components.fieldcheck import check_object
from components.insights import InsightsMode, parse_insights, parse_monitoring_interval
from components.parameters import check_not_enforced
from components.rds_shape import enforced_parameters
from components.settings import DB_NAME, ConfigError, Fields, iam_user, num, offered, username
from components.windows import AURORA_WINDOWS_DOCS
from contract.fielddoc import doc

# The default version of each engine: Aurora MySQL 3.10 is the current long-term-support release.
AURORA_VERSIONS = {"aurora-mysql": "8.0.mysql_aurora.3.10.0", "aurora-postgresql": "16.8"}
# Whose reserved words each Aurora engine refuses as a master user or database name
# (CreateDBCluster MasterUsername and DatabaseName: not a reserved word of the engine).
AURORA_FAMILIES = {"aurora-mysql": "mysql", "aurora-postgresql": "postgres"}
RESERVED_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
# The class of the writer and readers: Serverless v2 scales them with the cluster's capacity.
AURORA_INSTANCE_CLASS = "db.serverless"
# The database user the exported IAM connect policy is for, unless config names another.
IAM_USER = "app"


@dataclass(frozen=True)
class AuroraConfig:
    enabled: bool = field(default=True, metadata=doc("Create the Aurora cluster."))
    engine: Literal["aurora-mysql", "aurora-postgresql"] = field(
        default="aurora-mysql", metadata=doc("The Aurora engine.")
    )
    engine_version: str = field(
        default=AURORA_VERSIONS["aurora-mysql"],
        metadata=doc(
            "The engine version (Aurora MySQL 3.10 is the current long-term-support release).",
            rule="a version Aurora offers with Serverless v2 in the region, like"
            " 8.0.mysql_aurora.3.10.0 or 16.8",
            default=f"{AURORA_VERSIONS['aurora-postgresql']} with aurora-postgresql",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html",
        ),
    )
    min_capacity: float = field(
        default=0.5,
        metadata=doc(
            "Serverless v2 minimum capacity in ACUs; 0 pauses the cluster when idle.",
            lo=0,
            hi=256,
            rule="a multiple of 0.5; 0 needs secondsUntilAutoPause and a version with auto-pause",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html",
        ),
    )
    max_capacity: float = field(
        default=4.0,
        metadata=doc(
            "Serverless v2 maximum capacity in ACUs.",
            lo=0.5,
            hi=256,
            rule="a multiple of 0.5, >= minCapacity",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html",
        ),
    )
    seconds_until_auto_pause: int | None = field(
        default=None,
        metadata=doc(
            "Idle seconds before the cluster pauses.",
            lo=300,
            hi=86400,
            rule="only with minCapacity 0, which needs it",
            aws=aurora.AUTO_PAUSE_DOCS,
        ),
    )
    readers: int = field(
        default=0,
        metadata=doc(
            "Reader instances on db.serverless in promotion tier 1, in other zones than the"
            " writer.",
            lo=0,
            hi=15,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html",
        ),
    )
    backup_retention_days: int = field(
        default=7,
        metadata=doc(
            "Days Aurora keeps automated backups.",
            lo=1,
            hi=35,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        ),
    )
    deletion_protection: bool = field(
        default=True, metadata=doc("Aurora refuses to delete the cluster while it is on.")
    )
    database_name: str = field(
        default="appdb",
        metadata=doc(
            "The database created in the cluster.",
            rule="a letter, then up to 63 letters, digits or _; not a word the engine reserves"
            " (MySQL's or PostgreSQL's reserved words)",
            aws=RESERVED_DOCS,
        ),
    )
    username: str = field(
        default="dbadmin",
        metadata=doc(
            "The master user.",
            rule="1-16 letters, digits or _, a letter first; not a name the engine reserves"
            " (admin, root, postgres, select, user, ...)",
            aws=RESERVED_DOCS,
        ),
    )
    backtrack_hours: int = field(
        default=0,
        metadata=doc(
            "Hours the cluster can be rewound in place; 0 turns backtrack off.",
            lo=0,
            hi=72,
            rule="aurora-mysql only",
            aws=aurora.BACKTRACK_DOCS,
        ),
    )
    monitoring_interval: int = field(
        default=60,
        metadata=doc(
            "Seconds between Enhanced Monitoring samples on every instance; 0 turns it off.",
            allowed=(0, 1, 5, 10, 15, 30, 60),
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        ),
    )
    database_insights_mode: InsightsMode = field(
        default="standard",
        metadata=doc(
            "Database Insights, set on the cluster (Performance Insights is always on).",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html",
        ),
    )
    performance_insights_retention_days: int = field(
        default=7,
        metadata=doc(
            "Days Performance Insights keeps its data.",
            lo=7,
            hi=731,
            rule="7, a multiple of 31 up to 713, or 731; exactly 465 with advanced",
            default="465 with databaseInsightsMode advanced",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        ),
    )
    credentials: CredentialsConfig = field(
        default_factory=CredentialsConfig,
        metadata=doc("Who owns the master password and how often it rotates."),
    )
    iam_user: str = field(
        default=IAM_USER,
        metadata=doc(
            "The database user the exported IAM connect policy is for; create it once with the"
            " AWSAuthenticationPlugin (MySQL) or the rds_iam role (PostgreSQL).",
            rule="username's rules, and not the master user",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html",
        ),
    )
    change: ChangeConfig = field(
        default_factory=ChangeConfig,
        metadata=doc(
            "The cluster's windows, upgrades and cluster parameters (the backup window is the"
            " cluster's, the maintenance window every instance's too).",
            flat=True,
        ),
    )


def parse_aurora(raw: Any, region: str | None = None) -> AuroraConfig:
    """Parse `dbtier:aurora`; the version, its Serverless v2 class and auto-pause are checked
    against what Aurora offers (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too)."""
    d = AuroraConfig()
    check_object("dbtier:aurora", raw, AuroraConfig)
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
    check_reserved(cfg)
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


def check_reserved(cfg: AuroraConfig) -> None:
    """No master user or database name that the engine reserves (MySQL's or PostgreSQL's SQL
    keywords, the accounts RDS keeps): CreateDBCluster would refuse it."""
    family = AURORA_FAMILIES[cfg.engine]
    for name, value, user in (
        ("username", cfg.username, True),
        ("iamUser", cfg.iam_user, True),
        ("databaseName", cfg.database_name, False),
    ):
        if rds_reserved.reserved(family, value, user=user):
            raise ConfigError(
                f"dbtier:aurora.{name} {value.lower()!r} is a word {cfg.engine} reserves;"
                f" choose another name ({RESERVED_DOCS})"
            )


def check_parameters(cfg: AuroraConfig) -> None:
    """No user parameter may change one the cluster parameter group enforces for the engine."""
    check_not_enforced(
        "dbtier:aurora.parameters", cfg.change.parameters, enforced_parameters(cfg.engine)
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
