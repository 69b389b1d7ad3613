"""Parameter group families: the family AWS requires for an RDS, Aurora or ElastiCache engine
at a version (a group of another family is refused).

Not in cfn-lint; our own mapping, from the RDS and ElastiCache pages in ``FAMILY_DOCS``.
"""

from __future__ import annotations

from .support import LABELS

FAMILY_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html; "
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html"
)


def parameter_group_family(engine: str, version: str) -> str | None:
    """The parameter group family AWS requires for ``engine`` at ``version`` (None: unknown).

    Not in cfn-lint (``Family`` is free text there); the mapping is AWS's
    ``DescribeDBEngineVersions``/``DescribeCacheEngineVersions`` ``*ParameterGroupFamily`` (see
    ``FAMILY_DOCS``): mysql8.4, mariadb10.11, postgres16, aurora-mysql8.0 (3.x),
    aurora-mysql8.4, aurora-postgresql16, redis7, redis6.x, valkey7, valkey8; sqlserver-se-16.0
    (SQL Server 2022, RDS version 16.00.*) and oracle-ee-19 (Oracle 19c, 19.0.0.0.ru-*): the
    edition's engine name, then the major
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.SQLServer.Parameters.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.Oracle.Parameters.html).
    """
    parts = version.split(".")
    if engine.startswith("sqlserver-"):
        return f"{engine}-{int(parts[0])}.0" if parts[0].isdigit() else None
    if engine.startswith("oracle-"):
        return f"{engine}-{parts[0]}" if parts[0].isdigit() else None
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
    """Why a parameter group of ``family`` does not fit ``engine`` at ``version``, or None."""
    expected = parameter_group_family(engine, version)
    if expected is None or family == expected:
        return None
    return (
        f"parameter group family {family} does not match {LABELS.get(engine, engine)} {version}"
        f" (needs {expected})"
    )
