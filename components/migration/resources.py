"""Migration: AWS DMS from the RelationalTier (MySQL) to the ServerlessAurora cluster.

A private, encrypted replication instance whose endpoints read their credentials from the
source's and target's Secrets Manager secrets (no password in any input) over TLS, and a
full-load-and-CDC task with logging and validation that `pulumi up` creates but never starts.
`outputs()` is the stack's `migration` export; `watches()` what the alarms watch on it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent, assume_role_policy
from components.logs import DEFAULT_RETENTION_DAYS, dms_task_log_group
from components.migration.config import MigrationConfig, dms_identifier
from components.migration.watches import migration_watches
from contract import MigrationOutputs

# DMS looks these roles up by name, account-wide: they are created once per account.
SERVICE_ROLES = {
    "dms-vpc-role": "arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole",
    "dms-cloudwatch-logs-role": "arn:aws:iam::aws:policy/service-role/AmazonDMSCloudWatchLogsRole",
}
# `require` encrypts without a CA bundle; verify-ca would need the RDS CA imported as a DMS
# certificate, and DMS does not offer verify-full for MySQL-compatible endpoints.
SSL_MODE = "require"
TARGET_ENGINES = {"aurora-mysql": "aurora", "aurora-postgresql": "aurora-postgresql"}
LOG_COMPONENTS = (
    "SOURCE_UNLOAD",
    "SOURCE_CAPTURE",
    "TARGET_LOAD",
    "TARGET_APPLY",
    "TASK_MANAGER",
    "VALIDATOR_EXT",
)


def _assume(service: str | pulumi.Output[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(service).apply(assume_role_policy)


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


def resource_id(name: str, role: str) -> str:
    """DMS identifiers: a letter first, letters, digits and single hyphens, per stack."""
    return dms_identifier(pulumi.get_project(), pulumi.get_stack(), name, role)


@dataclass(frozen=True)
class MigrationArgs:
    config: MigrationConfig
    """Instance class, migration type, table patterns, service roles (dbtier:migration)."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Subnets of the replication subnet group."""
    security_group_id: pulumi.Input[str]
    """The DMS security group (reaches the source and target ports and HTTPS only)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: instance storage, endpoint settings, the secrets."""
    source_secret_arn: pulumi.Input[str]
    """Secrets Manager secret of the source (RelationalTier)."""
    target_secret_arn: pulumi.Input[str]
    """Secrets Manager secret of the target (ServerlessAurora)."""
    target_engine: str = "aurora-mysql"
    """Engine of the target cluster: aurora-mysql or aurora-postgresql."""
    target_database: str = "appdb"
    """Database on the target (required by DMS for PostgreSQL targets)."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the task log group (dbtier:logs)."""


