"""What ElastiCache offers: engine versions (region-agnostic), node types per region, and the
versions and ranges of its access control (users, IAM) and of its serverless caches.

Sources (cfn-lint's data, see ``_cfnlint``):
``schemas/extensions/aws_elasticache_cachecluster/{engine_version,cachenodetype_enum}.json``.
Beyond cfn-lint's list, ElastiCache accepts the major line "6.x" for Redis 6:
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
Access control and serverless caches are not in cfn-lint's data: those tables are our own, each
with the AWS page it copies.
"""

from __future__ import annotations

from ._cfnlint import EXT, data_version, engine_enum, regional_enum
from .support import LABELS, class_sample


def elasticache_versions(engine: str) -> tuple[str, ...]:
    """ElastiCache versions of ``engine`` (redis, valkey, memcached), region-agnostic."""
    rel = f"{EXT}/aws_elasticache_cachecluster/engine_version.json"
    return engine_enum(rel, "EngineVersion").get(engine, ())


def elasticache_version_problem(engine: str, version: str) -> str | None:
    """Why ElastiCache would refuse ``engine`` at ``version``, or None."""
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
    """Node types ElastiCache offers in ``region``; None without data for it."""
    return regional_enum(f"{EXT}/aws_elasticache_cachecluster/cachenodetype_enum.json", region)


def elasticache_node_type_problem(node_type: str, region: str) -> str | None:
    """Why ElastiCache would refuse ``node_type`` in ``region``, or None."""
    offered = elasticache_node_types(region)
    if offered is None or node_type in offered:
        return None
    return (
        f"{node_type} is not offered by ElastiCache in {region} per {data_version()}"
        f" (offered: {class_sample(offered, node_type)})"
    )


# --- access control and serverless -------------------------------------------------------------
# Role-based access control (users and user groups) needs Redis OSS 6.0 or later, or Valkey:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
# IAM authentication of a user needs Redis OSS 7.0 or later, or Valkey 7.2 or later, and TLS; an
# IAM user's user name and user id must be the same:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
RBAC_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html"
IAM_AUTH_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html"
MIN_RBAC_VERSION = {"redis": (6, 0), "valkey": (7, 2)}
MIN_IAM_VERSION = {"redis": (7, 0), "valkey": (7, 2)}
# Serverless caches run Redis OSS 7 and Valkey 7 and 8, always with TLS, and take RBAC as their
# only access control (no AUTH token). Usage limits: data storage 1-5,000 GB, ECPU per second
# 1,000-15,000,000 (the ranges AWS's CDK construct documents for CacheUsageLimits):
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.html
# https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-elasticache-alpha.CacheUsageLimitsProperty.html
SERVERLESS_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.html"
SERVERLESS_MAJOR_VERSIONS = {"redis": ("7",), "valkey": ("7", "8")}
DATA_STORAGE_GB = (1, 5000)
ECPU_PER_SECOND = (1000, 15_000_000)


def version_tuple(version: str) -> tuple[int, int]:
    """``7.1`` -> (7, 1); a major line (``6.x``, ``7``) -> (major, 0)."""
    parts = version.split(".")
    major = int(parts[0]) if parts[0].isdigit() else 0
    minor = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return (major, minor)


def _at_least(engine: str, version: str, minimum: dict[str, tuple[int, int]]) -> bool:
    least = minimum.get(engine)
    return least is not None and version_tuple(version) >= least


def _shown(least: tuple[int, int]) -> str:
    return f"{least[0]}.{least[1]}"


def _needs(
    engine: str, version: str, minimum: dict[str, tuple[int, int]], what: str, page: str
) -> str | None:
    """Why `what` is not on `engine` `version` (below `minimum` for the engine), or None."""
    if _at_least(engine, version, minimum):
        return None
    least = minimum.get(engine)
    needs = f"{_shown(least)} or later" if least else "an engine that has it"
    return f"{what} needs {LABELS.get(engine, engine)} {needs} (got {version}; {page})"


def rbac_problem(engine: str, version: str) -> str | None:
    """Why ElastiCache would refuse user groups on ``engine`` ``version``, or None."""
    return _needs(engine, version, MIN_RBAC_VERSION, "role-based access control (users)", RBAC_DOCS)


def iam_auth_problem(engine: str, version: str) -> str | None:
    """Why ElastiCache would refuse an IAM-authenticated user on ``engine`` ``version``, or None."""
    return _needs(engine, version, MIN_IAM_VERSION, "IAM authentication", IAM_AUTH_DOCS)


def serverless_major_version(version: str) -> str:
    """The major version a serverless cache takes (``MajorEngineVersion``) for ``version``."""
    return version.split(".", maxsplit=1)[0]


def serverless_version_problem(engine: str, version: str) -> str | None:
    """Why ElastiCache Serverless would refuse ``engine`` at (major) ``version``, or None."""
    majors = SERVERLESS_MAJOR_VERSIONS.get(engine, ())
    if serverless_major_version(version) in majors:
        return None
    return (
        f"ElastiCache Serverless runs {LABELS.get(engine, engine)}"
        f" {', '.join(majors) or 'no version'} (got {version}; {SERVERLESS_DOCS})"
    )


def usage_limit_problem(
    what: str, bounds: tuple[int, int], minimum: float | None, maximum: float | None
) -> str | None:
    """Why a serverless usage limit (``what``: data storage in GB, or ECPU per second) is out of
    AWS's range ``bounds`` or upside down, or None."""
    lo, hi = bounds
    for name, value in (("minimum", minimum), ("maximum", maximum)):
        if value is not None and not lo <= value <= hi:
            return f"{what} {name} {value:g} is outside {lo:,}-{hi:,} ({SERVERLESS_DOCS})"
    if minimum is not None and maximum is not None and minimum > maximum:
        return f"{what} minimum {minimum:g} is above its maximum {maximum:g}"
    return None
