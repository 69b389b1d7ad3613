"""Alarms: CloudWatch alarms on every enabled component's health metrics, one topic, one dashboard.

Each component's metrics are described by a pure function returning `Watch`es (what to watch,
on which dimensions, against which threshold from `dbtier:alarms`). The `Alarms` component turns
them into one encrypted SNS topic (with an optional email subscription), one alarm per watch and
one dashboard with a graph per metric. Every dimension is the watched resource's own Output, so
each alarm depends on the resource it watches and names it exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent
from components.config import (
    AlarmsConfig,
    AuroraConfig,
    DynamoTableConfig,
    RedisConfig,
    RelationalConfig,
    WarehouseConfig,
)

GIB = 1024**3
ABOVE = "GreaterThanThreshold"
AT_LEAST = "GreaterThanOrEqualToThreshold"
BELOW = "LessThanThreshold"


@dataclass(frozen=True)
class Watch:
    """One metric of one resource, and when it is unhealthy."""

    component: str
    """The dbtier component it belongs to (alarm names and dashboard sections)."""
    role: str
    """What is watched, unique within the component: primary-cpu, index-EmailIndex-read-throttles."""
    description: str
    """What the alarm means, for the person it wakes."""
    namespace: str
    """CloudWatch namespace (AWS/RDS ...)."""
    metric: str
    """Metric name."""
    dimensions: Mapping[str, pulumi.Input[str]]
    """Dimensions naming the watched resource, from its Outputs."""
    statistic: str
    """Average, Maximum, Minimum or Sum."""
    comparison: str
    """GreaterThanThreshold, GreaterThanOrEqualToThreshold or LessThanThreshold."""
    threshold: float
    """Alarm threshold in the metric's unit."""
    period: int = 300
    """Seconds per datapoint."""
    evaluation_periods: int = 3
    """Datapoints evaluated; all of them must breach."""


def _pick(ids: pulumi.Output[list[str]], i: int) -> pulumi.Output[str]:
    return ids.apply(lambda values: values[i])


def relational_watches(
    cfg: RelationalConfig, alarms: AlarmsConfig, instance_ids: pulumi.Output[list[str]]
) -> list[Watch]:
    """CPU and free storage of every instance; replica lag of every read replica."""
    watches = []
    for i in range(cfg.read_replicas + 1):
        role = "primary" if i == 0 else f"replica-{i}"
        dims = {"DBInstanceIdentifier": _pick(instance_ids, i)}
        watches += [
            Watch(
                "relational",
                f"{role}-cpu",
                f"RDS {role}: CPU above {alarms.cpu_percent:g}% for 15 minutes",
                "AWS/RDS",
                "CPUUtilization",
                dims,
                "Average",
                ABOVE,
                alarms.cpu_percent,
            ),
            Watch(
                "relational",
                f"{role}-storage",
                f"RDS {role}: less than {alarms.free_storage_gib:g} GiB of storage free",
                "AWS/RDS",
                "FreeStorageSpace",
                dims,
                "Minimum",
                BELOW,
                alarms.free_storage_gib * GIB,
            ),
        ]
        if i > 0:
            watches.append(
                Watch(
                    "relational",
                    f"{role}-lag",
                    f"RDS {role}: more than {alarms.replica_lag_seconds:g} s behind the primary",
                    "AWS/RDS",
                    "ReplicaLag",
                    dims,
                    "Maximum",
                    ABOVE,
                    alarms.replica_lag_seconds,
                )
            )
    return watches


def aurora_watches(
    cfg: AuroraConfig, alarms: AlarmsConfig, cluster_id: pulumi.Output[str]
) -> list[Watch]:
    """Cluster CPU and ACU use against its maximum; reader lag when there are readers."""
    dims = {"DBClusterIdentifier": cluster_id}
    watches = [
        Watch(
            "aurora",
            "cpu",
            f"Aurora: CPU above {alarms.cpu_percent:g}% for 15 minutes",
            "AWS/RDS",
            "CPUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "aurora",
            "acu",
            f"Aurora: above {alarms.acu_percent:g}% of maxCapacity"
            f" ({cfg.max_capacity:g} ACU); raise dbtier:aurora.maxCapacity",
            "AWS/RDS",
            "ACUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.acu_percent,
        ),
    ]
    if cfg.readers:
        watches.append(
            Watch(
                "aurora",
                "replica-lag",
                f"Aurora: a reader more than {alarms.replica_lag_seconds:g} s behind the writer",
                "AWS/RDS",
                "AuroraReplicaLagMaximum",
                dims,
                "Maximum",
                ABOVE,
                alarms.replica_lag_seconds * 1000,  # milliseconds
            )
        )
    return watches


