"""Engine versions and instance classes: every engine runs a version the policy config supports
and a current-generation instance class."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, is_unknown, string_map

# Version prefixes per engine that are in standard support. A prefix "8.4" accepts "8.4" and
# "8.4.3"; an unset version is AWS's default for the engine, which is always supported.
DEFAULT_VERSIONS: dict[str, list[str]] = {
    "mysql": ["8.4"],
    "mariadb": ["10.11", "11.4"],
    "postgres": ["15", "16", "17"],
    "aurora-mysql": ["8.0.mysql_aurora.3."],
    "aurora-postgresql": ["15", "16", "17"],
    "redis": ["7."],
    "valkey": ["7.", "8."],
    "dms": ["3.5", "3.6"],
    "redshift": ["1.0"],
}

DEFAULT_CLASSES: dict[str, list[str]] = {
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
    "dms": ["dms.t3.", "dms.c5.", "dms.c6i.", "dms.c7i.", "dms.r5.", "dms.r6i.", "dms.r7i."],
}

_FAMILY = {
    "aws:rds/instance:Instance": ("rds", "instanceClass"),
    "aws:rds/clusterInstance:ClusterInstance": ("rds", "instanceClass"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("elasticache", "nodeType"),
    "aws:redshift/cluster:Cluster": ("redshift", "nodeType"),
    "aws:dms/replicationInstance:ReplicationInstance": ("dms", "replicationInstanceClass"),
}


def _engine_and_version(r: Resource) -> tuple[Any, Any]:
    if r.type == "aws:redshift/cluster:Cluster":
        return "redshift", r.get("clusterVersion")
    if r.type == "aws:dms/replicationInstance:ReplicationInstance":
        return "dms", r.get("engineVersion")
    if r.type == "aws:elasticache/replicationGroup:ReplicationGroup":
        return r.get("engine", default="redis"), r.get("engineVersion")
    return r.get("engine"), r.get("engineVersion")


def supported_version(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    if r.get("replicateSourceDb") is not None:
        return  # a replica runs its source's version
    engine, version = _engine_and_version(r)
    if is_unknown(engine) or is_unknown(version) or engine is None or version is None:
        return
    allowed = c["allowedVersions"].get(str(engine))
    if allowed is None:
        return
    if not any(str(version).startswith(prefix) for prefix in allowed):
        yield (
            f"'{r.name}' runs {engine} {version}; supported: "
            f"{', '.join(p.rstrip('.') + '.x' if p.endswith('.') else p for p in allowed)}."
        )


def allowed_class(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    family, key = _FAMILY[r.type]
    value = r.get(key)
    if is_unknown(value) or value is None:
        return
    allowed = c["allowedClasses"].get(family)
    if allowed is None:
        return
    if not any(str(value).startswith(prefix) for prefix in allowed):
        yield f"'{r.name}' uses {key} {value}, which is not an allowed {family} class."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="supported-engine-version",
            description="Every database engine runs a version in standard support.",
            severity=Severity.MEDIUM,
            category="versions",
            remediation="set engineVersion (dbtier:relational.engineVersion, "
            "dbtier:aurora.engineVersion, dbtier:redis.engineVersion) to an allowed version, or "
            "extend allowedVersions in the policy config.",
            resource_types=(
                "aws:rds/instance:Instance",
                "aws:rds/cluster:Cluster",
                "aws:elasticache/replicationGroup:ReplicationGroup",
                "aws:redshift/cluster:Cluster",
                "aws:dms/replicationInstance:ReplicationInstance",
            ),
            config={
                "allowedVersions": string_map(
                    DEFAULT_VERSIONS, "Per engine, accepted engineVersion prefixes."
                )
            },
        ),
        supported_version,
    ),
    Rule(
        RuleMeta(
            name="allowed-instance-class",
            description="Databases use current-generation instance and node classes.",
            severity=Severity.LOW,
            category="versions",
            remediation="pick a class from the policy's allowedClasses "
            "(dbtier:relational.instanceClass, dbtier:redis.nodeType, dbtier:warehouse.nodeType, "
            "dbtier:migration.instanceClass).",
            resource_types=tuple(_FAMILY),
            config={
                "allowedClasses": string_map(
                    DEFAULT_CLASSES, "Per service, accepted class prefixes."
                )
            },
        ),
        allowed_class,
    ),
]
