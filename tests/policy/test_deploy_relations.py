"""The relation rules of the deployability category, over gRPC, on the real stacks' plans.

Each case takes the planned prod (or dev) stack, which every rule passes, puts back one defect
the issue found in it (or one a config could bring) by changing the plan as the program used to
plan it, and checks that exactly the expected rule reports it, on the expected resource, naming
the dbtier key that fixes it. The mutation cases of tests/policy/baseline.py check each rule once
more on a synthetic stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from dbtier_policy import deploy_alarms, deploy_dms, deploy_logs, deploy_network, deploy_relations

from preflight.plan import Plan, PlannedResource
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack

pytestmark = pytest.mark.policy

RULES = {
    r.meta.name
    for m in (deploy_logs, deploy_relations, deploy_dms, deploy_network, deploy_alarms)
    for r in m.RULES
}
CONFIG: dict[str, Any] = {"all": "mandatory"}


@cache
def planned(stack: str) -> Plan:
    return shared_plan(stack)


def copy(plan: Plan) -> Plan:
    return replace(plan, resources=list(plan.resources))


def named(plan: Plan, name: str) -> PlannedResource:
    return next(r for r in plan.resources if r.name == name)


def change(plan: Plan, name: str, **inputs: Any) -> PlannedResource:
    """Replace the inputs of resource `name` (None removes one); returns the new resource."""
    old = named(plan, name)
    new_inputs = dict(old.inputs)
    for key, value in inputs.items():
        if value is None:
            new_inputs.pop(key, None)
        else:
            new_inputs[key] = value
    new = replace(old, inputs=new_inputs)
    plan.resources[plan.resources.index(old)] = new
    return new


def drop(plan: Plan, *names: str) -> None:
    plan.resources[:] = [r for r in plan.resources if r.name not in names]


def params_without(plan: Plan, name: str, *removed: str) -> None:
    group = named(plan, name)
    kept = [p for p in group.inputs["parameters"] if p["name"] not in removed]
    change(plan, name, parameters=kept)


def deploy_hits(pack: Pack, plan: Plan) -> list[tuple[str, str, str]]:
    report = pack.run(plan, CONFIG)
    return [
        (v.policy, v.urn.rsplit("::", 1)[-1], v.message)
        for v in report.violations
        if v.policy in RULES
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stacks_pass_every_relation_rule(pack: Pack, stack: str) -> None:
    assert deploy_hits(pack, copy(planned(stack))) == []


# -- F3, F2: log exports the parameter group never writes -----------------------------------


def rds_slow_log_to_table(plan: Plan) -> None:
    params_without(plan, "relational-params", "log_output")


def rds_general_log_exported(plan: Plan) -> None:
    primary = named(plan, "relational-primary")
    exports = [*primary.inputs["enabledCloudwatchLogsExports"], "general"]
    change(plan, "relational-primary", enabledCloudwatchLogsExports=exports)
    declare_log_group(plan, "relational-primary-error-logs", "general")


def rds_audit_without_option_group(plan: Plan) -> None:
    primary = named(plan, "relational-primary")
    exports = [*primary.inputs["enabledCloudwatchLogsExports"], "audit"]
    change(plan, "relational-primary", enabledCloudwatchLogsExports=exports)
    declare_log_group(plan, "relational-primary-error-logs", "audit")


def aurora_audit_off(plan: Plan) -> None:
    params_without(plan, "aurora-cluster-params", "server_audit_logging", "server_audit_events")


def aurora_slow_log_off(plan: Plan) -> None:
    params_without(plan, "aurora-cluster-params", "slow_query_log")


def redshift_activity_off(plan: Plan) -> None:
    group = named(plan, "warehouse-params")
    change(
        plan,
        "warehouse-params",
        parameters=[
            {**p, "value": "false"} if p["name"] == "enable_user_activity_logging" else p
            for p in group.inputs["parameters"]
        ],
    )


# -- log groups AWS would create, left undeclared ------------------------------------------


def rds_error_log_group_missing(plan: Plan) -> None:
    drop(plan, "relational-primary-error-logs")


def replica_autonamed(plan: Plan) -> None:  # the identifier RDS instances had before issue 13
    change(plan, "relational-replica-1", identifier=None)


def aurora_audit_log_group_missing(plan: Plan) -> None:
    drop(plan, "aurora-cluster-audit-logs")


def redshift_userlog_group_missing(plan: Plan) -> None:
    drop(plan, "warehouse-audit-userlog-logs")


def dms_task_log_group_missing(plan: Plan) -> None:
    drop(plan, "migration-task-logs")


def rotation_function_log_group_missing(plan: Plan) -> None:
    drop(plan, "aurora-rotation-function-logs")


def rds_log_group_misnamed(plan: Plan) -> None:
    group = named(plan, "relational-primary-slowquery-logs")
    misnamed = replace(group, inputs={**group.inputs, "name": "/aws/rds/relational/slowquery"})
    plan.resources[plan.resources.index(group)] = misnamed


def declare_log_group(plan: Plan, like: str, log: str) -> None:
    """A log group for the primary's export `log`, as the component declares one."""
    group = named(plan, like)
    name = group.inputs["name"].rsplit("/", 1)[0] + f"/{log}"
    plan.resources.append(
        replace(
            group,
            urn=group.urn.replace(group.name, f"relational-primary-{log}-logs"),
            name=f"relational-primary-{log}-logs",
            inputs={**group.inputs, "name": name},
        )
    )


