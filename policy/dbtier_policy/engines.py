"""Engine versions and instance classes: every engine runs a version the policy config supports
and a current-generation instance class."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata import support

from ._common import Resource, Rule, RuleMeta, is_unknown, string_map
from .rds import skips_replicas

# Version lines per engine in standard support, and current-generation class prefixes: both
# from the catalog that config validation also asks, so with the default policy config the two
# accept exactly the same values. A line "8.4" accepts "8.4" and "8.4.3"; one ending in "."
# accepts what starts with it. An unset version is AWS's default for the engine, always supported.
DEFAULT_VERSIONS: dict[str, list[str]] = support.supported_version_prefixes()
DEFAULT_CLASSES: dict[str, list[str]] = support.CURRENT_GENERATION

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


@skips_replicas  # a replica runs its source's version
def supported_version(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    engine, version = _engine_and_version(r)
    if is_unknown(engine) or is_unknown(version) or engine is None or version is None:
        return
    problem = support.support_problem(str(engine), str(version), c["allowedVersions"])
    if problem:
        yield f"'{r.name}': {problem}."


def allowed_class(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    family, key = _FAMILY[r.type]
    value = r.get(key)
    if is_unknown(value) or value is None:
        return
    problem = support.generation_problem(family, str(value), c["allowedClasses"])
    if problem:
        yield f"'{r.name}' uses {key} {problem}."


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
