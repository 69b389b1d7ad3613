"""RDS and Aurora rules: instances, read replicas, Aurora clusters and their instances, and the
parameter groups that enforce TLS.

Read replicas (``replicateSourceDb`` set) inherit storage encryption, key, backups and final
snapshots from their source, so those rules skip them: each is marked ``@skips_replicas``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata import rds_insights

from ._common import (
    Check,
    Resource,
    Rule,
    RuleMeta,
    as_number,
    integer,
    is_off,
    is_unknown,
    string_list,
)

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def is_replica(r: Resource) -> bool:
    """A read replica: its source is set (even if the source's id is not known yet)."""
    return r.get("replicateSourceDb") is not None


def skips_replicas(check: Check) -> Check:
    """``check``, passing every RDS read replica: a replica inherits what the rule asks for
    (encryption, key, backups, final snapshots, version) from its source, or its API does not
    take it at all."""

    @functools.wraps(check)
    def guarded(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
        if r.type == INSTANCE and is_replica(r):
            return
        yield from check(r, c)

    return guarded


def _kind(r: Resource) -> str:
    return "Aurora cluster" if r.type == CLUSTER else "RDS instance"


def _key(r: Resource, field: str) -> str:
    """The dbtier config key that drives ``field`` for this resource."""
    section = "aurora" if r.type in (CLUSTER, CLUSTER_INSTANCE) else "relational"
    return f"dbtier:{section}.{field}"


@skips_replicas
def storage_encrypted(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("storageEncrypted")):
        yield f"{_kind(r)} '{r.name}' has storageEncrypted off: data at rest is not encrypted."


@skips_replicas
def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"{_kind(r)} '{r.name}' has no kmsKeyId: storage uses the AWS-managed aws/rds key."


def not_public(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("publiclyAccessible")
    if not is_unknown(value) and value is True:
        yield f"'{r.name}' ({r.type}) has publiclyAccessible true: it gets a public endpoint."


@skips_replicas
def deletion_protection(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("deletionProtection")):
        yield f"{_kind(r)} '{r.name}' has deletionProtection off."


@skips_replicas
def final_snapshot(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    skip = r.get("skipFinalSnapshot")
    if not is_unknown(skip) and skip is True:
        yield f"{_kind(r)} '{r.name}' has skipFinalSnapshot true: deleting it loses the data."
    elif is_off(r.get("finalSnapshotIdentifier")):
        yield f"{_kind(r)} '{r.name}' has no finalSnapshotIdentifier."


@skips_replicas
def backup_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    minimum = int(c["minimumDays"])
    value = r.get("backupRetentionPeriod")
    if is_unknown(value):
        return
    days = as_number(value)
    # Absent means the AWS API default of one day, for instances and clusters alike.
    effective = days if days is not None else 1.0
    if effective < minimum:
        yield (
            f"{_kind(r)} '{r.name}' keeps backups {effective:g} days; at least {minimum} required."
        )


@skips_replicas
def multi_az(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("multiAz")):
        yield f"RDS instance '{r.name}' is single-AZ: a zone failure takes it down."


@skips_replicas
def iam_auth(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("iamDatabaseAuthenticationEnabled")):
        yield f"{_kind(r)} '{r.name}' has IAM database authentication off."


@skips_replicas
def log_exports(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("enabledCloudwatchLogsExports", default=[])
    if is_unknown(value):
        return
    exported = {str(v) for v in value if not is_unknown(v)}
    if not exported:
        yield f"{_kind(r)} '{r.name}' exports no logs to CloudWatch."
        return
    engine = r.get("engine", default="")
    required = [] if is_unknown(engine) else list(c.get("requiredLogs", {}).get(str(engine), []))
    missing = [log for log in required if log not in exported]
    if missing:
        yield f"{_kind(r)} '{r.name}' does not export {', '.join(missing)} logs."


@skips_replicas
def performance_insights(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    engine, instance_class = r.get("engine"), r.get("instanceClass")
    if (
        isinstance(engine, str)
        and isinstance(instance_class, str)
        and not rds_insights.performance_insights_supported(engine, instance_class)
    ):
        return  # AWS refuses it there (deploy-performance-insights-class)
    if is_off(r.get("performanceInsightsEnabled")):
        yield f"'{r.name}' has Performance Insights off."


def performance_insights_cmk(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    enabled = r.get("performanceInsightsEnabled")
    if is_unknown(enabled) or not enabled:
        return
    if is_off(r.get("performanceInsightsKmsKeyId")):
        yield f"'{r.name}' encrypts Performance Insights with the AWS-managed key."


@skips_replicas  # the replica API takes no mode (deploy-database-insights)
def database_insights(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    """Database Insights in the required mode (advanced: the fleet view, per-query metrics and
    15 months of history that replace the Performance Insights console); an Aurora cluster sets it
    for all its instances, and classes without Performance Insights cannot have advanced mode."""
    if c["requiredMode"] != "advanced":
        return
    if r.type == INSTANCE:
        engine, instance_class = r.get("engine"), r.get("instanceClass")
        if (
            isinstance(engine, str)
            and isinstance(instance_class, str)
            and not rds_insights.performance_insights_supported(engine, instance_class)
        ):
            return  # AWS refuses it there (deploy-database-insights)
    mode = r.get("databaseInsightsMode")
    if is_unknown(mode):
        return
    if mode != "advanced":
        yield (
            f"{_kind(r)} '{r.name}' has Database Insights {mode or 'standard'}, not advanced;"
            f" set {_key(r, 'databaseInsightsMode')} advanced."
        )


def enhanced_monitoring(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    interval = r.get("monitoringInterval")
    if is_unknown(interval):
        return
    if not as_number(interval):
        yield f"'{r.name}' has enhanced monitoring off (monitoringInterval 0)."


def auto_minor_upgrade(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("autoMinorVersionUpgrade")
    if not is_unknown(value) and value is False:
        yield f"'{r.name}' does not take minor engine upgrades automatically."


@skips_replicas
def copy_tags_to_snapshot(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("copyTagsToSnapshot")):
        yield f"{_kind(r)} '{r.name}' does not copy tags to snapshots."


def modern_ca(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    ca = r.get("caCertIdentifier")
    if is_unknown(ca) or ca is None:
        return  # AWS default (rds-ca-rsa2048-g1) is current
    if str(ca) not in c["allowedCertificates"]:
        yield f"'{r.name}' uses CA certificate {ca}, which is not a current RDS CA."


_TLS_PARAMETERS = {
    "mysql": ("require_secure_transport", {"1", "on", "true"}),
    "mariadb": ("require_secure_transport", {"1", "on", "true"}),
    "aurora-mysql": ("require_secure_transport", {"1", "on", "true"}),
    "postgres": ("rds.force_ssl", {"1", "on", "true"}),
    "aurora-postgresql": ("rds.force_ssl", {"1", "on", "true"}),
}


def _family_engine(family: str) -> str | None:
    for engine in sorted(_TLS_PARAMETERS, key=len, reverse=True):
        if family.startswith(engine):
            return engine
    return None


def parameter_group_tls(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = _family_engine(str(family))
    if engine is None:
        return
    name, accepted = _TLS_PARAMETERS[engine]
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return
    for p in params:
        if not isinstance(p, Mapping):
            continue
        if str(p.get("name", "")).lower() == name:
            value = p.get("value")
            if is_unknown(value) or str(value).lower() in accepted:
                return
            yield f"Parameter group '{r.name}' sets {name}={value}: plaintext clients connect."
            return
    yield f"Parameter group '{r.name}' ({family}) does not set {name}=1: TLS is not enforced."


def _parameter_values(r: Resource) -> dict[str, Any] | None:
    """A parameter group's parameters as lower-cased name -> value; None while unknown."""
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return None
    return {
        str(p.get("name", "")).lower(): p.get("value") for p in params if isinstance(p, Mapping)
    }


# What dbtier's parameter groups always set for logging (components/relational and
# components/aurora; a stack config cannot change them): MySQL writes its slow query log to the
# file CloudWatch reads, Aurora MySQL audits connections and every DCL and DDL statement.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
_ON = {"1", "on", "true"}
_AUDIT_EVENTS = {"CONNECT", "QUERY_DCL", "QUERY_DDL"}


def parameter_group_logging(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = _family_engine(str(family))
    params = _parameter_values(r)
    if params is None:
        return
    problems: list[str] = []

    def unset(name: str, accepted: set[str], wanted: str) -> None:
        value = params.get(name)
        if value is None or (not is_unknown(value) and str(value).lower() not in accepted):
            problems.append(f"{name}={'unset' if value is None else value} (dbtier sets {wanted})")

    if r.type == PARAMETER_GROUP and engine in ("mysql", "mariadb"):
        unset("slow_query_log", _ON, "1")
        unset("log_output", {"file"}, "FILE")
    elif r.type == CLUSTER_PARAMETER_GROUP and engine == "aurora-mysql":
        unset("server_audit_logging", _ON, "1")
        events = params.get("server_audit_events")
        if not is_unknown(events):
            have = {e.strip().upper() for e in str(events or "").split(",")}
            if missing := sorted(_AUDIT_EVENTS - have):
                problems.append(f"server_audit_events lacks {', '.join(missing)}")
    for problem in problems:
        yield f"Parameter group '{r.name}' ({family}) has {problem}: its logs go unwritten."


_RDS_TYPES = (INSTANCE, CLUSTER)

RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="rds-instance-storage-encrypted",
            description="RDS instances encrypt their storage at rest.",
            severity=Severity.CRITICAL,
            category="encryption",
            remediation="set storageEncrypted=true (dbtier:relational; the component does this "
            "unless the stack overrides it).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_16",),
            trivy=("AVD-AWS-0080",),
        ),
        storage_encrypted,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-storage-encrypted",
            description="Aurora clusters encrypt their storage at rest.",
            severity=Severity.CRITICAL,
            category="encryption",
            remediation="set storageEncrypted=true on the Aurora cluster (dbtier:aurora).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_96",),
            trivy=("AVD-AWS-0079",),
        ),
        storage_encrypted,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-customer-managed-key",
            description="RDS instances encrypt with the stack's customer-managed KMS key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn, default: "
            "the key the stack creates).",
            resource_types=(INSTANCE,),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-customer-managed-key",
            description="Aurora clusters encrypt with the stack's customer-managed KMS key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_327",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="rds-not-publicly-accessible",
            description="RDS instances, Aurora clusters and their instances have no public "
            "endpoint.",
            severity=Severity.CRITICAL,
            category="network",
            remediation="set publiclyAccessible=false; reach the database through "
            "dbtier:network.allowedCidrs / allowedSecurityGroupIds instead.",
            resource_types=(INSTANCE, CLUSTER, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_17",),
            trivy=("AVD-AWS-0082",),
        ),
        not_public,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-deletion-protection",
            description="RDS primary instances have deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set dbtier:relational.deletionProtection to true.",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_293",),
            trivy=("AVD-AWS-0177",),
        ),
        deletion_protection,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-deletion-protection",
            description="Aurora clusters have deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set dbtier:aurora.deletionProtection to true.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_139",),
        ),
        deletion_protection,
    ),
    Rule(
        RuleMeta(
            name="rds-final-snapshot",
            description="Deleting an RDS instance or Aurora cluster keeps a final snapshot "
            "(skipFinalSnapshot false, finalSnapshotIdentifier set).",
            severity=Severity.HIGH,
            category="protection",
            remediation="set skipFinalSnapshot=false with a unique finalSnapshotIdentifier "
            "(the components do; do not override them).",
            resource_types=_RDS_TYPES,
        ),
        final_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-backup-retention",
            description="RDS instances and Aurora clusters keep automated backups long enough.",
            severity=Severity.HIGH,
            category="backup",
            remediation="raise dbtier:relational.backupRetentionDays / "
            "dbtier:aurora.backupRetentionDays to at least the policy's minimumDays.",
            resource_types=_RDS_TYPES,
            checkov=("CKV_AWS_133",),
            trivy=("AVD-AWS-0077",),
            config={"minimumDays": integer(7, 1, "Minimum automated backup retention, days.")},
        ),
        backup_retention,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-multi-az",
            description="RDS primary instances run Multi-AZ.",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="set dbtier:relational.multiAz to true.",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_157",),
        ),
        multi_az,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-iam-auth",
            description="RDS instances accept IAM database authentication.",
            severity=Severity.MEDIUM,
            category="iam",
            remediation="set iamDatabaseAuthenticationEnabled=true (RelationalTier does).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_161",),
            trivy=("AVD-AWS-0176",),
        ),
        iam_auth,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-iam-auth",
            description="Aurora clusters accept IAM database authentication.",
            severity=Severity.MEDIUM,
            category="iam",
            remediation="set iamDatabaseAuthenticationEnabled=true (ServerlessAurora does).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_162",),
            trivy=("AVD-AWS-0176",),
        ),
        iam_auth,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-log-exports",
            description="RDS instances export their logs to CloudWatch.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set enabledCloudwatchLogsExports (e.g. error, slowquery for MySQL).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_129",),
            config={
                "requiredLogs": {
                    "type": "object",
                    "default": {},
                    "description": "Per engine, log types that must be exported.",
                }
            },
        ),
        log_exports,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-log-exports",
            description="Aurora clusters export their logs to CloudWatch.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set enabledCloudwatchLogsExports on the cluster (audit, error, "
            "slowquery for aurora-mysql; postgresql for aurora-postgresql).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_324",),
            config={
                "requiredLogs": {
                    "type": "object",
                    "default": {},
                    "description": "Per engine, log types that must be exported.",
                }
            },
        ),
        log_exports,
    ),
    Rule(
        RuleMeta(
            name="rds-performance-insights",
            description="RDS instances and Aurora instances have Performance Insights on.",
            severity=Severity.LOW,
            category="logging",
            remediation="set performanceInsightsEnabled=true (RelationalTier and "
            "ServerlessAurora do).",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_353",),
            trivy=("AVD-AWS-0133",),
        ),
        performance_insights,
    ),
    Rule(
        RuleMeta(
            name="rds-performance-insights-cmk",
            description="Performance Insights data is encrypted with the customer-managed key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set performanceInsightsKmsKeyId to the stack key "
            "(dbtier:encryption.kmsKeyArn).",
            resource_types=(INSTANCE, CLUSTER_INSTANCE, CLUSTER),
            checkov=("CKV_AWS_354",),
            trivy=("AVD-AWS-0078",),
        ),
        performance_insights_cmk,
    ),
    Rule(
        RuleMeta(
            name="rds-enhanced-monitoring",
            description="RDS instances have enhanced monitoring on.",
            severity=Severity.LOW,
            category="logging",
            remediation="set monitoringInterval (e.g. 60) with the component's monitoring role"
            " (dbtier:relational.monitoringInterval, dbtier:aurora.monitoringInterval).",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_118",),
        ),
        enhanced_monitoring,
    ),
    Rule(
        RuleMeta(
            name="rds-database-insights",
            description="RDS instances (not read replicas, whose API takes no mode) and Aurora"
            " clusters have Database Insights in advanced mode.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set databaseInsightsMode advanced (dbtier:relational and dbtier:aurora;"
            " the 465-day Performance Insights retention it needs is then the default).",
            resource_types=(INSTANCE, CLUSTER),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html",
            config={
                "requiredMode": {
                    "type": "string",
                    "enum": ["standard", "advanced"],
                    "default": "advanced",
                    "description": "The Database Insights mode every database must have.",
                }
            },
        ),
        database_insights,
    ),
    Rule(
        RuleMeta(
            name="rds-auto-minor-version-upgrade",
            description="RDS instances take minor engine upgrades automatically.",
            severity=Severity.LOW,
            category="versions",
            remediation="leave autoMinorVersionUpgrade unset or true.",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_226",),
        ),
        auto_minor_upgrade,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-copy-tags-to-snapshot",
            description="RDS instances copy their tags to snapshots.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="set copyTagsToSnapshot=true (RelationalTier does).",
            resource_types=(INSTANCE,),
            checkov=("CKV2_AWS_60",),
        ),
        copy_tags_to_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-copy-tags-to-snapshot",
            description="Aurora clusters copy their tags to snapshots.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="set copyTagsToSnapshot=true on the Aurora cluster.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_313",),
        ),
        copy_tags_to_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-modern-ca-certificate",
            description="RDS instances use a current CA certificate for TLS.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set caCertIdentifier to one of the policy's allowedCertificates or "
            "leave it unset.",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_211",),
            config={
                "allowedCertificates": string_list(
                    ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"],
                    "CA identifiers accepted.",
                )
            },
        ),
        modern_ca,
    ),
    Rule(
        RuleMeta(
            name="rds-parameter-group-requires-tls",
            description="RDS and Aurora parameter groups force TLS (require_secure_transport / "
            "rds.force_ssl).",
            severity=Severity.HIGH,
            category="encryption",
            remediation="keep require_secure_transport=1 (MySQL) or rds.force_ssl=1 (PostgreSQL) "
            "in the component's parameter group.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
        ),
        parameter_group_tls,
    ),
    Rule(
        RuleMeta(
            name="rds-parameter-group-logging",
            description="RDS MySQL/MariaDB parameter groups write the slow query log to a file, "
            "Aurora MySQL cluster parameter groups audit connections, DCL and DDL.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep the logging parameters RelationalTier and ServerlessAurora set "
            "(slow_query_log=1, log_output=FILE; server_audit_logging=1 with server_audit_events "
            "CONNECT,QUERY_DCL,QUERY_DDL); dbtier:<part>.parameters cannot change them.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html",
            fixes=("dbtier:relational.parameters", "dbtier:aurora.parameters"),
        ),
        parameter_group_logging,
    ),
]