# -- F7: the DLQ outlives the stream records it points at -----------------------------------


def dlq_fourteen_days(plan: Plan) -> None:
    change(plan, "dynamo-UserProfiles-processor-dlq", messageRetentionSeconds=1209600)


def dlq_default_retention(plan: Plan) -> None:
    change(plan, "dynamo-UserProfiles-processor-dlq", messageRetentionSeconds=None)


def mapping_age_beyond_stream(plan: Plan) -> None:
    change(plan, "dynamo-UserProfiles-processor-mapping", maximumRecordAgeInSeconds=172800)


def role_cannot_send_to_dlq(plan: Plan) -> None:
    policy = json.loads(named(plan, "dynamo-UserProfiles-processor-policy").inputs["policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "SendFailedRecordsToDlq"]
    change(plan, "dynamo-UserProfiles-processor-policy", policy=json.dumps(policy))


# -- DMS: CDC source and network paths ------------------------------------------------------


def cdc_source_mixed_binlogs(plan: Plan) -> None:
    params_without(plan, "relational-params", "binlog_format")


def cdc_source_without_backups(plan: Plan) -> None:
    change(plan, "relational-primary", backupRetentionPeriod=0)


def source_endpoint_named_for_postgresql(plan: Plan) -> None:
    change(plan, "migration-source", engineName="postgres")


def dms_cannot_reach_aurora(plan: Plan) -> None:
    drop(plan, "network-aurora-in-dms")


def dms_no_egress_to_relational(plan: Plan) -> None:
    drop(plan, "network-dms-out-relational")


def dms_without_secrets_manager_endpoint(plan: Plan) -> None:  # F9 as it was
    drop(
        plan,
        "network-secretsmanager",
        "network-secretsmanager-sg",
        "network-secretsmanager-in-dms",
        "network-secretsmanager-in-vpc",
        "network-dms-out-secretsmanager",
    )


def secrets_manager_endpoint_without_private_dns(plan: Plan) -> None:
    change(plan, "network-secretsmanager", privateDnsEnabled=False)


def secrets_manager_endpoint_closed_to_dms(plan: Plan) -> None:
    drop(plan, "network-secretsmanager-in-dms", "network-secretsmanager-in-vpc")


# -- F8: Redshift enhanced VPC routing without a way to S3 ---------------------------------


def warehouse_without_s3_endpoint(plan: Plan) -> None:
    drop(plan, "network-s3")


def warehouse_without_s3_egress(plan: Plan) -> None:
    drop(plan, "network-warehouse-out-s3")


def s3_endpoint_on_no_route_table(plan: Plan) -> None:
    change(plan, "network-s3", routeTableIds=[])


# -- alarms (F4, F5, F6, F10) --------------------------------------------------------------


def plain_alarm(plan: Plan, name: str, **changes: Any) -> PlannedResource:
    """Alarm `name` turned back into a plain single-metric alarm (its first metric query)."""
    alarm = named(plan, name)
    metric = alarm.inputs["metricQueries"][0]["metric"]
    return change(
        plan,
        name,
        metricQueries=None,
        namespace=metric["namespace"],
        metricName=metric["metricName"],
        dimensions=metric["dimensions"],
        statistic=metric["stat"],
        period=metric["period"],
        **changes,
    )


def throttle_alarm_without_fill(plan: Plan) -> None:  # F4 as it was
    plain_alarm(plan, "alarms-dynamo-UserProfiles-table-read-throttles")


def redis_lag_on_one_node(plan: Plan) -> None:  # F10 as it was
    plain_alarm(plan, "alarms-redis-replication-lag")


def lag_alarm_on_the_primary(plan: Plan) -> None:
    alarm = named(plan, "alarms-relational-replica-1-lag")
    primary = named(plan, "relational-primary")
    # As the watch of the primary would plan it: the identifier comes from the primary.
    moved = replace(
        alarm,
        inputs={
            **alarm.inputs,
            "dimensions": {"DBInstanceIdentifier": primary.inputs["identifier"]},
        },
        property_dependencies={**alarm.property_dependencies, "dimensions": [primary.urn]},
        dependencies=[u for u in alarm.dependencies if "replica-1" not in u] + [primary.urn],
    )
    plan.resources[plan.resources.index(alarm)] = moved


def no_alarm_on_failed_records(plan: Plan) -> None:  # F5: only Errors was watched
    drop(
        plan,
        "alarms-dynamo-UserProfiles-processor-dlq",
        "alarms-dynamo-UserProfiles-processor-dlq-age",
    )


def redis_alarm_on_the_group(plan: Plan) -> None:
    group = named(plan, "redis-group").inputs["replicationGroupId"]
    change(plan, "alarms-redis-node-1-cpu", dimensions={"CacheClusterId": group})


def task_alarm_by_name(plan: Plan) -> None:
    task = named(plan, "migration-task").inputs["replicationTaskId"]
    alarm = named(plan, "alarms-migration-cdc-latency-source")
    dims = {**alarm.inputs["dimensions"], "ReplicationTaskIdentifier": task}
    change(plan, "alarms-migration-cdc-latency-source", dimensions=dims)


def queue_alarm_by_url(plan: Plan) -> None:
    alarm = named(plan, "alarms-dynamo-UserProfiles-processor-dlq")
    url = (
        "https://sqs.us-east-1.amazonaws.com/123456789012/"
        + alarm.inputs["dimensions"]["QueueName"]
    )
    change(plan, "alarms-dynamo-UserProfiles-processor-dlq", dimensions={"QueueName": url})


def alarm_by_an_unpublished_dimension_set(plan: Plan) -> None:
    change(plan, "alarms-aurora-acu", dimensions={"DBClusterId": "x"})


def aurora_alarm_by_an_unknown_role(plan: Plan) -> None:
    alarm = named(plan, "alarms-aurora-writer-cpu")
    change(
        plan,
        "alarms-aurora-writer-cpu",
        dimensions={**alarm.inputs["dimensions"], "Role": "PRIMARY"},
    )


def credit_alarm_on_a_fixed_performance_class(plan: Plan) -> None:
    # db.m7g.large runs on no credits: AWS never publishes CPUCreditBalance for it.
    change(plan, "alarms-relational-primary-cpu", metricName="CPUCreditBalance")


def cdc_latency_per_instance(plan: Plan) -> None:
    alarm = named(plan, "alarms-migration-cdc-latency-target")
    dims = {
        "ReplicationInstanceIdentifier": alarm.inputs["dimensions"]["ReplicationInstanceIdentifier"]
    }
    change(plan, "alarms-migration-cdc-latency-target", dimensions=dims)


def topic_without_subscriber(plan: Plan) -> None:  # F6 as it was
    drop(plan, "alarms-email")


def alarm_email_filtered(plan: Plan) -> None:  # issue 23's backup filter on the alarm topic
    change(
        plan,
        "alarms-email",
        filterPolicy='{"State": [{"exists": false}, "FAILED"]}',
        filterPolicyScope="MessageAttributes",
    )


Mutation = Callable[[Plan], None]
# (stack, mutation, rule expected, resource it is reported on, text the message must contain)
CASES: list[tuple[str, Mutation, str, str, str]] = [
    ("prod", rds_slow_log_to_table, "deploy-rds-log-parameters", "relational-primary", "log_output"),
    ("dev", rds_slow_log_to_table, "deploy-rds-log-parameters", "relational-primary", "dbtier:relational"),
    ("prod", rds_general_log_exported, "deploy-rds-log-parameters", "relational-primary", "general_log"),
    ("prod", rds_audit_without_option_group, "deploy-rds-log-parameters", "relational-primary", "MARIADB_AUDIT_PLUGIN"),
    ("prod", aurora_audit_off, "deploy-aurora-log-parameters", "aurora-cluster", "server_audit_logging"),
    ("dev", aurora_slow_log_off, "deploy-aurora-log-parameters", "aurora-cluster", "dbtier:aurora"),
    ("prod", redshift_activity_off, "deploy-redshift-user-activity-log", "warehouse-audit-logging", "enable_user_activity_logging"),
    ("prod", rds_error_log_group_missing, "deploy-log-groups-declared", "relational-primary", "/aws/rds/instance/dbtier-prod-relational-primary/error"),
    ("prod", rds_log_group_misnamed, "deploy-log-groups-declared", "relational-primary", "/aws/rds/instance/dbtier-prod-relational-primary/slowquery"),
    ("prod", replica_autonamed, "deploy-log-groups-declared", "relational-replica-1", "no identifier"),
    ("dev", aurora_audit_log_group_missing, "deploy-log-groups-declared", "aurora-cluster", "/aws/rds/cluster/dbtier-dev-aurora-cluster/audit"),
    ("prod", redshift_userlog_group_missing, "deploy-log-groups-declared", "warehouse-audit-logging", "/aws/redshift/cluster/prod-warehouse/userlog"),
    ("prod", dms_task_log_group_missing, "deploy-log-groups-declared", "migration-task", "dms-tasks-dbtier-prod-migration-instance"),
    ("prod", rotation_function_log_group_missing, "deploy-log-groups-declared", "aurora-rotation-function", "/aws/lambda/dbtier-prod-aurora-rotation"),
    ("prod", dlq_fourteen_days, "deploy-dlq-retention", "dynamo-UserProfiles-processor-dlq", "dlqRetentionSeconds"),
    ("dev", dlq_default_retention, "deploy-dlq-retention", "dynamo-UserProfiles-processor-dlq", "345600"),
    ("dev", mapping_age_beyond_stream, "deploy-dlq-retention", "dynamo-UserProfiles-processor-mapping", "maximumRecordAgeSeconds"),
    ("dev", role_cannot_send_to_dlq, "deploy-esm-destination-permissions", "dynamo-UserProfiles-processor-mapping", "sqs:SendMessage"),
    ("prod", cdc_source_mixed_binlogs, "deploy-dms-cdc-source", "relational-primary", "binlog_format"),
    ("prod", cdc_source_without_backups, "deploy-dms-cdc-source", "relational-primary", "dbtier:relational.backupRetentionDays"),
    ("prod", source_endpoint_named_for_postgresql, "deploy-dms-endpoint-engine", "migration-source", "which DMS calls mysql"),
    ("prod", dms_cannot_reach_aurora, "deploy-dms-database-paths", "migration-target", "port 3306"),
    ("prod", dms_no_egress_to_relational, "deploy-dms-database-paths", "migration-source", "egress"),
    ("prod", dms_without_secrets_manager_endpoint, "deploy-dms-secrets-manager-path", "migration-instance", "dbtier:network.secretsManagerEndpointId"),
    ("prod", secrets_manager_endpoint_without_private_dns, "deploy-dms-secrets-manager-path", "network-secretsmanager", "private DNS"),
    ("prod", secrets_manager_endpoint_closed_to_dms, "deploy-dms-secrets-manager-path", "network-secretsmanager", "HTTPS"),
    ("prod", warehouse_without_s3_endpoint, "deploy-redshift-s3-path", "warehouse-cluster", "dbtier:network.s3EndpointId"),
    ("dev", warehouse_without_s3_endpoint, "deploy-redshift-s3-path", "warehouse-workgroup", "S3 gateway endpoint"),
    ("dev", warehouse_without_s3_egress, "deploy-redshift-s3-path", "warehouse-workgroup", "egress"),
    ("prod", s3_endpoint_on_no_route_table, "deploy-redshift-s3-path", "network-s3", "route table"),
    ("prod", throttle_alarm_without_fill, "deploy-alarm-dynamodb-missing-data", "alarms-dynamo-UserProfiles-table-read-throttles", "FILL"),
    ("prod", redis_lag_on_one_node, "deploy-alarm-sees-failures", "alarms-redis-replication-lag", "MAX"),
    ("prod", lag_alarm_on_the_primary, "deploy-alarm-sees-failures", "alarms-relational-replica-1-lag", "primary"),
    ("prod", no_alarm_on_failed_records, "deploy-alarm-sees-failures", "dynamo-UserProfiles-processor-mapping", "partial batch"),
    ("prod", redis_alarm_on_the_group, "deploy-alarm-dimension-values", "alarms-redis-node-1-cpu", "member cluster"),
    ("prod", task_alarm_by_name, "deploy-alarm-dimension-values", "alarms-migration-cdc-latency-source", "resource id"),
    ("prod", queue_alarm_by_url, "deploy-alarm-dimension-values", "alarms-dynamo-UserProfiles-processor-dlq", "URL"),
    ("prod", alarm_by_an_unpublished_dimension_set, "deploy-alarm-metric-published", "alarms-aurora-acu", "DBClusterId"),
    ("prod", aurora_alarm_by_an_unknown_role, "deploy-alarm-dimension-values", "alarms-aurora-writer-cpu", "WRITER or READER"),
    ("prod", credit_alarm_on_a_fixed_performance_class, "deploy-alarm-sees-failures", "alarms-relational-primary-cpu", "burstable"),
    ("prod", cdc_latency_per_instance, "deploy-alarm-metric-published", "alarms-migration-cdc-latency-target", "ReplicationTaskIdentifier"),
    ("prod", topic_without_subscriber, "deploy-alarm-reaches-someone", "alarms-relational-primary-cpu", "dbtier:alarms.email"),
    ("prod", alarm_email_filtered, "deploy-alarm-reaches-someone", "alarms-relational-primary-cpu", "filter"),
]  # fmt: skip


def test_every_relation_rule_has_a_case() -> None:
    assert {case[2] for case in CASES} == RULES


@pytest.mark.parametrize(
    ("stack", "mutate", "rule", "where", "text"),
    CASES,
    ids=[f"{c[0]}-{c[1].__name__}" for c in CASES],
)
def test_rule_catches_the_defect(
    pack: Pack, stack: str, mutate: Mutation, rule: str, where: str, text: str
) -> None:
    plan = copy(planned(stack))
    mutate(plan)
    hits = deploy_hits(pack, plan)
    assert hits, f"{rule} did not fire"
    assert {h[0] for h in hits} == {rule}, hits
    assert where in {h[1] for h in hits}, hits
    messages = [m for _, w, m in hits if w == where]
    assert all(text in m for m in messages), messages
    assert all("dbtier:" in m for m in messages), messages


def test_declared_vpc_endpoints_satisfy_the_path_rules(pack: Pack) -> None:
    """The VPC's own endpoints, named in dbtier:network, stand in for the stack's."""
    plan = shared_plan(
        "prod",
        overrides={
            "dbtier:network": {
                "s3EndpointId": "vpce-0a1b2c3d4e5f60718",
                "secretsManagerEndpointId": "vpce-0b2c3d4e5f6071829",
            }
        },
    )
    assert not plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert deploy_hits(pack, plan) == []


def test_topic_subscribed_elsewhere_is_accepted_by_config(pack: Pack) -> None:
    plan = copy(planned("prod"))
    topic_without_subscriber(plan)
    config = {
        "all": "mandatory",
        "deploy-alarm-reaches-someone": {"subscriptionsOutsideStack": True},
    }
    report = pack.run(plan, config)
    assert [v for v in report.violations if v.policy in RULES] == []
