"""What RelationalTier and ServerlessAurora decide alike, as pure functions of plain values.

Both parts are RDS: the same TLS and log parameters per engine, the same Performance Insights and
Enhanced Monitoring arguments, the same two ways of holding the master password, the same log
groups named after their identifiers and the same CA. Each part's own `shape` module builds its
resources' arguments from these; its `config` module checks user parameters against
`enforced_parameters`, which is why this module imports neither. Values only known at deployment
(the stack key, a role ARN, a password) are taken as opaque values and only placed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from awsdata.rds_engines import RDS_ENGINES, pins_minor
from components.change import ChangeConfig
from components.credentials import CredentialsConfig
from components.logs import rds_cluster_log_group, rds_instance_log_group

# The RDS CA every RDS and Aurora client verifies against; rds-ca-rsa2048-g1 is valid until 2061.
CA_CERT = "rds-ca-rsa2048-g1"

# The logs Aurora publishes to CloudWatch, and each RDS engine's default (its own choice is
# `dbtier:relational.logExports`). RDS for MySQL leaves out `audit` by default: it writes it
# only with the MARIADB_AUDIT_PLUGIN option group (added when `audit` is asked for), which the
# IAM authentication error log and the CloudTrail record of API calls make unnecessary by
# default; `general` logs every statement. Aurora PostgreSQL writes its one log (`postgresql`)
# without any parameter.
LOG_EXPORTS: Mapping[str, tuple[str, ...]] = {
    **{name: e.default_logs for name, e in RDS_ENGINES.items()},
    "aurora-mysql": ("audit", "error", "slowquery"),
    "aurora-postgresql": ("postgresql",),
}

# What each exported log needs in the (cluster) parameter group, or RDS never writes it and its
# log group stays empty: each RDS engine's from `awsdata.rds_engines`; Aurora MySQL's audit log
# is Advanced Auditing (server_audit_*), off by default, its slow and general logs as MySQL's:
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
AURORA_MYSQL_LOG_PARAMETERS: Mapping[str, Mapping[str, str]] = {
    **{log: export.parameters for log, export in RDS_ENGINES["mysql"].logs.items()},
    "audit": {
        "server_audit_logging": "1",
        # Who connects, and every change to users, grants and schema; not every query (cost).
        "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
    },
}
_LOG_PARAMETERS_BY_ENGINE: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    **{
        name: {log: export.parameters for log, export in e.logs.items()}
        for name, e in RDS_ENGINES.items()
    },
    "aurora-mysql": AURORA_MYSQL_LOG_PARAMETERS,
}

# How each engine refuses unencrypted connections: each RDS engine's parameter (none for
# Oracle, whose SSL option does it), Aurora's in its cluster parameter group.
TLS_PARAMETERS: Mapping[str, Mapping[str, str]] = {
    **{name: e.tls_parameters for name, e in RDS_ENGINES.items()},
    "aurora-mysql": {"require_secure_transport": "ON"},
    "aurora-postgresql": {"rds.force_ssl": "1"},
}

# The secret JSON's `engine`, as AWS's rotation functions check it (and as dbtier picks the
# rotation function by): mysql, mariadb, postgres, sqlserver or oracle.
SECRET_ENGINES: Mapping[str, str] = {
    **{name: e.json_engine for name, e in RDS_ENGINES.items()},
    "aurora-mysql": "mysql",
    "aurora-postgresql": "postgres",
}


def enforced_parameters(
    engine: str, cdc_source: bool = False, exports: Sequence[str] | None = None
) -> dict[str, str]:
    """The parameters dbtier enforces on `engine`'s (cluster) parameter group: TLS always; what
    each exported log needs (`exports`, the engine's default logs when None); when a DMS
    migration reads the database (`cdc_source`), what change data capture needs (row binlogs,
    logical replication)."""
    params = dict(TLS_PARAMETERS[engine])
    needs = _LOG_PARAMETERS_BY_ENGINE.get(engine, {})
    for export in LOG_EXPORTS[engine] if exports is None else exports:
        params |= needs.get(export, {})
    if cdc_source and engine in RDS_ENGINES:
        params |= RDS_ENGINES[engine].cdc_parameters or {}
    return params


def secret_engine(engine: str) -> str:
    """The `engine` of the connection secret's JSON for `engine`."""
    return SECRET_ENGINES[engine]


def log_groups(
    engine: str,
    role: str,
    identifier: str,
    *,
    cluster: bool = False,
    exports: Sequence[str] | None = None,
) -> dict[str, str]:
    """The log groups RDS writes `exports` (`engine`'s default logs when None) to for the
    instance (or, with `cluster`, the Aurora cluster) `identifier`: `<role>-<log>` -> AWS's
    name, in export order."""
    name = rds_cluster_log_group if cluster else rds_instance_log_group
    logs = LOG_EXPORTS[engine] if exports is None else exports
    return {f"{role}-{log}": name(identifier, log) for log in logs}


def insights_args(
    performance_insights: bool, retention_days: int, kms_key_arn: object
) -> dict[str, Any]:
    """Performance Insights arguments (stack key, retention), as RDS instances and read replicas,
    Aurora clusters and Aurora cluster instances all take them."""
    return {
        "performance_insights_enabled": performance_insights,
        "performance_insights_kms_key_id": kms_key_arn if performance_insights else None,
        "performance_insights_retention_period": retention_days if performance_insights else None,
    }


def monitoring_args(monitoring_role_arn: object | None, monitoring_interval: int) -> dict[str, Any]:
    """Enhanced Monitoring arguments, for instances only: RDS instances, read replicas and Aurora
    cluster instances. An Aurora cluster does not take them (ModifyDBCluster MonitoringInterval:
    "Valid for Cluster Type: Multi-AZ DB clusters only"). `monitoring_role_arn` is None when the
    interval is 0 (no role)."""
    return {"monitoring_interval": monitoring_interval, "monitoring_role_arn": monitoring_role_arn}


def master_credentials(
    creds: CredentialsConfig, kms_key_arn: object, password: object | None, *, argument: str
) -> dict[str, Any]:
    """How the instance or cluster gets its master password: RDS manages it in a secret under
    the stack key (managed mode), or it is the generated `password`, given as `argument`
    (`password` on an instance, `master_password` on a cluster)."""
    if creds.managed:
        return {"manage_master_user_password": True, "master_user_secret_kms_key_id": kms_key_arn}
    return {argument: password}


def ignored_password(creds: CredentialsConfig, prop: str) -> list[str] | None:
    """The `ignore_changes` of the resource holding the password input `prop`: after a rotation
    the secret owns the password, so the initial one is never sent again."""
    return [prop] if creds.rotation_function else None


class _Versioned(Protocol):
    """What `ignored_changes` reads of a RelationalConfig or an AuroraConfig."""

    @property
    def credentials(self) -> CredentialsConfig: ...
    @property
    def engine(self) -> str: ...
    @property
    def engine_version(self) -> str: ...
    @property
    def change(self) -> ChangeConfig: ...


def ignored_changes(cfg: _Versioned, password_prop: str) -> list[str] | None:
    """The `ignore_changes` of an RDS instance or Aurora cluster: its rotated password
    (`ignored_password`) and its pinned minor version (`ignored_version`)."""
    auto_minor = cfg.change.auto_minor_version_upgrade
    ignored = [
        *(ignored_password(cfg.credentials, password_prop) or ()),
        *ignored_version(cfg.engine, cfg.engine_version, auto_minor),
    ]
    return ignored or None


def ignored_version(engine: str, version: str, auto_minor: bool) -> list[str]:
    """`engineVersion` when automatic minor upgrades are on and `version` pins a minor: AWS
    upgrades the minor in a maintenance window, and the next `pulumi up` would then try to take
    the database back to the pinned one (RDS refuses a downgrade, so the update fails). A major
    version alone (8.4, 17, 19) needs nothing: the provider keeps a configured version that is a
    prefix of the running one ("If auto_minor_version_upgrade is enabled, you can provide a
    prefix of the version such as 8.0 (for 8.0.36). The actual engine version used is returned
    in the attribute engine_version_actual",
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#engine_version;
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html#USER_UpgradeDBInstance.Upgrading.AutoMinorVersionUpgrades).
    Ignoring rather than rewriting the version keeps what was asked for at creation; the cost:
    a new engineVersion in config is not applied while automatic minor upgrades are on (turn
    them off for the upgrade, docs/components.md)."""
    return ["engineVersion"] if auto_minor and pins_minor(engine, version) else []
