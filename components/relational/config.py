"""`dbtier:relational`: the RDS primary's engine (MySQL, PostgreSQL, MariaDB, SQL Server or
Oracle) and shape, its read replicas, backups and monitoring.

What each engine is and refuses comes from `awsdata.rds_engines` and `awsdata.rds_engine_rules`
(the policy pack reads them too); versions and classes from cfn-lint's data (`awsdata.rds`).
The checks that span fields (`check_engine`) run once the object is parsed, each naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import rds, rds_engine_rules, rds_engines, rds_insights, support
from components.change import ChangeConfig, check_change, parse_change
from components.credentials import CredentialsConfig, managed_refused, parse_credentials
from components.fieldcheck import check_object
from components.insights import InsightsMode, parse_insights, parse_monitoring_interval
from components.parameters import check_not_enforced
from components.rds_shape import enforced_parameters
from components.relational.cross_region_config import (
    BACKUPS_TO_DOC,
    CROSS_REGION_REPLICAS_DOC,
    BackupsToConfig,
    parse_cross_region,
)
from components.relational.fields import database, iam_user, log_exports, user
from components.settings import ConfigError, Fields, describe, offered
from components.windows import RDS_BACKUP_DOCS, RDS_WINDOWS_DOCS
from contract.fielddoc import doc

# MySQL 8.4 is the RDS long-term-support line, and the newest MySQL in standard support
# (rds_engine_rules.default_version("mysql"), which tests check it against).
RDS_MYSQL_VERSION = "8.4"
Engine = Literal[
    "mysql",
    "postgres",
    "mariadb",
    "sqlserver-ex",
    "sqlserver-se",
    "sqlserver-ee",
    "sqlserver-web",
    "oracle-se2",
    "oracle-ee",
]
ENGINE_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Welcome.html#Welcome.Concepts.DBInstance"
# The database user the exported IAM connect policy is for, unless config names another.
IAM_USER = "app"
KEY = "dbtier:relational"
# CreateDBInstance EngineLifecycleSupport: "This setting applies only to RDS for MySQL and RDS
# for PostgreSQL" (botocore's rds model).
LIFECYCLE_ENGINES = ("mysql", "postgres")
LIFECYCLE_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html"


@dataclass(frozen=True)
class RelationalConfig:
    enabled: bool = field(default=True, metadata=doc("Create the RDS database."))
    engine: Engine = field(
        default="mysql",
        metadata=doc(
            "The RDS engine: MySQL, PostgreSQL, MariaDB, SQL Server (Express, Web, Standard,"
            " Enterprise) or Oracle (Standard Edition 2, Enterprise Edition).",
            aws=ENGINE_DOCS,
        ),
    )
    engine_version: str = field(
        default=RDS_MYSQL_VERSION,
        metadata=doc(
            "The engine version.",
            rule="a version RDS offers for the engine and still supports, like 8.4, 17.6,"
            " 16.00 or 19",
            default="for mysql; each engine's newest major in standard support that AWS's data"
            " lists: the newest 17.x (postgres), 11.4 (mariadb), 17.00 (SQL Server; 16.00 on"
            " Web), 19 (Oracle)",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html",
        ),
    )
    instance_class: str = field(
        default="db.t4g.micro",
        metadata=doc(
            "The primary's and replicas' instance class.",
            rule="a current-generation class RDS offers for the engine and version in the region",
            default="other engines: the smallest current-generation class offered in us-east-1"
            " (db.t3.micro on sqlserver-ex, db.m6i.large on sqlserver-se, ...)",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html",
        ),
    )
    license_model: str = field(
        default="general-public-license",
        metadata=doc(
            "The license: license-included where AWS offers it; bring-your-own-license only when"
            " named here.",
            rule="one the engine offers: general-public-license (MySQL, MariaDB),"
            " postgresql-license, license-included (SQL Server, Oracle SE2) or"
            " bring-your-own-license (Oracle; oracle-ee has nothing else, so it needs it named)",
            default="postgresql-license on PostgreSQL; license-included on SQL Server and"
            " oracle-se2",
            aws=rds_engines.LICENSE_DOCS["oracle"],
        ),
    )
    allocated_storage: int = field(
        default=20,
        metadata=doc(
            "gp3 storage in GiB.",
            lo=20,
            hi=65536,
            rule="at most 16384 on SQL Server",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    max_allocated_storage: int = field(
        default=100,
        metadata=doc(
            "Storage autoscaling's ceiling in GiB; 0 turns storage autoscaling off.",
            lo=0,
            hi=65536,
            rule="0 or >= allocatedStorage; at most 16384 on SQL Server",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    multi_az: bool = field(
        default=False,
        metadata=doc(
            "A standby in another Availability Zone.",
            rule="not on SQL Server Express",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
        ),
    )
    read_replicas: int = field(
        default=0,
        metadata=doc(
            "Read replicas of the primary (they inherit its encryption and set no credentials).",
            lo=0,
            hi=15,
            rule="at most 5 on sqlserver-ee and oracle-ee (read-only Oracle replicas need an"
            " Active Data Guard license, and a source of two or more vCPUs); none on other SQL"
            " Server and Oracle editions",
            aws=(
                "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
                "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/oracle-read-replicas.limitations.html",
            ),
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
    database_name: str | None = field(
        default="appdb",
        metadata=doc(
            "The database created on the primary (Oracle: its SID).",
            rule="a letter, then up to 63 letters, digits or _ (PostgreSQL 62); Oracle: up to"
            " 8 upper-case letters or digits; not a word the engine reserves; SQL Server takes"
            " none",
            default="APPDB on Oracle; none on SQL Server",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    username: str = field(
        default="dbadmin",
        metadata=doc(
            "The master user.",
            rule="1-16 letters, digits or _, a letter first; not a word the engine reserves"
            " (admin, root, rdsadmin, sa, sys, user, select, ...)",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
    )
    log_exports: tuple[str, ...] = field(
        default=("error", "slowquery", "iam-db-auth-error"),
        metadata=doc(
            "The logs exported to CloudWatch Logs; dbtier sets the parameter or option that"
            " writes each (audit: the MARIADB_AUDIT_PLUGIN option; slowquery: slow_query_log).",
            rule="logs the engine exports: audit, error, general, slowquery, iam-db-auth-error"
            " (MySQL, MariaDB); postgresql, upgrade, iam-db-auth-error (PostgreSQL); agent"
            " (not Express), error (SQL Server); alert, audit, listener, trace (Oracle)",
            default="postgresql, iam-db-auth-error (PostgreSQL); agent, error (SQL Server; error"
            " on Express); alert, audit, listener, trace (Oracle)",
            most=8,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
        ),
    )
    iam_auth: bool = field(
        default=True,
        metadata=doc(
            "IAM database authentication (and the exported connect policy).",
            rule="MySQL, MariaDB and PostgreSQL only",
            default="on where the engine has it",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
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
            nonempty=True,
            most=15,
            quota="one per replica at most",
            rule="zone names of the stack's region like us-east-1a; not with replicaMultiAz",
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
    backups_to: BackupsToConfig | None = field(default=None, metadata=BACKUPS_TO_DOC)
    cross_region_replicas: tuple[str, ...] = field(default=(), metadata=CROSS_REGION_REPLICAS_DOC)


def parse_relational(raw: Any, region: str | None = None) -> RelationalConfig:
    """Parse `dbtier:relational`; versions and classes are checked against what RDS offers
    (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too).
    Fields left out take the engine's defaults (`awsdata.rds_engine_rules`)."""
    d = RelationalConfig()
    check_object(KEY, raw, RelationalConfig)
    f = Fields(KEY, raw)
    engine = f.choice("engine", d.engine, rds_engines.ENGINES)
    e = rds_engines.engine(engine)
    engine_version = f.text(
        "engineVersion",
        None,
        r"\d+(\.[0-9A-Za-z-]+){0,6}",
        f"a {e.label} version like {rds_engine_rules.default_version(engine)}",
    ) or rds_engine_rules.default_version(engine)
    instance_class = f.text(
        "instanceClass",
        None,
        r"db\.[a-z0-9]+(\.[a-z0-9]+)?",
        "an RDS instance class like db.m7g.large",
    ) or rds_engine_rules.default_class(engine, engine_version)
    pi_supported = rds_insights.performance_insights_supported(engine, instance_class)
    master = user(f, "username", d.username, engine)
    performance_insights = f.flag("performanceInsights", pi_supported)
    insights_mode, retention = parse_insights(
        f, performance_insights, rds_insights.performance_insights_problem(engine, instance_class)
    )
    multi_az = f.flag("multiAz", d.multi_az)
    replica_multi_az = f.flag("replicaMultiAz", multi_az)
    iam_auth = f.flag("iamAuth", e.iam_auth)
    cfg = RelationalConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=engine_version,
        instance_class=instance_class,
        license_model=f.choice("licenseModel", None, e.license_models) or e.default_license or "",
        allocated_storage=f.integer("allocatedStorage", d.allocated_storage, 20, 65536),
        max_allocated_storage=f.integer("maxAllocatedStorage", d.max_allocated_storage, 0, 65536),
        multi_az=multi_az,
        read_replicas=f.integer("readReplicas", d.read_replicas, 0, 15),
        backup_retention_days=f.integer("backupRetentionDays", d.backup_retention_days, 1, 35),
        deletion_protection=f.flag("deletionProtection", d.deletion_protection),
        database_name=database(f, engine),
        username=master,
        log_exports=log_exports(f, engine),
        iam_auth=iam_auth,
        performance_insights=performance_insights,
        monitoring_interval=parse_monitoring_interval(f, d.monitoring_interval),
        database_insights_mode=insights_mode,
        performance_insights_retention_days=retention,
        replica_multi_az=replica_multi_az,
        replica_availability_zones=f.strings("replicaAvailabilityZones", check=_zone),
        credentials=parse_credentials(f),
        iam_user=iam_user(f, d.iam_user, engine, master, iam_auth),
        change=parse_change(f, RDS_BACKUP_DOCS, RDS_WINDOWS_DOCS),
        **parse_cross_region(f),
    )
    f.done()
    check_change(f.key, cfg.change)
    check_parameters(cfg, cdc_source=False)
    check_engine(cfg)
    zones = cfg.replica_availability_zones
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


