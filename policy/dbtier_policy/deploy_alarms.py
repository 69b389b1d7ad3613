"""Deployability rules on CloudWatch alarms: ones that can fire, on series AWS publishes, and
that reach someone.

An alarm AWS accepts can still never fire: its namespace, metric and dimension set may name a
series AWS never publishes, a dimension value may be in the wrong form (a replication group id
where ElastiCache publishes member clusters), the metric may not see the failure it describes,
its missing-data setting may be ignored (AWS/DynamoDB), or its topic may have no subscriber.
What AWS publishes (dimension sets, sparse and burstable-only metrics) is in ``awsdata.cloudwatch``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata import instance_classes
from awsdata.cloudwatch import (
    AURORA_ROLES,
    BURSTABLE_ONLY,
    DIMENSION_SETS,
    METRIC_SETS,
    REQUIRED_KEY,
    SPARSE_DYNAMODB,
)

from ._common import Resource, Rule, RuleMeta, boolean, deps_of, prop
from .deploy_relations import (
    DMS_INSTANCE,
    DMS_TASK,
    ESM,
    FUNCTION,
    ON_FAILURE,
    QUEUE,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    REDSHIFT_CLUSTER,
    TABLE,
    TOPIC,
    known_str,
    linked,
    of_type,
    relation_meta,
    string_list,
)

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

# Dimension values that must be the resource's own identifier: the type and the input naming it.
IDENTIFIERS: dict[str, tuple[str, str]] = {
    "DBInstanceIdentifier": (RDS_INSTANCE, "identifier"),
    "DBClusterIdentifier": (RDS_CLUSTER, "clusterIdentifier"),
    "ReplicationInstanceIdentifier": (DMS_INSTANCE, "replicationInstanceId"),
    "TableName": (TABLE, "name"),
    "ClusterIdentifier": (REDSHIFT_CLUSTER, "clusterIdentifier"),
    "QueueName": (QUEUE, "name"),
}


def series(props: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric, dimensions) of every metric an alarm reads, known values only."""
    found = []
    queries = prop(props, "metricQueries")
    if isinstance(queries, list):
        for query in queries:
            metric = query.get("metric") if isinstance(query, Mapping) else None
            if isinstance(metric, Mapping):
                found.append(
                    (metric.get("namespace"), metric.get("metricName"), metric.get("dimensions"))
                )
    else:
        found.append(
            (prop(props, "namespace"), prop(props, "metricName"), prop(props, "dimensions"))
        )
    return [
        (str(ns), str(name), dict(dims) if isinstance(dims, Mapping) else {})
        for ns, name, dims in found
        if known_str(ns) and known_str(name)
    ]


def expressions(props: Mapping[str, Any]) -> list[str]:
    queries = prop(props, "metricQueries", default=[])
    if not isinstance(queries, list):
        return []
    return [
        q["expression"]
        for q in queries
        if isinstance(q, Mapping) and isinstance(q.get("expression"), str)
    ]


