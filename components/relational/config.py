"""`dbtier:relational`: the RDS MySQL primary's shape, its read replicas, backups and monitoring."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import rds, rds_insights, support
from components.change import ChangeConfig, check_change, parse_change
from components.credentials import (
    READ_REPLICA_REASON,
    CredentialsConfig,
    managed_refused,
    parse_credentials,
)
from components.insights import InsightsMode, parse_insights, parse_monitoring_interval
from components.parameters import check_not_enforced
from components.rds_shape import enforced_parameters
from components.settings import DB_NAME, ConfigError, Fields, describe, iam_user, offered, username
from components.windows import RDS_BACKUP_DOCS, RDS_WINDOWS_DOCS
from contract.fielddoc import doc

# MySQL 8.4 is the RDS long-term-support line.
RDS_MYSQL_VERSION = "8.4"
# The database user the exported IAM connect policy is for, unless config names another.
IAM_USER = "app"


@dataclass(frozen=True)
class RelationalConfig:
    enabled: bool = field(default=True, metadata=doc("Create the RDS database."))
    engine: Literal["mysql"] = field(default="mysql", metadata=doc("The RDS engine."))
    engine_version: str = field(
        default=RDS_MYSQL_VERSION,
        metadata=doc(
            "The MySQL version (8.4 is RDS's long-term-support line).",
            rule="a version like 8.4 that RDS offers and still supports",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html",
        ),
    )
    instance_class: str = field(
        default="db.t4g.micro",
        metadata=doc(
            "The primary's and replicas' instance class.",
            rule="a current-generation class RDS offers for the version in the region",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html",
        ),
    )
    allocated_storage: int = field(
        default=20,
        metadata=doc(
            "gp3 storage in GiB.",
            lo=20,
            hi=65536,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    max_allocated_storage: int = field(
        default=100,
        metadata=doc(
            "Storage autoscaling's ceiling in GiB; 0 turns storage autoscaling off.",
            lo=0,
            hi=65536,
            rule="0 or >= allocatedStorage",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    multi_az: bool = field(
        default=False,
        metadata=doc(
            "A standby in another Availability Zone.",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
        ),
    )
    read_replicas: int = field(
        default=0,
        metadata=doc(
            "Read replicas of the primary (they inherit its encryption and set no credentials).",
            lo=0,
            hi=15,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
        ),
    )
    backup_retention_days: int = field(
        default=7,
        metadata=doc(
            "Days RDS keeps automated backups.",
            lo=1,
            hi=35,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    deletion_protection: bool = field(
        default=True, metadata=doc("RDS refuses to delete the database while it is on.")
    )
    database_name: str = field(
        default="appdb",
        metadata=doc(
            "The database created on the primary.",
            rule="a letter, then up to 63 letters, digits or _",
        ),
    )
    username: str = field(
        default="dbadmin",
        metadata=doc(
            "The master user.",
            rule="1-16 letters, digits or _, a letter first; not a name the engine reserves"
            " (admin, root, rdsadmin, ...)",
        ),
    )
    performance_insights: bool = field(
        default=False,
        metadata=doc(
            "Performance Insights, encrypted with the stack key; true on a class without it is"
            " refused.",
            default="on where the class supports it (not db.t4g.micro)",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html",
        ),
    )
    monitoring_interval: int = field(
        default=60,
        metadata=doc(
            "Seconds between Enhanced Monitoring samples; 0 turns it off.",
            allowed=(0, 1, 5, 10, 15, 30, 60),
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    database_insights_mode: InsightsMode = field(
        default="standard",
        metadata=doc(
            "Database Insights; advanced needs Performance Insights and a class that has it.",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html",
        ),
    )
    performance_insights_retention_days: int = field(
        default=7,
        metadata=doc(
            "Days Performance Insights keeps its data.",
            lo=7,
            hi=731,
            rule="7, a multiple of 31 up to 713, or 731; at least 465 with advanced",
            default="465 with databaseInsightsMode advanced",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html",
        ),
    )
    replica_multi_az: bool = field(
        default=False,
        metadata=doc(
            "Each read replica a Multi-AZ deployment.",
            default="as multiAz",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
        ),
    )
    replica_availability_zones: tuple[str, ...] | None = field(
        default=None,
        metadata=doc(
            "Zones single-AZ replicas are placed in, round-robin; unset: the DB subnet group's.",
            rule="zone names of the stack's region like us-east-1a, at most 15; not with"
            " replicaMultiAz",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html",
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
            " AWSAuthenticationPlugin.",
            rule="username's rules, and not the master user",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html",
        ),
    )
    change: ChangeConfig = field(
        default_factory=ChangeConfig,
        metadata=doc("Windows, upgrades and engine parameters.", flat=True),
    )


def parse_relational(raw: Any, region: str | None = None) -> RelationalConfig:
    """Parse `dbtier:relational`; versions and classes are checked against what RDS offers
    (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too)."""
    d = RelationalConfig()
    f = Fields("dbtier:relational", raw)
    engine = f.choice("engine", d.engine, ("mysql",))
    engine_version = f.text(
        "engineVersion",
        d.engine_version,
        r"\d+\.\d+(\.\d+)?(-rds\.\d+)?",
        "a MySQL version like 8.4",
    )
    instance_class = f.text(
        "instanceClass",
        d.instance_class,
        r"db\.[a-z0-9]+(\.[a-z0-9]+)?",
        "an RDS instance class like db.m7g.large",
    )
    pi_supported = rds_insights.performance_insights_supported(engine, instance_class)
    master = username(f, d.username, "RDS MySQL")
    performance_insights = f.flag("performanceInsights", pi_supported)
    insights_mode, retention = parse_insights(
        f, performance_insights, rds_insights.performance_insights_problem(engine, instance_class)
    )
    multi_az = f.flag("multiAz", d.multi_az)
    replica_multi_az = f.flag("replicaMultiAz", multi_az)
    cfg = RelationalConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=engine_version,
        instance_class=instance_class,
        allocated_storage=f.integer("allocatedStorage", d.allocated_storage, 20, 65536),
        max_allocated_storage=f.integer("maxAllocatedStorage", d.max_allocated_storage, 0, 65536),
        multi_az=multi_az,
        read_replicas=f.integer("readReplicas", d.read_replicas, 0, 15),
        backup_retention_days=f.integer("backupRetentionDays", d.backup_retention_days, 1, 35),
        deletion_protection=f.flag("deletionProtection", d.deletion_protection),
        database_name=f.text(
            "databaseName", d.database_name, DB_NAME, "a letter then up to 63 letters, digits or _"
        ),
        username=master,
        performance_insights=performance_insights,
        monitoring_interval=parse_monitoring_interval(f, d.monitoring_interval),
        database_insights_mode=insights_mode,
        performance_insights_retention_days=retention,
        replica_multi_az=replica_multi_az,
        replica_availability_zones=f.strings(
            "replicaAvailabilityZones", check=_zone, most=15, quota="one per replica at most"
        ),
        credentials=parse_credentials(f),
        iam_user=iam_user(f, d.iam_user, "RDS MySQL", master),
        change=parse_change(f, RDS_BACKUP_DOCS, RDS_WINDOWS_DOCS),
    )
    f.done()
    check_change(f.key, cfg.change)
    check_parameters(cfg, cdc_source=False)
    managed_refused(
        "dbtier:relational", cfg.credentials, READ_REPLICA_REASON if cfg.read_replicas else None
    )
    zones = cfg.replica_availability_zones
    if zones == ():
        raise ConfigError(
            "dbtier:relational.replicaAvailabilityZones must name at least one zone (or be left out)"
        )
    if zones is not None and cfg.replica_multi_az:
        # RDS places a Multi-AZ instance itself: AvailabilityZone and MultiAZ are exclusive
        # (CreateDBInstanceReadReplica, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html).
        raise ConfigError(
            "dbtier:relational.replicaAvailabilityZones needs replicaMultiAz false"
            " (RDS places Multi-AZ replicas itself)"
        )
    if zones is not None and region and (bad := [z for z in zones if not z.startswith(region)]):
        raise ConfigError(
            f"dbtier:relational.replicaAvailabilityZones must be zones of {region} (got {bad[0]})"
        )
    if cfg.max_allocated_storage and cfg.max_allocated_storage < cfg.allocated_storage:
        raise ConfigError(
            "dbtier:relational.maxAllocatedStorage must be 0 (autoscaling off) or >= allocatedStorage"
            f" (got {cfg.max_allocated_storage} < {cfg.allocated_storage})"
        )
    if cfg.enabled:
        check_offered(cfg, region)
    return cfg


def check_parameters(cfg: RelationalConfig, cdc_source: bool) -> None:
    """No user parameter may change one RelationalTier enforces; with a migration reading from
    the database (`cdc_source`, known only across keys) that includes its binlog settings."""
    check_not_enforced(
        "dbtier:relational.parameters",
        cfg.change.parameters,
        enforced_parameters(cfg.engine, cdc_source),
    )


def _zone(key: str, value: str) -> None:
    """An Availability Zone name: region plus a letter (us-east-1a)."""
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9][a-z]", value, re.ASCII):
        raise ConfigError(
            f"{key} must be Availability Zone names like us-east-1a (got {describe(value)})"
        )


def check_offered(cfg: RelationalConfig, region: str | None) -> None:
    """What RDS would refuse: the version, the class (for that version and region), and
    Performance Insights on a class that lacks it; plus the pack's version and class policy."""
    key = "dbtier:relational"
    offered(
        f"{key}.engineVersion",
        lambda: rds.rds_version_problem(cfg.engine, cfg.engine_version),
        lambda: support.support_problem(cfg.engine, cfg.engine_version),
    )
    offered(
        f"{key}.instanceClass",
        lambda: support.generation_problem("rds", cfg.instance_class),
        lambda: (
            region
            and rds.rds_class_problem(cfg.engine, cfg.instance_class, region, cfg.engine_version)
        ),
    )
    if cfg.performance_insights:
        offered(
            f"{key}.performanceInsights",
            lambda: (
                (
                    problem := rds_insights.performance_insights_problem(
                        cfg.engine, cfg.instance_class
                    )
                )
                and f"{problem}; set performanceInsights false or a larger instanceClass"
            ),
        )
