"""DynamoTable on mocks: the table, its GSIs and autoscaling, the stream processor and its role."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.dynamo.processor import STREAM_READ_ACTIONS, XRAY_WRITE_ACTIONS
from components.dynamo.shape import LAMBDA_RUNTIME
from lambdas import stream_processor
from preflight import plan as plan_module
from preflight.mocks import _ident
from preflight.plan import Plan, PlanError
from tests.unit.conftest import of_type, one

TABLE = "aws:dynamodb/table:Table"
FUNCTION = "aws:lambda/function:Function"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
COMPONENT = "dbtier:components:DynamoTable"
ROOT = Path(__file__).resolve().parents[2]

PROVISIONED_TABLE = {
    "name": "Orders",
    "hashKey": "orderId",
    "rangeKey": "placedAt",
    "attributes": {"orderId": "S", "placedAt": "N", "customerId": "S"},
    "indexes": [
        {
            "name": "CustomerIndex",
            "hashKey": "customerId",
            "projection": "INCLUDE",
            "nonKeyAttributes": ["total"],
            "readCapacity": 5,
            "writeCapacity": 5,
        }
    ],
    "billingMode": "PROVISIONED",
    "readCapacity": 10,
    "writeCapacity": 10,
    "autoscaling": {"minCapacity": 5, "maxCapacity": 200, "targetUtilization": 60},
    "ttlAttribute": "expiresAt",
}


@pytest.fixture(scope="module")
def provisioned_plan() -> Plan:
    return plan_module.plan_stack(
        "prod", config_overrides={"dbtier:dynamo": {"tables": [PROVISIONED_TABLE]}}
    )


def statements(policy: str) -> list[dict[str, Any]]:
    return json.loads(policy)["Statement"]


def resources_of(statement: dict[str, Any]) -> list[str]:
    value = statement["Resource"]
    return value if isinstance(value, list) else [value]


# -- the default UserProfiles table -----------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_user_profiles_has_both_gsis_a_stream_and_only_key_attributes(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    table = one(dev_plan if stack == "dev" else prod_plan, TABLE).inputs
    assert table["name"] == f"dbtier-{stack}-UserProfiles"
    assert table["hashKey"] == "userId"
    assert {a["name"] for a in table["attributes"]} == {
        "userId",
        "email",
        "department",
        "createdAt",
    }
    indexes = {i["name"]: i for i in table["globalSecondaryIndexes"]}
    assert set(indexes) == {"EmailIndex", "DepartmentIndex"}
    assert indexes["DepartmentIndex"]["keySchemas"] == [
        {"attributeName": "department", "keyType": "HASH"},
        {"attributeName": "createdAt", "keyType": "RANGE"},
    ]
    assert all(i["projectionType"] == "ALL" for i in indexes.values())
    assert table["streamEnabled"] is True
    assert table["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["billingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_table_is_encrypted_with_the_stack_key_recoverable_and_deletion_protected(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    table = one(plan, TABLE)
    key_arn = one(plan, "aws:kms/key:Key").urn
    assert table.inputs["serverSideEncryption"]["enabled"] is True
    assert table.inputs["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:")
    assert key_arn in table.property_dependencies["serverSideEncryption"]
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert table.inputs["deletionProtectionEnabled"] is True


def test_table_is_protected_only_where_the_stack_asks(dev_plan: Plan, prod_plan: Plan) -> None:
    assert one(dev_plan, TABLE).protect is False
    assert one(prod_plan, TABLE).protect is True


def test_on_demand_table_has_no_autoscaling_or_capacity(dev_plan: Plan) -> None:
    assert of_type(dev_plan, TARGET) == []
    assert of_type(dev_plan, POLICY) == []
    assert "readCapacity" not in one(dev_plan, TABLE).inputs


def test_dynamo_export_has_the_fixed_shape(prod_plan: Plan) -> None:
    out = prod_plan.outputs["dynamo"]
    assert out["region"] == "us-east-1"
    table = out["tables"]["UserProfiles"]
    assert set(table) == {
        "tableName",
        "arn",
        "streamArn",
        "indexes",
        "processorFunction",
        "policies",
    }
    assert table["tableName"] == "dbtier-prod-UserProfiles"
    assert table["streamArn"].startswith(table["arn"] + "/stream/")
    assert table["indexes"] == ["EmailIndex", "DepartmentIndex"]
    assert table["processorFunction"] == _ident("dynamo-UserProfiles-processor")


def test_every_child_is_parented_to_its_dynamo_table(prod_plan: Plan) -> None:
    component = one(prod_plan, COMPONENT)
    children = [r for r in prod_plan.resources if r.parent == component.urn]
    assert {r.type for r in children} >= {TABLE, FUNCTION, MAPPING, QUEUE, LOG_GROUP, ROLE_POLICY}
    for child in children:
        assert child.name.startswith("dynamo-UserProfiles-")


def test_dynamo_off_creates_no_table_and_no_output(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", dynamo={"enabled": False})
    assert of_type(plan, TABLE) == [] and of_type(plan, FUNCTION) == []
    assert "dynamo" not in plan.outputs


# -- provisioned mode and autoscaling --------------------------------------------------------


def test_provisioned_table_scales_table_and_every_gsi_reads_and_writes(
    provisioned_plan: Plan,
) -> None:
    targets = {
        (t.inputs["resourceId"], t.inputs["scalableDimension"])
        for t in of_type(provisioned_plan, TARGET)
    }
    table = "table/dbtier-prod-Orders"
    assert targets == {
        (table, "dynamodb:table:ReadCapacityUnits"),
        (table, "dynamodb:table:WriteCapacityUnits"),
        (f"{table}/index/CustomerIndex", "dynamodb:index:ReadCapacityUnits"),
        (f"{table}/index/CustomerIndex", "dynamodb:index:WriteCapacityUnits"),
    }
    for target in of_type(provisioned_plan, TARGET):
        assert target.inputs["minCapacity"] == 5 and target.inputs["maxCapacity"] == 200
        assert target.inputs["serviceNamespace"] == "dynamodb"


def test_each_scaling_target_has_a_target_tracking_policy(provisioned_plan: Plan) -> None:
    policies = of_type(provisioned_plan, POLICY)
    assert len(policies) == 4
    for policy in policies:
        assert policy.inputs["policyType"] == "TargetTrackingScaling"
        config = policy.inputs["targetTrackingScalingPolicyConfiguration"]
        assert config["targetValue"] == 60
        metric = config["predefinedMetricSpecification"]["predefinedMetricType"]
        kind = "Read" if "Read" in policy.inputs["scalableDimension"] else "Write"
        assert metric == f"DynamoDB{kind}CapacityUtilization"


def test_provisioned_table_keeps_its_capacities_and_include_projection(
    provisioned_plan: Plan,
) -> None:
    table = one(provisioned_plan, TABLE).inputs
    assert table["billingMode"] == "PROVISIONED"
    assert (table["readCapacity"], table["writeCapacity"]) == (10, 10)
    (index,) = table["globalSecondaryIndexes"]
    assert index["projectionType"] == "INCLUDE" and index["nonKeyAttributes"] == ["total"]
    assert (index["readCapacity"], index["writeCapacity"]) == (5, 5)
    assert table["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert table["streamEnabled"] is False
    assert [f for f in of_type(provisioned_plan, FUNCTION) if "DynamoTable" in f.urn] == []
    assert provisioned_plan.outputs["dynamo"]["tables"]["Orders"]["processorFunction"] is None


def test_autoscaled_capacity_is_ignored_on_update(ignore_changes: dict[str, list[str]]) -> None:
    plan_module.plan_stack(
        "prod", config_overrides={"dbtier:dynamo": {"tables": [PROVISIONED_TABLE]}}
    )
    assert set(ignore_changes["dynamo-Orders-table"]) == {
        "readCapacity",
        "writeCapacity",
        "globalSecondaryIndexes[*].readCapacity",
        "globalSecondaryIndexes[*].writeCapacity",
    }


def test_on_demand_table_ignores_nothing(ignore_changes: dict[str, list[str]]) -> None:
    plan_module.plan_stack("dev")
    assert ignore_changes["dynamo-UserProfiles-table"] == []


# -- the stream processor --------------------------------------------------------------------


def test_processor_packages_exactly_the_handler_file_on_a_current_runtime(
    prod_plan: Plan,
) -> None:
    function = one(prod_plan, FUNCTION, "dynamo-UserProfiles-processor").inputs
    runtime = function["runtime"]
    assert runtime == LAMBDA_RUNTIME
    assert tuple(map(int, runtime.removeprefix("python").split("."))) >= (3, 13)
    # The package is the repository's lambdas/stream_processor.py alone, and the handler names
    # the function Lambda calls in it. prod signs code: the package is the object it signs.
    assert "code" not in function
    assets = one(
        prod_plan, "aws:s3/bucketObjectv2:BucketObjectv2", "dynamo-UserProfiles-processor-package"
    ).inputs["source"]["assets"]
    assert list(assets) == ["stream_processor.py"]
    assert Path(assets["stream_processor.py"]["path"]) == ROOT / "lambdas" / "stream_processor.py"
    module, _, name = function["handler"].partition(".")
    assert (module, name) == ("stream_processor", "handler")
    assert callable(stream_processor.handler)
    assert function["kmsKeyArn"].startswith("arn:aws:kms:")
    log_group = one(prod_plan, LOG_GROUP, "dynamo-UserProfiles-processor-logs").inputs
    assert function["loggingConfig"]["logGroup"] == log_group["name"]
    assert function["loggingConfig"]["logFormat"] == "JSON"


def test_processor_log_group_is_encrypted_with_retention(prod_plan: Plan) -> None:
    group = one(prod_plan, LOG_GROUP, "dynamo-UserProfiles-processor-logs").inputs
    assert group["retentionInDays"] == 400  # prod's dbtier:logs.retentionDays
    assert group["kmsKeyId"].startswith("arn:aws:kms:")


def test_event_source_mapping_bounds_failures_and_reports_partial_batches(
    prod_plan: Plan,
) -> None:
    mapping = one(prod_plan, MAPPING)
    table = one(prod_plan, TABLE)
    queue = one(prod_plan, QUEUE)
    inputs = mapping.inputs
    assert (
        inputs["eventSourceArn"]
        == prod_plan.outputs["dynamo"]["tables"]["UserProfiles"]["streamArn"]
    )
    assert table.urn in mapping.property_dependencies["eventSourceArn"]
    assert inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert inputs["bisectBatchOnFunctionError"] is True
    assert 0 <= inputs["maximumRetryAttempts"] <= 10
    assert 60 <= inputs["maximumRecordAgeInSeconds"] <= 86400
    assert inputs["batchSize"] == 100
    assert inputs["startingPosition"] == "TRIM_HORIZON"
    assert queue.urn in mapping.property_dependencies["destinationConfig"]
    assert inputs["destinationConfig"]["onFailure"]["destinationArn"].startswith("arn:aws:sqs:")


def test_stream_processor_settings_come_from_config(plan_with: Callable[..., Plan]) -> None:
    table = {
        "name": "Events",
        "hashKey": "id",
        "attributes": {"id": "S"},
        "stream": "NEW_IMAGE",
        "streamProcessor": {
            "batchSize": 25,
            "maximumRetryAttempts": 2,
            "maximumRecordAgeSeconds": 600,
            "memoryMb": 512,
            "timeoutSeconds": 30,
            "logRetentionDays": 14,
        },
    }
    plan = plan_with("dev", dynamo={"tables": [table]})
    mapping = one(plan, MAPPING).inputs
    assert (mapping["batchSize"], mapping["maximumRetryAttempts"]) == (25, 2)
    assert mapping["maximumRecordAgeInSeconds"] == 600
    function = one(plan, FUNCTION).inputs
    assert (function["memorySize"], function["timeout"]) == (512, 30)
    assert one(plan, LOG_GROUP, "dynamo-Events-processor-logs").inputs["retentionInDays"] == 14


def test_dead_letter_queue_is_encrypted_with_the_stack_key(prod_plan: Plan) -> None:
    queue = one(prod_plan, QUEUE)
    key = one(prod_plan, "aws:kms/key:Key")
    assert queue.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert key.urn in queue.property_dependencies["kmsMasterKeyId"]
    # Lambda parks pointers to stream records, which the stream trims after 24 h.
    assert queue.inputs["messageRetentionSeconds"] == 24 * 3600


def test_processor_role_reads_exactly_this_tables_stream_and_nothing_wider(
    prod_plan: Plan,
) -> None:
    policy = statements(
        one(prod_plan, ROLE_POLICY, "dynamo-UserProfiles-processor-policy").inputs["policy"]
    )
    stream_arn = prod_plan.outputs["dynamo"]["tables"]["UserProfiles"]["streamArn"]
    dynamo = [s for s in policy if any(str(a).startswith("dynamodb:") for a in _actions(s))]
    assert len(dynamo) == 1
    assert sorted(_actions(dynamo[0])) == sorted(STREAM_READ_ACTIONS)
    assert resources_of(dynamo[0]) == [stream_arn]
    for statement in policy:
        assert statement["Effect"] == "Allow"
        # X-Ray has no resource-level permissions: its two write actions are the one exception.
        if statement.get("Sid") == "WriteTraces":
            assert sorted(_actions(statement)) == sorted(XRAY_WRITE_ACTIONS)
            continue
        assert "*" not in resources_of(statement)
        assert not any(a.endswith(":*") or a == "*" for a in _actions(statement))


def test_processor_role_writes_only_its_log_group_and_dlq(prod_plan: Plan) -> None:
    policy = statements(
        one(prod_plan, ROLE_POLICY, "dynamo-UserProfiles-processor-policy").inputs["policy"]
    )
    queue_arn = f"arn:aws:sqs:us-east-1:123456789012:{_ident('dynamo-UserProfiles-processor-dlq')}"
    by_service = {_actions(s)[0].split(":")[0]: s for s in policy}
    assert resources_of(by_service["sqs"]) == [queue_arn]
    assert _actions(by_service["sqs"]) == ["sqs:SendMessage"]
    (logs,) = resources_of(by_service["logs"])
    assert logs.startswith(
        "arn:aws:logs:us-east-1:123456789012:log-group:/dbtier/prod/UserProfiles/"
    )
    assert sorted(_actions(by_service["logs"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert by_service["kms"]["Condition"] == {
        "StringLike": {"kms:ViaService": "sqs.*.amazonaws.com"}
    }


def test_function_and_mapping_wait_for_the_role_policy(prod_plan: Plan) -> None:
    policy = one(prod_plan, ROLE_POLICY, "dynamo-UserProfiles-processor-policy").urn
    assert policy in one(prod_plan, FUNCTION, "dynamo-UserProfiles-processor").dependencies
    assert policy in one(prod_plan, MAPPING).dependencies


def test_table_without_processor_has_no_lambda(plan_with: Callable[..., Plan]) -> None:
    table = {"name": "Plain", "hashKey": "id", "attributes": {"id": "S"}, "stream": "KEYS_ONLY"}
    plan = plan_with("dev", dynamo={"tables": [table]})
    assert of_type(plan, FUNCTION) == [] and of_type(plan, QUEUE) == []
    assert one(plan, TABLE).inputs["streamViewType"] == "KEYS_ONLY"


def _actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(
    ("setting", "value"),
    [("dlqRetentionSeconds", 1209600), ("maximumRecordAgeSeconds", 172800)],
)
def test_processor_settings_past_the_streams_24_hours_name_the_key(
    plan_with: Callable[..., Plan], setting: str, value: int
) -> None:
    tables = [
        {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S"},
            "stream": "NEW_IMAGE",
            "streamProcessor": {setting: value},
        }
    ]
    with pytest.raises(PlanError, match=rf"dbtier:dynamo\.tables\[0\]\.streamProcessor\.{setting}"):
        plan_with("dev", dynamo={"tables": tables})


def test_dlq_retention_is_configurable_up_to_a_day(plan_with: Callable[..., Plan]) -> None:
    tables = [
        {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S"},
            "stream": "NEW_IMAGE",
            "streamProcessor": {"dlqRetentionSeconds": 43200},
        }
    ]
    plan = plan_with("dev", dynamo={"tables": tables})
    assert one(plan, QUEUE).inputs["messageRetentionSeconds"] == 43200
