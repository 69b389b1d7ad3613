"""Every RDS engine a RelationalTier can run, and what each one is: its port, how it enforces
TLS, the logs it exports and what makes each non-empty, its license models, the rules of its
master user and database names, its password characters, what it cannot do (read replicas,
Multi-AZ, IAM authentication, storage), what change data capture needs from it, and the Secrets
Manager secret ``engine`` and rotation application that go with it.

One table (``RDS_ENGINES``); config validation, the components and the policy pack all read it,
so they agree. What each engine refuses, as messages, and its default version and class are in
``awsdata.rds_engine_rules``. Versions and classes are not here: they come from cfn-lint's data
through ``awsdata.rds``. The rest is not in cfn-lint: each fact names its AWS page next to it.
General sources:

- CreateDBInstance (botocore's rds model, ``CreateDBInstanceMessage``):
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html ---
  ``Port`` defaults, ``LicenseModel`` values, ``MasterUserPassword`` characters and lengths,
  ``DBName`` rules, ``AllocatedStorage`` limits, ``EnableCloudwatchLogsExports`` per engine;
- secret JSON ``engine`` values and rotation templates:
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html,
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .support import LABELS

ENGINES = (
    "mysql",
    "postgres",
    "mariadb",
    "sqlserver-ex",
    "sqlserver-se",
    "sqlserver-ee",
    "sqlserver-web",
    "oracle-se2",
    "oracle-ee",
)
# The region whose offer picks each engine's default class (rds_engine_rules.default_class).
REFERENCE_REGION = "us-east-1"

# License models (CreateDBInstance LicenseModel).
LICENSE_INCLUDED = "license-included"
BYOL = "bring-your-own-license"
LICENSE_DOCS = {
    "oracle": "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Oracle.Concepts.Licensing.html",
    "sqlserver": "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.Licensing.html",
}


@dataclass(frozen=True)
class Option:
    """An option of an RDS option group, as ``aws.rds.OptionGroup`` takes it."""

    name: str
    settings: Mapping[str, str] = field(default_factory=dict)
    port: int | None = None
    """The port the option listens on (its clients connect there); None: no port."""


@dataclass(frozen=True)
class LogExport:
    """A log an engine exports to CloudWatch Logs, and what makes RDS write it."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    """Parameter group entries without which the log stays empty."""
    option: Option | None = None
    """The option group option that writes the log (MySQL's and MariaDB's audit log)."""
    tunable: frozenset[str] = frozenset()
    """Of ``parameters``, those a user may tune (a threshold, not whether the log is written)."""


# --- Logs -------------------------------------------------------------------------------------
# What makes each log non-empty:
# - MySQL and MariaDB write the error log always; slow and general logs only with their
#   switches and log_output FILE (the default TABLE writes mysql.slow_log instead); the audit
#   log only through the MARIADB_AUDIT_PLUGIN option; iam-db-auth-error whenever an IAM token
#   login fails. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html,
#   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.AuditPlugin.html,
#   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MariaDB.Options.AuditPlugin.html
# - PostgreSQL writes its log always; log_min_duration_statement adds the slow statements and
#   log_statement ddl every schema change (RDS's defaults log neither); `upgrade` is written by
#   major version upgrades. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html
# - SQL Server writes its error log and SQL Server Agent's log always; Express has no SQL Server
#   Agent (https://learn.microsoft.com/en-us/sql/sql-server/editions-and-components-of-sql-server-2022),
#   so no agent log. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.SQLServer.html
# - Oracle writes alert, listener and trace files always, and audit files always (mandatory
#   auditing of SYSDBA connections, which RDS's own management makes); oemagent needs the
#   OEM_AGENT option, which dbtier does not create.
#   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.Oracle.html
# The slow-query threshold: 2 s, as for Aurora MySQL (long_query_time is seconds, PostgreSQL's
# log_min_duration_statement milliseconds).
AUDIT_PLUGIN = Option(
    "MARIADB_AUDIT_PLUGIN",
    # Who connects, and every change to users, grants and schema; not every query (cost): the
    # same events as Aurora MySQL's Advanced Auditing in components.rds_shape.
    {"SERVER_AUDIT_EVENTS": "CONNECT,QUERY_DCL,QUERY_DDL"},
)
_MYSQL_LOGS = {
    "audit": LogExport(option=AUDIT_PLUGIN),
    "error": LogExport(),
    "general": LogExport({"general_log": "1", "log_output": "FILE"}),
    "slowquery": LogExport(
        {"slow_query_log": "1", "long_query_time": "2", "log_output": "FILE"},
        tunable=frozenset({"long_query_time"}),
    ),
    "iam-db-auth-error": LogExport(),
}
_POSTGRES_LOGS = {
    "postgresql": LogExport(
        {"log_min_duration_statement": "2000", "log_statement": "ddl"},
        tunable=frozenset({"log_min_duration_statement"}),
    ),
    "upgrade": LogExport(),
    "iam-db-auth-error": LogExport(),
}
_SQLSERVER_LOGS = {"agent": LogExport(), "error": LogExport()}
_ORACLE_LOGS = {
    "alert": LogExport(),
    "audit": LogExport(),
    "listener": LogExport(),
    "trace": LogExport(),
}

# --- TLS --------------------------------------------------------------------------------------
# MySQL and MariaDB: require_secure_transport
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html,
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html);
# PostgreSQL and SQL Server: rds.force_ssl
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html,
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.SSL.Using.html);
# Oracle: the SSL option, which listens on its own port (2484 by default) with TLS 1.2; only that
# port is opened to clients, so every client connection is TLS
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.Oracle.Options.SSL.html).
ORACLE_SSL = Option("SSL", {"SQLNET.SSL_VERSION": "1.2"}, port=2484)

# --- Change data capture ----------------------------------------------------------------------
# MySQL and MariaDB: row-based binlogs with full images and no checksum
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.AmazonManaged);
# PostgreSQL: logical replication (rds.logical_replication 1 sets wal_level logical)
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html#CHAP_Source.PostgreSQL.RDSPostgreSQL).
_BINLOGS = {"binlog_format": "ROW", "binlog_row_image": "full", "binlog_checksum": "NONE"}
_LOGICAL = {"rds.logical_replication": "1"}
# SQL Server and Oracle need what no parameter sets: steps run in the database once it exists.
# SQL Server Standard and Enterprise: MS-CDC, turned on per database and table by RDS's stored
# procedures; Express and Web have no MS-CDC
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.SQLServer.html,
# https://learn.microsoft.com/en-us/sql/sql-server/editions-and-components-of-sql-server-2022).
# Oracle: supplemental logging and archived redo log retention through rdsadmin
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.Oracle.html#CHAP_Source.Oracle.Amazon-Managed).
SQLSERVER_CDC_STEPS = (
    "exec msdb.dbo.rds_cdc_enable_db '<database>'; then exec sys.sp_cdc_enable_table for each"
    " table DMS reads (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.SQLServer.html)"
)
ORACLE_CDC_STEPS = (
    "exec rdsadmin.rdsadmin_util.alter_supplemental_logging('ADD'); ...('ADD','PRIMARY KEY');"
    " exec rdsadmin.rdsadmin_util.set_configuration('archivelog retention hours', 24)"
    " (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.Oracle.html#CHAP_Source.Oracle.Amazon-Managed)"
)
SQLSERVER_NO_CDC = (
    "SQL Server Express and Web editions have no change data capture (MS-CDC), which DMS reads;"
    " use sqlserver-se or sqlserver-ee, or a full-load migration"
)

# --- Passwords --------------------------------------------------------------------------------
# "Can include any printable ASCII character except "/", """, or "@". For RDS for Oracle, can't
# include the "&" (ampersand) or the "'" (single quotes) character" (CreateDBInstance
# MasterUserPassword). What remains of dbtier's own set per engine; lengths: at most 41
# (MySQL, MariaDB), 30 (Oracle), 128 (PostgreSQL, SQL Server).
PASSWORD_SPECIAL = "!#$%^&*()-_=+[]{}<>:?~"
ORACLE_PASSWORD_SPECIAL = PASSWORD_SPECIAL.replace("&", "")