class Migration(DbtierComponent):
    """A DMS replication instance, source and target endpoints, and a replication task."""

    CONTRACT = MigrationOutputs

    replication_instance_arn: pulumi.Output[str]
    """Replication instance ARN."""
    replication_instance_id: pulumi.Output[str]
    """Replication instance identifier (the CloudWatch dimension)."""
    task_arn: pulumi.Output[str]
    """Replication task ARN (start it with `aws dms start-replication-task`)."""
    task_resource_id: pulumi.Output[str]
    """The task's resource id, the last part of its ARN (the CloudWatch dimension)."""
    source_endpoint_arn: pulumi.Output[str]
    """Source endpoint ARN."""
    target_endpoint_arn: pulumi.Output[str]
    """Target endpoint ARN."""

    def __init__(
        self, name: str, args: MigrationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("Migration", name, False, opts)
        cfg = args.config

        # The account-wide roles DMS needs before it can place an instance in a VPC or write
        # task logs; only when the stack is asked to own them (another stack may already).
        service_role_deps: list[pulumi.Resource] = []
        if cfg.create_service_roles:
            for role_name, policy_arn in SERVICE_ROLES.items():
                service_role, attachments = self.service_role(
                    f"{name}-{role_name}",
                    _assume("dms.amazonaws.com"),
                    {f"{name}-{role_name}-policy": policy_arn},
                    name=role_name,
                    description=f"AWS DMS service role {role_name}",
                )
                service_role_deps += [service_role, *attachments]

        subnet_group = aws.dms.ReplicationSubnetGroup(
            f"{name}-subnets",
            replication_subnet_group_id=resource_id(name, "subnets"),
            replication_subnet_group_description="dbtier DMS replication",
            subnet_ids=args.subnet_ids,
            opts=self.child(depends_on=service_role_deps),
        )
        instance = aws.dms.ReplicationInstance(
            f"{name}-instance",
            replication_instance_id=resource_id(name, "instance"),
            replication_instance_class=cfg.instance_class,
            allocated_storage=cfg.allocated_storage,
            multi_az=cfg.multi_az,
            publicly_accessible=False,
            kms_key_arn=args.kms_key_arn,
            replication_subnet_group_id=subnet_group.replication_subnet_group_id,
            vpc_security_group_ids=[args.security_group_id],
            auto_minor_version_upgrade=True,
            preferred_maintenance_window="sun:06:00-sun:07:00",
            opts=self.child(depends_on=service_role_deps),
        )

        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        access_role = aws.iam.Role(
            f"{name}-secrets-role",
            description="DMS reads the source and target credentials from Secrets Manager",
            assume_role_policy=_assume(
                pulumi.Output.concat("dms.", region.region, ".amazonaws.com")
            ),
            opts=self.child(),
        )
        access_policy = aws.iam.RolePolicy(
            f"{name}-secrets-policy",
            role=access_role.id,
            policy=pulumi.Output.all(
                args.source_secret_arn, args.target_secret_arn, args.kms_key_arn
            ).apply(lambda v: secrets_access_policy(*v)),
            opts=self.child(),
        )

        endpoints: dict[str, aws.dms.Endpoint] = {}
        for role, engine_name, secret in (
            ("source", "mysql", args.source_secret_arn),
            ("target", TARGET_ENGINES[args.target_engine], args.target_secret_arn),
        ):
            postgres = engine_name == "aurora-postgresql"
            endpoints[role] = aws.dms.Endpoint(
                f"{name}-{role}",
                endpoint_id=resource_id(name, role),
                endpoint_type=role,
                engine_name=engine_name,
                secrets_manager_arn=secret,
                secrets_manager_access_role_arn=access_role.arn,
                database_name=args.target_database if postgres else None,
                ssl_mode=SSL_MODE,
                kms_key_arn=args.kms_key_arn,
                # A full load copies tables in parallel, in no particular order.
                extra_connection_attributes="initstmt=SET FOREIGN_KEY_CHECKS=0"
                if role == "target" and not postgres
                else None,
                # DMS checks that it can assume the role when the endpoint is created.
                opts=self.child(depends_on=[access_policy]),
            )

        # DMS logs every task of the instance to one group named after the instance.
        task_logs = self.aws_log_groups(
            {"task": dms_task_log_group(resource_id(name, "instance"))},
            args.log_retention_days,
            args.kms_key_arn,
        )
        task = aws.dms.ReplicationTask(
            f"{name}-task",
            replication_task_id=resource_id(name, "task"),
            migration_type=cfg.migration_type,
            replication_instance_arn=instance.replication_instance_arn,
            source_endpoint_arn=endpoints["source"].endpoint_arn,
            target_endpoint_arn=endpoints["target"].endpoint_arn,
            table_mappings=table_mappings(cfg.include, cfg.exclude),
            replication_task_settings=task_settings(),
            start_replication_task=False,
            opts=self.child(depends_on=task_logs),
        )

        self.replication_instance_arn = instance.replication_instance_arn
        self.replication_instance_id = instance.replication_instance_id
        self.task_arn = task.replication_task_arn
        self.task_resource_id = task.replication_task_arn.apply(lambda arn: arn.rsplit(":", 1)[-1])
        self.source_endpoint_arn = endpoints["source"].endpoint_arn
        self.target_endpoint_arn = endpoints["target"].endpoint_arn
        self.publish()

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """The replication instance's CPU and storage and the task's CDC latency."""
        return migration_watches(alarms, self.replication_instance_id, self.task_resource_id)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """None: a migration holds no data of its own (its source and target are backed up)."""
        return {}
