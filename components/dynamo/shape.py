"""What a DynamoTable decides, as plain values from its parsed `dbtier:dynamo.tables` entry.

The table's arguments (physical name, key attributes, GSIs with their projections, capacity
mode, stream, recovery, SSE, TTL, deletion protection, what autoscaling owns on update), the
Application Auto Scaling plan of a provisioned table and each of its indexes, and the stream
processor's settings (its dead-letter queue, log group, function and event source mapping).
Values that exist only once deployed (the key ARN, the table's and log group's names) come in
as opaque parameters and are only placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from components.dynamo.config import DynamoAutoscalingConfig, DynamoTableConfig, table_name
from components.dynamo.replicas import replica_blocks, stream_of
from components.functions import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from components.placement import RegionPlacement
from contract.tables import TableSchema, key_schema, projection
from contract.tables import attribute_definitions as schema_attributes

T = TypeVar("T")

# The handler's module and function inside the package (lambdas/stream_processor.py).
HANDLER = "stream_processor.handler"


def attribute_definitions(schema: TableSchema) -> list[dict[str, str]]:
    """The table's attribute definitions in the provider's form: the key attributes only."""
    return [
        {"name": attr["AttributeName"], "type": attr["AttributeType"]}
        for attr in schema_attributes(schema)
    ]


def global_secondary_indexes(schema: TableSchema) -> list[dict[str, object]]:
    """GSI blocks in the key-schema form (hash_key/range_key on GSIs are deprecated in 7.x)."""
    indexes: list[dict[str, object]] = []
    for index in schema.indexes:
        shape = projection(index)
        block: dict[str, object] = {
            "name": index.name,
            "key_schemas": [
                {"attribute_name": key["AttributeName"], "key_type": key["KeyType"]}
                for key in key_schema(index.hash_key, index.range_key)
            ],
            "projection_type": shape["ProjectionType"],
        }
        if "NonKeyAttributes" in shape:
            block["non_key_attributes"] = shape["NonKeyAttributes"]
        if schema.billing_mode == "PROVISIONED":
            block["read_capacity"] = index.read_capacity
            block["write_capacity"] = index.write_capacity
        indexes.append(block)
    return indexes


def capacity_ignored_on_update(schema: TableSchema) -> list[str]:
    """Properties Application Auto Scaling owns once the table exists: `pulumi up` leaves them."""
    if schema.billing_mode != "PROVISIONED":
        return []
    return [
        "readCapacity",
        "writeCapacity",
        "globalSecondaryIndexes[*].readCapacity",
        "globalSecondaryIndexes[*].writeCapacity",
    ]


def table_args(
    cfg: DynamoTableConfig,
    project: str,
    stack: str,
    kms_key_arn: object,
    replicas: Sequence[RegionPlacement] = (),
) -> dict[str, Any]:
    """The table's arguments: its physical name, keys and only the key attributes, GSIs,
    capacity (provisioned only), stream, PITR, SSE with the stack key, TTL, deletion protection,
    and its global table replicas (`replicas`)."""
    schema = cfg.schema
    stream = stream_of(cfg, bool(replicas))
    provisioned = schema.billing_mode == "PROVISIONED"
    return {
        "name": table_name(project, stack, schema.name),
        "billing_mode": schema.billing_mode,
        "hash_key": schema.hash_key,
        "range_key": schema.range_key,
        "attributes": attribute_definitions(schema),
        "global_secondary_indexes": global_secondary_indexes(schema) or None,
        "read_capacity": schema.read_capacity if provisioned else None,
        "write_capacity": schema.write_capacity if provisioned else None,
        "stream_enabled": stream is not None,
        "stream_view_type": stream,
        "point_in_time_recovery": {"enabled": cfg.point_in_time_recovery},
        "server_side_encryption": {"enabled": True, "kms_key_arn": kms_key_arn},
        "ttl": (
            {"attribute_name": cfg.ttl_attribute, "enabled": True} if cfg.ttl_attribute else None
        ),
        "deletion_protection_enabled": cfg.deletion_protection,
        "replicas": replica_blocks(cfg, replicas),
    }


def index_names(schema: TableSchema) -> list[str]:
    """The names of the table's GSIs, in config order."""
    return [index.name for index in schema.indexes]


