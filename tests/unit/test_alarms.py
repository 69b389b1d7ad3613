"""Alarms on mocks: one encrypted topic, alarms for exactly the enabled components, a dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from preflight.plan import Plan, PlanError, PlannedResource
from tests.unit.conftest import of_type, one

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
INSTANCE = "aws:rds/instance:Instance"
COMPONENT = "dbtier:components:Alarms"

# The watched resource type of each component, and the health metrics alarmed on.
WATCHED = {
    "relational": (INSTANCE, {"CPUUtilization", "FreeStorageSpace", "ReplicaLag",
                              "DatabaseConnections", "FreeableMemory", "ReadLatency",
                              "WriteLatency"}),
    "aurora": ("aws:rds/cluster:Cluster", {"CPUUtilization", "ACUUtilization", "AuroraReplicaLagMaximum",
                                          "DatabaseConnections", "FreeableMemory", "ReadLatency",
                                          "WriteLatency"}),
    "warehouse": ("aws:redshift/cluster:Cluster", {"CPUUtilization", "PercentageDiskSpaceUsed"}),
    "dynamo-UserProfiles": (
        "aws:dynamodb/table:Table",
        {"ReadThrottleEvents", "WriteThrottleEvents", "IteratorAge", "Errors",
         "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage",
         "DestinationDeliveryFailures"},
    ),
    "redis": (
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions", "ReplicationLag",
         "CurrConnections"},
    ),
    "migration": (
        "aws:dms/replicationInstance:ReplicationInstance",
        {"CPUUtilization", "FreeStorageSpace", "CDCLatencySource", "CDCLatencyTarget"},
    ),
}  # fmt: skip


def metric(alarm: PlannedResource) -> tuple[str, str, list[dict[str, str]]]:
    """(namespace, metric, the dimensions of each series) of a plain or metric-math alarm."""
    queries = alarm.inputs.get("metricQueries")
    if not queries:
        i = alarm.inputs
        return i["namespace"], i["metricName"], [i["dimensions"]]
    metrics = [q["metric"] for q in queries if "metric" in q]
    assert len({(m["namespace"], m["metricName"]) for m in metrics}) == 1, alarm.name
    return metrics[0]["namespace"], metrics[0]["metricName"], [m["dimensions"] for m in metrics]


def deps_of(alarm: PlannedResource) -> set[str]:
    deps = alarm.property_dependencies
    return set(deps.get("dimensions", [])) | set(deps.get("metricQueries", []))


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
    assert {metric(a)[1] for a in alarms} == metrics
    watched = {r.urn for r in of_type(prod_plan, watched_type)}
    for alarm in alarms:
        # The dimensions name the watched resource through its Output: the alarm depends on it.
        deps = deps_of(alarm)
        if component.startswith("dynamo-") and metric(alarm)[0] != "AWS/DynamoDB":
            continue  # the processor's alarms watch the Lambda and the DLQ, checked below
        assert deps & watched, f"{alarm.name} does not depend on a {watched_type}"


def test_processor_alarms_watch_the_function_and_its_queue(prod_plan: Plan) -> None:
    function = one(prod_plan, "aws:lambda/function:Function", "dynamo-UserProfiles-processor")
    queue = one(prod_plan, "aws:sqs/queue:Queue")
    age = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-iterator-age")
    assert function.urn in age.property_dependencies["dimensions"]
    assert age.inputs["threshold"] == 60 * 1000  # IteratorAge is in milliseconds
    dlq = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-dlq")
    assert queue.urn in dlq.property_dependencies["dimensions"]
    assert dlq.inputs["threshold"] == 0
    # The queue keeps pointers to stream records that live 24 h: at most a day, and an alarm
    # well before the pointers go stale (half of 24 h minus the 1 h maximum record age).
    assert queue.inputs["messageRetentionSeconds"] == 86400
    age = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-dlq-age")
    assert age.inputs["metricName"] == "ApproximateAgeOfOldestMessage"
    assert age.inputs["threshold"] == (86400 - 3600) // 2
    delivery = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-dlq-delivery")
    assert delivery.inputs["metricName"] == "DestinationDeliveryFailures"
    assert function.urn in delivery.property_dependencies["dimensions"]
    errors = one(prod_plan, ALARM, "alarms-dynamo-UserProfiles-processor-errors")
    assert "not counted here" in errors.inputs["alarmDescription"]
    # What the Errors alarm misses, the queue's sees: records reported as partial batch
    # failures reach it once their retries are spent (ReportBatchItemFailures on the mapping).
    assert "batchItemFailures" in dlq.inputs["alarmDescription"]
    mapping = one(prod_plan, "aws:lambda/eventSourceMapping:EventSourceMapping")
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert queue.urn in mapping.property_dependencies["destinationConfig"]


def test_an_alarm_per_table_index_per_direction(prod_plan: Plan) -> None:
    throttles = [
        a for a in alarms_of(prod_plan, "dynamo-UserProfiles") if "Throttle" in metric(a)[1]
    ]
    dims = sorted(
        (metric(a)[2][0].get("GlobalSecondaryIndexName", "-"), metric(a)[1]) for a in throttles
    )
    assert dims == sorted(
        (index, f"{kind}ThrottleEvents")
        for index in ("-", "EmailIndex", "DepartmentIndex")
        for kind in ("Read", "Write")
    )
    assert all(metric(a)[2] == [{"TableName": "dbtier-prod-UserProfiles", **(
        {"GlobalSecondaryIndexName": metric(a)[2][0]["GlobalSecondaryIndexName"]}
        if "GlobalSecondaryIndexName" in metric(a)[2][0] else {}
    )}] for a in throttles)  # fmt: skip


def test_throttle_alarms_fill_missing_periods_so_they_return_to_ok(prod_plan: Plan) -> None:
    # AWS/DynamoDB alarms ignore treatMissingData; throttle metrics exist only while throttling.
    for alarm in alarms_of(prod_plan, "dynamo-UserProfiles"):
        if "Throttle" not in metric(alarm)[1]:
            continue
        assert "namespace" not in alarm.inputs
        queries = alarm.inputs["metricQueries"]
        (returned,) = [q for q in queries if q.get("returnData")]
        assert returned["expression"] == "FILL(m1, 0)"
        assert [q["id"] for q in queries if "metric" in q] == ["m1"]


def test_each_rds_alarm_names_the_instance_it_watches(prod_plan: Plan) -> None:
    instances = {r.name.removeprefix("relational-"): r for r in of_type(prod_plan, INSTANCE)}
    assert set(instances) == {"primary", "replica-1", "replica-2"}
    metrics: dict[str, set[str]] = {}
    for alarm in alarms_of(prod_plan, "relational"):
        role = "-".join(alarm.name.removeprefix("alarms-relational-").split("-")[:2])
        role = role if role in instances else role.split("-")[0]
        instance = instances[role]
        # The identifier is the planned instance's own, and the alarm depends on it alone.
        assert alarm.inputs["dimensions"] == {"DBInstanceIdentifier": instance.inputs["identifier"]}
        assert alarm.property_dependencies["dimensions"] == [instance.urn], alarm.name
        metrics.setdefault(role, set()).add(alarm.inputs["metricName"])
    health = {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections", "FreeableMemory"}
    health |= {"ReadLatency", "WriteLatency"}
    # db.m7g.large is not burstable: no CPUCreditBalance alarm (AWS publishes none for it).
    assert metrics == {
        "primary": health,
        "replica-1": health | {"ReplicaLag"},
        "replica-2": health | {"ReplicaLag"},
    }


def test_each_redis_alarm_names_its_node(prod_plan: Plan) -> None:
    group = one(prod_plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    alarms = [a for a in alarms_of(prod_plan, "redis") if a.name != "alarms-redis-replication-lag"]
    nodes = {"-".join(a.name.removeprefix("alarms-redis-").split("-")[:2]) for a in alarms}
    assert nodes == {"node-1", "node-2", "node-3"}
    for alarm in alarms:
        n = int(alarm.name.removeprefix("alarms-redis-node-").split("-")[0])
        # ElastiCache numbers the members of a group <group id>-001, -002, ...
        member = f"{group.inputs['replicationGroupId']}-{n:03d}"
        assert alarm.inputs["dimensions"] == {"CacheClusterId": member}, alarm.name
        assert group.urn in alarm.property_dependencies["dimensions"], alarm.name


def test_one_redis_lag_alarm_sees_every_replica_whichever_node_is_primary(prod_plan: Plan) -> None:
    # Only replicas publish ReplicationLag, and failovers move the primary role: MAX over all.
    group = one(prod_plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    lag = one(prod_plan, ALARM, "alarms-redis-replication-lag")
    namespace, name, series = metric(lag)
    assert (namespace, name) == ("AWS/ElastiCache", "ReplicationLag")
    members = [f"{group.inputs['replicationGroupId']}-{n:03d}" for n in (1, 2, 3)]
    assert series == [{"CacheClusterId": m} for m in members]
    (returned,) = [q for q in lag.inputs["metricQueries"] if q.get("returnData")]
    assert returned["expression"] == "MAX([m1, m2, m3])"
    assert group.urn in lag.property_dependencies["metricQueries"]


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
    plan = plan_with(
        "prod",
        alarms={"enabled": True, "email": "a@example.com", "cpuPercent": 65, "freeStorageGib": 20},
    )
    cpu = one(plan, ALARM, "alarms-relational-primary-cpu").inputs
    assert cpu["threshold"] == 65
    assert cpu["comparisonOperator"] == "GreaterThanThreshold"
    storage = one(plan, ALARM, "alarms-relational-primary-storage").inputs
    assert storage["threshold"] == 20 * 1024**3
    assert storage["comparisonOperator"] == "LessThanThreshold"


def test_every_alarm_notifies_the_one_encrypted_topic(prod_plan: Plan) -> None:
    topic = one(prod_plan, TOPIC, "alarms-topic")
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


def test_the_topic_emails_the_configured_address(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("prod", alarms={"enabled": True, "email": "dba@example.org"})
    sub = one(plan, SUBSCRIPTION, "alarms-email")
    assert (sub.inputs["protocol"], sub.inputs["endpoint"]) == ("email", "dba@example.org")
    assert one(plan, TOPIC, "alarms-topic").urn in sub.property_dependencies["topic"]
    # CloudWatch's notifications carry no attributes: any filter here would drop every alarm.
    assert "filterPolicy" not in sub.inputs


def test_alarms_without_an_address_refuse_to_plan(plan_with: Callable[..., Plan]) -> None:
    with pytest.raises(PlanError, match=r"dbtier:alarms\.email is required"):
        plan_with("prod", alarms={"enabled": True})


def test_alarms_follow_the_enabled_components(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev",
        alarms={"enabled": True, "email": "oncall@example.com"},
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
    plan = plan_with("dev", alarms={"enabled": True, "email": "oncall@example.com"})
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
    alarmed = {metric(a)[:2] for a in of_type(prod_plan, ALARM)}
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


def test_a_stopped_replica_fires_its_own_alarm(prod_plan: Plan) -> None:
    # ReplicaLag -1 means replication is not running; no data means the replica is gone.
    for n in (1, 2):
        stopped = one(prod_plan, ALARM, f"alarms-relational-replica-{n}-replication-stopped")
        i = stopped.inputs
        assert (i["metricName"], i["statistic"]) == ("ReplicaLag", "Minimum")
        assert (i["comparisonOperator"], i["threshold"]) == ("LessThanThreshold", 0)
        assert i["treatMissingData"] == "breaching"
        lag = one(prod_plan, ALARM, f"alarms-relational-replica-{n}-lag").inputs
        assert lag["treatMissingData"] == "notBreaching"


def test_connection_and_memory_thresholds_follow_the_class(prod_plan: Plan) -> None:
    # db.m7g.large: 8 GiB; RDS MySQL max_connections = memory / 12582880 = 682; 80% of it.
    conns = one(prod_plan, ALARM, "alarms-relational-primary-connections").inputs
    assert conns["threshold"] == int(int(8 * 1024**3 / 12582880) * 0.8)
    memory = one(prod_plan, ALARM, "alarms-relational-primary-memory").inputs
    assert memory["threshold"] == 8 * 1024**3 * 0.10
    assert memory["comparisonOperator"] == "LessThanThreshold"
    latency = one(prod_plan, ALARM, "alarms-relational-primary-write-latency").inputs
    assert latency["threshold"] == 0.02  # seconds


def test_burstable_classes_alarm_on_cpu_credits(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev", alarms={"enabled": True, "email": "a@example.com", "cpuCreditBalance": 30}
    )
    credits = one(plan, ALARM, "alarms-relational-primary-cpu-credits").inputs
    assert (credits["metricName"], credits["threshold"]) == ("CPUCreditBalance", 30)
    node = one(plan, ALARM, "alarms-redis-node-1-cpu-credits").inputs  # cache.t4g.micro
    assert node["namespace"] == "AWS/ElastiCache"
    # What an empty balance means differs: RDS T classes run Unlimited (billed, not slowed);
    # ElastiCache T nodes are held to their baseline.
    assert "surplus credits are billed" in credits["alarmDescription"]
    assert "throttled" not in credits["alarmDescription"]
    assert "throttled to its baseline CPU" in node["alarmDescription"]
    # Aurora Serverless v2 is not burstable: no credit alarms for it.
    assert not [a for a in alarms_of(plan, "aurora") if "credits" in a.name]


def test_aurora_alarms_watch_the_writer_and_readers_by_role(prod_plan: Plan) -> None:
    cluster = one(prod_plan, "aws:rds/cluster:Cluster")
    roles: dict[str, set[str]] = {}
    for alarm in alarms_of(prod_plan, "aurora"):
        dims = alarm.inputs["dimensions"]
        assert dims["DBClusterIdentifier"] == cluster.inputs.get(
            "clusterIdentifier", dims["DBClusterIdentifier"]
        )
        assert cluster.urn in alarm.property_dependencies["dimensions"]
        roles.setdefault(dims.get("Role", "-"), set()).add(alarm.inputs["metricName"])
    assert roles["WRITER"] == {
        "CPUUtilization",
        "DatabaseConnections",
        "FreeableMemory",
        "ReadLatency",
        "WriteLatency",
    }
    assert roles["READER"] == {
        "CPUUtilization",
        "DatabaseConnections",
        "FreeableMemory",
        "ReadLatency",
    }
    assert roles["-"] == {"ACUUtilization", "AuroraReplicaLagMaximum"}
    # Serverless v2 memory: 2 GiB per ACU of maxCapacity (16 in prod).
    memory = one(prod_plan, ALARM, "alarms-aurora-writer-memory").inputs
    assert memory["threshold"] == 16 * 2 * 1024**3 * 0.10


def test_new_alarm_thresholds_are_checked(plan_with: Callable[..., Plan]) -> None:
    for key, value in (
        ("connectionsPercent", 0),
        ("freeMemoryPercent", 100),
        ("latencyMs", 0),
        ("cpuCreditBalance", "x"),
    ):
        with pytest.raises(PlanError, match=rf"dbtier:alarms\.{key} "):
            plan_with("dev", alarms={"enabled": True, "email": "a@example.com", key: value})
