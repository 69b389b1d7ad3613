"""ElastiCache (Redis / Valkey) replication-group rules: encryption at rest with the stack key and
in transit, AUTH, snapshots, failover across zones, logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, as_number, integer, is_off, is_unknown

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def _rg(r: Resource) -> str:
    return f"ElastiCache replication group '{r.name}'"


def at_rest(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("atRestEncryptionEnabled")):
        yield f"{_rg(r)} has atRestEncryptionEnabled off."


def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"{_rg(r)} has no kmsKeyId: data at rest uses the AWS-managed key."


def in_transit(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("transitEncryptionEnabled")):
        yield f"{_rg(r)} has transitEncryptionEnabled off: clients talk in plaintext."
        return
    mode = r.get("transitEncryptionMode")
    if not is_unknown(mode) and mode == "preferred":
        yield f"{_rg(r)} has transitEncryptionMode 'preferred': plaintext clients still connect."


def auth(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    token, groups = r.get("authToken"), r.get("userGroupIds")
    if is_unknown(token) or is_unknown(groups):
        return
    if not token and not groups:
        yield (
            f"{_rg(r)} has neither an AUTH token nor RBAC user groups: anyone with a network "
            "path can connect."
        )


def snapshot_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("snapshotRetentionLimit")
    if is_unknown(value):
        return
    days = as_number(value) or 0.0
    if days < int(c["minimumDays"]):
        yield f"{_rg(r)} keeps snapshots {days:g} days; at least {c['minimumDays']} required."


def _node_count(r: Resource) -> float | None:
    clusters = as_number(r.get("numCacheClusters"))
    if clusters is not None:
        return clusters
    replicas = as_number(r.get("replicasPerNodeGroup"))
    if replicas is not None:
        return replicas + 1
    return None


def failover(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    auto, multi = r.get("automaticFailoverEnabled"), r.get("multiAzEnabled")
    nodes = _node_count(r)
    if nodes is not None and nodes < 2:
        yield f"{_rg(r)} has a single node: there is nothing to fail over to."
        return
    if is_off(auto):
        yield f"{_rg(r)} has automatic failover off."
    if is_off(multi):
        yield f"{_rg(r)} keeps its nodes in one zone (multiAzEnabled off)."


def auto_minor_upgrade(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("autoMinorVersionUpgrade")
    if not is_unknown(value) and value is False:
        yield f"{_rg(r)} does not take minor engine upgrades automatically."


def logs(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("logDeliveryConfigurations", default=[])
    if is_unknown(value):
        return
    if not value:
        yield f"{_rg(r)} delivers no slow or engine logs."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="elasticache-at-rest-encryption",
            description="ElastiCache replication groups encrypt data at rest.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set atRestEncryptionEnabled=true (RedisCluster does).",
            resource_types=(REPLICATION_GROUP,),
            checkov=("CKV_AWS_29",),
            trivy=("AVD-AWS-0045",),
        ),
        at_rest,
    ),
    Rule(
        RuleMeta(
            name="elasticache-customer-managed-key",
            description="ElastiCache replication groups encrypt with the stack's customer-managed "
            "key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(REPLICATION_GROUP,),
            checkov=("CKV_AWS_191",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="elasticache-in-transit-encryption",
            description="ElastiCache replication groups require TLS.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set transitEncryptionEnabled=true and transitEncryptionMode 'required'.",
            resource_types=(REPLICATION_GROUP,),
            checkov=("CKV_AWS_30",),
            trivy=("AVD-AWS-0051",),
        ),
        in_transit,
    ),
    Rule(
        RuleMeta(
            name="elasticache-auth",
            description="ElastiCache replication groups require AUTH (token or RBAC) over TLS.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="keep the generated authToken (RedisCluster sets it from a "
            "RandomPassword) or set userGroupIds.",
            resource_types=(REPLICATION_GROUP,),
            checkov=("CKV_AWS_31",),
        ),
        auth,
    ),
    Rule(
        RuleMeta(
            name="elasticache-snapshot-retention",
            description="ElastiCache replication groups keep automatic snapshots.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="raise dbtier:redis.snapshotRetentionDays to at least minimumDays.",
            resource_types=(REPLICATION_GROUP,),
            trivy=("AVD-AWS-0050",),
            config={"minimumDays": integer(1, 1, "Minimum snapshot retention, days.")},
        ),
        snapshot_retention,
    ),
    Rule(
        RuleMeta(
            name="elasticache-multi-az-failover",
            description="ElastiCache replication groups have two or more nodes across zones with "
            "automatic failover.",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="set dbtier:redis.nodes >= 2 (or replicasPerShard >= 1); RedisCluster "
            "then turns on automaticFailoverEnabled and multiAzEnabled.",
            resource_types=(REPLICATION_GROUP,),
        ),
        failover,
    ),
    Rule(
        RuleMeta(
            name="elasticache-auto-minor-version-upgrade",
            description="ElastiCache replication groups take minor upgrades automatically.",
            severity=Severity.LOW,
            category="versions",
            remediation="leave autoMinorVersionUpgrade unset or true.",
            resource_types=(REPLICATION_GROUP,),
        ),
        auto_minor_upgrade,
    ),
    Rule(
        RuleMeta(
            name="elasticache-log-delivery",
            description="ElastiCache replication groups deliver slow and engine logs.",
            severity=Severity.LOW,
            category="logging",
            remediation="keep logDeliveryConfigurations (RedisCluster sends slow-log and "
            "engine-log to CloudWatch).",
            resource_types=(REPLICATION_GROUP,),
        ),
        logs,
    ),
]