@dataclass(frozen=True)
class ScalingTarget:
    """One scalable dimension (reads or writes of the table or of one index) and its policy."""

    role: str
    """Child name role: table-read, index-EmailIndex-write ..."""
    index: str | None
    """The index it scales; None: the table."""
    kind: str
    """Read or Write."""
    scaling: DynamoAutoscalingConfig
    """Capacity bounds and target utilization."""

    def resource_id(self, table: T) -> tuple[str | T, ...]:
        """The parts of Application Auto Scaling's resource id, around the table's name."""
        if self.index is None:
            return ("table/", table)
        return ("table/", table, "/index/", self.index)

    def target_args(self) -> dict[str, Any]:
        """The scalable target's arguments besides its resource id."""
        level = "table" if self.index is None else "index"
        return {
            "service_namespace": "dynamodb",
            "scalable_dimension": f"dynamodb:{level}:{self.kind}CapacityUnits",
            "min_capacity": self.scaling.min_capacity,
            "max_capacity": self.scaling.max_capacity,
        }

    def policy_configuration(self) -> dict[str, Any]:
        """Target tracking on the dimension's own utilization metric."""
        return {
            "predefined_metric_specification": {
                "predefined_metric_type": f"DynamoDB{self.kind}CapacityUtilization"
            },
            "target_value": self.scaling.target_utilization,
        }


def scaling_plan(cfg: DynamoTableConfig) -> list[ScalingTarget]:
    """Reads and writes of a provisioned table and of every index, with the table's autoscaling
    settings (the defaults when it gives none); nothing for an on-demand table."""
    if cfg.schema.billing_mode != "PROVISIONED":
        return []
    scaling = cfg.autoscaling or DynamoAutoscalingConfig()
    return [
        ScalingTarget(
            f"{'table' if index is None else f'index-{index}'}-{kind.lower()}", index, kind, scaling
        )
        for index in (None, *index_names(cfg.schema))
        for kind in ("Read", "Write")
    ]


def dead_letter_queue_args(cfg: DynamoTableConfig) -> dict[str, Any]:
    """The processor's DLQ: SSE data keys reused for 5 minutes, and a retention no longer than
    the stream keeps the records its messages point to."""
    return {
        "kms_data_key_reuse_period_seconds": 300,
        # Lambda sends a stream source's DLQ only pointers (shard, sequence numbers) to records
        # the stream trims after 24 h: keeping a message longer keeps a dead pointer.
        "message_retention_seconds": cfg.processor.dlq_retention_seconds,
    }


def processor_log_group(
    cfg: DynamoTableConfig, stack: str, default_retention_days: int
) -> dict[str, Any]:
    """The processor's log group: per stack and table, with the processor's retention, else the
    stack's (dbtier:logs)."""
    return {
        "name": f"/dbtier/{stack}/{cfg.schema.name}/stream-processor",
        "retention_in_days": cfg.processor.log_retention_days or default_retention_days,
    }


def function_args(cfg: DynamoTableConfig, log_group: object) -> dict[str, Any]:
    """The processor function's settings: runtime and handler, memory and timeout, its log level
    (Lambda's filter and the handler's LOG_LEVEL), JSON logs to `log_group` (its name), tracing
    and reserved concurrency. The code, role and keys come with the wiring."""
    settings = cfg.processor
    return {
        "description": f"dbtier {cfg.schema.name}: DynamoDB stream processor",
        "runtime": LAMBDA_RUNTIME,
        "architectures": [LAMBDA_ARCHITECTURE],
        "handler": HANDLER,
        "memory_size": settings.memory_mb,
        "timeout": settings.timeout_seconds,
        "environment": {"variables": {"LOG_LEVEL": settings.log_level}},
        "logging_config": {
            "log_format": "JSON",
            "log_group": log_group,
            "application_log_level": settings.log_level,
            "system_log_level": "WARN",
        },
        "tracing_config": {"mode": "Active"} if settings.tracing else None,
        "reserved_concurrent_executions": settings.reserved_concurrency,
    }


def mapping_args(cfg: DynamoTableConfig) -> dict[str, Any]:
    """The event source mapping: from the stream's start, batches split on error, bounded
    retries and record age, partial batch responses. The DLQ comes with the wiring."""
    settings = cfg.processor
    return {
        "starting_position": "TRIM_HORIZON",
        "batch_size": settings.batch_size,
        "parallelization_factor": settings.parallelization_factor,
        "bisect_batch_on_function_error": True,
        "maximum_retry_attempts": settings.maximum_retry_attempts,
        "maximum_record_age_in_seconds": settings.maximum_record_age_seconds,
        "function_response_types": ["ReportBatchItemFailures"],
    }
