"""RelationalTier across regions: the primary's automated backups (snapshots and transaction
logs) replicated to a secondary region, encrypted there with that region's key, kept for the
primary's own retention, so a point-in-time restore is possible in that region.

Every RDS engine dbtier offers has it (`awsdata.global_databases.CROSS_REGION_BACKUP_ENGINES`);
a primary without automated backups (retention 0) has nothing to replicate.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from awsdata.global_databases import cross_region_backup_problem
from components.placement import RegionPlacement
from components.relational.config import RelationalConfig


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
    """The replication's arguments: the primary, the destination's key, the primary's retention."""
    return {
        "source_db_instance_arn": source_arn,
        "kms_key_id": kms_key_arn,
        "retention_period": cfg.backup_retention_days,
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
