"""Deployability, catalog part: every version, class, node type, runtime and region is one AWS
offers for that engine, version and region, and the combinations AWS refuses are absent.

Each check asks ``awsdata`` (the same functions config validation calls, so the two agree) and
names the ``dbtier:`` key that fixes the violation. A value unknown at preview, or absent (AWS's
default), is compliant; a check that needs the region skips resources whose provider names none.

This module holds the rule table and the checks of the region, ElastiCache, Redshift, DMS and
Lambda; the RDS and Aurora checks, the larger part, are in ``deploy_catalog_rds``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata import aurora, dms, elasticache, lambda_runtimes, rds_insights, redshift, regions

from ._common import Resource, Rule, RuleMeta, as_number, is_unknown
from .deploy_catalog_rds import (
    CLUSTER,
    CLUSTER_INSTANCE,
    INSTANCE,
    REPLICATION_GROUP,
    aurora_auto_pause,
    aurora_backtrack,
    aurora_cluster_monitoring,
    database_insights,
    parameter_group_family,
    performance_insights_class,
    rds_engine_version,
    rds_instance_class,
)
from .deploy_relations import known_str

PROVIDER = "pulumi:providers:aws"
REDSHIFT = "aws:redshift/cluster:Cluster"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
FUNCTION = "aws:lambda/function:Function"


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def region_known(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html"""
    region = known_str(r.get("region"))
    if region and (problem := regions.region_problem(region)):
        yield f"provider '{r.name}': {problem}; set aws:region."


def elasticache_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html"""
    engine = known_str(r.get("engine")) or "redis"
    version = known_str(r.get("engineVersion"))
    if version and (problem := elasticache.elasticache_version_problem(engine, version)):
        yield f"'{r.name}': {problem}; set dbtier:redis.engineVersion."


def elasticache_node_type(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"""
    node_type = known_str(r.get("nodeType"))
    if (
        node_type
        and r.region
        and (problem := elasticache.elasticache_node_type_problem(node_type, r.region))
    ):
        yield f"'{r.name}': {problem}; set dbtier:redis.nodeType."


