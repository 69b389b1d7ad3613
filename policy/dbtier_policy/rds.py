"""RDS and Aurora rules on keeping the data: encryption at rest with the stack key, no public
endpoint, deletion protection, final snapshots, automated backups, Multi-AZ and IAM
authentication. The rules on monitoring are in ``rds_monitoring``, those on engine settings
(parameter groups, CA certificate, upgrades, tags) in ``rds_settings``.

Read replicas (``replicateSourceDb`` set) inherit storage encryption, key, backups and final
snapshots from their source, so those rules skip them: each is marked ``@skips_replicas``, which
the other RDS modules use too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata.rds_engines import RDS_ENGINES, RdsEngine

from ._common import (
    Check,
    Resource,
    Rule,
    RuleMeta,
    as_number,
    integer,
    is_off,
    is_unknown,
)

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def is_replica(r: Resource) -> bool:
    """A read replica: its source is set (even if the source's id is not known yet)."""
    return r.get("replicateSourceDb") is not None


def skips_replicas(check: Check) -> Check:
    """``check``, passing every RDS read replica: a replica inherits what the rule asks for
    (encryption, key, backups, final snapshots, version) from its source, or its API does not
    take it at all."""

    @functools.wraps(check)
    def guarded(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
        if r.type == INSTANCE and is_replica(r):
            return
        yield from check(r, c)

    return guarded


def rds_engine(r: Resource) -> RdsEngine | None:
    """The RDS engine of an instance whose ``engine`` input is known (None for Aurora, a
    replica, whose engine is its source's, or an unknown value)."""
    engine = r.get("engine")
    return RDS_ENGINES.get(engine) if isinstance(engine, str) else None


def kind_of(r: Resource) -> str:
    """How a message names ``r``."""
    return "Aurora cluster" if r.type == CLUSTER else "RDS instance"


def config_key(r: Resource, field: str) -> str:
    """The dbtier config key that drives ``field`` for this resource."""
    section = "aurora" if r.type in (CLUSTER, CLUSTER_INSTANCE) else "relational"
    return f"dbtier:{section}.{field}"


@skips_replicas
def storage_encrypted(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("storageEncrypted")):
        yield f"{kind_of(r)} '{r.name}' has storageEncrypted off: data at rest is not encrypted."


@skips_replicas
def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"{kind_of(r)} '{r.name}' has no kmsKeyId: storage uses the AWS-managed aws/rds key."


def not_public(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("publiclyAccessible")
    if not is_unknown(value) and value is True:
        yield f"'{r.name}' ({r.type}) has publiclyAccessible true: it gets a public endpoint."


@skips_replicas
def deletion_protection(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("deletionProtection")):
        yield f"{kind_of(r)} '{r.name}' has deletionProtection off."


@skips_replicas
def final_snapshot(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    skip = r.get("skipFinalSnapshot")
    if not is_unknown(skip) and skip is True:
        yield f"{kind_of(r)} '{r.name}' has skipFinalSnapshot true: deleting it loses the data."
    elif is_off(r.get("finalSnapshotIdentifier")):
        yield f"{kind_of(r)} '{r.name}' has no finalSnapshotIdentifier."


@skips_replicas
def backup_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    minimum = int(c["minimumDays"])
    value = r.get("backupRetentionPeriod")
    if is_unknown(value):
        return
    days = as_number(value)
    # Absent means the AWS API default of one day, for instances and clusters alike.
    effective = days if days is not None else 1.0
    if effective < minimum:
        yield (
            f"{kind_of(r)} '{r.name}' keeps backups {effective:g} days; at least {minimum} required."
        )


@skips_replicas
def multi_az(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    engine = rds_engine(r)
    if engine is not None and not engine.multi_az:
        return  # SQL Server Express has none (deploy-rds-engine-features refuses it)
    if is_off(r.get("multiAz")):
        yield f"RDS instance '{r.name}' is single-AZ: a zone failure takes it down."


@skips_replicas
def iam_auth(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    engine = rds_engine(r)
    if engine is not None and not engine.iam_auth:
        return  # SQL Server and Oracle have none (deploy-rds-engine-features refuses it)
    if is_off(r.get("iamDatabaseAuthenticationEnabled")):
        yield f"{kind_of(r)} '{r.name}' has IAM database authentication off."


_RDS_TYPES = (INSTANCE, CLUSTER)

RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="rds-instance-storage-encrypted",
            description="RDS instances encrypt their storage at rest.",
            severity=Severity.CRITICAL,
            category="encryption",
            remediation="set storageEncrypted=true (dbtier:relational; the component does this "
            "unless the stack overrides it).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_16",),
            trivy=("AVD-AWS-0080",),
        ),
        storage_encrypted,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-storage-encrypted",
            description="Aurora clusters encrypt their storage at rest.",
            severity=Severity.CRITICAL,
            category="encryption",
            remediation="set storageEncrypted=true on the Aurora cluster (dbtier:aurora).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_96",),
            trivy=("AVD-AWS-0079",),
        ),
        storage_encrypted,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-customer-managed-key",
            description="RDS instances encrypt with the stack's customer-managed KMS key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn, default: "
            "the key the stack creates).",
            resource_types=(INSTANCE,),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-customer-managed-key",
            description="Aurora clusters encrypt with the stack's customer-managed KMS key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_327",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="rds-not-publicly-accessible",
            description="RDS instances, Aurora clusters and their instances have no public "
            "endpoint.",
            severity=Severity.CRITICAL,
            category="network",
            remediation="set publiclyAccessible=false; reach the database through "
            "dbtier:network.allowedCidrs / allowedSecurityGroupIds instead.",
            resource_types=(INSTANCE, CLUSTER, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_17",),
            trivy=("AVD-AWS-0082",),
        ),
        not_public,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-deletion-protection",
            description="RDS primary instances have deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set dbtier:relational.deletionProtection to true.",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_293",),
            trivy=("AVD-AWS-0177",),
        ),
        deletion_protection,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-deletion-protection",
            description="Aurora clusters have deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set dbtier:aurora.deletionProtection to true.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_139",),
        ),
        deletion_protection,
    ),
    Rule(
        RuleMeta(
            name="rds-final-snapshot",
            description="Deleting an RDS instance or Aurora cluster keeps a final snapshot "
            "(skipFinalSnapshot false, finalSnapshotIdentifier set).",
            severity=Severity.HIGH,
            category="protection",
            remediation="set skipFinalSnapshot=false with a unique finalSnapshotIdentifier "
            "(the components do; do not override them).",
            resource_types=_RDS_TYPES,
        ),
        final_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-backup-retention",
            description="RDS instances and Aurora clusters keep automated backups long enough.",
            severity=Severity.HIGH,
            category="backup",
            remediation="raise dbtier:relational.backupRetentionDays / "
            "dbtier:aurora.backupRetentionDays to at least the policy's minimumDays.",
            resource_types=_RDS_TYPES,
            checkov=("CKV_AWS_133",),
            trivy=("AVD-AWS-0077",),
            config={"minimumDays": integer(7, 1, "Minimum automated backup retention, days.")},
        ),
        backup_retention,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-multi-az",
            description="RDS primary instances run Multi-AZ (on engines that have it: not SQL"
            " Server Express).",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="set dbtier:relational.multiAz to true.",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_157",),
        ),
        multi_az,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-iam-auth",
            description="RDS instances accept IAM database authentication (on engines that have"
            " it: MySQL, MariaDB, PostgreSQL).",
            severity=Severity.MEDIUM,
            category="iam",
            remediation="set iamDatabaseAuthenticationEnabled=true (RelationalTier does).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_161",),
            trivy=("AVD-AWS-0176",),
        ),
        iam_auth,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-iam-auth",
            description="Aurora clusters accept IAM database authentication.",
            severity=Severity.MEDIUM,
            category="iam",
            remediation="set iamDatabaseAuthenticationEnabled=true (ServerlessAurora does).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_162",),
            trivy=("AVD-AWS-0176",),
        ),
        iam_auth,
    ),
]
