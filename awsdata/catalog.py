"""What AWS offers, per engine, version, class and region: the one source of truth that the stack's
config validation and the policy pack both ask (as ``awsdata.catalog``), so what one accepts the
other accepts.

Pure standard library, no ``pulumi_policy``: the program imports it too.

Sources
-------
Most data comes from cfn-lint (``cfn-lint`` on PyPI, maintained by AWS and refreshed from AWS's
APIs; the pinned version is in ``requirements.txt``). Its JSON files are read directly: the
package is located with ``importlib.util.find_spec`` and never imported (``import cfnlint`` loads
the whole linter, ~400 ms), and each file is loaded once per process, on first use
(``functools.cache``):

- RDS/Aurora engine versions and the deprecated ones (cfn-lint rules E3691, W3691):
  ``schemas/extensions/aws_rds_db{instance,cluster}/engine_version{,_deprecated}.json``;
- RDS instance classes per engine and region (E3025, from the pricing API):
  ``aws_rds_dbinstance/dbinstanceclass_enum.json``, narrowed by the classes per engine version
  (E3062) in ``aws_rds_dbinstance/db_instance_class.json``;
- ElastiCache engine versions and node types per region:
  ``aws_elasticache_cachecluster/{engine_version,cachenodetype_enum}.json``;
- Redshift node types per region: ``aws_redshift_cluster/nodetype_enum.json``;
- Lambda runtime lifecycle: ``AdditionalSpecs/LmbdRuntimeLifecycle.json``;
- the regions: ``schemas/providers/<region>.json``.

Where cfn-lint has no data, the tables below are our own, each with the AWS page it copies.

Where cfn-lint's data is wrong or incomplete
--------------------------------------------
1. Major-only versions. RDS accepts ``EngineVersion: "8.4"`` for MySQL and picks that major's
   default minor (CreateDBInstance ``EngineVersion``,
   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, and
   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html:
   "you can specify the major version ... the default minor version"), and dbtier's default is
   exactly that. cfn-lint 1.58.0 lists major-only entries for postgres, aurora-postgresql and
   aurora-mysql but none for mysql or mariadb, so ``cfn-lint`` reports
   ``E3691 '8.4' is not one of ['5.5.62', ..., '8.4.11']`` for a template RDS accepts. Here a
   major-only ``X.Y`` is offered when a listed, non-deprecated ``X.Y.*`` exists.
2. ``db_instance_class.json`` (E3062) is a union across engines: for a version pattern the class
   list is the same for every engine (it lists ``db.serverless`` for MySQL 8.4). It is only used
   to narrow the regional list.
3. ``dbinstanceclass_enum.json`` (E3025) is pricing data: it lists priced classes that are no
   longer orderable for current versions (``db.m1.small``, ``db.t1.micro`` for MySQL); the
   intersection with (2) removes them.
4. A version can be listed and deprecated at once (MySQL 8.4.3): deprecated wins (cannot create).
5. Regional lists lag: a class missing for a region may be new there. Messages name the cfn-lint
   version so a stale verdict can be recognised; updating the pin refreshes the data.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

_EXT = "schemas/extensions"


# ---------------------------------------------------------------------------------------------
# cfn-lint's data files
# ---------------------------------------------------------------------------------------------


class CatalogUnavailable(RuntimeError):
    """cfn-lint (the catalog's data) is not installed."""


@functools.cache
def data_dir() -> str:
    """cfn-lint's data directory, found without importing cfn-lint."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.origin is None:
        raise CatalogUnavailable("cfn-lint is not installed: pip install -r requirements.txt")
    return os.path.join(os.path.dirname(spec.origin), "data")


@functools.cache
def _load(rel: str) -> Any:
    with open(os.path.join(data_dir(), rel), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def data_version() -> str:
    """``cfn-lint <version> (AWS data of <date>)``, for messages that depend on the data."""
    base = os.path.dirname(data_dir())
    version = "?"
    try:
        with open(os.path.join(base, "version.py"), encoding="utf-8") as fh:
            match = re.search(r"__version__\s*=\s*[\"']([^\"']+)", fh.read())
            version = match.group(1) if match else "?"
    except OSError:
        pass
    schema_date = str(_load("schemas/version.json").get("schema_date", "?"))[:10]
    return f"cfn-lint {version} (AWS data of {schema_date})"


def _engine_enum(rel: str, prop: str) -> dict[str, tuple[str, ...]]:
    """``{engine: values}`` from an allOf of ``if Engine const -> then <prop> enum``."""
    out: dict[str, tuple[str, ...]] = {}
    for branch in _load(rel)["allOf"]:
        engine = branch["if"]["properties"].get("Engine", {}).get("const")
        then = branch["then"]["properties"].get(prop, {}) if branch.get("then") else {}
        if engine and "enum" in then:
            out[engine] = tuple(then["enum"])
    return out


def shorten(values: Iterable[str], limit: int = 8) -> str:
    """A list for a one-line message: the first ``limit`` values and how many more."""
    items = list(values)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... ({len(items) - limit} more)"


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", version))


# ---------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------


@functools.cache
def regions() -> frozenset[str]:
    """Every region cfn-lint has a CloudFormation schema set for."""
    names = os.listdir(os.path.join(data_dir(), "schemas", "providers"))
    return frozenset(n[: -len(".json")] for n in names if n.endswith(".json") and n != "sam.json")


def region_problem(region: str) -> str | None:
    """Why ``region`` is not an AWS region, or None."""
    if region in regions():
        return None
    near = sorted(r for r in regions() if r.split("-")[0] == region.split("-", maxsplit=1)[0])
    return f"{region!r} is not an AWS region {data_version()} knows (e.g. {shorten(near or sorted(regions()), 6)})"


# ---------------------------------------------------------------------------------------------
# Engine labels, standard support
# ---------------------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "postgres": "PostgreSQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "redis": "Redis OSS",
    "valkey": "Valkey",
    "dms": "DMS",
    "redshift": "Redshift",
}

# Version lines in standard support and when it ends (None: no date announced). A version outside
# every line still deploys (RDS Extended Support, paid) but is out of our support policy. A line
# is a prefix: "8.4" covers "8.4" and "8.4.7"; one ending in "." ("8.0.mysql_aurora.3.") covers
# what starts with it.
# - RDS MySQL: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html
#   (release calendar: 8.0 ends 2026-07-31, 8.4 ends 2029-07-31)
# - RDS MariaDB: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.VersionMgmt.html
# - RDS PostgreSQL: https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
# - Aurora PostgreSQL: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html
# - Aurora MySQL: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html
# - ElastiCache: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
#   (Redis OSS 4 and 5 ended 2026-01-31, 6 ends 2027-01-31)
# - Redshift: https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html (1.0)
STANDARD_SUPPORT: dict[str, dict[str, date | None]] = {
    "mysql": {"8.0": date(2026, 7, 31), "8.4": date(2029, 7, 31)},
    "mariadb": {"10.11": date(2028, 2, 29), "11.4": date(2029, 5, 30)},
    "postgres": {
        "14": date(2027, 2, 28),
        "15": date(2028, 2, 29),
        "16": date(2029, 2, 28),
        "17": date(2030, 2, 28),
    },
    "aurora-mysql": {"8.0.mysql_aurora.3.": None, "8.4.mysql_aurora.": None},
    "aurora-postgresql": {
        "13": date(2026, 2, 28),
        "14": date(2027, 2, 28),
        "15": date(2028, 2, 29),
        "16": date(2029, 2, 28),
        "17": date(2030, 2, 28),
    },
    "redis": {"6": date(2027, 1, 31), "7": None},
    "valkey": {"7": None, "8": None, "9": None},
    "redshift": {"1.0": None},
}


def matches_line(version: str, line: str) -> bool:
    """True when ``version`` belongs to the version line ``line`` (see STANDARD_SUPPORT)."""
    if line.endswith("."):
        return version.startswith(line)
    return version == line or version.startswith(line + ".")


def supported_lines(engine: str, today: date | None = None) -> list[str]:
    """The version lines of ``engine`` in standard support on ``today``."""
    today = today or date.today()
    lines = STANDARD_SUPPORT.get(engine, {})
    if engine == "dms":
        return [v for v, ends in DMS_VERSIONS.items() if ends is None or today <= ends]
    return [line for line, ends in lines.items() if ends is None or today <= ends]


def supported_version_prefixes(today: date | None = None) -> dict[str, list[str]]:
    """Per engine, the version lines in standard support (the pack's default allowedVersions)."""
    engines = [*STANDARD_SUPPORT, "dms"]
    return {engine: supported_lines(engine, today) for engine in engines}


def support_problem(
    engine: str, version: str, allowed: Mapping[str, list[str]] | None = None
) -> str | None:
    """Why ``version`` of ``engine`` is outside standard support (or ``allowed``), or None."""
    lines = (allowed or supported_version_prefixes()).get(engine)
    if lines is None or any(matches_line(version, line) for line in lines):
        return None
    shown = ", ".join(line.rstrip(".") + ".x" if line.endswith(".") else line for line in lines)
    return (
        f"{LABELS.get(engine, engine)} {version} is outside standard support"
        f" (supported: {shown or 'none'})"
    )


# ---------------------------------------------------------------------------------------------
# RDS and Aurora: versions
# ---------------------------------------------------------------------------------------------


def rds_versions(engine: str, cluster: bool = False) -> tuple[str, ...]:
    """The versions cfn-lint lists for ``engine`` (deprecated ones included)."""
    kind = "aws_rds_dbcluster" if cluster else "aws_rds_dbinstance"
    return _engine_enum(f"{_EXT}/{kind}/engine_version.json", "EngineVersion").get(engine, ())


@functools.cache
def rds_deprecated(engine: str, cluster: bool = False) -> frozenset[str]:
    """Versions RDS no longer creates (cfn-lint W3691)."""
    kind = "aws_rds_dbcluster" if cluster else "aws_rds_dbinstance"
    out: set[str] = set()
    for branch in _load(f"{_EXT}/{kind}/engine_version_deprecated.json")["allOf"]:
        props = branch["if"]["properties"]
        if props.get("Engine", {}).get("const") == engine:
            out |= set(props.get("EngineVersion", {}).get("enum", ()))
    return frozenset(out)


def rds_creatable(engine: str, cluster: bool = False) -> list[str]:
    """Listed, non-deprecated versions, oldest first."""
    gone = rds_deprecated(engine, cluster)
    return sorted((v for v in rds_versions(engine, cluster) if v not in gone), key=_version_key)


def _is_major_only(version: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", version) is not None


def rds_version_status(engine: str, version: str, cluster: bool = False) -> str:
    """``offered``, ``deprecated`` or ``unknown`` (see the module docstring, item 1)."""
    gone = rds_deprecated(engine, cluster)
    if version in gone:
        return "deprecated"
    listed = rds_versions(engine, cluster)
    if version in listed:
        return "offered"
    if _is_major_only(version):
        minors = [v for v in listed if v.startswith(version + ".")]
        if any(v not in gone for v in minors):
            return "offered"
        if minors:
            return "deprecated"
    return "unknown"


def summarize_versions(engine: str, versions: Iterable[str], today: date | None = None) -> str:
    """The creatable versions as a message lists them: per supported line, its range."""
    lines = supported_lines(engine, today) or [""]
    parts: list[str] = []
    creatable = [v for v in versions if "-limitless" not in v]
    for line in lines:
        members = [v for v in creatable if not line or matches_line(v, line)]
        if not members:
            continue
        full = [v for v in members if v != line]
        # A major-only line is creatable when listed, or for MySQL/MariaDB (docstring, item 1).
        major_ok = engine in ("mysql", "mariadb") and _is_major_only(line)
        head = f"{line} or " if line in members or major_ok else ""
        if len(full) <= 2:
            parts.append(head + ", ".join(full) if full else line)
        else:
            parts.append(f"{head}{full[0]} to {full[-1]}")
    return shorten(parts, 6) if parts else "none"


def rds_version_problem(engine: str, version: str, cluster: bool = False) -> str | None:
    """Why RDS would refuse to create ``engine`` at ``version``, or None."""
    status = rds_version_status(engine, version, cluster)
    if status == "offered" and version.endswith("-limitless"):
        # Listed, but only for Aurora PostgreSQL Limitless Database clusters, which dbtier's
        # Serverless v2 clusters are not (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/limitless.html).
        return f"{LABELS.get(engine, engine)} {version} is only for Limitless Database clusters"
    if status == "offered":
        return None
    service = "Aurora" if engine.startswith("aurora") else "RDS"
    offered = summarize_versions(engine, rds_creatable(engine, cluster))
    label = LABELS.get(engine, engine)
    if status == "deprecated":
        return (
            f"{label} {version} is deprecated: {service} no longer creates it (offered: {offered})"
        )
    return f"{label} {version} is not offered by {service} (offered: {offered})"


# ---------------------------------------------------------------------------------------------
# RDS and Aurora: instance classes
# ---------------------------------------------------------------------------------------------


@functools.cache
def _regional_classes(engine: str, region: str) -> frozenset[str] | None:
    data = _load(f"{_EXT}/aws_rds_dbinstance/dbinstanceclass_enum.json").get(region)
    if data is None:
        return None
    out: set[str] = set()
    for branch in data["allOf"]:
        if branch["if"]["properties"].get("Engine", {}).get("const") == engine:
            out |= set(branch["then"]["properties"]["DBInstanceClass"]["enum"])
    return frozenset(out)


@functools.cache
def _version_classes(engine: str, version: str) -> frozenset[str] | None:
    for branch in _load(f"{_EXT}/aws_rds_dbinstance/db_instance_class.json")["allOf"]:
        props = branch["if"]["properties"]
        if props["Engine"]["const"] == engine and re.match(
            props["EngineVersion"]["pattern"], version
        ):
            return frozenset(branch["then"]["properties"]["DBInstanceClass"]["enum"])
    return None


def rds_classes(engine: str, region: str, version: str | None = None) -> frozenset[str] | None:
    """Classes orderable for ``engine`` (at ``version``) in ``region``; None without data."""
    regional = _regional_classes(engine, region)
    if regional is None:
        return None
    by_version = _version_classes(engine, version) if version else None
    return regional if by_version is None else regional & by_version


_SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")


def _size_rank(name: str) -> tuple[int, int]:
    size = name.rsplit(".", 1)[-1]
    if size in _SIZES:
        return 0, _SIZES.index(size)
    m = re.fullmatch(r"(\d+)xlarge", size)
    return (1, int(m.group(1))) if m else (2, 0)


def _class_sample(classes: Iterable[str], near: str) -> str:
    """Offered classes for a message: ``near``'s family first, then current generations,
    smallest sizes first (db.t4g.medium before db.r8g.48xlarge)."""
    family = near.rsplit(".", 1)[0] + "." if near.count(".") >= 2 else near
    current = [p for prefixes in CURRENT_GENERATION.values() for p in prefixes]
    ordered = sorted(
        classes,
        key=lambda c: (
            not c.startswith(family),
            not any(c.startswith(p) for p in current),
            _size_rank(c),
            c,
        ),
    )
    return shorten(ordered, 6)


def rds_class_problem(
    engine: str, instance_class: str, region: str, version: str | None = None
) -> str | None:
    """Why RDS would refuse ``instance_class`` for ``engine`` (``version``) in ``region``."""
    offered = rds_classes(engine, region, version)
    if offered is None or instance_class in offered:
        return None
    label = LABELS.get(engine, engine)
    what = f"{label} {version}" if version else label
    return (
        f"{instance_class} is not offered for {what} in {region} per {data_version()}"
        f" (offered: {_class_sample(offered, instance_class)})"
    )


# Current-generation prefixes per service: older classes still order in places but lack features
# (Graviton pricing, gp3, encryption on old cache types). Policy, not AWS: the pack's
# allowed-instance-class rule defaults to these, and config validation applies the same.
CURRENT_GENERATION: dict[str, list[str]] = {
    "rds": [
        "db.t4g.",
        "db.t3.",
        "db.m6",
        "db.m7",
        "db.m8",
        "db.r6",
        "db.r7",
        "db.r8",
        "db.x2",
        "db.serverless",
    ],
    "elasticache": [
        "cache.t4g.",
        "cache.t3.",
        "cache.m6g.",
        "cache.m7g.",
        "cache.r6g.",
        "cache.r6gd.",
        "cache.r7g.",
    ],
    "redshift": ["ra3."],
    "dms": ["dms.t3.", "dms.c5.", "dms.c6i.", "dms.r5.", "dms.r6i."],
}


def generation_problem(
    service: str, value: str, allowed: Mapping[str, list[str]] | None = None
) -> str | None:
    """Why ``value`` is not a current-generation class of ``service``, or None."""
    prefixes = (allowed or CURRENT_GENERATION).get(service)
    if prefixes is None or any(value.startswith(p) for p in prefixes):
        return None
    shown = ", ".join(p + "*" if p.endswith(".") else p for p in prefixes)
    return f"{value} is not a current-generation {service} class (allowed: {shorten([shown], 1)})"


# ---------------------------------------------------------------------------------------------
# Performance Insights
# ---------------------------------------------------------------------------------------------

# Classes on which Performance Insights / Database Insights is refused (CreateDBInstance fails
# with InvalidParameterCombination). Not in cfn-lint.
# RDS: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html
#      (and https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html):
#      "RDS for MySQL ... isn't supported for the following instance classes: db.t2.micro,
#      db.t2.small, db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small" (same for MariaDB).
# Aurora: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html
#      Aurora MySQL: not on db.t2.*, db.t3.*, db.t4g.micro, db.t4g.small; db.serverless is supported.
_SMALL_BURSTABLE = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small")
PI_UNSUPPORTED: dict[str, tuple[str, ...]] = {
    "mysql": (*_SMALL_BURSTABLE, "db.t4g.micro", "db.t4g.small"),
    "mariadb": (*_SMALL_BURSTABLE, "db.t4g.micro", "db.t4g.small"),
    "aurora-mysql": ("db.t2.", "db.t3.", "db.t4g.micro", "db.t4g.small"),
}
PI_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html"
)


def performance_insights_supported(engine: str, instance_class: str) -> bool:
    """False where AWS refuses Performance Insights for ``engine`` on ``instance_class``."""
    return not any(
        instance_class == c or (c.endswith(".") and instance_class.startswith(c))
        for c in PI_UNSUPPORTED.get(engine, ())
    )


def performance_insights_problem(engine: str, instance_class: str) -> str | None:
    if performance_insights_supported(engine, instance_class):
        return None
    return (
        f"Performance Insights is not offered for {LABELS.get(engine, engine)} on"
        f" {instance_class} (not on {', '.join(PI_UNSUPPORTED[engine])}; db.t4g.medium and"
        " larger support it)"
    )


# Performance Insights retention and Database Insights modes, as the RDS API takes them.
# PerformanceInsightsRetentionPeriod: "7, month * 31, where month is a number of months from
# 1-23, 731" (CreateDBInstance/CreateDBCluster, botocore's rds model; terraform-provider-aws
# validates the same: IntInSlice(7, 731) or divisible by 31 up to 731).
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
PI_RETENTION_DAYS: tuple[int, ...] = (7, *(31 * m for m in range(1, 24)), 731)
INSIGHTS_MODES = ("standard", "advanced")
# "To enable the Advanced mode of Database Insights, you must enable Performance Insights and set
# the Performance Insights retention period to at least 465 days (15 months)":
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html (Considerations)
ADVANCED_MIN_RETENTION = 465
INSIGHTS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html"
# A DB cluster takes exactly that retention, not more: "If you set this value to advanced, you
# must also set the PerformanceInsightsEnabled parameter to true and the
# PerformanceInsightsRetentionPeriod parameter to 465" (CreateDBCluster DatabaseInsightsMode,
# botocore's rds model; ModifyDBCluster says the same). RDS instances keep "at least 465" above.
CLUSTER_INSIGHTS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
)


def retention_problem(days: int) -> str | None:
    """Why RDS refuses ``days`` of Performance Insights retention, or None."""
    if days in PI_RETENTION_DAYS:
        return None
    return f"{days} is not a retention RDS accepts (7, a multiple of 31 up to 713, or 731 days)"


def insights_problem(
    mode: str | None, pi_enabled: bool, retention: int | None, cluster: bool = False
) -> str | None:
    """Why RDS refuses this Database Insights mode with these Performance Insights settings
    (`cluster`: on a DB cluster, which takes exactly 465 days)."""
    if mode != "advanced":
        return None
    if not pi_enabled:
        return "advanced Database Insights needs Performance Insights on"
    if cluster and retention != ADVANCED_MIN_RETENTION:
        return (
            f"advanced Database Insights on a DB cluster takes exactly {ADVANCED_MIN_RETENTION}"
            f" days of Performance Insights retention (got {retention or 7}; CreateDBCluster:"
            ' "you must also set ... the PerformanceInsightsRetentionPeriod parameter to 465")'
        )
    if (retention or 7) < ADVANCED_MIN_RETENTION:
        return (
            f"advanced Database Insights needs at least {ADVANCED_MIN_RETENTION} days of"
            f" Performance Insights retention (got {retention or 7})"
        )
    return None


# ---------------------------------------------------------------------------------------------
# Instance memory and default max_connections (what the alarms measure connections against)
# ---------------------------------------------------------------------------------------------

# GiB of memory per family letter at the `large` size; each size up doubles it, `xlarge` is 2x.
# From the instance class tables:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
_LARGE_GIB = {"t": 8, "m": 8, "r": 16, "x": 32, "z": 16, "c": 4}
_SMALL_SIZES = {"nano": 0.5, "micro": 1, "small": 2, "medium": 4}
# Aurora Serverless v2: "Each ACU is a combination of approximately 2 gibibytes (GiB) of memory":
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html
ACU_GIB = 2
MAX_CONNECTIONS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections"


def class_memory_gib(instance_class: str) -> float | None:
    """Memory of a db./cache. class from its family letter and size; None for shapes not known
    (then the memory-relative alarms are left out rather than guessed)."""
    m = re.fullmatch(
        r"(?:db|cache)\.([a-z])[0-9][a-z-]*\.([0-9]*)(nano|micro|small|medium|large|xlarge)",
        instance_class,
    )
    if not m or m.group(1) not in _LARGE_GIB:
        return None
    family, count, size = m.group(1), m.group(2), m.group(3)
    if size in _SMALL_SIZES:
        return float(_SMALL_SIZES[size]) if family == "t" else None
    large = _LARGE_GIB[family]
    if size == "large":
        return float(large)
    return float(large * 2 * (int(count) if count else 1))


def default_max_connections(engine: str, memory_gib: float) -> int:
    """The engine's default max_connections for an instance of ``memory_gib`` (the parameter
    group formulas over DBInstanceClassMemory; total memory stands in for it, which slightly
    overstates the limit: the alarms use a percentage of it).

    RDS MySQL {DBInstanceClassMemory/12582880}: MAX_CONNECTIONS_DOCS. Aurora MySQL
    GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000}),
    log base 2: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections
    Aurora PostgreSQL LEAST({DBInstanceClassMemory/9531392},5000):
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html
    """
    memory = memory_gib * 1024**3
    if engine == "aurora-mysql":
        return max(
            int(math.log2(memory / 805306368) * 45), int(math.log2(memory / 8187281408) * 1000)
        )
    if engine == "aurora-postgresql":
        return int(min(memory / 9531392, 5000))
    return int(memory / 12582880)


def is_burstable(instance_class: str) -> bool:
    """db.t* and cache.t*: classes that run on CPU credits (and publish CPUCreditBalance)."""
    return bool(re.fullmatch(r"(db|cache)\.t[0-9].*", instance_class))


# ---------------------------------------------------------------------------------------------
# Aurora features
# ---------------------------------------------------------------------------------------------

# Minimum versions for Serverless v2 auto-pause (minCapacity 0):
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
# Aurora MySQL 3.08.0 and higher; Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 and higher (and 17+).
AUTO_PAUSE_MINIMUM: dict[str, dict[str, str]] = {
    "aurora-mysql": {"8.0.mysql_aurora.3": "3.08.0", "8.4.mysql_aurora": "8.4.0"},
    "aurora-postgresql": {"13": "13.15", "14": "14.12", "15": "15.7", "16": "16.3"},
}
AUTO_PAUSE_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html"


def _aurora_release(engine: str, version: str) -> tuple[str, tuple[Any, ...]] | None:
    """(line, comparable release) of an Aurora version: ('8.0.mysql_aurora.3', (3, 10, 0))."""
    if engine == "aurora-mysql":
        m = re.fullmatch(r"(\d+\.\d+\.mysql_aurora)\.(\d+)((?:\.\d+)*)", version)
        if not m:
            return None
        major = m.group(2)
        line = f"{m.group(1)}.{major}" if m.group(1) == "8.0.mysql_aurora" else m.group(1)
        return line, _version_key(major + m.group(3))
    m = re.fullmatch(r"(\d+)(\.\d+)?", version)
    if not m:
        return None
    return m.group(1), _version_key(version)


def auto_pause_problem(engine: str, version: str) -> str | None:
    """Why ``version`` cannot pause at 0 ACU, or None (unknown versions: None)."""
    release = _aurora_release(engine, version)
    if release is None:
        return None
    line, key = release
    minimums = AUTO_PAUSE_MINIMUM.get(engine, {})
    if engine == "aurora-postgresql" and int(line) >= 17:
        return None
    minimum = minimums.get(line)
    if minimum is None:
        if engine == "aurora-postgresql" and int(line) < 13:
            minimum = "13.15"
        else:
            return None
    elif key >= _version_key(minimum):
        return None
    needs = ", ".join(f"{m}+" for m in minimums.values())
    return (
        f"{LABELS[engine]} {version} cannot auto-pause (minCapacity 0 needs {needs})"
        if engine == "aurora-postgresql"
        else f"{LABELS[engine]} {version} cannot auto-pause (minCapacity 0 needs 3.08.0 or later)"
    )


BACKTRACK_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html"


def backtrack_problem(engine: str) -> str | None:
    """Backtrack exists only for Aurora MySQL (``BACKTRACK_DOCS``)."""
    if engine in ("aurora-mysql", "aurora"):
        return None
    return f"backtrack is offered only by Aurora MySQL, not {LABELS.get(engine, engine)}"


# ---------------------------------------------------------------------------------------------
# Parameter group families
# ---------------------------------------------------------------------------------------------

FAMILY_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html; "
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html"
)