@dataclass(frozen=True)
class RdsEngine:
    """What one RDS engine is, as dbtier uses it (see the module docstring for sources)."""

    engine: str
    family: str
    """mysql, mariadb, postgres, sqlserver or oracle: the engine its editions share."""
    port: int
    """The instance's listener (CreateDBInstance Port default)."""
    tls_parameters: Mapping[str, str]
    """Parameter group entries that refuse unencrypted connections (empty: by an option)."""
    logs: Mapping[str, LogExport]
    """Every log the engine exports that dbtier can make non-empty, in AWS's order."""
    default_logs: tuple[str, ...]
    license_models: tuple[str, ...]
    """What CreateDBInstance accepts for the engine; the first is the default (none when empty
    of a license-included model: bring-your-own must be asked for)."""
    database_name: str | None
    """The regex of a database name (None: the engine takes none at create: SQL Server)."""
    database_hint: str
    max_replicas: int
    """Read replicas RDS creates of one instance (0: none)."""
    iam_auth: bool
    json_engine: str
    """The `engine` of the connection secret's JSON, as AWS's rotation function checks it."""
    rotation_app: str
    default_database: str | None = "appdb"
    tls_option: Option | None = None
    """The option that carries TLS (Oracle's SSL), whose port clients use."""
    password_special: str = PASSWORD_SPECIAL
    password_length: int = 32
    multi_az: bool = True
    max_storage_gib: int = 65536
    cdc_parameters: Mapping[str, str] | None = None
    """What DMS change data capture needs in the parameter group (None: not by a parameter)."""
    cdc_steps: str | None = None
    """What DMS change data capture needs done in the database (None: nothing)."""
    cdc_refusal: str | None = None
    """Why DMS cannot capture changes from this engine at all (None: it can)."""
    managed_password_with_replicas: bool = False
    """RDS creates read replicas of a source whose master password Secrets Manager manages."""

    @property
    def label(self) -> str:
        return LABELS.get(self.engine, self.engine)

    @property
    def client_port(self) -> int:
        """The port clients connect to: the TLS option's, else the listener."""
        return self.tls_option.port if self.tls_option and self.tls_option.port else self.port

    @property
    def default_license(self) -> str | None:
        """The license model used when config names none; None: one must be named."""
        if BYOL in self.license_models and LICENSE_INCLUDED not in self.license_models:
            return None
        return self.license_models[0]


