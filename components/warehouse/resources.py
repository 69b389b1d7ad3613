"""Warehouse: Redshift, provisioned (RA3) or Serverless, private, encrypted, TLS-only, audited.

Either form requires SSL and logs user activity, ships its audit logs to CloudWatch, and may
COPY from S3 through its own role, which reads only the buckets and prefixes config names. The admin credentials are a generated password in
the component's secret (rotated by AWS's Redshift rotation function when
`credentials.rotationDays > 0`) or managed by Redshift in a secret of its own. `outputs()` is the stack's `warehouse` export;
`watches()` what the alarms watch on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import pulumi
import pulumi_aws as aws

from components.access import account_of, copy_policy
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import (
    REDSHIFT_PASSWORD_SPECIAL,
    DbtierComponent,
    RotationAccess,
    assume_role_policy,
)
from components.logs import DEFAULT_RETENTION_DAYS
from components.warehouse.config import WarehouseConfig
from components.warehouse.shape import (
    COPY_ROLE_DESCRIPTION,
    COPY_ROLE_SERVICES,
    PASSWORD_LENGTH,
    REDSHIFT_PORT,
    provisioned,
    serverless,
)
from components.warehouse.watches import warehouse_watches
from contract import WarehouseOutputs


@dataclass(frozen=True)
class WarehouseArgs:
    config: WarehouseConfig
    """Mode, node type and count or base capacity (dbtier:warehouse)."""
    subnet_group: pulumi.Input[str]
    """Redshift cluster subnet group name (provisioned mode)."""
    subnet_ids: pulumi.Input[list[str]]
    """Subnets for the serverless workgroup."""
    security_group_id: pulumi.Input[str]
    """Security group allowing port 5439 from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key."""
    protect: bool = False
    """Pulumi `protect` on the cluster or namespace."""
    rotation: RotationAccess | None = None
    """The rotation function's network; required when a generated password rotates."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the audit and rotation function log groups (dbtier:logs)."""


@dataclass(frozen=True)
class _Database:
    """What a mode's wiring leaves to the rest of the component."""

    resource: pulumi.Resource
    """What a rotation waits for: the cluster, or the workgroup."""
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    identifier: pulumi.Output[str]
    """Cluster identifier or workgroup name (the CloudWatch dimension)."""
    managed_secret_arn: pulumi.Output[str]
    """Redshift's own secret, when it manages the password."""
    backup: tuple[str, pulumi.Output[str]]
    """AWS Backup's resource type and the ARN it protects."""


