"""DynamoTable: one DynamoDB table with its GSIs, autoscaling and an optional stream processor.

Replaces the seed's practice 2 (create-table with two GSIs, update-table --stream-specification,
create-function, create-event-source-mapping) with an encrypted, recoverable table whose stream
is drained by a least-privilege Lambda that reports partial batch failures and parks records it
cannot process in an encrypted dead-letter queue.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent
from components.config import DynamoAutoscalingConfig, DynamoTableConfig

# The handler module is a single file by contract: stdlib + boto3 only, packaged on its own.
# Found through the import system (not executed), so the program never loads boto3 for it.
_HANDLER_SPEC = importlib.util.find_spec("lambdas.stream_processor")
assert _HANDLER_SPEC is not None and _HANDLER_SPEC.origin is not None
HANDLER_FILE = Path(_HANDLER_SPEC.origin)
HANDLER = "stream_processor.handler"
# The newest Python runtime Lambda offers; arm64 (Graviton) is cheaper for the same work.
LAMBDA_RUNTIME = "python3.14"
LAMBDA_ARCHITECTURE = "arm64"
# SQS keeps a message at most 14 days: the longest time to inspect and redrive a failed record.
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
# Stream read actions the event source mapping needs, and nothing else on the table.
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]


def attribute_definitions(cfg: DynamoTableConfig) -> list[dict[str, str]]:
    """Attribute definitions: the key attributes only (config validation guarantees that)."""
    return [{"name": name, "type": kind} for name, kind in sorted(cfg.attributes.items())]


def global_secondary_indexes(cfg: DynamoTableConfig) -> list[dict[str, object]]:
    """GSI blocks in the key-schema form (hash_key/range_key on GSIs are deprecated in 7.x)."""
    indexes: list[dict[str, object]] = []
    for index in cfg.indexes:
        keys = [{"attribute_name": index.hash_key, "key_type": "HASH"}]
        if index.range_key:
            keys.append({"attribute_name": index.range_key, "key_type": "RANGE"})
        block: dict[str, object] = {
            "name": index.name,
            "key_schemas": keys,
            "projection_type": index.projection,
        }
        if index.non_key_attributes:
            block["non_key_attributes"] = list(index.non_key_attributes)
        if cfg.billing_mode == "PROVISIONED":
            block["read_capacity"] = index.read_capacity
            block["write_capacity"] = index.write_capacity
        indexes.append(block)
    return indexes


def capacity_ignored_on_update(cfg: DynamoTableConfig) -> list[str]:
    """Properties Application Auto Scaling owns once the table exists: `pulumi up` leaves them."""
    if cfg.billing_mode != "PROVISIONED":
        return []
    return [
        "readCapacity",
        "writeCapacity",
        "globalSecondaryIndexes[*].readCapacity",
        "globalSecondaryIndexes[*].writeCapacity",
    ]


def scaling_targets(cfg: DynamoTableConfig) -> list[tuple[str, str | None, str]]:
    """(role, index name or None, READ/WRITE) for every scalable dimension of the table."""
    targets: list[tuple[str, str | None, str]] = []
    if cfg.billing_mode != "PROVISIONED":
        return targets
    for index in (None, *(i.name for i in cfg.indexes)):
        for kind in ("Read", "Write"):
            where = "table" if index is None else f"index-{index}"
            targets.append((f"{where}-{kind.lower()}", index, kind))
    return targets


def processor_policy(stream_arn: str, log_group_arn: str, queue_arn: str, key_arn: str) -> str:
    """The processor role's only permissions: read this stream, log to its group, park in its DLQ."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadThisTableStream",
                    "Effect": "Allow",
                    "Action": STREAM_READ_ACTIONS,
                    "Resource": stream_arn,
                },
                {
                    "Sid": "WriteOwnLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{log_group_arn}:log-stream:*",
                },
                {
                    "Sid": "SendFailedRecordsToDlq",
                    "Effect": "Allow",
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                },
                {
                    # The DLQ is encrypted with the stack key: sending needs a data key, and only
                    # through SQS.
                    "Sid": "EncryptDlqMessages",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": key_arn,
                    "Condition": {"StringLike": {"kms:ViaService": "sqs.*.amazonaws.com"}},
                },
            ],
        },
        indent=2,
    )


LAMBDA_ASSUME_ROLE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@dataclass(frozen=True)
class DynamoTableArgs:
    config: DynamoTableConfig
    """Keys, indexes, capacity, stream and processor of this table (one dbtier:dynamo.tables entry)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: table SSE, the DLQ, the log group, Lambda environment."""
    protect: bool = False
    """Pulumi `protect` on the table."""


