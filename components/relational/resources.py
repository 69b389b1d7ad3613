"""RelationalTier: RDS MySQL with Multi-AZ, read replicas, TLS-only connections and a secret.

The primary and its replicas are encrypted with the stack key, monitored (Performance Insights,
enhanced monitoring, log exports) and reachable only over TLS. The credentials are either a
generated password kept in the component's Secrets Manager secret (rotated by AWS's MySQL rotation
function when `credentials.rotationDays > 0`) or managed by RDS in a secret of its own. `outputs()` is the stack's `relational` export; `watches()` what the
alarms watch on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pulumi
import pulumi_aws as aws

from components.access import account_of, rds_connect_arn, rds_connect_policy
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import (
    CA_CERT,
    RDS_PASSWORD_SPECIAL,
    DbtierComponent,
    RotationAccess,
    family_of,
    insights_args,
    monitoring_args,
)
from components.logs import DEFAULT_RETENTION_DAYS, rds_instance_log_group
from components.parameters import rds_parameters
from components.relational.config import RelationalConfig
from components.relational.watches import relational_watches
from components.settings import rds_identifier
from contract import RelationalOutputs

# The logs published to CloudWatch. `audit` is not among them: RDS for MySQL writes it only with
# the MARIADB_AUDIT_PLUGIN option group, which the IAM authentication error log and the
# CloudTrail record of API calls make unnecessary here; `general` logs every statement.
LOG_EXPORTS = ["error", "slowquery", "iam-db-auth-error"]
# What each exported log needs in the parameter group, or RDS never writes it and its log group
# stays empty: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
# (log_output defaults to TABLE, which writes slow queries to mysql.slow_log instead of a file).
LOG_PARAMETERS = {
    "slowquery": {"slow_query_log": "1", "long_query_time": "2", "log_output": "FILE"},
    "general": {"general_log": "1", "log_output": "FILE"},
}


def parameters(cdc_source: bool) -> dict[str, str]:
    """Engine parameters: TLS always; what each exported log needs; what DMS change data capture
    needs when a migration reads us."""
    params = {"require_secure_transport": "1"}
    for export in LOG_EXPORTS:
        params |= LOG_PARAMETERS.get(export, {})
    if cdc_source:
        params |= {"binlog_format": "ROW", "binlog_row_image": "full", "binlog_checksum": "NONE"}
    return params


@dataclass(frozen=True)
class RelationalTierArgs:
    config: RelationalConfig
    """Instance shape, replicas, backups (dbtier:relational)."""
    subnet_group: pulumi.Input[str]
    """DB subnet group name."""
    security_group_id: pulumi.Input[str]
    """Security group allowing the MySQL port from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: storage, Performance Insights and the secret."""
    cdc_source: bool = False
    """A DMS migration reads from this database: turn on row-based binlogs."""
    protect: bool = False
    """Pulumi `protect` on the instances and the secret."""
    rotation: RotationAccess | None = None
    """The rotation function's network; required when a generated password rotates."""
    availability_zones: pulumi.Input[list[str]] | None = None
    """The DB subnet group's Availability Zones: single-AZ replicas are spread over them."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the instances' and the rotation function's log groups (dbtier:logs)."""


def replica_zone(index: int, zones: list[str]) -> str | None:
    """The zone of replica `index` (0-based): round-robin over `zones`, so no two replicas share
    one while there are zones enough, and a lost zone takes at most its share of them."""
    return zones[index % len(zones)] if zones else None


