"""RDS and Aurora rules on watching the database: log exports to CloudWatch, Performance
Insights (encrypted with the stack key), enhanced monitoring and Database Insights.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata import rds_insights

from ._common import Resource, Rule, RuleMeta, as_number, is_off, is_unknown
from .rds import CLUSTER, CLUSTER_INSTANCE, INSTANCE, config_key, kind_of, skips_replicas


@skips_replicas
def log_exports(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("enabledCloudwatchLogsExports", default=[])
    if is_unknown(value):
        return
    exported = {str(v) for v in value if not is_unknown(v)}
    if not exported:
        yield f"{kind_of(r)} '{r.name}' exports no logs to CloudWatch."
        return
    engine = r.get("engine", default="")
    required = [] if is_unknown(engine) else list(c.get("requiredLogs", {}).get(str(engine), []))
    missing = [log for log in required if log not in exported]
    if missing:
        yield f"{kind_of(r)} '{r.name}' does not export {', '.join(missing)} logs."


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
            f"{kind_of(r)} '{r.name}' has Database Insights {mode or 'standard'}, not advanced;"
            f" set {config_key(r, 'databaseInsightsMode')} advanced."
        )


def enhanced_monitoring(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    interval = r.get("monitoringInterval")
    if is_unknown(interval):
        return
    if not as_number(interval):
        yield f"'{r.name}' has enhanced monitoring off (monitoringInterval 0)."


# The log exports' config, the same for instances and clusters.
_REQUIRED_LOGS = {
    "requiredLogs": {
        "type": "object",
        "default": {},
        "description": "Per engine, log types that must be exported.",
    }
}

RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="rds-instance-log-exports",
            description="RDS instances export their logs to CloudWatch.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set enabledCloudwatchLogsExports (e.g. error, slowquery for MySQL).",
            resource_types=(INSTANCE,),
            checkov=("CKV_AWS_129",),
            config=_REQUIRED_LOGS,
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
            config=_REQUIRED_LOGS,
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
]
