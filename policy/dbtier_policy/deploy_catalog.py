"""Deployability, catalog part: every version, class, node type, runtime and region is one AWS
offers for that engine, version and region, and the combinations AWS refuses are absent.

Each check asks ``catalog`` (the same functions config validation calls, so the two agree) and
names the ``dbtier:`` key that fixes the violation. A value unknown at preview, or absent (AWS's
default), is compliant; a check that needs the region skips resources whose provider names none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata import catalog

from ._common import (
    Resource,
    Rule,
    RuleMeta,
    as_number,
    is_unknown,
    prop,
)

PROVIDER = "pulumi:providers:aws"
INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"
REDSHIFT = "aws:redshift/cluster:Cluster"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
FUNCTION = "aws:lambda/function:Function"

# The dbtier key that sets each resource's engine version.
VERSION_KEY = {
    INSTANCE: "dbtier:relational.engineVersion",
    CLUSTER: "dbtier:aurora.engineVersion",
    CLUSTER_INSTANCE: "dbtier:aurora.engineVersion",
    REPLICATION_GROUP: "dbtier:redis.engineVersion",
}


def _text(value: Any) -> str | None:
    """A known, non-empty string input; None otherwise (absent, unknown, not a string)."""
    if is_unknown(value) or not isinstance(value, str) or not value:
        return None
    return value


def _engine_version(r: Resource) -> tuple[str | None, str | None]:
    return _text(r.get("engine")), _text(r.get("engineVersion"))


def _is_replica(r: Resource) -> bool:
    return r.get("replicateSourceDb") is not None


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def region_known(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html"""
    region = _text(r.get("region"))
    if region and (problem := catalog.region_problem(region)):
        yield f"provider '{r.name}': {problem}; set aws:region."


def rds_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
    (EngineVersion; deprecated versions cannot be created: cfn-lint W3691)."""
    if r.type == INSTANCE and _is_replica(r):
        return  # a replica runs its source's version
    engine, version = _engine_version(r)
    if engine and version:
        problem = catalog.rds_version_problem(engine, version, cluster=r.type == CLUSTER)
        if problem:
            yield f"'{r.name}': {problem}; set {VERSION_KEY[r.type]}."


def rds_instance_class(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html"""
    engine, version = _engine_version(r)
    instance_class = _text(r.get("instanceClass"))
    if not (engine and instance_class and r.region):
        return
    problem = catalog.rds_class_problem(engine, instance_class, r.region, version)
    if problem:
        key = (
            "dbtier:relational.instanceClass"
            if r.type == INSTANCE
            else "dbtier:aurora.engineVersion (or aws:region)"
        )
        yield f"'{r.name}': {problem}; set {key}."


