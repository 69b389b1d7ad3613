"""What RDS and Aurora offer: the engine versions they create and the instance classes they order,
per engine, version and region.

Sources (cfn-lint's data, see ``_cfnlint``):

- RDS/Aurora engine versions and the deprecated ones (cfn-lint rules E3691, W3691):
  ``schemas/extensions/aws_rds_db{instance,cluster}/engine_version{,_deprecated}.json``;
- RDS instance classes per engine and region (E3025, from the pricing API):
  ``aws_rds_dbinstance/dbinstanceclass_enum.json``, narrowed by the classes per engine version
  (E3062) in ``aws_rds_dbinstance/db_instance_class.json``.

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
6. No Oracle versions. cfn-lint 1.58.0 lists ``oracle-ee`` and ``oracle-se2`` as engines (and
   their classes per region) but no ``EngineVersion`` for them. RDS for Oracle's versions are a
   release update per quarter, ``19.0.0.0.ru-2025-10.rur-2025-10.r1``
   (https://docs.aws.amazon.com/AmazonRDS/latest/OracleReleaseNotes/welcome.html), and RDS
   takes the major alone (``19``) for that major's default release update, as the
   terraform-aws-modules/rds Oracle example does. Without data, an Oracle version is offered
   when it has that shape and its major is one RDS creates non-CDB instances of
   (``ORACLE_MAJORS``): 19c is the last release with the non-CDB architecture; 21c and later are
   ``oracle-*-cdb`` only (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Oracle.Concepts.single-tenant.html).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date

from ._cfnlint import EXT, data_version, engine_enum, load, shorten, version_key
from .support import LABELS, class_sample, matches_line, supported_lines

# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------

# The engines cfn-lint lists no versions of, and the majors RDS creates them at (docstring, 6).
ORACLE_MAJORS: dict[str, tuple[str, ...]] = {"oracle-ee": ("19",), "oracle-se2": ("19",)}
_ORACLE_VERSION = re.compile(r"(\d+)(\.0\.0\.0\.ru-\d{4}-\d{2}\.rur-\d{4}-\d{2}\.r\d+)?")


def rds_versions(engine: str, cluster: bool = False) -> tuple[str, ...]:
    """The versions cfn-lint lists for ``engine`` (deprecated ones included)."""
    kind = "aws_rds_dbcluster" if cluster else "aws_rds_dbinstance"
    return engine_enum(f"{EXT}/{kind}/engine_version.json", "EngineVersion").get(engine, ())


@functools.cache
def rds_deprecated(engine: str, cluster: bool = False) -> frozenset[str]:
    """Versions RDS no longer creates (cfn-lint W3691)."""
    kind = "aws_rds_dbcluster" if cluster else "aws_rds_dbinstance"
    out: set[str] = set()
    for branch in load(f"{EXT}/{kind}/engine_version_deprecated.json")["allOf"]:
        props = branch["if"]["properties"]
        if props.get("Engine", {}).get("const") == engine:
            out |= set(props.get("EngineVersion", {}).get("enum", ()))
    return frozenset(out)


def rds_creatable(engine: str, cluster: bool = False) -> list[str]:
    """Listed, non-deprecated versions, oldest first."""
    gone = rds_deprecated(engine, cluster)
    return sorted((v for v in rds_versions(engine, cluster) if v not in gone), key=version_key)


def _is_major_only(version: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", version) is not None


def rds_version_status(engine: str, version: str, cluster: bool = False) -> str:
    """``offered``, ``deprecated`` or ``unknown`` (see the module docstring, items 1 and 6)."""
    if engine in ORACLE_MAJORS and not cluster:
        m = _ORACLE_VERSION.fullmatch(version)
        return "offered" if m and m.group(1) in ORACLE_MAJORS[engine] else "unknown"
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
        # A major-only line is creatable when listed, or for MySQL/MariaDB (docstring, item 1)
        # and SQL Server ("16.00", as terraform-aws-modules/rds's SQL Server example gives it).
        major_ok = (
            engine in ("mysql", "mariadb") or engine.startswith("sqlserver-")
        ) and _is_major_only(line)
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
    offered = (
        " or ".join(f"{m} or {m}.0.0.0.ru-YYYY-MM.rur-YYYY-MM.rN" for m in ORACLE_MAJORS[engine])
        if engine in ORACLE_MAJORS
        else summarize_versions(engine, rds_creatable(engine, cluster))
    )
    label = LABELS.get(engine, engine)
    if status == "deprecated":
        return (
            f"{label} {version} is deprecated: {service} no longer creates it (offered: {offered})"
        )
    return f"{label} {version} is not offered by {service} (offered: {offered})"


# ---------------------------------------------------------------------------------------------
# Instance classes
# ---------------------------------------------------------------------------------------------


@functools.cache
def _regional_classes(engine: str, region: str) -> frozenset[str] | None:
    data = load(f"{EXT}/aws_rds_dbinstance/dbinstanceclass_enum.json").get(region)
    if data is None:
        return None
    out: set[str] = set()
    for branch in data["allOf"]:
        if branch["if"]["properties"].get("Engine", {}).get("const") == engine:
            out |= set(branch["then"]["properties"]["DBInstanceClass"]["enum"])
    return frozenset(out)


@functools.cache
def _version_classes(engine: str, version: str) -> frozenset[str] | None:
    for branch in load(f"{EXT}/aws_rds_dbinstance/db_instance_class.json")["allOf"]:
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
        f" (offered: {class_sample(offered, instance_class)})"
    )
