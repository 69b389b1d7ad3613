"""What the ServerlessAurora decides, as pure functions of the parsed `dbtier:aurora`.

The cluster parameter group, the cluster's identifier, log groups, Serverless v2 scaling and
arguments, and each instance's role, promotion tier, arguments and zone. Values only known at
deployment (the stack key, the parameter group's name, the subnet group's zones) are taken as
opaque values and only placed; `components.aurora.resources` wires the resources from what these
return. What RDS and Aurora decide alike is in `components.rds_shape`.
"""

from __future__ import annotations

from typing import Any

from components.aurora.config import AURORA_INSTANCE_CLASS, AuroraConfig
from components.parameters import rds_parameters
from components.rds_shape import (
    CA_CERT,
    LOG_EXPORTS,
    enforced_parameters,
    insights_args,
    log_groups,
    monitoring_args,
)
from components.settings import rds_identifier


def parameter_group_args(cfg: AuroraConfig) -> dict[str, Any]:
    """The cluster parameter group's description and parameters: the enforced ones (TLS, what
    each exported log needs) merged with the user's."""
    return {
        "description": "dbtier Aurora: TLS only",
        "parameters": rds_parameters(enforced_parameters(cfg.engine), cfg.change.parameters),
    }


def cluster_identifier(project: str, stack: str, name: str) -> str:
    """The cluster's DB identifier. Explicit, because Aurora's log groups are named after it and
    are created before the cluster, so Aurora finds them."""
    return rds_identifier(project, stack, name, "cluster")


def cluster_log_groups(cfg: AuroraConfig, identifier: str) -> dict[str, str]:
    """The cluster's log groups: `cluster-<log>` -> AWS's name, one per exported log."""
    return log_groups(cfg.engine, "cluster", identifier, cluster=True)


def scaling(cfg: AuroraConfig) -> dict[str, float | int]:
    """Serverless v2 scaling: the capacity range, and auto-pause only when it is set."""
    out: dict[str, float | int] = {
        "min_capacity": cfg.min_capacity,
        "max_capacity": cfg.max_capacity,
    }
    if cfg.seconds_until_auto_pause is not None:
        out["seconds_until_auto_pause"] = cfg.seconds_until_auto_pause
    return out


def cluster_args(
    cfg: AuroraConfig,
    identifier: str,
    *,
    subnet_group: object,
    security_group_id: object,
    parameter_group_name: object,
    kms_key_arn: object,
) -> dict[str, Any]:
    """The cluster's arguments but its credentials and final snapshot identifier (unique per
    deployment, the caller's). The cluster carries the Database Insights mode (its instances
    inherit it and take none of their own) and the same Performance Insights settings as every
    instance, as Database Insights requires:
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html
    """
    lifecycle: dict[str, Any] = {}
    # Only when set: AWS's default (Extended Support) otherwise, as before the setting existed.
    if cfg.change.engine_lifecycle_support is not None:
        lifecycle["engine_lifecycle_support"] = cfg.change.engine_lifecycle_support
    return {
        "cluster_identifier": identifier,
        "engine": cfg.engine,
        "engine_mode": "provisioned",
        "engine_version": cfg.engine_version,
        "serverlessv2_scaling_configuration": scaling(cfg),
        "database_name": cfg.database_name,
        "master_username": cfg.username,
        "db_subnet_group_name": subnet_group,
        "vpc_security_group_ids": [security_group_id],
        "db_cluster_parameter_group_name": parameter_group_name,
        "storage_encrypted": True,
        "kms_key_id": kms_key_arn,
        "iam_database_authentication_enabled": True,
        "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS[cfg.engine]),
        "backup_retention_period": cfg.backup_retention_days,
        "preferred_backup_window": cfg.change.backup_window,
        "preferred_maintenance_window": cfg.change.maintenance_window,
        "apply_immediately": cfg.change.apply_immediately,
        "allow_major_version_upgrade": cfg.change.allow_major_version_upgrade,
        "backtrack_window": cfg.backtrack_hours * 3600 if cfg.backtrack_hours else None,
        "copy_tags_to_snapshot": True,
        "deletion_protection": cfg.deletion_protection,
        "skip_final_snapshot": False,
        "delete_automated_backups": False,
        "database_insights_mode": str(cfg.database_insights_mode),  # one type: mypy unions
        **insights_args(True, cfg.performance_insights_retention_days, kms_key_arn),
        **lifecycle,
    }


