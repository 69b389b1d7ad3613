"""RelationalTier: RDS (MySQL, PostgreSQL, MariaDB, SQL Server or Oracle) with Multi-AZ, read
replicas where the edition has them, TLS-only connections and a secret.

The primary and its replicas are encrypted with the stack key, monitored (Performance Insights,
enhanced monitoring, log exports) and reachable only over TLS, enforced the engine's way: a
parameter, or Oracle's SSL option in an option group. The credentials are either a generated
password kept in the component's Secrets Manager secret (rotated by AWS's rotation function for
the engine when `credentials.rotationDays > 0`) or managed by RDS in a secret of its own.
`outputs()` is the stack's `relational` export; `watches()` what the alarms watch on it.
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
from components.base import DbtierComponent, RotationAccess, family_of
from components.logs import DEFAULT_RETENTION_DAYS
from components.placement import RegionPlacement
from components.rds_shape import ignored_changes, master_credentials, secret_engine
from components.relational import shape
from components.relational.config import RelationalConfig
from components.relational.cross_region import (
    ReplicaRegion,
    cross_region_replica_args,
    replicate_backups,
    replicates_backups,
)
from components.relational.shape import replica_zone
from components.relational.watches import relational_watches
from components.settings import cross_region_replica_identifier
from contract import RelationalOutputs


@dataclass(frozen=True)
class RelationalTierArgs:
    config: RelationalConfig
    """Instance shape, replicas, backups (dbtier:relational)."""
    subnet_group: pulumi.Input[str]
    """DB subnet group name."""
    security_group_id: pulumi.Input[str]
    """Security group allowing the engine's port from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: storage, Performance Insights and the secret."""
    cdc_source: bool = False
    """A DMS migration reads from this database: turn on what change data capture needs."""
    protect: bool = False
    """Pulumi `protect` on the instances and the secret."""
    rotation: RotationAccess | None = None
    """The rotation function's network; required when a generated password rotates."""
    availability_zones: pulumi.Input[list[str]] | None = None
    """The DB subnet group's Availability Zones: single-AZ replicas are spread over them."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the instances' and the rotation function's log groups (dbtier:logs)."""
    backups_to: RegionPlacement | None = None
    """A secondary region the primary's automated backups are replicated to (dbtier:regions)."""
    cross_region: tuple[ReplicaRegion, ...] = ()
    """Where cross-region read replicas go (dbtier:relational.crossRegionReplicas)."""


