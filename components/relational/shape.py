"""What the RelationalTier decides, as pure functions of the parsed `dbtier:relational`.

The parameter group, the instances' identifiers and log groups, the arguments every instance
shares, the primary's and each replica's own, and where single-AZ replicas go. Values only known
at deployment (the stack key, the parameter group's name, the primary's identifier, the subnet
group's zones) are taken as opaque values and only placed; `components.relational.resources`
wires the resources from what these return. What RDS and Aurora decide alike is in
`components.rds_shape`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from components.parameters import rds_parameters
from components.rds_shape import (
    CA_CERT,
    LOG_EXPORTS,
    enforced_parameters,
    insights_args,
    log_groups,
    monitoring_args,
)
from components.relational.config import RelationalConfig
from components.settings import rds_identifier

T = TypeVar("T")


def parameter_group_args(cfg: RelationalConfig, cdc_source: bool) -> dict[str, Any]:
    """The parameter group's description and parameters: the enforced ones (with row binlogs
    when a migration reads the database) merged with the user's."""
    return {
        "description": "dbtier MySQL: TLS only" + (", row binlogs for DMS" if cdc_source else ""),
        "parameters": rds_parameters(
            enforced_parameters(cfg.engine, cdc_source), cfg.change.parameters
        ),
    }


def roles(cfg: RelationalConfig) -> list[str]:
    """Each instance's role, primary first: `primary`, `replica-1` ... `replica-<readReplicas>`."""
    return ["primary", *(f"replica-{i}" for i in range(1, cfg.read_replicas + 1))]


def identifiers(cfg: RelationalConfig, project: str, stack: str, name: str) -> dict[str, str]:
    """Each instance's DB identifier, by role. Explicit, because the log groups RDS writes to
    are named after them and are created before the instances, so RDS finds them."""
    return {role: rds_identifier(project, stack, name, role) for role in roles(cfg)}


def instance_log_groups(cfg: RelationalConfig, ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each instance's log groups (`<role>-<log>` -> AWS's name), by role."""
    return {role: log_groups(cfg.engine, role, identifier) for role, identifier in ids.items()}


def instance_args(
    cfg: RelationalConfig,
    *,
    parameter_group_name: object,
    security_group_id: object,
    kms_key_arn: object,
    monitoring_role_arn: object | None,
) -> dict[str, Any]:
    """What the primary and every replica share: class, parameters, network, IAM auth,
    monitoring, log exports, change management, backups (replicas keep backups too, so they get
    the same windows), protection and storage type."""
    return {
        "instance_class": cfg.instance_class,
        "parameter_group_name": parameter_group_name,
        "vpc_security_group_ids": [security_group_id],
        "publicly_accessible": False,
        "iam_database_authentication_enabled": True,
        **insights_args(
            cfg.performance_insights, cfg.performance_insights_retention_days, kms_key_arn
        ),
        **monitoring_args(monitoring_role_arn, cfg.monitoring_interval),
        "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS[cfg.engine]),
        "auto_minor_version_upgrade": cfg.change.auto_minor_version_upgrade,
        "apply_immediately": cfg.change.apply_immediately,
        "allow_major_version_upgrade": cfg.change.allow_major_version_upgrade,
        "backup_window": cfg.change.backup_window,
        "maintenance_window": cfg.change.maintenance_window,
        "copy_tags_to_snapshot": True,
        "deletion_protection": cfg.deletion_protection,
        "ca_cert_identifier": CA_CERT,
        "backup_retention_period": cfg.backup_retention_days,
        "storage_type": "gp3",
    }


def primary_args(
    cfg: RelationalConfig, identifier: str, *, subnet_group: object, kms_key_arn: object
) -> dict[str, Any]:
    """The primary's own arguments: engine, storage (encrypted with the stack key, autoscaling
    up to maxAllocatedStorage), placement, the initial database and user, and a final snapshot
    on deletion (its identifier is the caller's: it is unique per deployment)."""
    return {
        "identifier": identifier,
        "engine": cfg.engine,
        "engine_version": cfg.engine_version,
        "allocated_storage": cfg.allocated_storage,
        "max_allocated_storage": cfg.max_allocated_storage or None,
        "storage_encrypted": True,
        "kms_key_id": kms_key_arn,
        "multi_az": cfg.multi_az,
        "db_subnet_group_name": subnet_group,
        "db_name": cfg.database_name,
        "username": cfg.username,
        "engine_lifecycle_support": cfg.change.engine_lifecycle_support,
        # The primary only: CreateDBInstanceReadReplica's DatabaseInsightsMode "isn't
        # supported", and the provider computes the attribute, so replicas leaving it unset
        # show no diff.
        "database_insights_mode": str(cfg.database_insights_mode),  # one type: mypy unions
        "delete_automated_backups": False,
        "skip_final_snapshot": False,
    }


def replica_args(cfg: RelationalConfig, identifier: str, source: object) -> dict[str, Any]:
    """A read replica's own arguments. Same-region replicas name their `source` by identifier
    and inherit engine, storage, encryption, the KMS key and the master credentials from it."""
    return {
        "identifier": identifier,
        "replicate_source_db": source,
        "multi_az": cfg.replica_multi_az,
        # AWS refuses a final snapshot for a read replica: its data lives in the primary.
        "skip_final_snapshot": True,
    }


def replica_zones(cfg: RelationalConfig, subnet_zones: T | None) -> list[str] | T | None:
    """The zones single-AZ replicas are spread over: the ones config names, else the DB subnet
    group's (`subnet_zones`, opaque); None when RDS places them: Multi-AZ replicas (RDS for MySQL
    supports Multi-AZ read replicas:
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html), or no zones known."""
    if cfg.replica_multi_az:
        return None
    if cfg.replica_availability_zones is not None:
        return list(cfg.replica_availability_zones)
    return subnet_zones


def replica_zone(index: int, zones: list[str]) -> str | None:
    """The zone of replica `index` (0-based): round-robin over `zones`, so no two replicas share
    one while there are zones enough, and a lost zone takes at most its share of them."""
    return zones[index % len(zones)] if zones else None