def check_engine(cfg: RelationalConfig) -> None:
    """What the engine (or its edition) cannot do, each refused naming its key: the license,
    read replicas, Multi-AZ, IAM authentication, storage, RDS-managed passwords with replicas,
    and RDS Extended Support enrolment."""
    engine, rules = cfg.engine, rds_engine_rules
    checks = (
        ("licenseModel", rules.license_problem(engine, cfg.license_model or None)),
        ("readReplicas", rules.replicas_problem(engine, cfg.read_replicas, cfg.instance_class)),
        ("multiAz", cfg.multi_az and rules.multi_az_problem(engine)),
        (
            "replicaMultiAz",
            cfg.read_replicas and cfg.replica_multi_az and rules.multi_az_problem(engine),
        ),
        ("iamAuth", cfg.iam_auth and rules.iam_auth_problem(engine)),
        ("allocatedStorage", rules.storage_problem(engine, cfg.allocated_storage)),
        ("maxAllocatedStorage", rules.storage_problem(engine, cfg.max_allocated_storage)),
        (
            "engineLifecycleSupport",
            cfg.change.engine_lifecycle_support is not None
            and engine not in LIFECYCLE_ENGINES
            and "RDS Extended Support applies to MySQL and PostgreSQL only; leave it out"
            f" ({LIFECYCLE_DOCS})",
        ),
    )
    for name, problem in checks:
        if problem:
            raise ConfigError(f"{KEY}.{name}: {problem}")
    if rds_engines.engine(engine).family == "oracle" and cfg.credentials.rotation_function:
        # AWS's Oracle rotation function logs in without TLS on the secret's port, and the only
        # port open to clients is the SSL option's (its source:
        # https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSOracleRotationSingleUser/lambda_function.py).
        raise ConfigError(
            f"{KEY}.credentials.rotationDays: AWS's Oracle rotation function connects without"
            " TLS, and Oracle here takes TLS connections only (the SSL option's port); use"
            " credentials.mode managed, which RDS rotates, or rotationDays 0"
        )
    managed_refused(KEY, cfg.credentials, rules.managed_password_problem(engine, cfg.read_replicas))


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