# Database names (CreateDBInstance DBName): MySQL and MariaDB 1-64, PostgreSQL 1-63 letters,
# digits or _ starting with a letter; Oracle's is the SID, at most 8 characters, and RDS keeps
# it upper-case (a lower-case name would read back changed and replace the instance); SQL
# Server "Not applicable. Must be null".
_MYSQL_DB = (r"[A-Za-z][A-Za-z0-9_]{0,63}", "a letter, then up to 63 letters, digits or _")
_POSTGRES_DB = (r"[A-Za-z][A-Za-z0-9_]{0,62}", "a letter, then up to 62 letters, digits or _")
_ORACLE_DB = (
    r"[A-Z][A-Z0-9]{0,7}",
    "an upper-case letter, then up to 7 upper-case letters or digits",
)


def _mysql_like(engine: str, family: str, rotation_app: str) -> RdsEngine:
    return RdsEngine(
        engine=engine,
        family=family,
        port=3306,
        tls_parameters={"require_secure_transport": "1"},
        logs=_MYSQL_LOGS,
        default_logs=("error", "slowquery", "iam-db-auth-error"),
        license_models=("general-public-license",),
        database_name=_MYSQL_DB[0],
        database_hint=_MYSQL_DB[1],
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MySQL.Replication.ReadReplicas.html,
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.html
        max_replicas=15,
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html
        iam_auth=True,
        json_engine=family,
        rotation_app=rotation_app,
        cdc_parameters=_BINLOGS,
    )


def _sqlserver(engine: str, *, replicas: int, multi_az: bool, agent: bool) -> RdsEngine:
    logs = _SQLSERVER_LOGS if agent else {"error": _SQLSERVER_LOGS["error"]}
    cdc = engine in ("sqlserver-se", "sqlserver-ee")
    return RdsEngine(
        engine=engine,
        family="sqlserver",
        port=1433,
        tls_parameters={"rds.force_ssl": "1"},
        logs=logs,
        default_logs=tuple(logs),
        # license-included only: RDS's bring-your-own-media is for the Developer Edition
        # (sqlserver-dev-ee), not one of these (LICENSE_DOCS["sqlserver"]).
        license_models=(LICENSE_INCLUDED,),
        database_name=None,
        database_hint="nothing: SQL Server creates no database at create",
        default_database=None,
        max_replicas=replicas,
        multi_az=multi_az,
        iam_auth=False,
        # "Must be an integer from 20 to 16384" for every edition (CreateDBInstance).
        max_storage_gib=16384,
        json_engine="sqlserver",
        rotation_app="SecretsManagerRDSSQLServerRotationSingleUser",
        cdc_steps=SQLSERVER_CDC_STEPS if cdc else None,
        cdc_refusal=None if cdc else SQLSERVER_NO_CDC,
        # "every engine but SQL Server" (components.credentials READ_REPLICA_REASON's page).
        managed_password_with_replicas=True,
    )


def _oracle(engine: str, *, replicas: int, licenses: tuple[str, ...]) -> RdsEngine:
    return RdsEngine(
        engine=engine,
        family="oracle",
        port=1521,
        tls_parameters={},
        tls_option=ORACLE_SSL,
        logs=_ORACLE_LOGS,
        default_logs=tuple(_ORACLE_LOGS),
        license_models=licenses,
        database_name=_ORACLE_DB[0],
        database_hint=_ORACLE_DB[1],
        default_database="APPDB",
        password_special=ORACLE_PASSWORD_SPECIAL,
        password_length=30,
        max_replicas=replicas,
        iam_auth=False,
        json_engine="oracle",
        rotation_app="SecretsManagerRDSOracleRotationSingleUser",
        cdc_steps=ORACLE_CDC_STEPS,
    )


