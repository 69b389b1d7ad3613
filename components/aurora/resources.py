"""ServerlessAurora: an Aurora cluster on Serverless v2 with a writer and readers that scale with it.

The cluster is encrypted with the stack key, refuses unencrypted connections, exports its logs,
and keeps its credentials in a Secrets Manager secret: a generated password in the component's
secret (rotated by AWS's rotation function for the engine when `credentials.rotationDays > 0`),
or the secret RDS manages; its instances run on db.serverless in
promotion tiers that make readers follow the writer's size. `outputs()` is the stack's `aurora`
export; `watches()` what the alarms watch on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pulumi
import pulumi_aws as aws

from components.access import account_of, rds_connect_arn, rds_connect_policy
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.aurora.config import AuroraConfig
from components.aurora.watches import aurora_watches
from components.base import (
    CA_CERT,
    RDS_PASSWORD_SPECIAL,
    DbtierComponent,
    RotationAccess,
    family_of,
    insights_args,
    monitoring_args,
)
from components.logs import DEFAULT_RETENTION_DAYS, rds_cluster_log_group
from components.parameters import rds_parameters
from components.settings import rds_identifier
from contract import AuroraOutputs

LOG_EXPORTS = {"aurora-mysql": ["audit", "error", "slowquery"], "aurora-postgresql": ["postgresql"]}


# What each Aurora MySQL log export needs: the error log is always written, the others only when
# their parameters turn them on (all off by default), or their log groups stay empty.
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
# Advanced Auditing (server_audit_*): https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
AURORA_MYSQL_LOG_PARAMETERS = {
    "audit": {
        "server_audit_logging": "1",
        # Who connects, and every change to users, grants and schema; not every query (cost).
        "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
    },
    "slowquery": {"slow_query_log": "1", "long_query_time": "2", "log_output": "FILE"},
    "general": {"general_log": "1", "log_output": "FILE"},
}


def cluster_parameters(engine: str) -> dict[str, str]:
    """Parameters that refuse unencrypted connections and write every exported log.

    Aurora PostgreSQL writes its one exported log (`postgresql`) without any parameter.
    """
    if engine != "aurora-mysql":
        return {"rds.force_ssl": "1"}
    params = {"require_secure_transport": "ON"}
    for export in LOG_EXPORTS[engine]:
        params |= AURORA_MYSQL_LOG_PARAMETERS.get(export, {})
    return params


def secret_engine(engine: str) -> str:
    """The secret JSON's `engine`, as AWS's rotation functions check it: mysql or postgres."""
    return "mysql" if engine == "aurora-mysql" else "postgres"


@dataclass(frozen=True)
class ServerlessAuroraArgs:
    config: AuroraConfig
    """Engine, capacity range, readers, backups (dbtier:aurora)."""
    subnet_group: pulumi.Input[str]
    """DB subnet group name."""
    security_group_id: pulumi.Input[str]
    """Security group allowing the engine port from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: storage, Performance Insights and the secret."""
    protect: bool = False
    """Pulumi `protect` on the cluster, its instances and the secret."""
    rotation: RotationAccess | None = None
    """The rotation function's network; required when a generated password rotates."""
    availability_zones: pulumi.Input[list[str]] | None = None
    """The DB subnet group's Availability Zones: the writer takes the first, readers the others."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the cluster's and the rotation function's log groups (dbtier:logs)."""


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


