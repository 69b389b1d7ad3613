"""DynamoTable's decisions from a `dbtier:dynamo.tables` entry, without a plan: the table's
arguments, its GSIs, what autoscaling owns, the scaling plan, and the stream processor's
queue, log group, function and mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.dynamo.config import DynamoConfig, parse_dynamo_table
from components.dynamo.shape import (
    HANDLER,
    LAMBDA_ARCHITECTURE,
    LAMBDA_RUNTIME,
    attribute_definitions,
    capacity_ignored_on_update,
    dead_letter_queue_args,
    function_args,
    global_secondary_indexes,
    index_names,
    mapping_args,
    processor_log_group,
    scaling_plan,
    table_args,
)

# The default UserProfiles table: on demand, two GSIs, a stream and its processor.
USER_PROFILES = DynamoConfig().tables[0]
ORDERS: dict[str, Any] = {
    "name": "Orders",
    "hashKey": "orderId",
    "rangeKey": "createdAt",
    "attributes": {"orderId": "S", "createdAt": "N", "customerId": "S"},
    "indexes": [
        {
            "name": "ByCustomer",
            "hashKey": "customerId",
            "projection": "INCLUDE",
            "nonKeyAttributes": ["total"],
            "readCapacity": 6,
            "writeCapacity": 7,
        }
    ],
    "billingMode": "PROVISIONED",
    "readCapacity": 10,
    "writeCapacity": 20,
    "autoscaling": {"minCapacity": 5, "maxCapacity": 200, "targetUtilization": 60},
    "ttlAttribute": "expiresAt",
}
PROVISIONED = parse_dynamo_table("t", ORDERS)


def test_on_demand_table_has_no_capacity_and_encrypts_with_the_stack_key() -> None:
    args = table_args(USER_PROFILES, "dbtier", "dev", "key-arn")
    assert args["name"] == "dbtier-dev-UserProfiles"
    assert args["billing_mode"] == "PAY_PER_REQUEST"
    assert (args["hash_key"], args["range_key"]) == ("userId", None)
    assert (args["read_capacity"], args["write_capacity"]) == (None, None)
    assert args["server_side_encryption"] == {"enabled": True, "kms_key_arn": "key-arn"}
    assert args["point_in_time_recovery"] == {"enabled": True}
    assert args["deletion_protection_enabled"] is True
    assert (args["stream_enabled"], args["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES")
    assert args["ttl"] is None


def test_provisioned_table_takes_its_capacity_ttl_and_no_stream() -> None:
    args = table_args(PROVISIONED, "dbtier", "prod", "k")
    assert args["name"] == "dbtier-prod-Orders"
    assert (args["read_capacity"], args["write_capacity"]) == (10, 20)
    assert args["range_key"] == "createdAt"
    assert args["ttl"] == {"attribute_name": "expiresAt", "enabled": True}
    assert (args["stream_enabled"], args["stream_view_type"]) == (False, None)


def test_recovery_and_deletion_protection_follow_config() -> None:
    cfg = parse_dynamo_table(
        "t", {**ORDERS, "pointInTimeRecovery": False, "deletionProtection": False}
    )
    args = table_args(cfg, "dbtier", "dev", "k")
    assert args["point_in_time_recovery"] == {"enabled": False}
    assert args["deletion_protection_enabled"] is False


def test_only_key_attributes_are_defined() -> None:
    assert attribute_definitions(PROVISIONED.schema) == [
        {"name": "createdAt", "type": "N"},
        {"name": "customerId", "type": "S"},
        {"name": "orderId", "type": "S"},
    ]


def test_gsis_have_key_schemas_projections_and_capacity_only_when_provisioned() -> None:
    assert global_secondary_indexes(PROVISIONED.schema) == [
        {
            "name": "ByCustomer",
            "key_schemas": [{"attribute_name": "customerId", "key_type": "HASH"}],
            "projection_type": "INCLUDE",
            "non_key_attributes": ["total"],
            "read_capacity": 6,
            "write_capacity": 7,
        }
    ]
    department = global_secondary_indexes(USER_PROFILES.schema)[1]
    assert department == {
        "name": "DepartmentIndex",
        "key_schemas": [
            {"attribute_name": "department", "key_type": "HASH"},
            {"attribute_name": "createdAt", "key_type": "RANGE"},
        ],
        "projection_type": "ALL",
    }
    assert index_names(USER_PROFILES.schema) == ["EmailIndex", "DepartmentIndex"]


def test_a_table_without_indexes_passes_none() -> None:
    cfg = parse_dynamo_table("t", {"name": "Plain", "hashKey": "id", "attributes": {"id": "S"}})
    assert table_args(cfg, "p", "s", "k")["global_secondary_indexes"] is None


def test_autoscaling_owns_capacity_of_a_provisioned_table_only() -> None:
    assert capacity_ignored_on_update(USER_PROFILES.schema) == []
    assert capacity_ignored_on_update(PROVISIONED.schema) == [
        "readCapacity",
        "writeCapacity",
        "globalSecondaryIndexes[*].readCapacity",
        "globalSecondaryIndexes[*].writeCapacity",
    ]


def test_on_demand_table_scales_nothing() -> None:
    assert scaling_plan(USER_PROFILES) == []


def test_provisioned_table_scales_reads_and_writes_of_the_table_and_every_index() -> None:
    plan = scaling_plan(PROVISIONED)
    assert [(t.role, t.index, t.kind) for t in plan] == [
        ("table-read", None, "Read"),
        ("table-write", None, "Write"),
        ("index-ByCustomer-read", "ByCustomer", "Read"),
        ("index-ByCustomer-write", "ByCustomer", "Write"),
    ]
    table_read, _, _, index_write = plan
    assert table_read.resource_id("Orders") == ("table/", "Orders")
    assert index_write.resource_id("Orders") == ("table/", "Orders", "/index/", "ByCustomer")
    assert table_read.target_args() == {
        "service_namespace": "dynamodb",
        "scalable_dimension": "dynamodb:table:ReadCapacityUnits",
        "min_capacity": 5,
        "max_capacity": 200,
    }
    assert index_write.target_args()["scalable_dimension"] == "dynamodb:index:WriteCapacityUnits"
    assert index_write.policy_configuration() == {
        "predefined_metric_specification": {
            "predefined_metric_type": "DynamoDBWriteCapacityUtilization"
        },
        "target_value": 60.0,
    }


def test_provisioned_table_without_autoscaling_settings_takes_the_defaults() -> None:
    raw = {k: v for k, v in ORDERS.items() if k != "autoscaling"}
    raw.update(readCapacity=10, writeCapacity=10)
    target = scaling_plan(parse_dynamo_table("t", raw))[0]
    assert (target.target_args()["min_capacity"], target.target_args()["max_capacity"]) == (5, 100)
    assert target.policy_configuration()["target_value"] == 70.0


def test_dead_letter_queue_keeps_messages_no_longer_than_the_stream_keeps_records() -> None:
    assert dead_letter_queue_args(USER_PROFILES) == {
        "kms_data_key_reuse_period_seconds": 300,
        "message_retention_seconds": 86400,
    }
    shorter = parse_dynamo_table(
        "t", {**_streamed(), "streamProcessor": {"dlqRetentionSeconds": 600}}
    )
    assert dead_letter_queue_args(shorter)["message_retention_seconds"] == 600


def test_processor_log_group_is_per_stack_and_table_with_its_own_retention_first() -> None:
    assert processor_log_group(USER_PROFILES, "dev", 14) == {
        "name": "/dbtier/dev/UserProfiles/stream-processor",
        "retention_in_days": 14,
    }
    own = parse_dynamo_table("t", {**_streamed(), "streamProcessor": {"logRetentionDays": 30}})
    assert processor_log_group(own, "prod", 14)["retention_in_days"] == 30


def test_processor_function_defaults() -> None:
    args = function_args(USER_PROFILES, "log-group")
    assert args == {
        "description": "dbtier UserProfiles: DynamoDB stream processor",
        "runtime": LAMBDA_RUNTIME,
        "architectures": [LAMBDA_ARCHITECTURE],
        "handler": HANDLER,
        "memory_size": 256,
        "timeout": 60,
        "environment": {"variables": {"LOG_LEVEL": "INFO"}},
        "logging_config": {
            "log_format": "JSON",
            "log_group": "log-group",
            "application_log_level": "INFO",
            "system_log_level": "WARN",
        },
        "tracing_config": {"mode": "Active"},
        "reserved_concurrent_executions": None,
    }


def test_processor_function_takes_its_settings() -> None:
    settings = {
        "memoryMb": 512,
        "timeoutSeconds": 30,
        "logLevel": "DEBUG",
        "tracing": False,
        "reservedConcurrency": 4,
    }
    cfg = parse_dynamo_table("t", {**_streamed(), "streamProcessor": settings})
    args = function_args(cfg, "g")
    assert (args["memory_size"], args["timeout"]) == (512, 30)
    assert args["environment"] == {"variables": {"LOG_LEVEL": "DEBUG"}}
    assert args["logging_config"]["application_log_level"] == "DEBUG"
    assert args["tracing_config"] is None
    assert args["reserved_concurrent_executions"] == 4


def test_handler_names_the_packaged_module() -> None:
    module, function = HANDLER.split(".")
    assert function == "handler"
    assert (Path(__file__).parents[2] / "lambdas" / f"{module}.py").is_file()


def test_mapping_splits_failing_batches_bounds_retries_and_reports_partial_failures() -> None:
    assert mapping_args(USER_PROFILES) == {
        "starting_position": "TRIM_HORIZON",
        "batch_size": 100,
        "parallelization_factor": 1,
        "bisect_batch_on_function_error": True,
        "maximum_retry_attempts": 3,
        "maximum_record_age_in_seconds": 3600,
        "function_response_types": ["ReportBatchItemFailures"],
    }
    tuned = {"batchSize": 10, "parallelizationFactor": 4, "maximumRetryAttempts": 1}
    args = mapping_args(parse_dynamo_table("t", {**_streamed(), "streamProcessor": tuned}))
    assert (args["batch_size"], args["parallelization_factor"]) == (10, 4)
    assert args["maximum_retry_attempts"] == 1


def _streamed() -> dict[str, Any]:
    """A small on-demand table with a stream, to hang processor settings on."""
    return {"name": "Events", "hashKey": "id", "attributes": {"id": "S"}, "stream": "NEW_IMAGE"}
