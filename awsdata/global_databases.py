"""What AWS offers across regions for the databases dbtier builds: Aurora Global Database
(engines, versions, regions, features it refuses), DynamoDB global tables (version 2019.11.21)
and RDS cross-region automated backups; and whether two regions can pair at all (one partition).

Not in cfn-lint, and not in botocore's models either: RDS ``DescribeDBEngineVersions`` answers
``SupportsGlobalDatabases`` per version (botocore ``rds/2014-10-31/service-2.json``,
``DBEngineVersion.SupportsGlobalDatabases``), but only from a live account; the model has no
data. The tables here are our own, copied from AWS's pages, each named beside its table:

- Aurora Global Database: "Supported Regions and DB engines for Aurora global databases",
  ``GLOBAL_DATABASE_DOCS``, and its limitations, ``GLOBAL_LIMITS_DOCS``;
- DynamoDB global tables: ``GLOBAL_TABLES_DOCS`` (current version 2019.11.21) and its
  requirements, ``GLOBAL_TABLES_REQS_DOCS``;
- RDS cross-region automated backups: ``CROSS_REGION_BACKUPS_DOCS``.
"""

from __future__ import annotations

from ._cfnlint import version_key
from .regions import partition_of, region_problem
from .support import LABELS

GLOBAL_DATABASE_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
    "Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html"
)
GLOBAL_LIMITS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
    "aurora-global-database.html#aurora-global-database.limitations"
)

# The lowest version of each Aurora line that can join a global database, in every region the
# page lists (a few regions start later: GLOBAL_REGION_MINIMUM). A line not listed here can
# be global in every version: Aurora MySQL 8.4 ("All versions"), Aurora PostgreSQL 14 and later.
GLOBAL_MINIMUM: dict[str, dict[str, str]] = {
    "aurora-mysql": {"2": "2.07.0", "3": "3.01.0"},
    "aurora-postgresql": {"11": "11.9", "12": "12.4", "13": "13.3"},
}
# Aurora MySQL 3 starts later in the regions that opened later (same page).
GLOBAL_REGION_MINIMUM: dict[tuple[str, str], str] = {
    ("ap-south-2", "3"): "3.02.0",
    ("ap-southeast-4", "3"): "3.03.0",
    ("ap-southeast-5", "3"): "3.04.0",
}
# Regions the page lists as "Not available" for both engines.
GLOBAL_UNAVAILABLE = frozenset({"ap-southeast-6", "ap-east-2", "ap-southeast-7"})

# The page's limitations: "Aurora global databases currently don't support ... Backtracking".
GLOBAL_UNSUPPORTED_FEATURES = ("backtrack",)

GLOBAL_TABLES_DOCS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html"
)
GLOBAL_TABLES_REQS_DOCS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "V2globaltables_reqs_bestpractices.html"
)
# The current version of global tables; replicas declared on the table (UpdateTable
# ReplicaUpdates) are of this version.
GLOBAL_TABLES_VERSION = "2019.11.21"
# Replication reads the table's stream: DynamoDB keeps it on with both images while replicas
# exist; a table declared with another view type is refused ("the stream must be
# NEW_AND_OLD_IMAGES").
GLOBAL_TABLES_STREAM_VIEW = "NEW_AND_OLD_IMAGES"
# A provisioned table gains replicas only with write capacity auto scaled ("Table write capacity
# should either be Pay-Per-Request or AutoScaled"): every replica must take the same writes.
GLOBAL_TABLES_WRITE_AUTOSCALING = True

CROSS_REGION_BACKUPS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
    "Concepts.RDS_Fea_Regions_DB-eng.Feature.CrossRegionAutomatedBackups.html"
)
# Engines whose automated backups RDS replicates to another region: "all currently available
# versions" of Db2, MariaDB, MySQL, Oracle, PostgreSQL and SQL Server (same page); not Multi-AZ
# DB clusters (USER_ReplicateBackups.html), which dbtier does not build.
CROSS_REGION_BACKUP_ENGINES = frozenset(
    {
        "db2-se",
        "db2-ae",
        "mysql",
        "mariadb",
        "postgres",
        "oracle-ee",
        "oracle-se2",
        "sqlserver-ee",
        "sqlserver-se",
        "sqlserver-ex",
        "sqlserver-web",
    }
)


def region_from_arn(arn: str) -> str | None:
    """The region field of an ARN (``arn:aws:kms:eu-west-1:...``); None when it has none."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 5 and parts[0] == "arn" else None


def secondary_region_problem(home: str, region: str) -> str | None:
    """Why ``region`` cannot hold a secondary of a stack in ``home``, or None: it must be a
    region AWS has, not the home region, and in the home region's partition (replication,
    global tables and global databases never cross partitions)."""
    if region == home:
        return f"{region!r} is the stack's own region (aws:region), not a secondary one"
    if problem := region_problem(region):
        return problem
    if partition_of(region) != partition_of(home):
        return (
            f"{region!r} is in partition {partition_of(region)}, the stack's region {home!r} "
            f"in {partition_of(home)}: regions of one stack share a partition"
        )
    return None


def _line(engine: str, version: str) -> tuple[str, str] | None:
    """(line, release) of an Aurora version as the page names them: ('3', '3.10.0') for
    8.0.mysql_aurora.3.10.0, ('16', '16.4') for Aurora PostgreSQL 16.4."""
    if engine == "aurora-mysql":
        if version.startswith("8.4"):
            return "8.4", version
        tail = version.split(".mysql_aurora.")
        if len(tail) != 2:
            return None
        return tail[1].split(".")[0], tail[1]
    major = version.split(".", maxsplit=1)[0]
    return (major, version) if major.isdigit() else None


def global_database_problem(engine: str, version: str, region: str | None = None) -> str | None:
    """Why ``engine`` ``version`` cannot be (part of) an Aurora Global Database, in ``region``
    when given, or None (a version whose line the page does not list: None, AWS decides)."""
    label = LABELS.get(engine, engine)
    if engine not in GLOBAL_MINIMUM:
        return f"{label} cannot be an Aurora Global Database (Aurora MySQL and PostgreSQL only)"
    if region in GLOBAL_UNAVAILABLE:
        return f"Aurora Global Database is not offered in {region}"
    found = _line(engine, version)
    if found is None:
        return None
    line, release = found
    minimum = GLOBAL_REGION_MINIMUM.get((region or "", line)) or GLOBAL_MINIMUM[engine].get(line)
    if minimum is None:
        if engine == "aurora-postgresql" and int(line) < 11:
            return f"{label} {version} cannot be an Aurora Global Database (11.9 or later)"
        return None
    if version_key(release) < version_key(minimum):
        where = f" in {region}" if (region or "", line) in GLOBAL_REGION_MINIMUM else ""
        return f"{label} {version} cannot be an Aurora Global Database{where} ({minimum} or later)"
    return None


def cross_region_backup_problem(engine: str) -> str | None:
    """Why RDS cannot replicate ``engine``'s automated backups to another region, or None."""
    if engine in CROSS_REGION_BACKUP_ENGINES:
        return None
    return (
        f"RDS does not replicate {LABELS.get(engine, engine)} automated backups to another region"
    )