def parameter_group_family(engine: str, version: str) -> str | None:
    """The parameter group family AWS requires for ``engine`` at ``version`` (None: unknown).

    Not in cfn-lint (``Family`` is free text there); the mapping is AWS's
    ``DescribeDBEngineVersions``/``DescribeCacheEngineVersions`` ``*ParameterGroupFamily`` (see
    ``FAMILY_DOCS``): mysql8.4, mariadb10.11, postgres16, aurora-mysql8.0 (3.x),
    aurora-mysql8.4, aurora-postgresql16, redis7, redis6.x, valkey7, valkey8.
    """
    parts = version.split(".")
    if engine in ("mysql", "mariadb"):
        return f"{engine}{parts[0]}.{parts[1]}" if len(parts) >= 2 else None
    if engine in ("postgres", "aurora-postgresql"):
        return f"{engine}{parts[0]}" if parts[0].isdigit() else None
    if engine == "aurora-mysql":
        if version.startswith("8.4"):
            return "aurora-mysql8.4"
        if version.startswith("8.0"):
            return "aurora-mysql8.0"
        if version.startswith("5.7"):
            return "aurora-mysql5.7"
        return None
    if engine == "redis":
        return {"7": "redis7", "6": "redis6.x", "5": "redis5.0", "4": "redis4.0"}.get(parts[0])
    if engine == "valkey":
        return f"valkey{parts[0]}"
    return None


