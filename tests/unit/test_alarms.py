"""Alarms on mocks: one encrypted topic, alarms for exactly the enabled components, a dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from preflight.mocks import _ident
from preflight.plan import Plan, PlannedResource
from tests.unit.conftest import of_type, one

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
INSTANCE = "aws:rds/instance:Instance"
COMPONENT = "dbtier:components:Alarms"

# The watched resource type of each component, and the health metrics alarmed on.
WATCHED = {
    "relational": (INSTANCE, {"CPUUtilization", "FreeStorageSpace", "ReplicaLag"}),
    "aurora": ("aws:rds/cluster:Cluster", {"CPUUtilization", "ACUUtilization", "AuroraReplicaLagMaximum"}),
    "warehouse": ("aws:redshift/cluster:Cluster", {"CPUUtilization", "PercentageDiskSpaceUsed"}),
    "dynamo-UserProfiles": (
        "aws:dynamodb/table:Table",
        {"ReadThrottleEvents", "WriteThrottleEvents", "IteratorAge", "Errors",
         "ApproximateNumberOfMessagesVisible"},
    ),
    "redis": (
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions", "ReplicationLag"},
    ),
    "migration": (
        "aws:dms/replicationInstance:ReplicationInstance",
        {"CPUUtilization", "FreeStorageSpace", "CDCLatencySource", "CDCLatencyTarget"},
    ),
}  # fmt: skip


def alarms_of(plan: Plan, component: str) -> list[PlannedResource]:
    return [a for a in of_type(plan, ALARM) if a.name.startswith(f"alarms-{component}-")]


def test_dev_has_no_alarms_topic_or_dashboard(dev_plan: Plan) -> None:
    assert of_type(dev_plan, ALARM) == []
    assert of_type(dev_plan, TOPIC) == []
    assert of_type(dev_plan, DASHBOARD) == []


@pytest.mark.parametrize("component", sorted(WATCHED))
def test_prod_alarms_on_every_enabled_component_with_its_metrics(
    prod_plan: Plan, component: str
) -> None:
    watched_type, metrics = WATCHED[component]
    alarms = alarms_of(prod_plan, component)
    assert {a.inputs["metricName"] for a in alarms} == metrics
    watched = {r.urn for r in of_type(prod_plan, watched_type)}
    for alarm in alarms:
        # The dimensions name the watched resource through its Output: the alarm depends on it.
        deps = set(alarm.property_dependencies.get("dimensions", []))
        if component.startswith("dynamo-") and alarm.inputs["namespace"] != "AWS/DynamoDB":
            continue  # the processor's alarms watch the Lambda and the DLQ, checked below
        assert deps & watched, f"{alarm.name} does not depend on a {watched_type}"


def test_processor_alarms_watch_the_function_and_its_queue(prod_plan: Plan) -> None:
    function = one(prod_plan, "aws:lambda/function:Function")
    queue = one(prod_plan, "aws:sqs/queue:Queue")
    age = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-iterator-age")
    assert function.urn in age.property_dependencies["dimensions"]
    assert age.inputs["threshold"] == 60 * 1000  # IteratorAge is in milliseconds
    dlq = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-dlq")
    assert queue.urn in dlq.property_dependencies["dimensions"]
    assert dlq.inputs["threshold"] == 0


def test_an_alarm_per_table_index_per_direction(prod_plan: Plan) -> None:
    throttles = [
        a
        for a in alarms_of(prod_plan, "dynamo-UserProfiles")
        if "Throttle" in a.inputs["metricName"]
    ]
    dims = sorted(
        (a.inputs["dimensions"].get("GlobalSecondaryIndexName", "-"), a.inputs["metricName"])
        for a in throttles
    )
    assert dims == sorted(
        (index, f"{kind}ThrottleEvents")
        for index in ("-", "EmailIndex", "DepartmentIndex")
        for kind in ("Read", "Write")
    )
    assert all(a.inputs["dimensions"]["TableName"] == "dbtier-prod-UserProfiles" for a in throttles)


def test_each_rds_alarm_names_the_instance_it_watches(prod_plan: Plan) -> None:
    instances = {r.name.removeprefix("relational-"): r for r in of_type(prod_plan, INSTANCE)}
    assert set(instances) == {"primary", "replica-1", "replica-2"}
    metrics: dict[str, set[str]] = {}
    for alarm in alarms_of(prod_plan, "relational"):
        role = alarm.name.removeprefix("alarms-relational-").rsplit("-", 1)[0]
        instance = instances[role]
        # The identifier is the planned instance's own, and the alarm depends on it alone.
        assert alarm.inputs["dimensions"] == {"DBInstanceIdentifier": _ident(instance.name)}
        assert alarm.property_dependencies["dimensions"] == [instance.urn], alarm.name
        metrics.setdefault(role, set()).add(alarm.inputs["metricName"])
    assert metrics == {
        "primary": {"CPUUtilization", "FreeStorageSpace"},
        "replica-1": {"CPUUtilization", "FreeStorageSpace", "ReplicaLag"},
        "replica-2": {"CPUUtilization", "FreeStorageSpace", "ReplicaLag"},
    }


def test_each_redis_alarm_names_its_node(prod_plan: Plan) -> None:
    group = one(prod_plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    alarms = alarms_of(prod_plan, "redis")
    nodes = {a.name.removeprefix("alarms-redis-").rsplit("-", 1)[0] for a in alarms}
    assert nodes == {"node-1", "node-2", "node-3"}
    for alarm in alarms:
        n = int(alarm.name.removeprefix("alarms-redis-node-").split("-")[0])
        # ElastiCache numbers the members of a group <group id>-001, -002, ...
        member = f"{group.inputs['replicationGroupId']}-{n:03d}"
        assert alarm.inputs["dimensions"] == {"CacheClusterId": member}, alarm.name
        assert group.urn in alarm.property_dependencies["dimensions"], alarm.name


def test_cdc_latency_alarms_name_the_task_by_its_resource_id(prod_plan: Plan) -> None:
    task_arn = prod_plan.outputs["migration"]["taskArn"]
    task = one(prod_plan, "aws:dms/replicationTask:ReplicationTask")
    for side in ("source", "target"):
        alarm = one(prod_plan, ALARM, f"alarms-migration-cdc-latency-{side}")
        assert (
            alarm.inputs["dimensions"]["ReplicationTaskIdentifier"] == task_arn.rsplit(":", 1)[-1]
        )
        assert task.urn in alarm.property_dependencies["dimensions"]
        assert alarm.inputs["threshold"] == 300


def test_thresholds_come_from_config(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("prod", alarms={"enabled": True, "cpuPercent": 65, "freeStorageGib": 20})
    cpu = one(plan, ALARM, "alarms-relational-primary-cpu").inputs
    assert cpu["threshold"] == 65
    assert cpu["comparisonOperator"] == "GreaterThanThreshold"
    storage = one(plan, ALARM, "alarms-relational-primary-storage").inputs
    assert storage["threshold"] == 20 * 1024**3
    assert storage["comparisonOperator"] == "LessThanThreshold"


def test_every_alarm_notifies_the_one_encrypted_topic(prod_plan: Plan) -> None:
    topic = one(prod_plan, TOPIC)
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    alarms = of_type(prod_plan, ALARM)
    assert len(alarms) >= 30
    for alarm in alarms:
        assert topic.urn in alarm.property_dependencies["alarmActions"]
        assert len(alarm.inputs["alarmActions"]) == 1
        assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"]
        assert alarm.inputs["name"].startswith("dbtier-prod-")
        assert alarm.inputs["alarmDescription"]
    assert len({a.inputs["name"] for a in alarms}) == len(alarms)


def test_email_subscription_only_when_an_address_is_set(
    prod_plan: Plan, plan_with: Callable[..., Plan]
) -> None:
    assert of_type(prod_plan, SUBSCRIPTION) == []
    plan = plan_with("prod", alarms={"enabled": True, "email": "oncall@example.com"})
    sub = one(plan, SUBSCRIPTION).inputs
    assert (sub["protocol"], sub["endpoint"]) == ("email", "oncall@example.com")


def test_alarms_follow_the_enabled_components(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev",
        alarms={"enabled": True},
        redis={"enabled": False},
        warehouse={"enabled": False},
        dynamo={"enabled": False},
    )
    components = {a.name.removeprefix("alarms-").split("-")[0] for a in of_type(plan, ALARM)}
    assert components == {"relational", "aurora"}
    # dev's single-instance RDS and reader-less Aurora have no lag to watch
    metrics = {a.inputs["metricName"] for a in of_type(plan, ALARM)}
    assert not metrics & {"ReplicaLag", "AuroraReplicaLagMaximum"}


def test_serverless_warehouse_is_watched_by_its_queue(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", alarms={"enabled": True})
    (alarm,) = alarms_of(plan, "warehouse")
    assert alarm.inputs["namespace"] == "AWS/Redshift-Serverless"
    assert alarm.inputs["dimensions"] == {"Workgroup": "dev-warehouse"}
    workgroup = one(plan, "aws:redshiftserverless/workgroup:Workgroup")
    assert workgroup.urn in alarm.property_dependencies["dimensions"]


def test_one_dashboard_graphs_every_watched_metric(prod_plan: Plan) -> None:
    dashboard = one(prod_plan, DASHBOARD)
    assert dashboard.inputs["dashboardName"] == "dbtier-prod"
    body = json.loads(dashboard.inputs["dashboardBody"])
    graphs = [w for w in body["widgets"] if w["type"] == "metric"]
    sections = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert sorted(s.removeprefix("## ") for s in sections) == sorted(WATCHED)
    graphed = {(line[0], line[1]) for g in graphs for line in g["properties"]["metrics"]}
    alarmed = {(a.inputs["namespace"], a.inputs["metricName"]) for a in of_type(prod_plan, ALARM)}
    assert graphed == alarmed
    assert all(g["properties"]["region"] == "us-east-1" for g in graphs)
    cpu = next(g for g in graphs if g["properties"]["title"] == "relational: CPUUtilization")
    assert len(cpu["properties"]["metrics"]) == 3  # a line per instance


def test_every_child_is_parented_to_the_alarms_component(prod_plan: Plan) -> None:
    component = one(prod_plan, COMPONENT)
    for type_ in (ALARM, TOPIC, DASHBOARD):
        for resource in of_type(prod_plan, type_):
            assert resource.parent == component.urn
            assert resource.name.startswith("alarms-")