def dynamo_watches(
    component: str,
    cfg: DynamoTableConfig,
    alarms: AlarmsConfig,
    *,
    table_name: pulumi.Output[str],
    processor_function: pulumi.Output[Any],
    dead_letter_queue: pulumi.Output[Any],
) -> list[Watch]:
    """Read/write throttles of the table and each GSI; the processor's iterator age, errors, DLQ."""
    watches = []
    targets: list[tuple[str, dict[str, pulumi.Input[str]]]] = [("table", {"TableName": table_name})]
    targets += [
        (f"index-{index.name}", {"TableName": table_name, "GlobalSecondaryIndexName": index.name})
        for index in cfg.indexes
    ]
    for where, dims in targets:
        for kind in ("Read", "Write"):
            watches.append(
                Watch(
                    component,
                    f"{where}-{kind.lower()}-throttles",
                    f"DynamoDB {cfg.name} {where}: {kind.lower()} requests throttled",
                    "AWS/DynamoDB",
                    f"{kind}ThrottleEvents",
                    dims,
                    "Sum",
                    AT_LEAST,
                    alarms.throttles,
                    evaluation_periods=1,
                )
            )
    if cfg.stream_processor:
        function = {"FunctionName": processor_function}
        watches += [
            Watch(
                component,
                "processor-iterator-age",
                f"DynamoDB {cfg.name} stream processor: more than"
                f" {alarms.iterator_age_seconds:g} s behind the stream",
                "AWS/Lambda",
                "IteratorAge",
                function,
                "Maximum",
                ABOVE,
                alarms.iterator_age_seconds * 1000,  # milliseconds
            ),
            Watch(
                component,
                "processor-errors",
                f"DynamoDB {cfg.name} stream processor: invocations failing",
                "AWS/Lambda",
                "Errors",
                function,
                "Sum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
            Watch(
                component,
                "processor-dlq",
                f"DynamoDB {cfg.name} stream processor: records parked in the dead-letter queue",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": dead_letter_queue},
                "Maximum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
        ]
    return watches


def redis_watches(
    cfg: RedisConfig, alarms: AlarmsConfig, member_clusters: pulumi.Output[list[str]]
) -> list[Watch]:
    """Per node: engine CPU, memory use, evictions, and replication lag when there are replicas."""
    watches = []
    for i in range(cfg.total_nodes):
        node = f"node-{i + 1}"
        dims = {"CacheClusterId": _pick(member_clusters, i)}
        watches += [
            Watch(
                "redis",
                f"{node}-cpu",
                f"{cfg.engine} {node}: engine CPU above {alarms.cpu_percent:g}%",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                dims,
                "Average",
                ABOVE,
                alarms.cpu_percent,
            ),
            Watch(
                "redis",
                f"{node}-memory",
                f"{cfg.engine} {node}: more than {alarms.memory_percent:g}% of memory used",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                dims,
                "Maximum",
                ABOVE,
                alarms.memory_percent,
            ),
            Watch(
                "redis",
                f"{node}-evictions",
                f"{cfg.engine} {node}: more than {alarms.evictions:g} keys evicted in 5 minutes",
                "AWS/ElastiCache",
                "Evictions",
                dims,
                "Sum",
                ABOVE,
                alarms.evictions,
                evaluation_periods=1,
            ),
        ]
        if cfg.total_nodes > 1:
            # Only replicas report ReplicationLag; the primary's alarm stays OK (missing data).
            watches.append(
                Watch(
                    "redis",
                    f"{node}-lag",
                    f"{cfg.engine} {node}: replica more than"
                    f" {alarms.replica_lag_seconds:g} s behind",
                    "AWS/ElastiCache",
                    "ReplicationLag",
                    dims,
                    "Maximum",
                    ABOVE,
                    alarms.replica_lag_seconds,
                )
            )
    return watches


def warehouse_watches(
    cfg: WarehouseConfig, alarms: AlarmsConfig, cluster_id: pulumi.Output[str]
) -> list[Watch]:
    """Provisioned: CPU and disk use. Serverless: queries waiting in the queue."""
    if cfg.mode == "serverless":
        return [
            Watch(
                "warehouse",
                "queued-queries",
                f"Redshift Serverless: more than {alarms.queued_queries:g} queries queued;"
                " raise dbtier:warehouse.baseCapacity",
                "AWS/Redshift-Serverless",
                "QueriesQueued",
                {"Workgroup": cluster_id},
                "Average",
                ABOVE,
                alarms.queued_queries,
            )
        ]
    dims = {"ClusterIdentifier": cluster_id}
    return [
        Watch(
            "warehouse",
            "cpu",
            f"Redshift: CPU above {alarms.cpu_percent:g}% for 15 minutes",
            "AWS/Redshift",
            "CPUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "warehouse",
            "disk",
            f"Redshift: more than {alarms.disk_percent:g}% of disk used",
            "AWS/Redshift",
            "PercentageDiskSpaceUsed",
            dims,
            "Maximum",
            ABOVE,
            alarms.disk_percent,
        ),
    ]


def migration_watches(
    alarms: AlarmsConfig,
    instance_id: pulumi.Output[str],
    task_resource_id: pulumi.Output[str],
) -> list[Watch]:
    """Replication instance CPU and free storage; CDC latency at the source and the target."""
    instance = {"ReplicationInstanceIdentifier": instance_id}
    task = {
        "ReplicationInstanceIdentifier": instance_id,
        "ReplicationTaskIdentifier": task_resource_id,
    }
    return [
        Watch(
            "migration",
            "instance-cpu",
            f"DMS instance: CPU above {alarms.cpu_percent:g}%",
            "AWS/DMS",
            "CPUUtilization",
            instance,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "migration",
            "instance-storage",
            f"DMS instance: less than {alarms.free_storage_gib:g} GiB of storage free",
            "AWS/DMS",
            "FreeStorageSpace",
            instance,
            "Minimum",
            BELOW,
            alarms.free_storage_gib * GIB,
        ),
        *(
            Watch(
                "migration",
                f"cdc-latency-{side.lower()}",
                f"DMS task: changes more than {alarms.cdc_latency_seconds:g} s late at the"
                f" {side.lower()}",
                "AWS/DMS",
                f"CDCLatency{side}",
                task,
                "Maximum",
                ABOVE,
                alarms.cdc_latency_seconds,
            )
            for side in ("Source", "Target")
        ),
    ]


def dashboard_body(region: str, watches: Sequence[Watch], dims: Sequence[dict[str, str]]) -> str:
    """A dashboard with one graph per component and metric, a line per watched resource."""
    graphs: dict[tuple[str, str, str], dict[str, Any]] = {}
    for watch, resolved in zip(watches, dims, strict=True):
        graph = graphs.setdefault(
            (watch.component, watch.namespace, watch.metric),
            {"watch": watch, "lines": [], "seen": set()},
        )
        line = [watch.namespace, watch.metric, *[v for kv in sorted(resolved.items()) for v in kv]]
        if tuple(line) not in graph["seen"]:
            graph["seen"].add(tuple(line))
            graph["lines"].append([*line, {"stat": watch.statistic}])
    widgets: list[dict[str, Any]] = []
    y = 0
    for section in dict.fromkeys(w.component for w in watches):
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 1,
                "properties": {"markdown": f"## {section}"},
            }
        )
        y += 1
        x = 0
        for (component, _, metric), graph in graphs.items():
            if component != section:
                continue
            watch = graph["watch"]
            widgets.append(
                {
                    "type": "metric",
                    "x": x,
                    "y": y,
                    "width": 8,
                    "height": 6,
                    "properties": {
                        "title": f"{section}: {metric}",
                        "region": region,
                        "view": "timeSeries",
                        "period": watch.period,
                        "metrics": graph["lines"],
                        "annotations": {
                            "horizontal": [{"label": "alarm", "value": watch.threshold}]
                        },
                    },
                }
            )
            x = (x + 8) % 24
            if x == 0:
                y += 6
        if x:
            y += 6
    return json.dumps({"widgets": widgets}, sort_keys=True)