class RelationalTier(DbtierComponent):
    """An RDS MySQL primary (optionally Multi-AZ) with 0-15 read replicas."""

    CONTRACT = RelationalOutputs

    endpoint: pulumi.Output[str]
    """Primary host name."""
    port: pulumi.Output[int]
    """MySQL port."""
    reader_endpoints: pulumi.Output[list[str]]
    """Host name of each read replica."""
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
    """Engine name (mysql)."""
    instance_ids: pulumi.Output[list[str]]
    """DB instance identifiers, primary first."""
    iam_user: pulumi.Output[str]
    """Database user applications connect as with an IAM authentication token."""
    iam_connect_arn: pulumi.Output[str]
    """`rds-db:connect` resource of `iam_user` on the primary."""
    iam_connect_policy: pulumi.Output[str]
    """IAM policy (JSON) allowing `rds-db:connect` as `iam_user` to the primary and each replica."""

    def __init__(
        self, name: str, args: RelationalTierArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("RelationalTier", name, args.protect, opts)
        cfg = args.config
        self._config = cfg

        params = aws.rds.ParameterGroup(
            f"{name}-params",
            family=family_of(cfg.engine, cfg.engine_version),
            description="dbtier MySQL: TLS only"
            + (", row binlogs for DMS" if args.cdc_source else ""),
            parameters=rds_parameters(parameters(args.cdc_source), cfg.change.parameters),
            opts=self.child(),
        )
        monitoring_role = self.monitoring_role(cfg.monitoring_interval)
        creds = cfg.credentials
        password = None if creds.managed else self.new_password("password", RDS_PASSWORD_SPECIAL)
        if password is None:
            credentials: dict[str, object] = {
                "manage_master_user_password": True,
                "master_user_secret_kms_key_id": args.kms_key_arn,
            }
        else:
            credentials = {"password": password.result}
        common = {
            "instance_class": cfg.instance_class,
            "parameter_group_name": params.name,
            "vpc_security_group_ids": [args.security_group_id],
            "publicly_accessible": False,
            "iam_database_authentication_enabled": True,
            **insights_args(
                cfg.performance_insights, cfg.performance_insights_retention_days, args.kms_key_arn
            ),
            **monitoring_args(monitoring_role, cfg.monitoring_interval),
            "enabled_cloudwatch_logs_exports": LOG_EXPORTS,
            "auto_minor_version_upgrade": cfg.change.auto_minor_version_upgrade,
            "apply_immediately": cfg.change.apply_immediately,
            "allow_major_version_upgrade": cfg.change.allow_major_version_upgrade,
            # Replicas keep backups too (backup_retention_period), so they get the same windows.
            "backup_window": cfg.change.backup_window,
            "maintenance_window": cfg.change.maintenance_window,
            "copy_tags_to_snapshot": True,
            "deletion_protection": cfg.deletion_protection,
            "ca_cert_identifier": CA_CERT,
            "backup_retention_period": cfg.backup_retention_days,
            "storage_type": "gp3",
        }
        # Explicit identifiers: the log groups RDS writes to are named after them, and are
        # created before the instances so RDS finds them (components.logs).
        identifiers = {
            role: rds_identifier(pulumi.get_project(), pulumi.get_stack(), name, role)
            for role in ["primary", *(f"replica-{i + 1}" for i in range(cfg.read_replicas))]
        }
        logs = {
            role: self.aws_log_groups(
                {f"{role}-{log}": rds_instance_log_group(identifier, log) for log in LOG_EXPORTS},
                args.log_retention_days,
                args.kms_key_arn,
            )
            for role, identifier in identifiers.items()
        }
        primary = aws.rds.Instance(
            f"{name}-primary",
            identifier=identifiers["primary"],
            engine=cfg.engine,
            engine_version=cfg.engine_version,
            allocated_storage=cfg.allocated_storage,
            max_allocated_storage=cfg.max_allocated_storage or None,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            multi_az=cfg.multi_az,
            db_subnet_group_name=args.subnet_group,
            db_name=cfg.database_name,
            username=cfg.username,
            engine_lifecycle_support=cfg.change.engine_lifecycle_support,
            # The primary only: CreateDBInstanceReadReplica's DatabaseInsightsMode "isn't
            # supported", and the provider computes the attribute, so replicas leaving it
            # unset show no diff.
            database_insights_mode=str(cfg.database_insights_mode),  # one type: mypy unions
            delete_automated_backups=False,
            skip_final_snapshot=False,
            final_snapshot_identifier=self.snapshot_name(f"{name}-primary"),
            # After a rotation the secret owns the password: never send the initial one again.
            opts=self.child(
                stateful=True,
                ignore_changes=["password"] if creds.rotation_function else None,
                depends_on=logs["primary"],
            ),
            **credentials,
            **common,
        )
        # Replicas that cannot fail together: Multi-AZ deployments of their own (RDS for MySQL
        # supports Multi-AZ read replicas:
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html), or
        # single-AZ ones spread over the subnet group's zones (or the zones config names).
        given = cfg.replica_availability_zones or args.availability_zones
        zones = (
            None
            if given is None
            else pulumi.Output.from_input(list(given) if isinstance(given, tuple) else given)
        )
        replicas = [
            aws.rds.Instance(
                f"{name}-replica-{i + 1}",
                identifier=identifiers[f"replica-{i + 1}"],
                # Same-region replicas name their source by identifier; they inherit engine,
                # storage, encryption, the KMS key and the master credentials from it.
                replicate_source_db=primary.identifier,
                multi_az=cfg.replica_multi_az,
                availability_zone=None
                if cfg.replica_multi_az or zones is None
                else zones.apply(partial(replica_zone, i)),
                # AWS refuses a final snapshot for a read replica: its data lives in the primary.
                skip_final_snapshot=True,
                opts=self.child(stateful=True, depends_on=logs[f"replica-{i + 1}"]),
                **common,
            )
            for i in range(cfg.read_replicas)
        ]

        self.endpoint = primary.address
        self.port = primary.port
        self.reader_endpoints = pulumi.Output.all(*[r.address for r in replicas]).apply(list)
        self.database_name = pulumi.Output.from_input(cfg.database_name)
        self.username = pulumi.Output.from_input(cfg.username)
        self.password = None if password is None else pulumi.Output.secret(password.result)
        self.engine = pulumi.Output.from_input(cfg.engine)
        self.instance_ids = pulumi.Output.all(
            primary.identifier, *[r.identifier for r in replicas]
        ).apply(list)
        self._primary_id = primary.identifier
        self._primary_arn = primary.arn
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
        self._replica_ids = [r.identifier for r in replicas]
        if password is None:
            self.secret_arn = primary.master_user_secrets.apply(lambda s: s[0].secret_arn)
            if creds.rotates:
                self.rotate_managed(self.secret_arn, creds.rotation_days, [primary])
        else:
            secret = self.connection_secret(
                args.kms_key_arn,
                engine=cfg.engine,
                host=self.endpoint,
                port=self.port,
                username=cfg.username,
                password=password.result,
                dbname=cfg.database_name,
                extra={"dbInstanceIdentifier": primary.identifier},
                rotated=creds.rotation_function,
            )
            self.secret_arn = secret.arn
            if creds.rotation_function:
                self.rotate_with_function(
                    secret,
                    args,
                    engine="mysql",
                    special=RDS_PASSWORD_SPECIAL,
                    days=creds.rotation_days,
                    depends_on=[primary],
                )
        self.publish()

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """Health of each instance and replication of each replica, named by its identifier."""
        return relational_watches(self._config, alarms, self._primary_id, self._replica_ids)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The primary only: a read replica holds a copy of the primary's data, and restoring
        the primary's recovery point restores it."""
        return {"RDS": [self._primary_arn]}