def family_problem(engine: str, version: str, family: str) -> str | None:
    expected = parameter_group_family(engine, version)
    if expected is None or family == expected:
        return None
    return (
        f"parameter group family {family} does not match {LABELS.get(engine, engine)} {version}"
        f" (needs {expected})"
    )


# ---------------------------------------------------------------------------------------------
# ElastiCache
# ---------------------------------------------------------------------------------------------


def elasticache_versions(engine: str) -> tuple[str, ...]:
    """ElastiCache versions of ``engine`` (redis, valkey, memcached), region-agnostic."""
    rel = f"{_EXT}/aws_elasticache_cachecluster/engine_version.json"
    return _engine_enum(rel, "EngineVersion").get(engine, ())


def elasticache_version_problem(engine: str, version: str) -> str | None:
    offered = elasticache_versions(engine)
    if version in offered:
        return None
    # ElastiCache also accepts a major line for Redis 6 ("6.x") and majors from 7 on.
    if version == "6.x" and "6.2" in offered:
        return None
    return (
        f"{LABELS.get(engine, engine)} {version} is not offered by ElastiCache"
        f" (offered: {', '.join(offered) or 'none'})"
    )


def elasticache_node_types(region: str) -> frozenset[str] | None:
    data = _load(f"{_EXT}/aws_elasticache_cachecluster/cachenodetype_enum.json").get(region)
    return None if data is None else frozenset(data["enum"])