RDS_ENGINES: Mapping[str, RdsEngine] = {
    "mysql": _mysql_like("mysql", "mysql", "SecretsManagerRDSMySQLRotationSingleUser"),
    "mariadb": _mysql_like("mariadb", "mariadb", "SecretsManagerRDSMariaDBRotationSingleUser"),
    "postgres": RdsEngine(
        engine="postgres",
        family="postgres",
        port=5432,
        tls_parameters={"rds.force_ssl": "1"},
        logs=_POSTGRES_LOGS,
        default_logs=("postgresql", "iam-db-auth-error"),
        license_models=("postgresql-license",),
        database_name=_POSTGRES_DB[0],
        database_hint=_POSTGRES_DB[1],
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
        max_replicas=15,
        iam_auth=True,
        json_engine="postgres",
        rotation_app="SecretsManagerRDSPostgreSQLRotationSingleUser",
        cdc_parameters=_LOGICAL,
    ),
    # SQL Server: read replicas on Enterprise Edition only, at most 5 per source
    # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.ReadReplicas.html,
    # https://aws.amazon.com/blogs/database/use-cross-region-read-replicas-with-amazon-relational-database-service-for-sql-server/);
    # Multi-AZ on Standard and Enterprise (Always On) and Web (block-level replication), not
    # on Express (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_SQLServerMultiAZ.html).
    "sqlserver-ex": _sqlserver("sqlserver-ex", replicas=0, multi_az=False, agent=False),
    "sqlserver-web": _sqlserver("sqlserver-web", replicas=0, multi_az=True, agent=True),
    "sqlserver-se": _sqlserver("sqlserver-se", replicas=0, multi_az=True, agent=True),
    "sqlserver-ee": _sqlserver("sqlserver-ee", replicas=5, multi_az=True, agent=True),
    # Oracle: replicas on Enterprise Edition only, at most 5, on classes of two or more vCPUs
    # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/oracle-read-replicas.limitations.html);
    # license-included on Standard Edition 2 only (LICENSE_DOCS["oracle"]).
    "oracle-se2": _oracle("oracle-se2", replicas=0, licenses=(LICENSE_INCLUDED, BYOL)),
    "oracle-ee": _oracle("oracle-ee", replicas=5, licenses=(BYOL,)),
}
# Classes an Oracle replica's source may not use: "A source DB instance can't use the
# db.t3.micro or db.t3.small instance classes" (the Oracle replica page above).
ORACLE_REPLICA_SOURCE_REFUSED = ("db.t3.micro", "db.t3.small")


def engine(name: str) -> RdsEngine:
    """The engine ``name`` (one of ``ENGINES``)."""
    return RDS_ENGINES[name]


def option_group_version(name: str, version: str) -> str:
    """An option group's MajorEngineVersion for ``name`` at ``version``: 8.4, 11.4, 16.00, 19
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateOptionGroup.html)."""
    parts = version.split(".")
    family = engine(name).family
    if family in ("mysql", "mariadb", "sqlserver"):
        return ".".join(parts[:2])
    return parts[0]


def pins_minor(name: str, version: str) -> bool:
    """Whether ``version`` of RDS or Aurora engine ``name`` names more than its major version
    (17.11, 8.0.mysql_aurora.3.10.0, not 17 or 8.4), which automatic minor upgrades move past.
    An engine unknown here counts as not pinning."""
    if name == "aurora-mysql":
        major = ".".join(version.split(".")[:2])
    elif name == "aurora-postgresql":
        major = version.split(".", maxsplit=1)[0]
    elif name in RDS_ENGINES:
        major = option_group_version(name, version)
    else:
        return False
    return version != major


# Engines whose default parameter group already refuses unencrypted connections, from which
# major: "for DB instances using PostgreSQL version 15 and higher major versions, rds.force_ssl
# is set to 1 (on)" by default (before 15, 0)
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/ssl-certificate-rotation-postgresql.html).
TLS_BY_DEFAULT_SINCE: Mapping[str, int] = {"postgres": 15}


def tls_by_default(name: str, version: str | None) -> bool:
    """Whether ``name`` at ``version`` enforces TLS with its default parameter group (a version
    unknown or unset counts as not: AWS's default version may be an older major)."""
    since = TLS_BY_DEFAULT_SINCE.get(name)
    major = (version or "").split(".")[0]
    return since is not None and major.isdigit() and int(major) >= since
