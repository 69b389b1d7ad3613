"""RelationalTier across regions: the primary's automated backups (snapshots and transaction
logs) replicated to a secondary region (`backupsTo`, else the first of `dbtier:regions`),
encrypted there with that region's key, kept for `backupsTo.retentionDays` (else the primary's
retention), so a point-in-time restore is possible in that region; and cross-region read
replicas (`crossRegionReplicas`), each made by its region's provider, encrypted with its key,
in that region's network (`dbtier:network.regions.<region>`), with its own parameter group there
(a parameter group is regional) carrying the same enforced settings (TLS), and a local
replica's alarms (ReplicaLag among them) in that region (`watches.relational_watches`).

Every RDS engine dbtier offers has backup replication
(`awsdata.global_databases.CROSS_REGION_BACKUP_ENGINES`); a primary without automated backups
(retention 0) has nothing to replicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from awsdata.global_databases import cross_region_backup_problem
from components.placement import RegionPlacement
from components.relational import shape
from components.relational.config import RelationalConfig


@dataclass(frozen=True)
class ReplicaRegion:
    """Where a cross-region read replica goes: the region (provider, key) and its network
    there (a DatabaseNetwork of `dbtier:network.regions.<region>`)."""

    placement: RegionPlacement
    subnet_group: pulumi.Input[str]
    """The DB subnet group in that region."""
    security_group_id: pulumi.Input[str]
    """The replica's security group there (the engine port from that network's allowed ones)."""


def replicates_backups(cfg: RelationalConfig, destination: RegionPlacement | None) -> bool:
    """Whether the primary's backups go to `destination`: one given, backups on, an engine
    whose backups RDS replicates."""
    return (
        destination is not None
        and cfg.backup_retention_days > 0
        and cross_region_backup_problem(cfg.engine) is None
    )


def backups_replication_args(
    cfg: RelationalConfig, source_arn: pulumi.Input[str], kms_key_arn: pulumi.Input[str]
) -> dict[str, object]:
    """The replication's arguments: the primary, the destination's key, `backupsTo`'s retention
    (else the primary's)."""
    retention = cfg.backups_to.retention_days if cfg.backups_to is not None else None
    return {
        "source_db_instance_arn": source_arn,
        "kms_key_id": kms_key_arn,
        "retention_period": retention or cfg.backup_retention_days,
    }


def replicate_backups(
    name: str,
    cfg: RelationalConfig,
    primary: aws.rds.Instance,
    destination: RegionPlacement,
    opts: pulumi.ResourceOptions,
) -> aws.rds.InstanceAutomatedBackupsReplication:
    """`<name>-backups-<region>`, made by the destination region's provider (RDS starts the
    replication from the destination)."""
    return aws.rds.InstanceAutomatedBackupsReplication(
        f"{name}-backups-{destination.region}",
        **backups_replication_args(cfg, primary.arn, destination.kms_key_arn),
        opts=destination.here(opts),
    )


def cross_region_replica_args(
    cfg: RelationalConfig,
    identifier: str,
    source_arn: pulumi.Input[str],
    where: ReplicaRegion,
    *,
    parameter_group_name: pulumi.Input[str],
    monitoring_role_arn: pulumi.Input[str] | None,
    option_group_name: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """A cross-region replica's arguments: what a local replica has (class, monitoring,
    Performance Insights and storage encrypted with the destination's key, TLS through its
    parameter or option group) plus the source by ARN (RDS requires the ARN across regions), the
    destination's key and subnet group.
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
    """
    key = where.placement.kms_key_arn
    return {
        **shape.instance_args(
            cfg,
            parameter_group_name=parameter_group_name,
            security_group_id=where.security_group_id,
            kms_key_arn=key,
            monitoring_role_arn=monitoring_role_arn,
            option_group_name=option_group_name,
        ),
        **shape.replica_args(cfg, identifier, source_arn),
        "kms_key_id": key,
        "storage_encrypted": True,
        "db_subnet_group_name": where.subnet_group,
    }
