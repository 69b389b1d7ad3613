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

import pulumi
import pulumi_aws as aws

from components.access import account_of, rds_connect_arn, rds_connect_policy
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.aurora import shape
from components.aurora.config import AuroraConfig
from components.aurora.secondary import AuroraRegion, Secondary, secondary_cluster
from components.aurora.shape import instance_zone
from components.aurora.watches import aurora_watches, global_watches
from components.base import RDS_PASSWORD_SPECIAL, DbtierComponent, RotationAccess, family_of
from components.logs import DEFAULT_RETENTION_DAYS
from components.rds_shape import (
    ignored_changes,
    ignored_version,
    master_credentials,
    secret_engine,
)
from contract import AuroraOutputs, AuroraRegionOutputs, exported


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
    secondaries: tuple[AuroraRegion, ...] = ()
    """Secondary regions (dbtier:regions): with any, the cluster is the primary of an Aurora
    Global Database with a secondary cluster in each; none: one regional cluster, as before."""


def primary_ignored(cfg: AuroraConfig, global_database: bool) -> list[str] | None:
    """The cluster's `ignore_changes`: `ignored_changes`, and in a global database the global
    cluster identifier AWS sets on it (see `shape.global_cluster_args`)."""
    ignored = ignored_changes(cfg, "masterPassword")
    return [*(ignored or []), "globalClusterIdentifier"] if global_database else ignored


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
    global_writer_endpoint: pulumi.Output[str] | None
    """The global database's writer endpoint (follows the primary through a switchover or
    failover); None without secondary regions."""
    regions: list[dict[str, object]] | None
    """Each secondary region's cluster (`AuroraRegionOutputs`); None without secondary regions."""

    def __init__(
        self, name: str, args: ServerlessAuroraArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ServerlessAurora", name, args.protect, opts)
        cfg = self._config = args.config
        params = aws.rds.ClusterParameterGroup(
            f"{name}-cluster-params",
            family=family_of(cfg.engine, cfg.engine_version),
            **shape.parameter_group_args(cfg),
            opts=self.child(),
        )
        # One Enhanced Monitoring role, for the instances (an Aurora cluster does not take it).
        monitoring_role = self.monitoring_role(cfg.monitoring_interval)
        creds = cfg.credentials
        password = None if creds.managed else self.new_password("password", RDS_PASSWORD_SPECIAL)
        initial = None if password is None else password.result
        identifier = shape.cluster_identifier(pulumi.get_project(), pulumi.get_stack(), name)
        logs = self.aws_log_groups(
            shape.cluster_log_groups(cfg, identifier), args.log_retention_days, args.kms_key_arn
        )
        cluster = aws.rds.Cluster(
            f"{name}-cluster",
            **shape.cluster_args(
                cfg,
                identifier,
                subnet_group=args.subnet_group,
                security_group_id=args.security_group_id,
                parameter_group_name=params.name,
                kms_key_arn=args.kms_key_arn,
            ),
            final_snapshot_identifier=self.snapshot_name(f"{name}-cluster"),
            opts=self.child(
                stateful=True,
                # With a global database created from it (see `shape.global_cluster_args`), AWS
                # sets the primary's global cluster identifier: not the program's.
                ignore_changes=primary_ignored(cfg, bool(args.secondaries)),
                depends_on=logs,
            ),
            **master_credentials(creds, args.kms_key_arn, initial, argument="master_password"),
        )
        writer = self._instances(cluster, args, monitoring_role)[0]
        self._connection(cluster)
        self._global_database(name, cluster, args, writer, monitoring_role)
        self.password = None if initial is None else pulumi.Output.secret(initial)
        self.secret_arn = self.rds_master_secret(
            args,
            creds,
            password,
            master_user_secrets=cluster.master_user_secrets,
            engine=secret_engine(cfg.engine),
            host=self.writer_endpoint,
            port=self.port,
            username=cfg.username,
            dbname=cfg.database_name,
            extra={"dbClusterIdentifier": cluster.cluster_identifier},
            # The writer: RDS re-applies its default schedule to a managed secret, and a
            # rotation function cannot log in, until the cluster has one.
            depends_on=[writer],
        )
        self.publish()

    def _instances(
        self,
        cluster: aws.rds.Cluster,
        args: ServerlessAuroraArgs,
        monitoring_role: aws.iam.Role | None,
    ) -> list[aws.rds.ClusterInstance]:
        """The writer and the readers on db.serverless, in the zones `shape.instance_zone` picks."""
        cfg = self._config
        zones = (
            None
            if args.availability_zones is None
            else pulumi.Output.from_input(args.availability_zones)
        )
        return [
            aws.rds.ClusterInstance(
                f"{self._prefix}-{role}",
                cluster_identifier=cluster.id,
                engine_version=cluster.engine_version,
                availability_zone=None if zones is None else zones.apply(partial(instance_zone, i)),
                **shape.instance_args(
                    cfg,
                    i,
                    subnet_group=args.subnet_group,
                    kms_key_arn=args.kms_key_arn,
                    monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
                ),
                # The instances follow the cluster's version: AWS upgrades them with it.
                opts=self.child(
                    stateful=True,
                    ignore_changes=ignored_version(
                        cfg.engine, cfg.engine_version, cfg.change.auto_minor_version_upgrade
                    )
                    or None,
                ),
            )
            for i, role in enumerate(shape.instance_roles(cfg))
        ]

    def _connection(self, cluster: aws.rds.Cluster) -> None:
        """The outputs that say how to reach the database: endpoints, names and IAM access."""
        cfg = self._config
        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.port = cluster.port
        self.database_name = pulumi.Output.from_input(cfg.database_name)
        self.username = pulumi.Output.from_input(cfg.username)
        self.engine = pulumi.Output.from_input(cfg.engine)
        self.cluster_id = cluster.cluster_identifier
        self._cluster_arn = cluster.arn
        # Aurora checks a token against the cluster's resource id, whichever endpoint is used.
        self.iam_user = pulumi.Output.from_input(cfg.iam_user)
        self.iam_connect_arn = pulumi.Output.all(
            account_of(self), cluster.cluster_resource_id
        ).apply(lambda v: rds_connect_arn(v[0], v[1], cfg.iam_user))
        self.iam_connect_policy = self.iam_connect_arn.apply(lambda arn: rds_connect_policy([arn]))

    def _global_database(
        self,
        name: str,
        cluster: aws.rds.Cluster,
        args: ServerlessAuroraArgs,
        writer: aws.rds.ClusterInstance,
        monitoring_role: aws.iam.Role | None,
    ) -> None:
        """With secondary regions: the global database made from the primary, and a secondary
        cluster in each region. Decided from the config, never from an Output."""
        self.global_writer_endpoint = None
        self.regions = None
        self._secondaries: list[Secondary] = []
        if not args.secondaries:
            return
        cfg = self._config
        identifier = shape.cluster_identifier(pulumi.get_project(), pulumi.get_stack(), name)
        global_cluster = aws.rds.GlobalCluster(
            f"{name}-global",
            **shape.global_cluster_args(cfg, f"{identifier}-global", cluster.arn),
            # The primary must be available with its writer before a global database is made.
            opts=self.child(stateful=True, depends_on=[writer]),
        )
        self._secondaries = [
            secondary_cluster(
                self,
                name,
                cfg,
                where,
                global_cluster,
                log_retention_days=args.log_retention_days,
                monitoring_role=monitoring_role,
            )
            for where in args.secondaries
        ]
        self.global_writer_endpoint = global_cluster.endpoint
        self.regions = [
            exported(
                AuroraRegionOutputs,
                region=s.region,
                reader_endpoint=s.cluster.reader_endpoint,
                cluster_id=s.cluster.cluster_identifier,
            )
            for s in self._secondaries
        ]

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """CPU, ACU use and reader lag of the cluster, named by its identifier; in a global
        database, each secondary's replication and RPO lag, in its region."""
        return aurora_watches(self._config, alarms, self.cluster_id) + global_watches(
            alarms, [(s.region, s.cluster.cluster_identifier) for s in self._secondaries]
        )

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The cluster: AWS Backup snapshots an Aurora cluster, not its instances."""
        return {"Aurora": [self._cluster_arn]}
