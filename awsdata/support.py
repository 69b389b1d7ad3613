"""What dbtier supports across services: the engines' labels, the version lines in AWS's
standard support and when it ends, and the current-generation class prefixes.

The version lines copy each engine's release calendar (pages below, next to the table); the
current generations are policy, not AWS. The policy pack's ``supported-engine-version`` and
``allowed-instance-class`` rules default to these tables, and config validation applies the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from ._cfnlint import shorten
from .dms import DMS_VERSIONS

LABELS: dict[str, str] = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "postgres": "PostgreSQL",
    "sqlserver-ex": "SQL Server Express",
    "sqlserver-web": "SQL Server Web",
    "sqlserver-se": "SQL Server Standard",
    "sqlserver-ee": "SQL Server Enterprise",
    "oracle-se2": "Oracle Standard Edition 2",
    "oracle-ee": "Oracle Enterprise Edition",
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
# - RDS for SQL Server follows Microsoft's end of (extended) support for each major version
#   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.VersionSupport.html;
#   dates: https://learn.microsoft.com/en-us/lifecycle/products/?terms=sql%20server): 2017 (14.00)
#   ends 2027-10-12, 2019 (15.00) 2030-01-08, 2022 (16.00) 2033-01-11; 2025 (17.00) has no
#   announced end. A line is the major as RDS spells it ("16.00").
# - RDS for Oracle 19c (the only non-CDB release, so the only one of oracle-ee and oracle-se2)
#   follows Oracle's Premier Support, which ends 2029-12-31
#   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Oracle.Concepts.database-versions.html,
#   https://www.oracle.com/us/assets/lifetime-support-technology-069183.pdf).
# DMS's lines are its replication engine versions (``dms.DMS_VERSIONS``).
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
    **{
        engine: {
            "14.00": date(2027, 10, 12),
            "15.00": date(2030, 1, 8),
            "16.00": date(2033, 1, 11),
            "17.00": None,
        }
        for engine in ("sqlserver-ex", "sqlserver-web", "sqlserver-se", "sqlserver-ee")
    },
    **{engine: {"19": date(2029, 12, 31)} for engine in ("oracle-se2", "oracle-ee")},
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


_SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")


def size_rank(name: str) -> tuple[int, int]:
    size = name.rsplit(".", 1)[-1]
    if size in _SIZES:
        return 0, _SIZES.index(size)
    m = re.fullmatch(r"(\d+)xlarge", size)
    return (1, int(m.group(1))) if m else (2, 0)


def class_sample(classes: Iterable[str], near: str) -> str:
    """Offered classes for a message: ``near``'s family first, then current generations,
    smallest sizes first (db.t4g.medium before db.r8g.48xlarge)."""
    family = near.rsplit(".", 1)[0] + "." if near.count(".") >= 2 else near
    current = [p for prefixes in CURRENT_GENERATION.values() for p in prefixes]
    ordered = sorted(
        classes,
        key=lambda c: (
            not c.startswith(family),
            not any(c.startswith(p) for p in current),
            size_rank(c),
            c,
        ),
    )
    return shorten(ordered, 6)