def elasticache_node_type_problem(node_type: str, region: str) -> str | None:
    offered = elasticache_node_types(region)
    if offered is None or node_type in offered:
        return None
    return (
        f"{node_type} is not offered by ElastiCache in {region} per {data_version()}"
        f" (offered: {_class_sample(offered, node_type)})"
    )


# ---------------------------------------------------------------------------------------------
# Redshift
# ---------------------------------------------------------------------------------------------

# Node counts per node type (a single-node cluster where the minimum is 1), from
# https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info
REDSHIFT_NODE_COUNTS: dict[str, tuple[int, int]] = {
    "ra3.large": (1, 16),
    "ra3.xlplus": (1, 32),
    "ra3.4xlarge": (2, 32),
    "ra3.16xlarge": (2, 128),
    "dc2.large": (1, 32),
    "dc2.8xlarge": (2, 128),
}
REDSHIFT_DOCS = (
    "https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"
)


def redshift_node_types(region: str) -> frozenset[str] | None:
    data = _load(f"{_EXT}/aws_redshift_cluster/nodetype_enum.json").get(region)
    return None if data is None else frozenset(data["enum"])


def redshift_node_type_problem(node_type: str, region: str) -> str | None:
    offered = redshift_node_types(region)
    if offered is None or node_type in offered:
        return None
    return (
        f"{node_type} is not offered by Redshift in {region} per {data_version()}"
        f" (offered: {shorten(sorted(offered), 8)})"
    )


