"""What the RelationalTier decides, as pure functions of the parsed `dbtier:relational`.

Per engine (`awsdata.rds_engines`): the parameter group (TLS, what each exported log needs, what
change data capture needs), the option group (Oracle's SSL option, the MySQL/MariaDB audit
plugin), the generated password's characters, and the port and database name clients and the
secret use. Then the instances' identifiers and log groups, the arguments every instance shares,
the primary's and each replica's own, and where single-AZ replicas go. Values only known
at deployment (the stack key, the parameter group's name, the primary's identifier, the subnet
group's zones) are taken as opaque values and only placed; `components.relational.resources`
wires the resources from what these return. What RDS and Aurora decide alike is in
`components.rds_shape`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from awsdata.rds_engines import Option, RdsEngine, engine, option_group_version
from components.parameters import rds_parameters
from components.rds_shape import (
    CA_CERT,
    enforced_parameters,
    insights_args,
    log_groups,
    monitoring_args,
)
from components.relational.config import RelationalConfig
from components.settings import rds_identifier

T = TypeVar("T")


# What the parameter group's description says change data capture added, per engine family.
_CDC_NOTE = {"mysql": ", row binlogs for DMS", "mariadb": ", row binlogs for DMS"}
_CDC_NOTE["postgres"] = ", logical replication for DMS"
# The database a SQL Server login lands in: SQL Server creates none at create, and AWS's
# rotation function defaults the secret's dbname to it too.
SQLSERVER_DATABASE = "master"


def engine_of(cfg: RelationalConfig) -> RdsEngine:
    """The engine's facts (`awsdata.rds_engines`)."""
    return engine(cfg.engine)


def parameter_group_args(cfg: RelationalConfig, cdc_source: bool) -> dict[str, Any]:
    """The parameter group's description and parameters: the enforced ones (TLS, what each
    exported log needs, and what change data capture needs when a migration reads the
    database) merged with the user's."""
    e = engine_of(cfg)
    tls = "TLS only" if e.tls_parameters else "TLS by the SSL option"
    return {
        "description": f"dbtier {e.label}: {tls}"
        + (_CDC_NOTE.get(e.family, "") if cdc_source else ""),
        "parameters": rds_parameters(
            enforced_parameters(cfg.engine, cdc_source, cfg.log_exports), cfg.change.parameters
        ),
    }


def options(cfg: RelationalConfig) -> list[Option]:
    """The option group's options: the engine's TLS option (Oracle's SSL), then the options
    that write exported logs (the MySQL/MariaDB audit plugin); empty when none is needed."""
    e = engine_of(cfg)
    found = [e.tls_option] if e.tls_option else []
    found += [o for log in cfg.log_exports if (o := e.logs[log].option) is not None]
    return found


def option_group_args(cfg: RelationalConfig, security_group_id: object) -> dict[str, Any] | None:
    """The option group's arguments, or None when the engine needs none. An option with a
    port (Oracle's SSL) listens in the database's security group (`security_group_id`)."""
    found = options(cfg)
    if not found:
        return None
    names = ", ".join(o.name for o in found)
    return {
        "engine_name": cfg.engine,
        "major_engine_version": option_group_version(cfg.engine, cfg.engine_version),
        "option_group_description": f"dbtier {engine_of(cfg).label}: {names}",
        "options": [
            {
                "option_name": o.name,
                "option_settings": [{"name": k, "value": v} for k, v in o.settings.items()],
                **(
                    {"port": o.port, "vpc_security_group_memberships": [security_group_id]}
                    if o.port
                    else {}
                ),
            }
            for o in found
        ],
    }


def password_args(cfg: RelationalConfig) -> tuple[str, int]:
    """The generated master password's special characters and length: what the engine accepts
    (RDS refuses / " @ and space everywhere, Oracle & and ' too; Oracle takes at most 30)."""
    e = engine_of(cfg)
    return e.password_special, e.password_length


def client_port(cfg: RelationalConfig) -> int | None:
    """The port clients must use when it is not the instance's listener (Oracle's SSL option
    port: the only one open to them); None: the instance's port."""
    e = engine_of(cfg)
    return e.client_port if e.client_port != e.port else None


def connect_database(cfg: RelationalConfig) -> str:
    """The database clients (and the secret) name: the one created, or SQL Server's master."""
    return cfg.database_name or SQLSERVER_DATABASE


def roles(cfg: RelationalConfig) -> list[str]:
    """Each instance's role, primary first: `primary`, `replica-1` ... `replica-<readReplicas>`."""
    return ["primary", *(f"replica-{i}" for i in range(1, cfg.read_replicas + 1))]


def identifiers(cfg: RelationalConfig, project: str, stack: str, name: str) -> dict[str, str]:
    """Each instance's DB identifier, by role. Explicit, because the log groups RDS writes to
    are named after them and are created before the instances, so RDS finds them."""
    return {role: rds_identifier(project, stack, name, role) for role in roles(cfg)}


