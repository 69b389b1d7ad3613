"""What the Warehouse decides, one shape per mode: names, each resource's arguments, credentials.

A provisioned RA3 cluster and a Redshift Serverless namespace + workgroup are two shapes of the
same warehouse (`provisioned` and `serverless`), each built from the parsed `dbtier:warehouse`
and plain names. Values only known at deployment (the password, the stack key) are taken as
opaque values and only placed; what depends on other resources (roles, subnets, groups) is
wired by `components.warehouse.resources`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.logs import redshift_cluster_log_group
from components.parameters import plain_parameters
from components.warehouse.config import ENFORCED_PARAMETERS, WarehouseConfig, warehouse_identifier

REDSHIFT_PORT = 5439
AUDIT_LOGS = ("connectionlog", "useractivitylog", "userlog")
PASSWORD_LENGTH = 32
# The COPY role serves either mode, so both Redshift services may assume it.
COPY_ROLE_SERVICES = ("redshift.amazonaws.com", "redshift-serverless.amazonaws.com")
COPY_ROLE_DESCRIPTION = "Redshift COPY from the S3 sources in dbtier:warehouse.copySources"
# AWS Backup's resource types: `Redshift` for a provisioned cluster, `Redshift Serverless` for a
# namespace. Restore testing does not take the latter (RestoreTestingSelection's
# ProtectedResourceType lists no Redshift type), so the Backup component backs it up without
# restore tests.
REDSHIFT_BACKUP_TYPE = "Redshift"
REDSHIFT_SERVERLESS_BACKUP_TYPE = "Redshift Serverless"
PARAMETER_GROUP_FAMILY = "redshift-2.0"


@dataclass(frozen=True)
class CredentialNames:
    """A Redshift resource's own names for its admin password arguments."""

    password: str
    """The generated password's argument."""
    manage: str
    """The argument that lets Redshift manage the password in a secret of its own."""
    secret_kms_key: str
    """The argument naming the key that secret is encrypted with."""
    password_input: str
    """The password's input as the engine names it (for `ignore_changes`)."""

    def args(self, password: Any, kms_key_arn: Any) -> dict[str, Any]:
        """The generated `password`, or (None) a password Redshift manages, in a secret
        encrypted with the stack key."""
        if password is not None:
            return {self.password: password}
        return {self.manage: True, self.secret_kms_key: kms_key_arn}

    def ignore_changes(self, cfg: WarehouseConfig) -> list[str] | None:
        """After a rotation the secret owns the password: never send the initial one again."""
        return [self.password_input] if cfg.credentials.rotation_function else None


CLUSTER_CREDENTIALS = CredentialNames(
    "master_password",
    "manage_master_password",
    "master_password_secret_kms_key_id",
    "masterPassword",
)
NAMESPACE_CREDENTIALS = CredentialNames(
    "admin_user_password",
    "manage_admin_password",
    "admin_password_secret_kms_key_id",
    "adminUserPassword",
)


@dataclass(frozen=True)
class ProvisionedShape:
    """A provisioned RA3 cluster with its parameter group and its own audit log groups."""

    identifier: str
    """Cluster identifier; also the prefix of its final snapshots and log groups."""
    parameter_group: dict[str, Any]
    """The parameter group's arguments: TLS only, user activity logged, user parameters."""
    cluster: dict[str, Any]
    """The cluster's arguments that depend on no other resource."""
    audit_log_groups: dict[str, str]
    """Log group role -> the name Redshift writes each audit log to."""
    logging: dict[str, Any]
    """The audit logging's arguments (CloudWatch, every audit log)."""
    ignore_changes: list[str] | None
    """The cluster's inputs Pulumi must leave alone."""
    credentials: CredentialNames = CLUSTER_CREDENTIALS
    backup_type: str = REDSHIFT_BACKUP_TYPE


@dataclass(frozen=True)
class ServerlessShape:
    """A Redshift Serverless namespace (data, admin user, audit logs) and its workgroup."""

    identifier: str
    """Namespace and workgroup name."""
    namespace: dict[str, Any]
    """The namespace's arguments that depend on no other resource."""
    workgroup: dict[str, Any]
    """The workgroup's arguments that depend on no other resource (the parameters a workgroup
    takes instead of a parameter group)."""
    ignore_changes: list[str] | None
    """The namespace's inputs Pulumi must leave alone."""
    credentials: CredentialNames = NAMESPACE_CREDENTIALS
    backup_type: str = REDSHIFT_SERVERLESS_BACKUP_TYPE


def provisioned(cfg: WarehouseConfig, stack: str, name: str) -> ProvisionedShape:
    """The provisioned cluster of component `name` in `stack`."""
    identifier = warehouse_identifier(stack, name)
    return ProvisionedShape(
        identifier=identifier,
        parameter_group={
            "family": PARAMETER_GROUP_FAMILY,
            "description": "dbtier Redshift: TLS only, user activity logged",
            "parameters": plain_parameters(ENFORCED_PARAMETERS, cfg.parameters),
        },
        cluster={
            "cluster_identifier": identifier,
            "node_type": cfg.node_type,
            "cluster_type": "multi-node" if cfg.nodes > 1 else "single-node",
            "number_of_nodes": cfg.nodes,
            "database_name": cfg.database_name,
            "master_username": cfg.username,
            "encrypted": True,
            "publicly_accessible": False,
            "enhanced_vpc_routing": True,
            "automated_snapshot_retention_period": cfg.snapshot_retention_days,
            "allow_version_upgrade": True,
            "preferred_maintenance_window": cfg.maintenance_window,
            "apply_immediately": cfg.apply_immediately,
            "skip_final_snapshot": False,
        },
        # Redshift Serverless shares one group per log type and region among every namespace
        # (components.logs); a cluster has groups of its own, created before it logs.
        audit_log_groups={
            f"audit-{log}": redshift_cluster_log_group(identifier, log) for log in AUDIT_LOGS
        },
        logging={"log_destination_type": "cloudwatch", "log_exports": list(AUDIT_LOGS)},
        ignore_changes=CLUSTER_CREDENTIALS.ignore_changes(cfg),
    )


def serverless(cfg: WarehouseConfig, stack: str, name: str) -> ServerlessShape:
    """The Serverless namespace and workgroup of component `name` in `stack`."""
    identifier = warehouse_identifier(stack, name)
    return ServerlessShape(
        identifier=identifier,
        namespace={
            "namespace_name": identifier,
            "db_name": cfg.database_name,
            "admin_username": cfg.username,
            "log_exports": list(AUDIT_LOGS),
        },
        workgroup={
            "workgroup_name": identifier,
            "base_capacity": cfg.base_capacity,
            "publicly_accessible": False,
            "enhanced_vpc_routing": True,
            "config_parameters": [
                {"parameter_key": k, "parameter_value": v} for k, v in ENFORCED_PARAMETERS.items()
            ],
        },
        ignore_changes=NAMESPACE_CREDENTIALS.ignore_changes(cfg),
    )