def redshift_node_count_problem(node_type: str, nodes: int) -> str | None:
    bounds = REDSHIFT_NODE_COUNTS.get(node_type)
    if bounds is None or bounds[0] <= nodes <= bounds[1]:
        return None
    return f"{node_type} clusters take {bounds[0]} to {bounds[1]} nodes (got {nodes})"


# ---------------------------------------------------------------------------------------------
# DMS
# ---------------------------------------------------------------------------------------------

# Replication instance classes, from
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html
# ("AWS DMS currently supports the T2, T3, C4, C5, C6i, R4, R5 and R6i ... instance classes").
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
# (None: not announced), from https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
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
    if instance_class in DMS_CLASSES:
        return None
    family = instance_class.rsplit(".", 1)[0] + "."
    same = sorted(c for c in DMS_CLASSES if c.startswith(family))
    return (
        f"{instance_class} is not a DMS replication instance class"
        f" (offered: {shorten(same or sorted(DMS_CLASSES), 6)})"
    )


def dms_version_problem(version: str, today: date | None = None) -> str | None:
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
# Lambda
# ---------------------------------------------------------------------------------------------

LAMBDA_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"


def lambda_runtime_status(runtime: str, today: date | None = None) -> str:
    """``unknown``, ``supported``, ``deprecated``, ``create-blocked`` or ``update-blocked``.

    cfn-lint's own W2531 wording speaks of the blocks in the past tense even for future dates,
    so the dates are compared here.
    """
    life = _load("AdditionalSpecs/LmbdRuntimeLifecycle.json").get(runtime)
    if life is None:
        return "unknown"
    today = today or date.today()

    def passed(key: str) -> bool:
        return bool(life.get(key)) and date.fromisoformat(life[key]) <= today

    for status in ("update-block", "create-block", "deprecated"):
        if passed(status):
            return status + ("ed" if status.endswith("block") else "")
    return "supported"


def lambda_runtime_problem(runtime: str, today: date | None = None) -> str | None:
    status = lambda_runtime_status(runtime, today)
    if status in ("supported", "unknown"):
        return None
    life = _load("AdditionalSpecs/LmbdRuntimeLifecycle.json")[runtime]
    successor = life.get("successor")
    return (
        f"Lambda runtime {runtime} is {status.replace('-', ' ')} (deprecated {life.get('deprecated')},"
        f" creation blocked {life.get('create-block')})"
        + (f"; use {successor}" if successor else "")
    )