def redshift_node_type(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"""
    node_type = known_str(r.get("nodeType"))
    if (
        node_type
        and r.region
        and (problem := redshift.redshift_node_type_problem(node_type, r.region))
    ):
        yield f"'{r.name}': {problem}; set dbtier:warehouse.nodeType."


def redshift_node_count(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"""
    node_type = known_str(r.get("nodeType"))
    nodes = as_number(r.get("numberOfNodes"))
    if node_type is None or is_unknown(r.get("numberOfNodes")):
        return
    count = int(nodes) if nodes is not None else 1
    if problem := redshift.redshift_node_count_problem(node_type, count):
        yield f"'{r.name}': {problem}; set dbtier:warehouse.nodes (or dbtier:warehouse.nodeType)."


def dms_instance_class(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html"""
    instance_class = known_str(r.get("replicationInstanceClass"))
    if instance_class and (problem := dms.dms_class_problem(instance_class)):
        yield f"'{r.name}': {problem}; set dbtier:migration.instanceClass."


def dms_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html"""
    version = known_str(r.get("engineVersion"))
    if version and (problem := dms.dms_version_problem(version)):
        yield f"'{r.name}': {problem}; leave the engine version to DMS's default."


def lambda_runtime(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (deprecation, create
    and update blocks; dates from cfn-lint's LmbdRuntimeLifecycle.json)."""
    runtime = known_str(r.get("runtime"))
    if runtime and (problem := lambda_runtimes.lambda_runtime_problem(runtime)):
        yield f"'{r.name}': {problem}."


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


def _meta(
    name: str,
    description: str,
    *,
    types: tuple[str, ...],
    docs: str,
    fixes: tuple[str, ...],
    remediation: str,
    severity: Severity = Severity.HIGH,
) -> RuleMeta:
    return RuleMeta(
        name=name,
        description=description,
        severity=severity,
        category="deployability",
        remediation=remediation,
        resource_types=types,
        docs=docs,
        fixes=fixes,
    )


RULES: list[Rule] = [
    Rule(
        _meta(
            "deploy-region",
            "The stack's region is an AWS region.",
            types=(PROVIDER,),
            docs="https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
            fixes=("aws:region",),
            remediation="set aws:region to an AWS region (pulumi config set aws:region us-east-1).",
        ),
        region_known,
    ),
    Rule(
        _meta(
            "deploy-rds-engine-version",
            "RDS and Aurora engine versions are offered and not deprecated.",
            types=(INSTANCE, CLUSTER),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
            fixes=("dbtier:relational.engineVersion", "dbtier:aurora.engineVersion"),
            remediation="pick an offered version (the message lists them).",
        ),
        rds_engine_version,
    ),
    Rule(
        _meta(
            "deploy-rds-instance-class",
            "RDS instance classes are orderable for the engine, version and region.",
            types=(INSTANCE,),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html",
            fixes=("dbtier:relational.instanceClass",),
            remediation="pick a class the message lists as offered.",
        ),
        rds_instance_class,
    ),
    Rule(
        _meta(
            "deploy-aurora-instance-class",
            "Aurora cluster instances use a class orderable for the engine, version and region.",
            types=(CLUSTER_INSTANCE,),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html",
            fixes=("dbtier:aurora.engineVersion", "aws:region"),
            remediation="db.serverless needs an Aurora version and region that offer it.",
        ),
        rds_instance_class,
    ),
    Rule(
        _meta(
            "deploy-performance-insights-class",
            "Performance Insights is enabled only on classes that support it.",
            types=(INSTANCE, CLUSTER_INSTANCE),
            docs=rds_insights.PI_DOCS,
            fixes=("dbtier:relational.performanceInsights", "dbtier:relational.instanceClass"),
            remediation="turn Performance Insights off or use db.t4g.medium or larger.",
        ),
        performance_insights_class,
    ),
    Rule(
        _meta(
            "deploy-aurora-auto-pause-version",
            "Aurora Serverless v2 pauses at 0 ACU only on versions with auto-pause.",
            types=(CLUSTER,),
            docs=aurora.AUTO_PAUSE_DOCS,
            fixes=("dbtier:aurora.minCapacity", "dbtier:aurora.engineVersion"),
            remediation="raise minCapacity to 0.5 or upgrade the engine version.",
        ),
        aurora_auto_pause,
    ),
    Rule(
        _meta(
            "deploy-aurora-backtrack-engine",
            "Backtrack is set only on Aurora MySQL clusters.",
            types=(CLUSTER,),
            docs=aurora.BACKTRACK_DOCS,
            fixes=("dbtier:aurora.backtrackHours",),
            remediation="set backtrackHours to 0 for Aurora PostgreSQL.",
        ),
        aurora_backtrack,
    ),
    Rule(
        _meta(
            "deploy-aurora-cluster-monitoring",
            "Aurora clusters leave Enhanced Monitoring to their instances (monitoringInterval and"
            " monitoringRoleArn are for Multi-AZ DB clusters only).",
            types=(CLUSTER,),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html",
            fixes=(),
            remediation="set monitoringInterval and monitoringRoleArn on the cluster instances,"
            " not on the Aurora cluster.",
        ),
        aurora_cluster_monitoring,
    ),
    Rule(
        _meta(
            "deploy-elasticache-engine-version",
            "ElastiCache engine versions are offered.",
            types=(REPLICATION_GROUP,),
            docs="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
            fixes=("dbtier:redis.engineVersion",),
            remediation="pick an offered version (the message lists them).",
        ),
        elasticache_engine_version,
    ),
    Rule(
        _meta(
            "deploy-elasticache-node-type",
            "ElastiCache node types are offered in the region.",
            types=(REPLICATION_GROUP,),
            docs="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html",
            fixes=("dbtier:redis.nodeType",),
            remediation="pick a node type the message lists as offered.",
        ),
        elasticache_node_type,
    ),
    Rule(
        _meta(
            "deploy-redshift-node-type",
            "Redshift node types are offered in the region.",
            types=(REDSHIFT,),
            docs=redshift.REDSHIFT_DOCS,
            fixes=("dbtier:warehouse.nodeType",),
            remediation="pick a node type the message lists as offered.",
        ),
        redshift_node_type,
    ),
    Rule(
        _meta(
            "deploy-redshift-node-count",
            "Redshift clusters have a node count their node type allows.",
            types=(REDSHIFT,),
            docs=redshift.REDSHIFT_DOCS,
            fixes=("dbtier:warehouse.nodes", "dbtier:warehouse.nodeType"),
            remediation="change the node count or the node type.",
        ),
        redshift_node_count,
    ),
    Rule(
        _meta(
            "deploy-dms-instance-class",
            "DMS replication instances use a class DMS offers.",
            types=(DMS_INSTANCE,),
            docs=dms.DMS_CLASS_DOCS,
            fixes=("dbtier:migration.instanceClass",),
            remediation="pick a class the message lists as offered.",
        ),
        dms_instance_class,
    ),
    Rule(
        _meta(
            "deploy-dms-engine-version",
            "DMS replication engine versions still create new instances.",
            types=(DMS_INSTANCE,),
            docs=dms.DMS_VERSION_DOCS,
            fixes=(),
            remediation="use an offered engine version or DMS's default.",
        ),
        dms_engine_version,
    ),
    Rule(
        _meta(
            "deploy-database-insights",
            "Database Insights and Performance Insights retention are values RDS accepts:"
            " advanced mode only with Performance Insights on, 465+ days of retention (exactly 465"
            " on a cluster) and a class that has it; no mode on read replicas or Aurora instances.",
            types=(INSTANCE, CLUSTER, CLUSTER_INSTANCE),
            docs=rds_insights.INSIGHTS_DOCS,
            fixes=(
                "dbtier:relational.databaseInsightsMode",
                "dbtier:relational.performanceInsightsRetentionDays",
                "dbtier:aurora.databaseInsightsMode",
                "dbtier:aurora.performanceInsightsRetentionDays",
            ),
            remediation="advanced mode: Performance Insights on with performanceInsightsRetentionDays"
            " 465 or more (7, 31*n or 731; Aurora: 465); or standard mode.",
        ),
        database_insights,
    ),
    Rule(
        _meta(
            "deploy-lambda-runtime",
            "Lambda functions use a runtime that is not deprecated or blocked.",
            types=(FUNCTION,),
            docs=lambda_runtimes.LAMBDA_DOCS,
            fixes=(),
            remediation="move the function to the runtime's successor.",
            severity=Severity.MEDIUM,
        ),
        lambda_runtime,
    ),
    Rule(
        _meta(
            "deploy-parameter-group-family",
            "Parameter groups have the family of the engine version that uses them.",
            types=(),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html",
            fixes=(
                "dbtier:relational.engineVersion",
                "dbtier:aurora.engineVersion",
                "dbtier:redis.engineVersion",
            ),
            remediation="the component derives the family from the version; change the version.",
        ),
        stack_check=parameter_group_family,
    ),
]
