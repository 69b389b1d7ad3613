"""Migration: AWS DMS from the RelationalTier (any engine DMS reads) to the ServerlessAurora
cluster (Aurora MySQL or Aurora PostgreSQL).

A private, encrypted replication instance whose endpoints read their credentials from the
source's and target's Secrets Manager secrets (no password in any input) over TLS, and a
full-load-and-CDC task with logging and validation that `pulumi up` creates but never starts.
`outputs()` is the stack's `migration` export; `watches()` what the alarms watch on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent, assume_role_policy
from components.logs import DEFAULT_RETENTION_DAYS
from components.migration.config import MigrationConfig, check_endpoints
from components.migration.shape import (
    DMS_SERVICE,
    ServiceRole,
    migration_shape,
    regional_service,
    secrets_access_policy,
    task_resource_id,
)
from components.migration.watches import migration_watches
from contract import MigrationOutputs


def _assume(service: str | pulumi.Output[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(service).apply(assume_role_policy)


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
    source_engine: str = "mysql"
    """Engine of the source instance (dbtier:relational.engine)."""
    source_database: str | None = None
    """Database of the source instance (dbtier:relational.databaseName; None when none)."""
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
        check_endpoints(args.config, args.source_engine, args.source_database, args.target_engine)
        shape = migration_shape(
            args.config,
            pulumi.get_project(),
            pulumi.get_stack(),
            name,
            target_engine=args.target_engine,
            target_database=args.target_database,
            source_engine=args.source_engine,
            source_database=args.source_database,
        )
        service_role_deps = self._service_roles(shape.service_roles)
        subnet_group = aws.dms.ReplicationSubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            opts=self.child(depends_on=service_role_deps),
            **shape.subnet_group,
        )
        instance = aws.dms.ReplicationInstance(
            f"{name}-instance",
            kms_key_arn=args.kms_key_arn,
            replication_subnet_group_id=subnet_group.replication_subnet_group_id,
            vpc_security_group_ids=[args.security_group_id],
            opts=self.child(depends_on=service_role_deps),
            **shape.instance,
        )
        endpoints = self._endpoints(name, args, shape.endpoints)
        task_logs = self.aws_log_groups(
            shape.task_log_groups, args.log_retention_days, args.kms_key_arn
        )
        task = aws.dms.ReplicationTask(
            f"{name}-task",
            replication_instance_arn=instance.replication_instance_arn,
            source_endpoint_arn=endpoints["source"].endpoint_arn,
            target_endpoint_arn=endpoints["target"].endpoint_arn,
            opts=self.child(depends_on=task_logs),
            **shape.task,
        )
        self.replication_instance_arn = instance.replication_instance_arn
        self.replication_instance_id = instance.replication_instance_id
        self.task_arn = task.replication_task_arn
        self.task_resource_id = task.replication_task_arn.apply(task_resource_id)
        self.source_endpoint_arn = endpoints["source"].endpoint_arn
        self.target_endpoint_arn = endpoints["target"].endpoint_arn
        self.publish()

    def _service_roles(self, roles: Sequence[ServiceRole]) -> list[pulumi.Resource]:
        """The account-wide roles and their policy attachments, for the instance to wait on."""
        created: list[pulumi.Resource] = []
        for role in roles:
            service_role, attachments = self.service_role(
                role.resource_name,
                _assume(DMS_SERVICE),
                {role.attachment_name: role.policy_arn},
                name=role.role_name,
                description=role.description,
            )
            created += [service_role, *attachments]
        return created

    def _endpoints(
        self, name: str, args: MigrationArgs, endpoints: dict[str, dict[str, Any]]
    ) -> dict[str, aws.dms.Endpoint]:
        """The source and target endpoints, reading their credentials from the two secrets."""
        access_role, access_policy = self._secrets_access(name, args)
        secrets = {"source": args.source_secret_arn, "target": args.target_secret_arn}
        return {
            role: aws.dms.Endpoint(
                f"{name}-{role}",
                secrets_manager_arn=secrets[role],
                secrets_manager_access_role_arn=access_role.arn,
                kms_key_arn=args.kms_key_arn,
                # DMS checks that it can assume the role when the endpoint is created.
                opts=self.child(depends_on=[access_policy]),
                **endpoint,
            )
            for role, endpoint in endpoints.items()
        }

    def _secrets_access(
        self, name: str, args: MigrationArgs
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """The role the endpoints read their credentials with: the two secrets and the key."""
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        access_role = aws.iam.Role(
            f"{name}-secrets-role",
            description="DMS reads the source and target credentials from Secrets Manager",
            assume_role_policy=_assume(region.region.apply(regional_service)),
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
        return access_role, access_policy

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """The replication instance's CPU and storage and the task's CDC latency."""
        return migration_watches(alarms, self.replication_instance_id, self.task_resource_id)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """None: a migration holds no data of its own (its source and target are backed up)."""
        return {}
