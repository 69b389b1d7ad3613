"""Deployability, catalog part, RDS and Aurora: engine versions and instance classes RDS offers,
Performance and Database Insights where RDS takes them, what only some Aurora engines and
versions have (auto-pause, backtrack), monitoring where the cluster type takes it, and parameter
groups of the family their engine version needs (ElastiCache's too).

The checks of the ``deploy_catalog`` rules that ask ``awsdata`` about RDS and Aurora; the rule
table is in ``deploy_catalog``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import aurora, families, rds, rds_insights

from ._common import Resource, as_number, is_unknown, prop
from .deploy_relations import known_str
from .elasticache import REPLICATION_GROUP
from .rds import (
    CLUSTER,
    CLUSTER_INSTANCE,
    CLUSTER_PARAMETER_GROUP,
    INSTANCE,
    PARAMETER_GROUP,
    is_replica,
    skips_replicas,
)

CACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"

# The dbtier key that sets each resource's engine version.
VERSION_KEY = {
    INSTANCE: "dbtier:relational.engineVersion",
    CLUSTER: "dbtier:aurora.engineVersion",
    CLUSTER_INSTANCE: "dbtier:aurora.engineVersion",
    REPLICATION_GROUP: "dbtier:redis.engineVersion",
}


def _engine_version(r: Resource) -> tuple[str | None, str | None]:
    return known_str(r.get("engine")), known_str(r.get("engineVersion"))


@skips_replicas  # a replica runs its source's version
def rds_engine_version(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
    (EngineVersion; deprecated versions cannot be created: cfn-lint W3691)."""
    engine, version = _engine_version(r)
    if engine and version:
        problem = rds.rds_version_problem(engine, version, cluster=r.type == CLUSTER)
        if problem:
            yield f"'{r.name}': {problem}; set {VERSION_KEY[r.type]}."


def rds_instance_class(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html"""
    engine, version = _engine_version(r)
    instance_class = known_str(r.get("instanceClass"))
    if not (engine and instance_class and r.region):
        return
    problem = rds.rds_class_problem(engine, instance_class, r.region, version)
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
    engine, instance_class = known_str(r.get("engine")), known_str(r.get("instanceClass"))
    if engine and instance_class:
        problem = rds_insights.performance_insights_problem(engine, instance_class)
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
    if retention is not None and (problem := rds_insights.retention_problem(int(retention))):
        yield f"'{r.name}': {problem}; set {key}.performanceInsightsRetentionDays."
        return
    mode = known_str(r.get("databaseInsightsMode"))
    # CreateDBInstanceReadReplica DatabaseInsightsMode: "This setting isn't supported";
    # CreateDBInstance: "Aurora DB instances inherit this value from the DB cluster".
    if mode and (r.type == CLUSTER_INSTANCE or (r.type == INSTANCE and is_replica(r))):
        yield (
            f"'{r.name}': a read replica or an Aurora cluster instance takes no Database Insights"
            " mode (the replica API does not support it; Aurora instances inherit the"
            " cluster's); leave databaseInsightsMode unset."
        )
        return
    if mode != "advanced" or is_unknown(enabled):
        return
    cluster = r.type == CLUSTER
    if problem := rds_insights.insights_problem(mode, bool(enabled), int(retention or 7), cluster):
        days = "to 465" if cluster else "to 465 or more"
        yield (
            f"'{r.name}': {problem}; set {key}.performanceInsightsRetentionDays {days}"
            f" with Performance Insights on, or {key}.databaseInsightsMode standard."
        )
    engine, instance_class = known_str(r.get("engine")), known_str(r.get("instanceClass"))
    problem = (
        rds_insights.performance_insights_problem(engine, instance_class)
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
    engine = known_str(r.get("engine"))
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
        problem = aurora.auto_pause_problem(engine, version)
        if problem:
            yield (
                f"'{r.name}': {problem}; set dbtier:aurora.minCapacity to 0.5 or later"
                " dbtier:aurora.engineVersion."
            )


def aurora_backtrack(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html"""
    window = as_number(r.get("backtrackWindow"))
    engine = known_str(r.get("engine"))
    if window and engine and (problem := aurora.backtrack_problem(engine)):
        yield f"'{r.name}': {problem}; set dbtier:aurora.backtrackHours to 0."


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
            name = known_str(prop(r.props, "name"))
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
    name = known_str(prop(consumer.props, key))
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
        engine = known_str(prop(r.props, "engine"))
        version = known_str(prop(r.props, "engineVersion"))
        if r.resource_type == REPLICATION_GROUP:
            engine = engine or "redis"
        if not (engine and version):
            continue
        group = _group_of(r, key, group_type, by_name)
        family = known_str(prop(group.props, "family")) if group is not None else None
        if group is None or family is None:
            continue
        if problem := families.family_problem(engine, version, family):
            yield (
                r.urn,
                f"'{r.name}' uses parameter group '{group.name}': {problem}; set"
                f" {VERSION_KEY[r.resource_type]} to a version of that family.",
            )