def metric_published(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """The alarm's namespace, metric and dimension set form a series AWS publishes.

    An alarm on a series that does not exist stays in INSUFFICIENT_DATA (or OK with
    notBreaching) forever. Dimension sets per namespace from each service's metrics page
    (see ``awsdata.cloudwatch``).
    """
    for namespace, metric, dims in series(r.props):
        keys = frozenset(dims)
        wanted = METRIC_SETS.get((namespace, metric))
        if wanted is not None and keys != wanted:
            yield (
                f"Alarm '{r.name}' reads {namespace} {metric} by {sorted(keys)}, but AWS publishes"
                f" it only by {sorted(wanted)}: the alarm can never fire (dbtier:alarms)."
            )
        elif namespace in DIMENSION_SETS and keys not in DIMENSION_SETS[namespace]:
            sets = [sorted(s) for s in DIMENSION_SETS[namespace] if s]
            yield (
                f"Alarm '{r.name}' reads {namespace} {metric} by {sorted(keys)}, a dimension set"
                f" AWS does not publish (it uses {sets}): the alarm can never fire"
                " (dbtier:alarms)."
            )
        elif namespace in REQUIRED_KEY and not keys & set(REQUIRED_KEY[namespace]):
            yield (
                f"Alarm '{r.name}' reads {namespace} {metric} without"
                f" {' or '.join(REQUIRED_KEY[namespace])}: AWS publishes no such series"
                " (dbtier:alarms)."
            )


def dynamodb_missing_data(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """A sparse AWS/DynamoDB metric is alarmed on through FILL, not treatMissingData.

    "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing data even
    if you choose a different option for TreatMissingData":
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    sparse = [m for ns, m, _ in series(r.props) if ns == "AWS/DynamoDB" and m in SPARSE_DYNAMODB]
    if not sparse:
        return
    if any("FILL(" in e.upper() for e in expressions(r.props)):
        return
    yield (
        f"Alarm '{r.name}' watches {sparse[0]}, which AWS/DynamoDB publishes only when it"
        " happens, and AWS/DynamoDB alarms ignore treatMissingData: after the first breach it"
        " never returns to OK. Use a metric-math FILL(m1, 0) (dbtier:alarms)."
    )


def _alarm_deps(alarm: PolicyResource) -> list[PolicyResource]:
    return [*deps_of(alarm, "dimensions"), *deps_of(alarm, "metricQueries")]


def dimension_values(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Dimension values are the watched resource's identifier in the form AWS publishes.

    ElastiCache publishes per member cluster (`<group>-001`), never per replication group; DMS
    task metrics by the task ARN's resource id, not the task's name (yace PR #492,
    https://github.com/prometheus-community/yet-another-cloudwatch-exporter/pull/492); names,
    not ARNs or URLs, everywhere else. Metric pages as in ``awsdata.cloudwatch``.
    """
    groups = {
        v
        for g in of_type(resources, REPLICATION_GROUP)
        if (v := known_str(prop(g.props, "replicationGroupId")))
    }
    tasks = {
        v
        for t in of_type(resources, DMS_TASK)
        if (v := known_str(prop(t.props, "replicationTaskId")))
    }
    for alarm in of_type(resources, ALARM):
        deps = _alarm_deps(alarm)
        for _, _, dims in series(alarm.props):
            for key, raw in dims.items():
                value = known_str(raw)
                if value is None:
                    continue
                problem = None
                if value.startswith(("arn:", "https://")):
                    problem = "an ARN or URL, where AWS publishes the plain name"
                elif key == "Role" and value not in AURORA_ROLES:
                    problem = "not an Aurora role; AWS/RDS publishes Role WRITER or READER"
                elif key == "CacheClusterId" and value in groups:
                    problem = "the replication group's id; ElastiCache publishes per member cluster"
                elif key == "ReplicationTaskIdentifier" and value in tasks:
                    problem = "the task's name; DMS publishes by the task ARN's resource id"
                elif key in IDENTIFIERS:
                    kind, name = IDENTIFIERS[key]
                    own = {
                        v
                        for d in deps
                        if d.resource_type == kind
                        if (v := known_str(prop(d.props, name)))
                    }
                    if own and value not in own:
                        problem = f"not the identifier of the {kind} it depends on ({sorted(own)})"
                if problem:
                    yield (
                        alarm.urn,
                        f"Alarm '{alarm.name}' has {key}={value}: {problem}, so the alarm watches"
                        " a series that never exists (dbtier:alarms).",
                    )


def sees_failures(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Each alarm's metric can see what it watches, and record failures have an alarm.

    RDS ReplicaLag exists only for replicas, AuroraReplicaLag* only with a reader, ElastiCache
    ReplicationLag only for nodes that are replicas now (a per-node alarm goes blind on the
    primary; use MAX over the members):
    https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html. Lambda
    Errors does not count records a handler reports in batchItemFailures:
    https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
    """
    instances = of_type(resources, RDS_INSTANCE)
    members = of_type(resources, RDS_CLUSTER_INSTANCE)
    alarms = of_type(resources, ALARM)
    for alarm in alarms:
        reads = series(alarm.props)
        for namespace, metric, dims in reads:
            if (namespace, metric) == ("AWS/RDS", "ReplicaLag"):
                targets = [d for d in _alarm_deps(alarm) if d.resource_type == RDS_INSTANCE]
                value = known_str(dims.get("DBInstanceIdentifier"))
                targets += [i for i in instances if value and prop(i.props, "identifier") == value]
                for target in targets:
                    if prop(target.props, "replicateSourceDb") is None:
                        yield (
                            alarm.urn,
                            f"Alarm '{alarm.name}' watches ReplicaLag of '{target.name}', a"
                            " primary: RDS publishes it only for replicas (dbtier:alarms).",
                        )
            elif namespace == "AWS/RDS" and metric.startswith("AuroraReplicaLag"):
                for cluster in (d for d in _alarm_deps(alarm) if d.resource_type == RDS_CLUSTER):
                    count = sum(1 for m in members if linked(m, "clusterIdentifier", [cluster]))
                    if count == 1:
                        yield (
                            alarm.urn,
                            f"Alarm '{alarm.name}' watches {metric} of '{cluster.name}', which has"
                            " no reader: the metric is never published (dbtier:aurora.readers).",
                        )
            elif (namespace, metric) in BURSTABLE_ONLY:
                for target in _alarm_deps(alarm):
                    shape = known_str(
                        prop(target.props, "instanceClass") or prop(target.props, "nodeType")
                    )
                    if shape and not instance_classes.is_burstable(shape):
                        yield (
                            alarm.urn,
                            f"Alarm '{alarm.name}' watches {metric} of '{target.name}', a"
                            f" {shape}: AWS publishes it only for burstable (t) classes, so the"
                            " alarm never gets data (dbtier:alarms).",
                        )
            elif (namespace, metric) == ("AWS/ElastiCache", "ReplicationLag") and len(reads) == 1:
                yield (
                    alarm.urn,
                    f"Alarm '{alarm.name}' watches ReplicationLag of one node: ElastiCache"
                    " publishes it only while the node is a replica, so the alarm is blind while"
                    " it is primary. Alarm on MAX over every member (dbtier:alarms).",
                )
    functions = of_type(resources, FUNCTION)
    queues = of_type(resources, QUEUE)
    for mapping in of_type(resources, ESM):
        types = string_list(prop(mapping.props, "functionResponseTypes")) or []
        if "ReportBatchItemFailures" not in types:
            continue
        watched = {d.urn for a in alarms for d in _alarm_deps(a)}
        function = linked(mapping, "functionName", functions, "name", "arn")
        if not any(f.urn in watched for f in function):
            continue  # no alarms on this processor at all: alarms are off
        destinations = linked(mapping, "destinationConfig", queues, "name", "arn", path=ON_FAILURE)
        if not any(q.urn in watched for q in destinations):
            yield (
                mapping.urn,
                f"'{mapping.name}' reports partial batch failures, which Lambda's Errors metric"
                " does not count, and no alarm watches its failure destination: failed records"
                " go unnoticed (dbtier:alarms).",
            )


def reaches_someone(
    resources: Sequence[PolicyResource], c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Every alarm action topic has a subscription that an alarm's notification passes: a topic
    delivers only to its subscribers, and CloudWatch's notifications carry no message
    attributes, which no filter policy on them matches ("exists": false "only matches if at
    least one attribute is present").

    https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html and
    https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
    """
    if c["subscriptionsOutsideStack"]:
        return
    topics = of_type(resources, TOPIC)
    subscriptions = of_type(resources, SUBSCRIPTION)
    subscribed = {
        t.urn
        for s in subscriptions
        if not _filters_attributes(s)
        for t in linked(s, "topic", topics, "arn", "name")
    }
    filtered = {
        t.urn
        for s in subscriptions
        if _filters_attributes(s)
        for t in linked(s, "topic", topics, "arn", "name")
    }
    for alarm in of_type(resources, ALARM):
        actions = prop(alarm.props, "alarmActions")
        if not isinstance(actions, list) or not actions:
            continue
        by_dependency = [d for d in deps_of(alarm, "alarmActions") if d.resource_type == TOPIC]
        targets: list[PolicyResource] = []
        for action in actions:
            text = known_str(action)
            tail = text.rsplit(":", 1)[-1] if text else None
            matched = [
                t
                for t in topics
                if text is not None
                and {text, tail}
                & {known_str(prop(t.props, "arn")), known_str(prop(t.props, "name"))}
            ]
            # A literal ARN names its topic when the topic's name is an input; the engine's
            # dependency graph does otherwise (the name is computed).
            targets += matched or by_dependency
        silent = [t for t in {t.urn: t for t in targets}.values() if t.urn not in subscribed]
        if targets and len(silent) == len({t.urn for t in targets}):
            why = (
                "whose only subscriptions filter on message attributes, which an alarm's"
                " notification has none of"
                if silent[0].urn in filtered
                else "which has no subscription"
            )
            yield (
                alarm.urn,
                f"Alarm '{alarm.name}' notifies topic '{silent[0].name}', {why}: nobody hears"
                " it. Set dbtier:alarms.email (with no filter policy).",
            )


def _filters_attributes(subscription: PolicyResource) -> bool:
    """Whether a subscription has a filter policy on message attributes (the scope SNS takes
    when none is given)."""
    policy = prop(subscription.props, "filterPolicy")
    scope = prop(subscription.props, "filterPolicyScope")
    return bool(policy) and scope != "MessageBody"


def _alarm_meta(
    name: str, description: str, docs: str, fixes: tuple[str, ...], fix: str, **more: Any
) -> RuleMeta:
    """An alarm rule's metadata: an alarm that cannot fire or reach anyone is medium severity
    (the tier works; its watch does not)."""
    return relation_meta(name, description, docs, fixes, fix, severity=Severity.MEDIUM, **more)


RULES: list[Rule] = [
    Rule(
        _alarm_meta(
            "deploy-alarm-metric-published",
            "Alarms read a namespace, metric and dimension set that AWS publishes.",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/aws-services-cloudwatch-metrics.html",
            ("dbtier:alarms",),
            "name the metric by the dimension set its service publishes (the component's"
            " watches.py).",
            resource_types=(ALARM,),
        ),
        metric_published,
    ),
    Rule(
        _alarm_meta(
            "deploy-alarm-dimension-values",
            "Alarm dimension values are identifiers in the form AWS publishes them.",
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html",
            ("dbtier:alarms",),
            "name the watched resource by its own identifier: member clusters for ElastiCache,"
            " the task ARN's resource id for DMS tasks, names rather than ARNs.",
        ),
        stack_check=dimension_values,
    ),
    Rule(
        _alarm_meta(
            "deploy-alarm-dynamodb-missing-data",
            "Alarms on sparse AWS/DynamoDB metrics fill missing periods with metric math.",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
            ("dbtier:alarms",),
            "alarm on FILL(m1, 0) over the metric (Watch.fill in components/dynamo/watches.py).",
            resource_types=(ALARM,),
        ),
        dynamodb_missing_data,
    ),
    Rule(
        _alarm_meta(
            "deploy-alarm-sees-failures",
            "Each alarm's metric exists for what it watches, and partial batch failures of a"
            " stream processor have an alarm on its failure destination.",
            "https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html",
            ("dbtier:alarms", "dbtier:aurora.readers"),
            "alarm on what can see the failure: replica lag of replicas only (MAX over members"
            " for ElastiCache), the failure queue for records a handler reports as failed.",
        ),
        stack_check=sees_failures,
    ),
    Rule(
        _alarm_meta(
            "deploy-alarm-reaches-someone",
            "Every SNS topic an alarm notifies has at least one subscription.",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
            ("dbtier:alarms.email",),
            "set dbtier:alarms.email (or set this rule's subscriptionsOutsideStack when"
            " subscriptions are managed elsewhere).",
            config={
                "subscriptionsOutsideStack": boolean(
                    False, "The alarm topics' subscriptions are managed outside this stack."
                )
            },
        ),
        stack_check=reaches_someone,
    ),
]