def instance_roles(cfg: AuroraConfig) -> list[str]:
    """Each instance's role, the writer first: `writer`, `reader-1` ... `reader-<readers>`."""
    return ["writer", *(f"reader-{i}" for i in range(1, cfg.readers + 1))]


def instance_args(
    cfg: AuroraConfig,
    index: int,
    *,
    subnet_group: object,
    kms_key_arn: object,
    monitoring_role_arn: object | None,
) -> dict[str, Any]:
    """Instance `index`'s arguments (0 = the writer) but its cluster, version and zone, which
    follow the cluster. Promotion tier 0 for the writer and 1 for readers: Aurora scales readers
    in tiers 0-1 together with the writer, so a failover lands on an instance already at its
    size. Enhanced Monitoring is on the instances only (an Aurora cluster does not take it)."""
    return {
        "engine": cfg.engine,
        "instance_class": AURORA_INSTANCE_CLASS,
        "promotion_tier": 0 if index == 0 else 1,
        "publicly_accessible": False,
        "db_subnet_group_name": subnet_group,
        "auto_minor_version_upgrade": cfg.change.auto_minor_version_upgrade,
        "apply_immediately": cfg.change.apply_immediately,
        # Instances are patched in the cluster's window, not one AWS picks at random.
        "preferred_maintenance_window": cfg.change.maintenance_window,
        "ca_cert_identifier": CA_CERT,
        "copy_tags_to_snapshot": True,
        **insights_args(True, cfg.performance_insights_retention_days, kms_key_arn),
        **monitoring_args(monitoring_role_arn, cfg.monitoring_interval),
    }


def instance_zone(index: int, zones: list[str]) -> str | None:
    """The zone of instance `index` (0 = writer): the writer in the first zone, readers
    round-robin over the others, so a zone outage never takes the writer and every reader.
    With one zone there is nowhere else: every instance goes there."""
    if not zones:
        return None
    if index == 0 or len(zones) == 1:
        return zones[0]
    others = zones[1:]
    return others[(index - 1) % len(others)]


def global_cluster_args(cfg: AuroraConfig, identifier: str, source_arn: object) -> dict[str, Any]:
    """The Aurora Global Database, created from the primary (`source_db_cluster_identifier`),
    the way terraform-provider-aws documents for a cluster that exists ("New Global Cluster From
    Existing DB Cluster"): it serves a new stack and a running one alike, where joining the
    primary through its `global_cluster_identifier` would replace it (ModifyDBCluster cannot
    join a global database). Engine and version come from the primary (the provider refuses
    `engine` with a source); the storage is encrypted as the primary's.
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_global_cluster
    """
    return {
        "global_cluster_identifier": identifier,
        "source_db_cluster_identifier": source_arn,
        # Required with a source: on destroy, the members leave the global database first.
        "force_destroy": True,
        "storage_encrypted": True,
        "deletion_protection": cfg.deletion_protection,
    }


def secondary_cluster_args(
    cfg: AuroraConfig,
    identifier: str,
    *,
    global_cluster_id: object,
    subnet_group: object,
    security_group_id: object,
    parameter_group_name: object,
    kms_key_arn: object,
) -> dict[str, Any]:
    """A secondary cluster: the primary's arguments in its region (its subnet group, security
    group, parameter group and key) without what a secondary takes from the primary (master
    user, database name) or cannot have (backtrack), joined to the global database."""
    args = cluster_args(
        cfg,
        identifier,
        subnet_group=subnet_group,
        security_group_id=security_group_id,
        parameter_group_name=parameter_group_name,
        kms_key_arn=kms_key_arn,
    )
    for key in ("database_name", "master_username", "backtrack_window"):
        del args[key]
    return {**args, "global_cluster_identifier": global_cluster_id}


def secondary_instance_count(cfg: AuroraConfig) -> int:
    """A secondary's instances, all readers: as many as the primary's readers, and at least
    one, so the region has a reader endpoint and a switchover a target."""
    return max(1, cfg.readers)
