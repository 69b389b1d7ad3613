"""What DMS offers: replication instance classes, replication engine versions, the RDS engines
it reads (under which endpoint engine name), its Aurora targets and each endpoint's SSL modes.

Not in cfn-lint; the tables are our own, copied from AWS's pages (the endpoint tables cite theirs
beside them):

- classes: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html
  ("AWS DMS currently supports the T2, T3, C4, C5, C6i, R4, R5 and R6i ... instance classes");
- engine versions and when each stops creating instances:
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
"""

from __future__ import annotations

from datetime import date

from ._cfnlint import shorten

DMS_CLASS_DOCS = (
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html"
)
_DMS_SIZES: dict[str, tuple[str, ...]] = {
    "t2": ("micro", "small", "medium", "large"),
    "t3": ("micro", "small", "medium", "large"),
    "c4": ("large", "xlarge", "2xlarge", "4xlarge"),
    "c5": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"),
    "c6i": (
        *("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
        *("12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    ),
    "r4": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
    "r5": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"),
    "r6i": (
        *("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
        *("12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    ),
}
DMS_CLASSES: frozenset[str] = frozenset(
    f"dms.{family}.{size}" for family, sizes in _DMS_SIZES.items() for size in sizes
)

# Replication engine versions and the date after which DMS creates no new instance with them
# (None: not announced).
DMS_VERSION_DOCS = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html"
DMS_VERSIONS: dict[str, date | None] = {
    "3.6.1": None,
    "3.6.0": date(2026, 4, 27),
    "3.5.4": date(2027, 1, 31),
    "3.5.3": date(2026, 2, 28),
    "3.5.2": date(2025, 3, 30),
    "3.5.1": date(2024, 11, 30),
    "3.4.7": date(2024, 9, 30),
}


def dms_class_problem(instance_class: str) -> str | None:
    """Why ``instance_class`` is not a DMS replication instance class, or None."""
    if instance_class in DMS_CLASSES:
        return None
    family = instance_class.rsplit(".", 1)[0] + "."
    same = sorted(c for c in DMS_CLASSES if c.startswith(family))
    return (
        f"{instance_class} is not a DMS replication instance class"
        f" (offered: {shorten(same or sorted(DMS_CLASSES), 6)})"
    )


def dms_version_problem(version: str, today: date | None = None) -> str | None:
    """Why DMS would not create a replication instance at ``version`` on ``today``, or None."""
    today = today or date.today()
    creatable = [v for v, ends in DMS_VERSIONS.items() if ends is None or today <= ends]
    if version in creatable:
        return None
    if version in DMS_VERSIONS:
        return (
            f"DMS {version} no longer creates new instances since {DMS_VERSIONS[version]}"
            f" (offered: {', '.join(creatable)})"
        )
    return f"DMS {version} is not a DMS engine version (offered: {', '.join(creatable)})"


# ---------------------------------------------------------------------------------------------
# Endpoints: which RDS engines DMS reads, under which endpoint engine name, and its SSL modes
# ---------------------------------------------------------------------------------------------

# CreateEndpoint ``EngineName`` per RDS engine as a DMS source (the valid names are listed in
# botocore's dms model, CreateEndpointMessage.EngineName). DMS reads RDS for SQL Server only in
# the Enterprise and Standard editions, "Full load: Enterprise, Standard; Ongoing replication
# (CDC): Enterprise, Standard (2016 SP1 and later)" for Amazon RDS databases:
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.SQLServer.html
# Oracle on RDS in the Enterprise and Standard Two editions, MySQL, MariaDB ("supported as a
# MySQL-compatible data source") and PostgreSQL:
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.Sources.html
DMS_SOURCE_DOCS = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.Sources.html"
SOURCE_ENGINE_NAMES: dict[str, str] = {
    "mysql": "mysql",
    "mariadb": "mariadb",
    "postgres": "postgres",
    "sqlserver-se": "sqlserver",
    "sqlserver-ee": "sqlserver",
    "oracle-se2": "oracle",
    "oracle-ee": "oracle",
}
# RDS engines DMS does not read, and why (the message of the refusal).
UNSUPPORTED_SOURCES: dict[str, str] = {
    "sqlserver-ex": "DMS reads RDS for SQL Server only in the Enterprise and Standard editions,"
    " not Express",
    "sqlserver-web": "DMS reads RDS for SQL Server only in the Enterprise and Standard editions,"
    " not Web",
}
# CreateEndpoint ``EngineName`` of an Aurora cluster as a DMS target: "aurora" is Aurora MySQL.
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.Targets.html
TARGET_ENGINE_NAMES: dict[str, str] = {
    "aurora-mysql": "aurora",
    "aurora-postgresql": "aurora-postgresql",
}

# The SSL modes each endpoint engine offers besides ``none``
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html): "Oracle endpoints in
# AWS DMS support none and verify-ca SSL modes" (with an Oracle wallet imported as the
# certificate); SQL Server endpoints do not offer verify-ca. verify-ca and verify-full need the
# CA imported as a DMS certificate ("you must specify the CA certificate").
DMS_SSL_DOCS = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html"
ENCRYPTED_SSL_MODES = ("require", "verify-ca", "verify-full")
SSL_MODES: dict[str, tuple[str, ...]] = {
    "oracle": ("verify-ca",),
    "sqlserver": ("require", "verify-full"),
}
CERTIFICATE_SSL_MODES = frozenset({"verify-ca", "verify-full"})

# Source endpoint engines whose change data capture needs the instance's automated backups:
# MySQL and MariaDB binary logs ("Enable automatic backups", CHAP_Source.MySQL.html#
# CHAP_Source.MySQL.AmazonManaged), SQL Server's full recovery model, which RDS keeps only with
# automated backups ("the database must be configured for full backups", CHAP_Source.SQLServer
# .html), Oracle's ARCHIVELOG mode, likewise ("turn on automated backups ... to enable
# archiving", CHAP_Source.Oracle.html#CHAP_Source.Oracle.Amazon-Managed); all under
# https://docs.aws.amazon.com/dms/latest/userguide/. PostgreSQL's logical slots need none.
CDC_NEEDS_BACKUPS = frozenset({"mysql", "mariadb", "sqlserver", "oracle"})


def source_problem(rds_engine: str) -> str | None:
    """Why DMS cannot read an RDS ``rds_engine`` instance, or None."""
    if rds_engine in SOURCE_ENGINE_NAMES:
        return None
    return UNSUPPORTED_SOURCES.get(rds_engine, f"{rds_engine} is not an RDS engine DMS reads")


def ssl_modes(engine_name: str) -> tuple[str, ...]:
    """The encrypted SSL modes DMS offers on an endpoint of ``engine_name`` (its EngineName)."""
    return SSL_MODES.get(engine_name, ENCRYPTED_SSL_MODES)


def ssl_mode_problem(engine_name: str, mode: str, certificate: bool) -> str | None:
    """Why an ``engine_name`` endpoint in SSL ``mode`` is unencrypted or refused by DMS (with
    or without a ``certificate``), or None."""
    offered = ssl_modes(engine_name)
    if mode not in ENCRYPTED_SSL_MODES:
        return f"sslMode {mode or 'none'} leaves the link unencrypted (use {' or '.join(offered)})"
    if mode not in offered:
        return (
            f"DMS offers no sslMode {mode} on {engine_name} endpoints (only {', '.join(offered)})"
        )
    if mode in CERTIFICATE_SSL_MODES and not certificate:
        return f"sslMode {mode} needs the CA imported as a DMS certificate (certificateArn)"
    return None