class ServerlessAurora(DbtierComponent):
    """An Aurora Serverless v2 cluster: one writer and 0-15 readers on db.serverless."""

    CONTRACT = AuroraOutputs

    writer_endpoint: pulumi.Output[str]
    """Cluster (writer) endpoint."""
    reader_endpoint: pulumi.Output[str]
    """Load-balanced reader endpoint (the writer when there are no readers)."""
    port: pulumi.Output[int]
    """Engine port."""
    database_name: pulumi.Output[str]
    """Initial database."""
    username: pulumi.Output[str]
    """Master user name."""
    password: pulumi.Output[str] | None
    """Initial master password (secret); None when RDS manages it."""
    secret_arn: pulumi.Output[str]
    """Secrets Manager secret with the credentials: the connection JSON (generated), or RDS's
    own secret with username and password (managed)."""
    engine: pulumi.Output[str]
    """aurora-mysql or aurora-postgresql."""
    cluster_id: pulumi.Output[str]
    """DB cluster identifier (for alarms and dashboards)."""
    iam_user: pulumi.Output[str]
    """Database user applications connect as with an IAM authentication token."""
    iam_connect_arn: pulumi.Output[str]
    """`rds-db:connect` resource of `iam_user` on the cluster (every instance and endpoint)."""
    iam_connect_policy: pulumi.Output[str]
    """IAM policy (JSON) allowing `rds-db:connect` as `iam_user` to this cluster only."""

    def __init__(
        self, name: str, args: ServerlessAuroraArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ServerlessAurora", name, args.protect, opts)
        cfg = args.config
        self._config = cfg

        params = aws.rds.ClusterParameterGroup(
            f"{name}-cluster-params",
            family=family_of(cfg.engine, cfg.engine_version),
            description="dbtier Aurora: TLS only",
            parameters=rds_parameters(cluster_parameters(cfg.engine), cfg.change.parameters),
            opts=self.child(),
        )
        # The cluster carries the Database Insights mode (its instances inherit it and take none
        # of their own) and the same Performance Insights settings as every instance, as Database
        # Insights requires:
        # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html
        # Enhanced Monitoring (one role) is on the instances only: an Aurora cluster does not take
        # it (ModifyDBCluster MonitoringInterval: "Multi-AZ DB clusters only").
        insights = insights_args(True, cfg.performance_insights_retention_days, args.kms_key_arn)
        monitoring = monitoring_args(
            self.monitoring_role(cfg.monitoring_interval), cfg.monitoring_interval
        )
        creds = cfg.credentials
        password = None if creds.managed else self.new_password("password", RDS_PASSWORD_SPECIAL)
        if password is None:
            credentials: dict[str, Any] = {
                "manage_master_user_password": True,
                "master_user_secret_kms_key_id": args.kms_key_arn,
            }
        else:
            credentials = {"master_password": password.result}
        scaling: dict[str, float | int] = {
            "min_capacity": cfg.min_capacity,
            "max_capacity": cfg.max_capacity,
        }
        if cfg.seconds_until_auto_pause is not None:
            scaling["seconds_until_auto_pause"] = cfg.seconds_until_auto_pause
        # Only when set: AWS's default (Extended Support) otherwise, as before the setting existed.
        lifecycle: dict[str, object] = {}
        if cfg.change.engine_lifecycle_support is not None:
            lifecycle["engine_lifecycle_support"] = cfg.change.engine_lifecycle_support
        # An explicit identifier: Aurora's log groups are named after it and created first.
        identifier = rds_identifier(pulumi.get_project(), pulumi.get_stack(), name, "cluster")
        logs = self.aws_log_groups(
            {
                f"cluster-{log}": rds_cluster_log_group(identifier, log)
                for log in LOG_EXPORTS[cfg.engine]
            },
            args.log_retention_days,
            args.kms_key_arn,
        )
        cluster = aws.rds.Cluster(
            f"{name}-cluster",
            cluster_identifier=identifier,
            engine=cfg.engine,
            engine_mode="provisioned",
            engine_version=cfg.engine_version,
            serverlessv2_scaling_configuration=scaling,
            database_name=cfg.database_name,
            master_username=cfg.username,
            db_subnet_group_name=args.subnet_group,
            vpc_security_group_ids=[args.security_group_id],
            db_cluster_parameter_group_name=params.name,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS[cfg.engine],
            backup_retention_period=cfg.backup_retention_days,
            preferred_backup_window=cfg.change.backup_window,
            preferred_maintenance_window=cfg.change.maintenance_window,
            apply_immediately=cfg.change.apply_immediately,
            allow_major_version_upgrade=cfg.change.allow_major_version_upgrade,
            backtrack_window=cfg.backtrack_hours * 3600 if cfg.backtrack_hours else None,
            copy_tags_to_snapshot=True,
            deletion_protection=cfg.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=self.snapshot_name(f"{name}-cluster"),
            delete_automated_backups=False,
            database_insights_mode=str(cfg.database_insights_mode),  # one type: mypy unions
            **insights,
            # After a rotation the secret owns the password: never send the initial one again.
            opts=self.child(
                stateful=True,
                ignore_changes=["masterPassword"] if creds.rotation_function else None,
                depends_on=logs,
            ),
            **credentials,
            **lifecycle,
        )
        # Promotion tier 0 for the writer and 1 for readers: Aurora scales readers in tiers 0-1
        # together with the writer, so a failover lands on an instance already at its size.
        instances = []
        zones = (
            None
            if args.availability_zones is None
            else pulumi.Output.from_input(args.availability_zones)
        )
        for i in range(cfg.readers + 1):
            role = "writer" if i == 0 else f"reader-{i}"
            instance = aws.rds.ClusterInstance(
                f"{name}-{role}",
                cluster_identifier=cluster.id,
                engine=cfg.engine,
                engine_version=cluster.engine_version,
                instance_class="db.serverless",
                promotion_tier=0 if i == 0 else 1,
                publicly_accessible=False,
                db_subnet_group_name=args.subnet_group,
                auto_minor_version_upgrade=cfg.change.auto_minor_version_upgrade,
                apply_immediately=cfg.change.apply_immediately,
                # Instances are patched in the cluster's window, not one AWS picks at random.
                preferred_maintenance_window=cfg.change.maintenance_window,
                ca_cert_identifier=CA_CERT,
                copy_tags_to_snapshot=True,
                availability_zone=None if zones is None else zones.apply(partial(instance_zone, i)),
                **insights,
                **monitoring,
                opts=self.child(stateful=True),
            )
            instances.append(instance)

        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.port = cluster.port
        self.database_name = pulumi.Output.from_input(cfg.database_name)
        self.username = pulumi.Output.from_input(cfg.username)
        self.password = None if password is None else pulumi.Output.secret(password.result)
        self.engine = pulumi.Output.from_input(cfg.engine)
        self.cluster_id = cluster.cluster_identifier
        self._cluster_arn = cluster.arn
        # Aurora checks a token against the cluster's resource id, whichever endpoint is used.
        self.iam_user = pulumi.Output.from_input(cfg.iam_user)
        self.iam_connect_arn = pulumi.Output.all(
            account_of(self), cluster.cluster_resource_id
        ).apply(lambda v: rds_connect_arn(v[0], v[1], cfg.iam_user))
        self.iam_connect_policy = self.iam_connect_arn.apply(lambda arn: rds_connect_policy([arn]))
        # The writer instance: RDS re-applies its default schedule to a managed secret, and a
        # rotation function cannot log in, until the cluster has one.
        writer = instances[0]
        if password is None:
            self.secret_arn = cluster.master_user_secrets.apply(lambda s: s[0].secret_arn)
            if creds.rotates:
                self.rotate_managed(self.secret_arn, creds.rotation_days, [writer])
        else:
            engine = secret_engine(cfg.engine)
            secret = self.connection_secret(
                args.kms_key_arn,
                engine=engine,
                host=self.writer_endpoint,
                port=self.port,
                username=cfg.username,
                password=password.result,
                dbname=cfg.database_name,
                extra={"dbClusterIdentifier": cluster.cluster_identifier},
                rotated=creds.rotation_function,
            )
            self.secret_arn = secret.arn
            if creds.rotation_function:
                self.rotate_with_function(
                    secret,
                    args,
                    engine=engine,
                    special=RDS_PASSWORD_SPECIAL,
                    days=creds.rotation_days,
                    depends_on=[writer],
                )
        self.publish()

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """CPU, ACU use and reader lag of the cluster, named by its identifier."""
        return aurora_watches(self._config, alarms, self.cluster_id)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The cluster: AWS Backup snapshots an Aurora cluster, not its instances."""
        return {"Aurora": [self._cluster_arn]}