def performance_insights_class(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html
    (CreateDBInstance: InvalidParameterCombination)."""
    enabled = r.get("performanceInsightsEnabled")
    if is_unknown(enabled) or not enabled:
        return
    engine, instance_class = _text(r.get("engine")), _text(r.get("instanceClass"))
    if engine and instance_class:
        problem = catalog.performance_insights_problem(engine, instance_class)
        if problem:
            key = (
                "dbtier:relational.performanceInsights to false (or a larger"
                " dbtier:relational.instanceClass)"
                if r.type == INSTANCE
                else "dbtier:aurora.engine"
            )
            yield f"'{r.name}': {problem}; set {key}."


def database_insights(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """What RDS refuses of Database Insights and Performance Insights retention: a retention not
    in 7, 31*n (n 1-23), 731; advanced mode without Performance Insights or with less than 465
    days (on a DB cluster, other than exactly 465); advanced mode on a class without Performance
    Insights; a mode on a read replica or an Aurora cluster instance, whose APIs do not take one.
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html"""
    key = "dbtier:aurora" if r.type in (CLUSTER, CLUSTER_INSTANCE) else "dbtier:relational"
    retention = as_number(r.get("performanceInsightsRetentionPeriod"))
    enabled = r.get("performanceInsightsEnabled")
    if retention is not None and (problem := catalog.retention_problem(int(retention))):
        yield f"'{r.name}': {problem}; set {key}.performanceInsightsRetentionDays."
        return
    mode = _text(r.get("databaseInsightsMode"))
    # CreateDBInstanceReadReplica DatabaseInsightsMode: "This setting isn't supported";
    # CreateDBInstance: "Aurora DB instances inherit this value from the DB cluster".
    if mode and (r.type == CLUSTER_INSTANCE or (r.type == INSTANCE and _is_replica(r))):
        yield (
            f"'{r.name}': a read replica or an Aurora cluster instance takes no Database Insights"
            " mode (the replica API does not support it; Aurora instances inherit the"
            " cluster's); leave databaseInsightsMode unset."
        )
        return
    if mode != "advanced" or is_unknown(enabled):
        return
    cluster = r.type == CLUSTER
    if problem := catalog.insights_problem(mode, bool(enabled), int(retention or 7), cluster):
        days = "to 465" if cluster else "to 465 or more"
        yield (
            f"'{r.name}': {problem}; set {key}.performanceInsightsRetentionDays {days}"
            f" with Performance Insights on, or {key}.databaseInsightsMode standard."
        )
    engine, instance_class = _text(r.get("engine")), _text(r.get("instanceClass"))
    problem = (
        catalog.performance_insights_problem(engine, instance_class)
        if engine and instance_class
        else None
    )
    if problem:
        yield (
            f"'{r.name}': advanced Database Insights: {problem};"
            f" set {key}.databaseInsightsMode standard."
        )


def aurora_cluster_monitoring(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """ModifyDBCluster MonitoringInterval and MonitoringRoleArn: "Valid for Cluster Type: Multi-AZ
    DB clusters only" (botocore's rds model); an Aurora cluster has Enhanced Monitoring on each
    of its instances.
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html"""
    engine = _text(r.get("engine"))
    if not engine or not engine.startswith("aurora"):
        return
    for prop_name in ("monitoringInterval", "monitoringRoleArn"):
        value = r.get(prop_name)
        if value is not None and not is_unknown(value):
            yield (
                f"'{r.name}': {prop_name} is for Multi-AZ DB clusters only; an Aurora cluster"
                " takes Enhanced Monitoring on its instances (dbtier:aurora.monitoringInterval"
                " sets it there)."
            )


def aurora_auto_pause(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html"""
    minimum = as_number(r.get("serverlessv2ScalingConfiguration", "minCapacity"))
    engine, version = _engine_version(r)
    if minimum == 0 and engine and version:
        problem = catalog.auto_pause_problem(engine, version)
        if problem:
            yield (
                f"'{r.name}': {problem}; set dbtier:aurora.minCapacity to 0.5 or later"
                " dbtier:aurora.engineVersion."
            )


def aurora_backtrack(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html"""
    window = as_number(r.get("backtrackWindow"))
    engine = _text(r.get("engine"))
    if window and engine and (problem := catalog.backtrack_problem(engine)):
        yield f"'{r.name}': {problem}; set dbtier:aurora.backtrackHours to 0."


def elasticache_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html"""
    engine = _text(r.get("engine")) or "redis"
    version = _text(r.get("engineVersion"))
    if version and (problem := catalog.elasticache_version_problem(engine, version)):
        yield f"'{r.name}': {problem}; set dbtier:redis.engineVersion."


def elasticache_node_type(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"""
    node_type = _text(r.get("nodeType"))
    if (
        node_type
        and r.region
        and (problem := catalog.elasticache_node_type_problem(node_type, r.region))
    ):
        yield f"'{r.name}': {problem}; set dbtier:redis.nodeType."


def redshift_node_type(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"""
    node_type = _text(r.get("nodeType"))
    if (
        node_type
        and r.region
        and (problem := catalog.redshift_node_type_problem(node_type, r.region))
    ):
        yield f"'{r.name}': {problem}; set dbtier:warehouse.nodeType."


def redshift_node_count(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"""
    node_type = _text(r.get("nodeType"))
    nodes = as_number(r.get("numberOfNodes"))
    if node_type is None or is_unknown(r.get("numberOfNodes")):
        return
    count = int(nodes) if nodes is not None else 1
    if problem := catalog.redshift_node_count_problem(node_type, count):
        yield f"'{r.name}': {problem}; set dbtier:warehouse.nodes (or dbtier:warehouse.nodeType)."


def dms_instance_class(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html"""
    instance_class = _text(r.get("replicationInstanceClass"))
    if instance_class and (problem := catalog.dms_class_problem(instance_class)):
        yield f"'{r.name}': {problem}; set dbtier:migration.instanceClass."


def dms_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html"""
    version = _text(r.get("engineVersion"))
    if version and (problem := catalog.dms_version_problem(version)):
        yield f"'{r.name}': {problem}; leave the engine version to DMS's default."


def lambda_runtime(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (deprecation, create
    and update blocks; dates from cfn-lint's LmbdRuntimeLifecycle.json)."""
    runtime = _text(r.get("runtime"))
    if runtime and (problem := catalog.lambda_runtime_problem(runtime)):
        yield f"'{r.name}': {problem}."


# Per consumer type: the input naming its parameter group, the group's type, and the key.
_FAMILY_LINKS: dict[str, tuple[str, str]] = {
    INSTANCE: ("parameterGroupName", PARAMETER_GROUP),
    CLUSTER_INSTANCE: ("dbParameterGroupName", PARAMETER_GROUP),
    CLUSTER: ("dbClusterParameterGroupName", CLUSTER_PARAMETER_GROUP),
    REPLICATION_GROUP: ("parameterGroupName", CACHE_PARAMETER_GROUP),
}


def _groups(
    resources: Sequence[PolicyResource],
) -> dict[tuple[str, str], PolicyResource]:
    """Parameter groups by (type, name input), for consumers that name theirs literally."""
    index: dict[tuple[str, str], PolicyResource] = {}
    for r in resources:
        if r.resource_type in (PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP, CACHE_PARAMETER_GROUP):
            name = _text(prop(r.props, "name"))
            if name:
                index[(r.resource_type, name)] = r
    return index


def _group_of(
    consumer: PolicyResource,
    key: str,
    group_type: str,
    by_name: Mapping[tuple[str, str], PolicyResource],
) -> PolicyResource | None:
    for dep in consumer.property_dependencies.get(key, []):
        if dep.resource_type == group_type:
            return dep
    name = _text(prop(consumer.props, key))
    return by_name.get((group_type, name)) if name else None


def parameter_group_family(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterable[tuple[str, str]]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html
    https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
    (a group's family must be the engine version's: "The parameter group ... family ... does
    not match")."""
    by_name = _groups(resources)
    for r in resources:
        link = _FAMILY_LINKS.get(r.resource_type)
        if link is None:
            continue
        key, group_type = link
        engine = _text(prop(r.props, "engine"))
        version = _text(prop(r.props, "engineVersion"))
        if r.resource_type == REPLICATION_GROUP:
            engine = engine or "redis"
        if not (engine and version):
            continue
        group = _group_of(r, key, group_type, by_name)
        family = _text(prop(group.props, "family")) if group is not None else None
        if group is None or family is None:
            continue
        if problem := catalog.family_problem(engine, version, family):
            yield (
                r.urn,
                f"'{r.name}' uses parameter group '{group.name}': {problem}; set"
                f" {VERSION_KEY[r.resource_type]} to a version of that family.",
            )


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
            docs=catalog.PI_DOCS,
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
            docs=catalog.AUTO_PAUSE_DOCS,
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
            docs=catalog.BACKTRACK_DOCS,
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
            docs=catalog.REDSHIFT_DOCS,
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
            docs=catalog.REDSHIFT_DOCS,
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
            docs=catalog.DMS_CLASS_DOCS,
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
            docs=catalog.DMS_VERSION_DOCS,
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
            docs=catalog.INSIGHTS_DOCS,
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
            docs=catalog.LAMBDA_DOCS,
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