class DynamoTable(DbtierComponent):
    """A DynamoDB table, its autoscaling, and optionally a stream processor Lambda with a DLQ."""

    table_name: pulumi.Output[str]
    """Physical table name."""
    arn: pulumi.Output[str]
    """Table ARN."""
    stream_arn: pulumi.Output[str | None]
    """Latest stream ARN (None without a stream)."""
    indexes: pulumi.Output[list[str]]
    """Names of the global secondary indexes."""
    processor_function: pulumi.Output[str | None]
    """Name of the stream processor Lambda (None without one)."""
    dead_letter_queue: pulumi.Output[str | None]
    """Name of the processor's dead-letter queue (None without a processor)."""

    def __init__(
        self, name: str, args: DynamoTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("DynamoTable", name, args.protect, opts)
        cfg = args.config
        provisioned = cfg.billing_mode == "PROVISIONED"

        # Plain dicts for the nested blocks; typed Any so mypy need not expand every Input union.
        attributes: Any = attribute_definitions(cfg)
        indexes: Any = global_secondary_indexes(cfg) or None
        ttl: Any = (
            {"attribute_name": cfg.ttl_attribute, "enabled": True} if cfg.ttl_attribute else None
        )
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=f"{pulumi.get_project()}-{pulumi.get_stack()}-{cfg.name}",
            billing_mode=cfg.billing_mode,
            hash_key=cfg.hash_key,
            range_key=cfg.range_key,
            attributes=attributes,
            global_secondary_indexes=indexes,
            read_capacity=cfg.read_capacity if provisioned else None,
            write_capacity=cfg.write_capacity if provisioned else None,
            stream_enabled=cfg.stream is not None,
            stream_view_type=cfg.stream,
            point_in_time_recovery={"enabled": cfg.point_in_time_recovery},
            server_side_encryption={"enabled": True, "kms_key_arn": args.kms_key_arn},
            ttl=ttl,
            deletion_protection_enabled=cfg.deletion_protection,
            opts=self.child(stateful=True, ignore_changes=capacity_ignored_on_update(cfg)),
        )

        scaling = cfg.autoscaling or DynamoAutoscalingConfig()
        for role, index, kind in scaling_targets(cfg):
            level = "table" if index is None else "index"
            resource_id = (
                pulumi.Output.concat("table/", table.name)
                if index is None
                else pulumi.Output.concat("table/", table.name, "/index/", index)
            )
            target = aws.appautoscaling.Target(
                f"{name}-{role}-target",
                service_namespace="dynamodb",
                resource_id=resource_id,
                scalable_dimension=f"dynamodb:{level}:{kind}CapacityUnits",
                min_capacity=scaling.min_capacity,
                max_capacity=scaling.max_capacity,
                opts=self.child(),
            )
            aws.appautoscaling.Policy(
                f"{name}-{role}-policy",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration={
                    "predefined_metric_specification": {
                        "predefined_metric_type": f"DynamoDB{kind}CapacityUtilization"
                    },
                    "target_value": scaling.target_utilization,
                },
                opts=self.child(),
            )

        self.processor_function = pulumi.Output.from_input(None)
        self.dead_letter_queue = pulumi.Output.from_input(None)
        if cfg.stream_processor:
            function, queue = self._stream_processor(name, cfg, table, args.kms_key_arn)
            self.processor_function = function.name
            self.dead_letter_queue = queue.name

        self.table_name = table.name
        self.arn = table.arn
        self.stream_arn = table.stream_arn if cfg.stream else pulumi.Output.from_input(None)
        self.indexes = pulumi.Output.from_input([index.name for index in cfg.indexes])
        self.register_outputs(
            {
                "table_name": self.table_name,
                "arn": self.arn,
                "stream_arn": self.stream_arn,
                "indexes": self.indexes,
                "processor_function": self.processor_function,
                "dead_letter_queue": self.dead_letter_queue,
            }
        )

    def _stream_processor(
        self,
        name: str,
        cfg: DynamoTableConfig,
        table: aws.dynamodb.Table,
        kms_key_arn: pulumi.Input[str],
    ) -> tuple[aws.lambda_.Function, aws.sqs.Queue]:
        """The Lambda that drains the table's stream, its role, log group, DLQ and mapping."""
        settings = cfg.processor
        queue = aws.sqs.Queue(
            f"{name}-processor-dlq",
            kms_master_key_id=kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            opts=self.child(),
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-processor-logs",
            name=f"/dbtier/{pulumi.get_stack()}/{cfg.name}/stream-processor",
            retention_in_days=settings.log_retention_days,
            kms_key_id=kms_key_arn,
            opts=self.child(),
        )
        role = aws.iam.Role(
            f"{name}-processor-role",
            description=f"dbtier {cfg.name} stream processor: its stream, its logs, its DLQ",
            assume_role_policy=LAMBDA_ASSUME_ROLE,
            opts=self.child(),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-processor-policy",
            role=role.id,
            policy=pulumi.Output.all(table.stream_arn, log_group.arn, queue.arn, kms_key_arn).apply(
                lambda v: processor_policy(*v)
            ),
            opts=self.child(),
        )
        function = aws.lambda_.Function(
            f"{name}-processor",
            description=f"dbtier {cfg.name}: DynamoDB stream processor",
            runtime=LAMBDA_RUNTIME,
            architectures=[LAMBDA_ARCHITECTURE],
            handler=HANDLER,
            code=pulumi.AssetArchive({HANDLER_FILE.name: pulumi.FileAsset(str(HANDLER_FILE))}),
            role=role.arn,
            memory_size=settings.memory_mb,
            timeout=settings.timeout_seconds,
            kms_key_arn=kms_key_arn,
            logging_config={
                "log_format": "JSON",
                "log_group": log_group.name,
                "application_log_level": "INFO",
                "system_log_level": "WARN",
            },
            # The role must carry its permissions before Lambda validates the function.
            opts=self.child(depends_on=[policy]),
        )
        aws.lambda_.EventSourceMapping(
            f"{name}-processor-mapping",
            event_source_arn=table.stream_arn,
            function_name=function.arn,
            starting_position="TRIM_HORIZON",
            batch_size=settings.batch_size,
            parallelization_factor=settings.parallelization_factor,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=settings.maximum_retry_attempts,
            maximum_record_age_in_seconds=settings.maximum_record_age_seconds,
            function_response_types=["ReportBatchItemFailures"],
            destination_config={"on_failure": {"destination_arn": queue.arn}},
            # Lambda checks the stream permissions when the mapping is created.
            opts=self.child(depends_on=[policy]),
        )
        return function, queue