def instance_log_groups(cfg: RelationalConfig, ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each instance's log groups (`<role>-<log>` -> AWS's name), by role."""
    return {
        role: log_groups(cfg.engine, role, identifier, exports=cfg.log_exports)
        for role, identifier in ids.items()
    }


def instance_args(
    cfg: RelationalConfig,
    *,
    parameter_group_name: object,
    security_group_id: object,
    kms_key_arn: object,
    monitoring_role_arn: object | None,
    option_group_name: object | None = None,
) -> dict[str, Any]:
    """What the primary and every replica share: class, parameter (and option) group, network,
    IAM auth, monitoring, log exports, change management, backups (replicas keep backups too, so
    they get the same windows), protection and storage type."""
    options = {} if option_group_name is None else {"option_group_name": option_group_name}
    return {
        "instance_class": cfg.instance_class,
        "parameter_group_name": parameter_group_name,
        **options,
        "vpc_security_group_ids": [security_group_id],
        "publicly_accessible": False,
        "iam_database_authentication_enabled": cfg.iam_auth,
        **insights_args(
            cfg.performance_insights, cfg.performance_insights_retention_days, kms_key_arn
        ),
        **monitoring_args(monitoring_role_arn, cfg.monitoring_interval),
        "enabled_cloudwatch_logs_exports": list(cfg.log_exports),
        "auto_minor_version_upgrade": cfg.change.auto_minor_version_upgrade,
        "apply_immediately": cfg.change.apply_immediately,
        "allow_major_version_upgrade": cfg.change.allow_major_version_upgrade,
        "backup_window": cfg.change.backup_window,
        "maintenance_window": cfg.change.maintenance_window,
        "copy_tags_to_snapshot": True,
        "deletion_protection": cfg.deletion_protection,
        "ca_cert_identifier": CA_CERT,
        "backup_retention_period": cfg.backup_retention_days,
        "storage_type": "gp3",
    }


def primary_args(
    cfg: RelationalConfig, identifier: str, *, subnet_group: object, kms_key_arn: object
) -> dict[str, Any]:
    """The primary's own arguments: engine, its license (named for SQL Server and Oracle, which
    have a choice), storage (encrypted with the stack key, autoscaling up to
    maxAllocatedStorage), placement, the initial database and user, and a final snapshot on
    deletion (its identifier is the caller's: it is unique per deployment)."""
    e = engine_of(cfg)
    license_model = (
        {"license_model": cfg.license_model} if e.family in ("sqlserver", "oracle") else {}
    )
    return {
        "identifier": identifier,
        "engine": cfg.engine,
        "engine_version": cfg.engine_version,
        **license_model,
        "allocated_storage": cfg.allocated_storage,
        "max_allocated_storage": cfg.max_allocated_storage or None,
        "storage_encrypted": True,
        "kms_key_id": kms_key_arn,
        "multi_az": cfg.multi_az,
        "db_subnet_group_name": subnet_group,
        "db_name": cfg.database_name,
        "username": cfg.username,
        "engine_lifecycle_support": cfg.change.engine_lifecycle_support,
        # The primary only: CreateDBInstanceReadReplica's DatabaseInsightsMode "isn't
        # supported", and the provider computes the attribute, so replicas leaving it unset
        # show no diff.
        "database_insights_mode": str(cfg.database_insights_mode),  # one type: mypy unions
        "delete_automated_backups": False,
        "skip_final_snapshot": False,
    }


def replica_args(cfg: RelationalConfig, identifier: str, source: object) -> dict[str, Any]:
    """A read replica's own arguments. Same-region replicas name their `source` by identifier
    and inherit engine, storage, encryption, the KMS key and the master credentials from it."""
    return {
        "identifier": identifier,
        "replicate_source_db": source,
        "multi_az": cfg.replica_multi_az,
        # AWS refuses a final snapshot for a read replica: its data lives in the primary.
        "skip_final_snapshot": True,
    }


def replica_zones(cfg: RelationalConfig, subnet_zones: T | None) -> list[str] | T | None:
    """The zones single-AZ replicas are spread over: the ones config names, else the DB subnet
    group's (`subnet_zones`, opaque); None when RDS places them: Multi-AZ replicas (RDS for MySQL
    supports Multi-AZ read replicas:
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html), or no zones known."""
    if cfg.replica_multi_az:
        return None
    if cfg.replica_availability_zones is not None:
        return list(cfg.replica_availability_zones)
    return subnet_zones


def replica_zone(index: int, zones: list[str]) -> str | None:
    """The zone of replica `index` (0-based): round-robin over `zones`, so no two replicas share
    one while there are zones enough, and a lost zone takes at most its share of them."""
    return zones[index % len(zones)] if zones else None
