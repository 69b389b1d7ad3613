"""What ElastiCache offers: engine versions (region-agnostic) and node types per region.

Sources (cfn-lint's data, see ``_cfnlint``):
``schemas/extensions/aws_elasticache_cachecluster/{engine_version,cachenodetype_enum}.json``.
Beyond cfn-lint's list, ElastiCache accepts the major line "6.x" for Redis 6:
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
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
