"""Warehouse: Redshift, provisioned (RA3) or Serverless, private, encrypted, TLS-only, audited.

Either form requires SSL and logs user activity, ships its audit logs to CloudWatch, and may
COPY from S3 through its own role, which reads only the buckets and prefixes config names. The admin credentials are a generated password in
the component's secret (rotated by AWS's Redshift rotation function when
`credentials.rotationDays > 0`) or managed by Redshift in a secret of its own. `outputs()` is the stack's `warehouse` export;
`watches()` what the alarms watch on it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from components.logs import DEFAULT_RETENTION_DAYS, redshift_cluster_log_group
from components.parameters import plain_parameters
from components.warehouse.config import (
    ENFORCED_PARAMETERS,
    WarehouseConfig,
    warehouse_identifier,
)
from components.warehouse.watches import warehouse_watches
from contract import WarehouseOutputs

REDSHIFT_PORT = 5439
AUDIT_LOGS = ["connectionlog", "useractivitylog", "userlog"]
# AWS Backup's resource type of a Redshift Serverless namespace (its provisioned clusters are
# `Redshift`); restore testing does not take it (RestoreTestingSelection's ProtectedResourceType
# lists no Redshift type), so the Backup component backs it up without restore tests.
REDSHIFT_SERVERLESS_BACKUP_TYPE = "Redshift Serverless"


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
        cfg = args.config
        self._config = cfg

        # The role exists even without sources (then with no permission at all): the cluster's
        # default role keeps one ARN, so adding sources later changes only this role's policy,
        # never the cluster or namespace, and `COPY ... IAM_ROLE default` names it.
        copy_role = aws.iam.Role(
            f"{name}-copy-role",
            description="Redshift COPY from the S3 sources in dbtier:warehouse.copySources",
            assume_role_policy=assume_role_policy(
                ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
            ),
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
        creds = cfg.credentials
        password = (
            None
            if creds.managed
            else self.new_password("password", REDSHIFT_PASSWORD_SPECIAL, length=32)
        )
        # After a rotation the secret owns the password: never send the initial one again.
        ignore = creds.rotation_function
        managed_secret: pulumi.Output[str] | None = None
        database: pulumi.Resource

        if cfg.mode == "provisioned":
            params = aws.redshift.ParameterGroup(
                f"{name}-params",
                family="redshift-2.0",
                description="dbtier Redshift: TLS only, user activity logged",
                parameters=plain_parameters(ENFORCED_PARAMETERS, cfg.parameters),
                opts=self.child(),
            )
            cluster = aws.redshift.Cluster(
                f"{name}-cluster",
                cluster_identifier=warehouse_identifier(pulumi.get_stack(), name),
                node_type=cfg.node_type,
                cluster_type="multi-node" if cfg.nodes > 1 else "single-node",
                number_of_nodes=cfg.nodes,
                database_name=cfg.database_name,
                master_username=cfg.username,
                cluster_subnet_group_name=args.subnet_group,
                vpc_security_group_ids=[args.security_group_id],
                cluster_parameter_group_name=params.name,
                encrypted=True,
                kms_key_id=args.kms_key_arn,
                publicly_accessible=False,
                enhanced_vpc_routing=True,
                automated_snapshot_retention_period=cfg.snapshot_retention_days,
                iam_roles=[copy_role.arn],
                default_iam_role_arn=copy_role.arn,
                allow_version_upgrade=True,
                preferred_maintenance_window=cfg.maintenance_window,
                apply_immediately=cfg.apply_immediately,
                skip_final_snapshot=False,
                final_snapshot_identifier=self.snapshot_name(
                    warehouse_identifier(pulumi.get_stack(), name)
                ),
                opts=self.child(
                    stateful=True, ignore_changes=["masterPassword"] if ignore else None
                ),
                **(
                    {"master_password": password.result}
                    if password is not None
                    else {
                        "manage_master_password": True,
                        "master_password_secret_kms_key_id": args.kms_key_arn,
                    }
                ),
            )
            database = cluster
            managed_secret = cluster.master_password_secret_arn
            # Redshift Serverless shares one group per log type and region among every
            # namespace (components.logs); a cluster has groups of its own, created first.
            logs = self.aws_log_groups(
                {
                    f"audit-{log}": redshift_cluster_log_group(
                        warehouse_identifier(pulumi.get_stack(), name), log
                    )
                    for log in AUDIT_LOGS
                },
                args.log_retention_days,
                args.kms_key_arn,
            )
            aws.redshift.Logging(
                f"{name}-audit-logging",
                cluster_identifier=cluster.cluster_identifier,
                log_destination_type="cloudwatch",
                log_exports=AUDIT_LOGS,
                opts=self.child(depends_on=logs),
            )
            self.endpoint = cluster.dns_name
            self.port = cluster.port
            self.cluster_id = cluster.cluster_identifier
            self._backup: tuple[str, pulumi.Output[str]] = ("Redshift", cluster.arn)
        else:
            namespace = aws.redshiftserverless.Namespace(
                f"{name}-namespace",
                namespace_name=warehouse_identifier(pulumi.get_stack(), name),
                db_name=cfg.database_name,
                admin_username=cfg.username,
                kms_key_id=args.kms_key_arn,
                iam_roles=[copy_role.arn],
                default_iam_role_arn=copy_role.arn,
                log_exports=AUDIT_LOGS,
                opts=self.child(
                    stateful=True, ignore_changes=["adminUserPassword"] if ignore else None
                ),
                **(
                    {"admin_user_password": password.result}
                    if password is not None
                    else {
                        "manage_admin_password": True,
                        "admin_password_secret_kms_key_id": args.kms_key_arn,
                    }
                ),
            )
            managed_secret = namespace.admin_password_secret_arn
            workgroup = aws.redshiftserverless.Workgroup(
                f"{name}-workgroup",
                namespace_name=namespace.namespace_name,
                workgroup_name=warehouse_identifier(pulumi.get_stack(), name),
                base_capacity=cfg.base_capacity,
                subnet_ids=args.subnet_ids,
                security_group_ids=[args.security_group_id],
                publicly_accessible=False,
                enhanced_vpc_routing=True,
                config_parameters=[
                    {"parameter_key": k, "parameter_value": v}
                    for k, v in ENFORCED_PARAMETERS.items()
                ],
                opts=self.child(),
            )
            self.endpoint = workgroup.endpoints.apply(
                lambda eps: (eps[0].address or "") if eps else ""
            )
            self.port = pulumi.Output.from_input(REDSHIFT_PORT)
            self.cluster_id = workgroup.workgroup_name
            self._backup = (REDSHIFT_SERVERLESS_BACKUP_TYPE, namespace.arn)
            database = workgroup

        self.database_name = pulumi.Output.from_input(cfg.database_name)
        self.username = pulumi.Output.from_input(cfg.username)
        self.password = None if password is None else pulumi.Output.secret(password.result)
        self.copy_role_arn = copy_role.arn
        self.copy_sources = pulumi.Output.from_input(list(cfg.copy_sources))
        if password is None:
            assert managed_secret is not None
            self.secret_arn = managed_secret
            if creds.rotates:
                self.rotate_managed(self.secret_arn, creds.rotation_days, [database])
        else:
            secret = self.connection_secret(
                args.kms_key_arn,
                engine="redshift",
                host=self.endpoint,
                port=self.port,
                username=cfg.username,
                password=password.result,
                dbname=cfg.database_name,
                rotated=creds.rotation_function,
            )
            self.secret_arn = secret.arn
            if creds.rotation_function:
                self.rotate_with_function(
                    secret,
                    args,
                    engine="redshift",
                    special=REDSHIFT_PASSWORD_SPECIAL,
                    days=creds.rotation_days,
                    depends_on=[database],
                )
        self.publish()

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