@dataclass(frozen=True)
class AlarmsArgs:
    config: AlarmsConfig
    """Email and thresholds (dbtier:alarms)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: the SNS topic."""
    watches: Sequence[Watch]
    """Every metric to alarm on, from each enabled component."""


class Alarms(DbtierComponent):
    """One SNS topic, one CloudWatch alarm per watch, and one dashboard of the whole tier."""

    topic_arn: pulumi.Output[str]
    """The SNS topic every alarm notifies."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard."""
    alarm_names: pulumi.Output[list[str]]
    """Names of every alarm."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("Alarms", name, False, opts)
        prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"

        topic = aws.sns.Topic(
            f"{name}-topic",
            display_name=f"dbtier {pulumi.get_stack()} alarms",
            kms_master_key_id=args.kms_key_arn,
            opts=self.child(),
        )
        if args.config.email is not None:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=topic.arn,
                protocol="email",
                endpoint=args.config.email,
                opts=self.child(),
            )

        alarms = []
        for watch in args.watches:
            alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{name}-{watch.component}-{watch.role}",
                    name=f"{prefix}-{watch.component}-{watch.role}",
                    alarm_description=watch.description,
                    namespace=watch.namespace,
                    metric_name=watch.metric,
                    dimensions=dict(watch.dimensions),
                    statistic=watch.statistic,
                    comparison_operator=watch.comparison,
                    threshold=watch.threshold,
                    period=watch.period,
                    evaluation_periods=watch.evaluation_periods,
                    datapoints_to_alarm=watch.evaluation_periods,
                    # No data is not a failure: an idle table has no throttles, a primary no lag.
                    treat_missing_data="notBreaching",
                    alarm_actions=[topic.arn],
                    ok_actions=[topic.arn],
                    opts=self.child(),
                )
            )

        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        watches = list(args.watches)
        resolved = pulumi.Output.all(*[pulumi.Output.all(**w.dimensions) for w in watches])
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=prefix,
            dashboard_body=pulumi.Output.all(region.region, resolved).apply(
                lambda v: dashboard_body(v[0], watches, v[1])
            ),
            opts=self.child(),
        )

        self.topic_arn = topic.arn
        self.dashboard_name = dashboard.dashboard_name
        self.alarm_names = pulumi.Output.all(*[a.name for a in alarms]).apply(list)
        self.register_outputs(
            {
                "topic_arn": self.topic_arn,
                "dashboard_name": self.dashboard_name,
                "alarm_names": self.alarm_names,
            }
        )