class RelationalTier(DbtierComponent):
    """An RDS primary (optionally Multi-AZ) with read replicas where the engine has them."""

    CONTRACT = RelationalOutputs

    endpoint: pulumi.Output[str]
    """Primary host name."""
    port: pulumi.Output[int]
    """The port clients connect to (Oracle: the SSL option's)."""
    reader_endpoints: pulumi.Output[list[str]]
    """Host name of each read replica."""
    database_name: pulumi.Output[str]
    """Initial database (SQL Server: master, as it creates none)."""
    username: pulumi.Output[str]
    """Master user name."""
    password: pulumi.Output[str] | None
    """Initial master password (secret); None when RDS manages it."""
    secret_arn: pulumi.Output[str]
    """Secrets Manager secret with the credentials: the connection JSON (generated), or RDS's
    own secret with username and password (managed)."""
    engine: pulumi.Output[str]
    """Engine name (mysql, postgres, mariadb, sqlserver-*, oracle-*)."""
    instance_ids: pulumi.Output[list[str]]
    """DB instance identifiers, primary first."""
    iam_user: pulumi.Output[str] | None
    """Database user applications connect as with an IAM authentication token (None: no IAM
    authentication on the engine)."""
    iam_connect_arn: pulumi.Output[str] | None
    """`rds-db:connect` resource of `iam_user` on the primary."""
    iam_connect_policy: pulumi.Output[str] | None
    """IAM policy (JSON) allowing `rds-db:connect` as `iam_user` to the primary and each replica."""
    region_reader_endpoints: pulumi.Output[dict[str, str]] | None
    """Host name of each cross-region read replica, by region (None without them)."""

    def __init__(
        self, name: str, args: RelationalTierArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("RelationalTier", name, args.protect, opts)
        cfg = self._config = args.config
        self._cdc_source = args.cdc_source
        params, option_group = self._groups(args.cdc_source, args.security_group_id)
        monitoring_role = self.monitoring_role(cfg.monitoring_interval)
        creds = cfg.credentials
        special, length = shape.password_args(cfg)
        password = None if creds.managed else self.new_password("password", special, length)
        initial = None if password is None else password.result
        common = shape.instance_args(
            cfg,
            parameter_group_name=params.name,
            security_group_id=args.security_group_id,
            kms_key_arn=args.kms_key_arn,
            monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            option_group_name=None if option_group is None else option_group.name,
        )
        ids = shape.identifiers(cfg, pulumi.get_project(), pulumi.get_stack(), name)
        logs = {
            role: self.aws_log_groups(groups, args.log_retention_days, args.kms_key_arn)
            for role, groups in shape.instance_log_groups(cfg, ids).items()
        }
        primary = aws.rds.Instance(
            f"{name}-primary",
            **shape.primary_args(
                cfg, ids["primary"], subnet_group=args.subnet_group, kms_key_arn=args.kms_key_arn
            ),
            final_snapshot_identifier=self.snapshot_name(f"{name}-primary"),
            opts=self.child(
                stateful=True,
                ignore_changes=ignored_changes(cfg, "password"),
                depends_on=logs["primary"],
            ),
            **master_credentials(creds, args.kms_key_arn, initial, argument="password"),
            **common,
        )
        replicas = self._replicas(primary, ids, logs, common, args.availability_zones)
        self._across_regions(primary, ids["primary"], args, monitoring_role)
        self._connection(primary, replicas)
        self.password = None if initial is None else pulumi.Output.secret(initial)
        self.secret_arn = self.rds_master_secret(
            args,
            creds,
            password,
            master_user_secrets=primary.master_user_secrets,
            engine=secret_engine(cfg.engine),
            host=self.endpoint,
            port=self.port,
            username=cfg.username,
            dbname=shape.connect_database(cfg),
            extra={"dbInstanceIdentifier": primary.identifier},
            depends_on=[primary],
            special=special,
        )
        self.publish()

    def _groups(
        self, cdc_source: bool, security_group_id: pulumi.Input[str]
    ) -> tuple[aws.rds.ParameterGroup, aws.rds.OptionGroup | None]:
        """The parameter group, and the option group `shape.option_group_args` asks for
        (Oracle's SSL option, the audit plugin) or None when the engine needs none."""
        cfg = self._config
        params = aws.rds.ParameterGroup(
            f"{self._prefix}-params",
            family=family_of(cfg.engine, cfg.engine_version),
            **shape.parameter_group_args(cfg, cdc_source),
            opts=self.child(),
        )
        options = shape.option_group_args(cfg, security_group_id)
        if options is None:
            return params, None
        group = aws.rds.OptionGroup(f"{self._prefix}-options", **options, opts=self.child())
        return params, group

    def _across_regions(
        self,
        primary: aws.rds.Instance,
        primary_id: str,
        args: RelationalTierArgs,
        monitoring_role: aws.iam.Role | None,
    ) -> None:
        """The primary's backups replicated to `args.backups_to`, and a read replica in each
        region of `args.cross_region`, whose host names are `region_reader_endpoints`."""
        cfg = self._config
        if args.backups_to is not None and replicates_backups(cfg, args.backups_to):
            replicate_backups(self._prefix, cfg, primary, args.backups_to, self.child())
        far = {
            where.placement.region: self._cross_region_replica(
                primary, primary_id, where, monitoring_role, args.log_retention_days
            )
            for where in args.cross_region
        }
        self._cross_region_ids = {region: r.identifier for region, r in far.items()}
        self.region_reader_endpoints = (
            pulumi.Output.all(**{region: r.address for region, r in far.items()}).apply(dict)
            if far
            else None
        )

    def _cross_region_replica(
        self,
        primary: aws.rds.Instance,
        primary_id: str,
        where: ReplicaRegion,
        monitoring_role: aws.iam.Role | None,
        log_retention_days: int,
    ) -> aws.rds.Instance:
        """A read replica in `where`'s region, by its provider, with a parameter group (and the
        option group the engine needs) of its own there: both are regional, and enforce what
        the primary's do."""
        cfg, region = self._config, where.placement.region
        there = where.placement.here(self.child())
        params = aws.rds.ParameterGroup(
            f"{self._prefix}-params-{region}",
            family=family_of(cfg.engine, cfg.engine_version),
            **shape.parameter_group_args(cfg, self._cdc_source),
            opts=there,
        )
        options = shape.option_group_args(cfg, where.security_group_id)
        group = None
        if options is not None:
            group = aws.rds.OptionGroup(f"{self._prefix}-options-{region}", **options, opts=there)
        identifier = cross_region_replica_identifier(primary_id, region)
        # The log groups its exports write to, there, with that region's key.
        role = f"replica-{region}"
        exported = shape.instance_log_groups(cfg, {role: identifier})[role]
        logs = self.aws_log_groups(
            exported, log_retention_days, where.placement.kms_key_arn, opts=there
        )
        return aws.rds.Instance(
            f"{self._prefix}-{role}",
            **cross_region_replica_args(
                cfg,
                identifier,
                primary.arn,
                where,
                parameter_group_name=params.name,
                monitoring_role_arn=None if monitoring_role is None else monitoring_role.arn,
                option_group_name=None if group is None else group.name,
            ),
            opts=where.placement.here(self.child(stateful=True, depends_on=logs)),
        )

    def _replicas(
        self,
        primary: aws.rds.Instance,
        ids: dict[str, str],
        logs: dict[str, list[aws.cloudwatch.LogGroup]],
        common: dict[str, Any],
        subnet_zones: pulumi.Input[list[str]] | None,
    ) -> list[aws.rds.Instance]:
        """The read replicas, each placed as `shape.replica_zones` says: replicas that cannot
        fail together, Multi-AZ deployments of their own or single-AZ ones spread over zones."""
        cfg = self._config
        zones = shape.replica_zones(cfg, subnet_zones)
        placed = None if zones is None else pulumi.Output.from_input(zones)
        return [
            aws.rds.Instance(
                f"{self._prefix}-{role}",
                **shape.replica_args(cfg, ids[role], primary.identifier),
                availability_zone=None
                if placed is None
                else placed.apply(partial(replica_zone, i)),
                opts=self.child(stateful=True, depends_on=logs[role]),
                **common,
            )
            for i, role in enumerate(shape.roles(cfg)[1:])
        ]

    def _connection(self, primary: aws.rds.Instance, replicas: list[aws.rds.Instance]) -> None:
        """The outputs that say how to reach the database: endpoints, names and IAM access."""
        cfg = self._config
        self.endpoint = primary.address
        tls_port = shape.client_port(cfg)
        self.port = primary.port if tls_port is None else pulumi.Output.from_input(tls_port)
        self.reader_endpoints = pulumi.Output.all(*[r.address for r in replicas]).apply(list)
        self.database_name = pulumi.Output.from_input(shape.connect_database(cfg))
        self.username = pulumi.Output.from_input(cfg.username)
        self.engine = pulumi.Output.from_input(cfg.engine)
        self.instance_ids = pulumi.Output.all(
            primary.identifier, *[r.identifier for r in replicas]
        ).apply(list)
        self._primary_id = primary.identifier
        self._primary_arn = primary.arn
        self._replica_ids = [r.identifier for r in replicas]
        self.iam_user = self.iam_connect_arn = self.iam_connect_policy = None
        if cfg.iam_auth:
            self._iam_access(primary, replicas)

    def _iam_access(self, primary: aws.rds.Instance, replicas: list[aws.rds.Instance]) -> None:
        """The IAM user and the `rds-db:connect` policy of every instance."""
        cfg = self._config
        # Each instance, replicas included, has its own resource id: a token for a replica is
        # checked against the replica's ARN, so the policy names every instance.
        connect_arns = pulumi.Output.all(
            account_of(self), primary.resource_id, *[r.resource_id for r in replicas]
        ).apply(
            lambda v: [rds_connect_arn(v[0], resource_id, cfg.iam_user) for resource_id in v[1:]]
        )
        self.iam_user = pulumi.Output.from_input(cfg.iam_user)
        self.iam_connect_arn = connect_arns.apply(lambda arns: arns[0])
        self.iam_connect_policy = connect_arns.apply(rds_connect_policy)

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """Health of each instance and replication of each replica, named by its identifier,
        and what the engine can run out of."""
        return relational_watches(
            self._config,
            alarms,
            self._primary_id,
            self._replica_ids,
            self._cdc_source,
            cross_region=self._cross_region_ids,
        )

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The primary only: a read replica holds a copy of the primary's data, and restoring
        the primary's recovery point restores it."""
        return {"RDS": [self._primary_arn]}
