"""What the Migration decides: DMS names, the service roles, the instance's, endpoints' and
task's arguments, the table mappings and task settings, and what the secrets role may read.

Pure functions of the parsed `dbtier:migration`, the source's and target's engine names and plain
names (project, stack, component); each engine's endpoint is in `components.migration.endpoints`;
what depends on other resources (subnets, groups, the stack key, the secrets) is wired by
`components.migration.resources`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.logs import dms_task_log_group
from components.migration.config import MigrationConfig, dms_identifier, source_database_of
from components.migration.endpoints import source_endpoint, target_endpoint

# DMS looks these roles up by name, account-wide: they are created once per account.
SERVICE_ROLES = {
    "dms-vpc-role": "arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole",
    "dms-cloudwatch-logs-role": "arn:aws:iam::aws:policy/service-role/AmazonDMSCloudWatchLogsRole",
}
DMS_SERVICE = "dms.amazonaws.com"
MAINTENANCE_WINDOW = "sun:06:00-sun:07:00"
LOG_COMPONENTS = (
    "SOURCE_UNLOAD",
    "SOURCE_CAPTURE",
    "TARGET_LOAD",
    "TARGET_APPLY",
    "TASK_MANAGER",
    "VALIDATOR_EXT",
)


def table_mappings(include: Sequence[str], exclude: Sequence[str]) -> str:
    """DMS selection rules: one include rule per pattern, then one exclude rule per pattern."""
    rules: list[dict[str, object]] = []
    for action, patterns in (("include", include), ("exclude", exclude)):
        for pattern in patterns:
            schema, table = pattern.split(".", 1)
            rule_id = str(len(rules) + 1)
            rules.append(
                {
                    "rule-type": "selection",
                    "rule-id": rule_id,
                    "rule-name": f"{action}-{rule_id}",
                    "object-locator": {"schema-name": schema, "table-name": table},
                    "rule-action": action,
                }
            )
    return json.dumps({"rules": rules}, indent=2)


def task_settings() -> str:
    """Task settings: CloudWatch logging, row-level validation, safe reloads, limited LOBs."""
    return json.dumps(
        {
            "TargetMetadata": {
                "SupportLobs": True,
                "LimitedSizeLobMode": True,
                "LobMaxSize": 32,
            },
            # Keeps target tables (and any indexes added there) but empties them before a
            # reload, so running the full load again does not duplicate rows.
            "FullLoadSettings": {
                "TargetTablePrepMode": "TRUNCATE_BEFORE_LOAD",
                "MaxFullLoadSubTasks": 8,
                "CommitRate": 10000,
            },
            "Logging": {
                "EnableLogging": True,
                "LogComponents": [
                    {"Id": component, "Severity": "LOGGER_SEVERITY_DEFAULT"}
                    for component in LOG_COMPONENTS
                ],
            },
            "ValidationSettings": {
                "EnableValidation": True,
                "ValidationMode": "ROW_LEVEL",
                "ThreadCount": 5,
                "FailureMaxCount": 10000,
                "PartitionSize": 10000,
            },
            "ErrorBehavior": {
                "DataErrorPolicy": "LOG_ERROR",
                "TableErrorPolicy": "SUSPEND_TABLE",
                "ApplyErrorInsertPolicy": "LOG_ERROR",
            },
        },
        indent=2,
        sort_keys=True,
    )


def secrets_access_policy(source_secret: str, target_secret: str, key_arn: str) -> str:
    """What DMS may do with the access role: read exactly the two secrets, decrypt them."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadEndpointSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": [source_secret, target_secret],
                },
                {
                    "Sid": "DecryptEndpointSecrets",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": key_arn,
                },
            ],
        },
        indent=2,
    )


def regional_service(region: str) -> str:
    """The regional DMS principal that assumes the secrets access role."""
    return f"dms.{region}.amazonaws.com"


def task_resource_id(task_arn: str) -> str:
    """A task's resource id (its CloudWatch dimension): the last part of its ARN."""
    return task_arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class ServiceRole:
    """One account-wide role DMS looks up by name, and its AWS managed policy."""

    resource_name: str
    """The role's child name."""
    attachment_name: str
    """The policy attachment's child name."""
    role_name: str
    """The role's name in IAM, the one DMS looks up."""
    policy_arn: str
    description: str


@dataclass(frozen=True)
class MigrationShape:
    """Every DMS resource's arguments that depend on no other resource."""

    service_roles: tuple[ServiceRole, ...]
    """The account-wide roles, when the stack owns them; created before the instance."""
    subnet_group: dict[str, Any]
    instance: dict[str, Any]
    endpoints: dict[str, dict[str, Any]]
    """Per endpoint type (source, target)."""
    task_log_groups: dict[str, str]
    """Log group role -> the name DMS writes the instance's task logs to."""
    task: dict[str, Any]


def service_roles(cfg: MigrationConfig, name: str) -> tuple[ServiceRole, ...]:
    """The roles DMS needs before it can place an instance in a VPC or write task logs; only
    when the stack is asked to own them (another stack of the account may already)."""
    if not cfg.create_service_roles:
        return ()
    return tuple(
        ServiceRole(
            resource_name=f"{name}-{role_name}",
            attachment_name=f"{name}-{role_name}-policy",
            role_name=role_name,
            policy_arn=policy_arn,
            description=f"AWS DMS service role {role_name}",
        )
        for role_name, policy_arn in SERVICE_ROLES.items()
    )


def migration_shape(
    cfg: MigrationConfig,
    project: str,
    stack: str,
    name: str,
    *,
    target_engine: str,
    target_database: str,
    source_engine: str = "mysql",
    source_database: str | None = None,
) -> MigrationShape:
    """The Migration `name` of `project`'s `stack`, from a `source_engine` RDS instance (whose
    `dbtier:relational.databaseName` is `source_database`) to a `target_engine` Aurora cluster
    writing into `target_database`."""

    def identifier(role: str) -> str:
        return dms_identifier(project, stack, name, role)

    endpoints = {
        "source": source_endpoint(
            source_engine,
            source_database_of(cfg, source_engine, source_database),
            cdc="cdc" in cfg.migration_type,
            target_engine=target_engine,
            certificate_arn=cfg.source_certificate_arn,
        ),
        "target": target_endpoint(target_engine, target_database, source_engine=source_engine),
    }

    return MigrationShape(
        service_roles=service_roles(cfg, name),
        subnet_group={
            "replication_subnet_group_id": identifier("subnets"),
            "replication_subnet_group_description": "dbtier DMS replication",
        },
        instance={
            "replication_instance_id": identifier("instance"),
            "replication_instance_class": cfg.instance_class,
            "allocated_storage": cfg.allocated_storage,
            "multi_az": cfg.multi_az,
            "publicly_accessible": False,
            "auto_minor_version_upgrade": True,
            "preferred_maintenance_window": MAINTENANCE_WINDOW,
        },
        endpoints={
            role: {"endpoint_id": identifier(role), **args} for role, args in endpoints.items()
        },
        # DMS logs every task of the instance to one group named after the instance.
        task_log_groups={"task": dms_task_log_group(identifier("instance"))},
        task={
            "replication_task_id": identifier("task"),
            "migration_type": cfg.migration_type,
            "table_mappings": table_mappings(cfg.include, cfg.exclude),
            "replication_task_settings": task_settings(),
            "start_replication_task": False,
        },
    )