class Warehouse(DbtierComponent):
    """A Redshift cluster (RA3) or a Redshift Serverless namespace and workgroup."""

    CONTRACT = WarehouseOutputs

    endpoint: pulumi.Output[str]
    """Host name to connect to."""
    port: pulumi.Output[int]
    """Port (5439)."""
    database_name: pulumi.Output[str]
    """Initial database."""
    username: pulumi.Output[str]
    """Admin user name."""
    password: pulumi.Output[str] | None
    """Initial admin password (secret); None when Redshift manages it."""
    secret_arn: pulumi.Output[str]
    """Secrets Manager secret with the credentials: the connection JSON (generated), or
    Redshift's own secret (managed)."""
    copy_role_arn: pulumi.Output[str]
    """IAM role Redshift assumes for COPY from S3 (the default role), limited to `copy_sources`."""
    copy_sources: pulumi.Output[list[str]]
    """The `bucket` or `bucket/prefix` sources the COPY role may read (empty: none)."""
    cluster_id: pulumi.Output[str]
    """Cluster identifier (provisioned) or workgroup name (serverless), for alarms."""

    def __init__(
        self, name: str, args: WarehouseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("Warehouse", name, args.protect, opts)
        cfg = self._config = args.config
        copy_role = self._copy_role(name, cfg)
        password = (
            None
            if cfg.credentials.managed
            else self.new_password(
                "password", REDSHIFT_PASSWORD_SPECIAL, length=PASSWORD_LENGTH
            ).result
        )
        modes: dict[str, Callable[..., _Database]] = {
            "provisioned": self._provisioned,
            "serverless": self._serverless,
        }
        db = modes[cfg.mode](name, args, copy_role.arn, password)
        self.endpoint, self.port, self.cluster_id = db.endpoint, db.port, db.identifier
        self._backup = db.backup
        self.database_name = pulumi.Output.from_input(cfg.database_name)
        self.username = pulumi.Output.from_input(cfg.username)
        self.password = None if password is None else pulumi.Output.secret(password)
        self.copy_role_arn = copy_role.arn
        self.copy_sources = pulumi.Output.from_input(list(cfg.copy_sources))
        self.secret_arn = self._credentials(args, password, db)
        self.publish()

    def _copy_role(self, name: str, cfg: WarehouseConfig) -> aws.iam.Role:
        """The role Redshift assumes for COPY, reading exactly `cfg.copy_sources`.

        The role exists even without sources (then with no permission at all): the cluster's
        default role keeps one ARN, so adding sources later changes only this role's policy,
        never the cluster or namespace, and `COPY ... IAM_ROLE default` names it."""
        copy_role = aws.iam.Role(
            f"{name}-copy-role",
            description=COPY_ROLE_DESCRIPTION,
            assume_role_policy=assume_role_policy(list(COPY_ROLE_SERVICES)),
            opts=self.child(),
        )
        if cfg.copy_sources:
            aws.iam.RolePolicy(
                f"{name}-copy-sources",
                role=copy_role.id,
                policy=account_of(self).apply(
                    lambda where: copy_policy(where[0], cfg.copy_sources, cfg.copy_kms_key_arns)
                ),
                opts=self.child(),
            )
        return copy_role

    def _provisioned(
        self,
        name: str,
        args: WarehouseArgs,
        copy_role_arn: pulumi.Output[str],
        password: pulumi.Output[str] | None,
    ) -> _Database:
        """A provisioned cluster, its parameter group, its audit log groups and logging."""
        shape = provisioned(args.config, pulumi.get_stack(), name)
        params = aws.redshift.ParameterGroup(
            f"{name}-params", opts=self.child(), **shape.parameter_group
        )
        cluster = aws.redshift.Cluster(
            f"{name}-cluster",
            cluster_subnet_group_name=args.subnet_group,
            vpc_security_group_ids=[args.security_group_id],
            cluster_parameter_group_name=params.name,
            kms_key_id=args.kms_key_arn,
            iam_roles=[copy_role_arn],
            default_iam_role_arn=copy_role_arn,
            final_snapshot_identifier=self.snapshot_name(shape.identifier),
            opts=self.child(stateful=True, ignore_changes=shape.ignore_changes),
            **shape.cluster,
            **shape.credentials.args(password, args.kms_key_arn),
        )
        logs = self.aws_log_groups(
            shape.audit_log_groups, args.log_retention_days, args.kms_key_arn
        )
        aws.redshift.Logging(
            f"{name}-audit-logging",
            cluster_identifier=cluster.cluster_identifier,
            opts=self.child(depends_on=logs),
            **shape.logging,
        )
        return _Database(
            resource=cluster,
            endpoint=cluster.dns_name,
            # Optional in the provider's schema only: a created cluster always has its port.
            port=cast("pulumi.Output[int]", cluster.port),
            identifier=cluster.cluster_identifier,
            managed_secret_arn=cluster.master_password_secret_arn,
            backup=(shape.backup_type, cluster.arn),
        )

    def _serverless(
        self,
        name: str,
        args: WarehouseArgs,
        copy_role_arn: pulumi.Output[str],
        password: pulumi.Output[str] | None,
    ) -> _Database:
        """A Serverless namespace (the data, the admin user, audit logs) and its workgroup."""
        shape = serverless(args.config, pulumi.get_stack(), name)
        namespace = aws.redshiftserverless.Namespace(
            f"{name}-namespace",
            kms_key_id=args.kms_key_arn,
            iam_roles=[copy_role_arn],
            default_iam_role_arn=copy_role_arn,
            opts=self.child(stateful=True, ignore_changes=shape.ignore_changes),
            **shape.namespace,
            **shape.credentials.args(password, args.kms_key_arn),
        )
        workgroup = aws.redshiftserverless.Workgroup(
            f"{name}-workgroup",
            namespace_name=namespace.namespace_name,
            subnet_ids=args.subnet_ids,
            security_group_ids=[args.security_group_id],
            opts=self.child(),
            **shape.workgroup,
        )
        return _Database(
            resource=workgroup,
            endpoint=workgroup.endpoints.apply(lambda eps: (eps[0].address or "") if eps else ""),
            port=pulumi.Output.from_input(REDSHIFT_PORT),
            identifier=workgroup.workgroup_name,
            managed_secret_arn=namespace.admin_password_secret_arn,
            backup=(shape.backup_type, namespace.arn),
        )

    def _credentials(
        self, args: WarehouseArgs, password: pulumi.Output[str] | None, db: _Database
    ) -> pulumi.Output[str]:
        """The secret behind `secret_arn`, and its rotation when config asks for one: Redshift's
        own secret (managed), or the component's connection secret (generated)."""
        creds = args.config.credentials
        if password is None:
            if creds.rotates:
                self.rotate_managed(db.managed_secret_arn, creds.rotation_days, [db.resource])
            return db.managed_secret_arn
        secret = self.connection_secret(
            args.kms_key_arn,
            engine="redshift",
            host=self.endpoint,
            port=self.port,
            username=args.config.username,
            password=password,
            dbname=args.config.database_name,
            rotated=creds.rotation_function,
        )
        if creds.rotation_function:
            self.rotate_with_function(
                secret,
                args,
                engine="redshift",
                special=REDSHIFT_PASSWORD_SPECIAL,
                days=creds.rotation_days,
                depends_on=[db.resource],
            )
        return secret.arn

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """CPU and disk of the cluster, or the workgroup's queue, named by its identifier."""
        return warehouse_watches(self._config, alarms, self.cluster_id)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The provisioned cluster (AWS Backup type `Redshift`), or the Serverless namespace
        (type `Redshift Serverless`): AWS Backup protects both
        (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-aws-backup.html). The type
        key is AWS Backup's own, as its region settings name it (pulumi-aws
        backup.RegionSettings' `resource_type_opt_in_preference`)."""
        kind, arn = self._backup
        return {kind: [arn]}
