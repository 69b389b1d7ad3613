"""The stream processor of a DynamoTable: a Lambda, its least-privilege role, logs and DLQ.

The handler is `lambdas/stream_processor.py`, found through the import system and packaged as
the function's only file.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent, assume_role_policy
from components.dynamo.config import DynamoTableConfig

# The handler module is a single file by contract: stdlib + boto3 only, packaged on its own.
# Found through the import system (not executed), so the program never loads boto3 for it.
_HANDLER_SPEC = importlib.util.find_spec("lambdas.stream_processor")
assert _HANDLER_SPEC is not None and _HANDLER_SPEC.origin is not None
HANDLER_FILE = Path(_HANDLER_SPEC.origin)
HANDLER = "stream_processor.handler"
# The newest Python runtime Lambda offers; arm64 (Graviton) is cheaper for the same work.
LAMBDA_RUNTIME = "python3.14"
LAMBDA_ARCHITECTURE = "arm64"
# Stream read actions the event source mapping needs, and nothing else on the table.
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]


# What active tracing needs (the actions of the managed AWSXRayDaemonWriteAccess that a function
# uses); X-Ray has no resource-level permissions, so the resource is "*":
# https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# Lambda validates a signed package against the config; in Warn mode it accepts an unsigned one
# and logs it (Enforce would refuse the unsigned zip the component uploads):
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA"
UNTRUSTED_ARTIFACT_ACTION = "Warn"


def processor_policy(
    stream_arn: str, log_group_arn: str, queue_arn: str, key_arn: str, tracing: bool = False
) -> str:
    """The processor role's only permissions: read this stream, log to its group, park in its DLQ
    (and, with tracing, send its traces)."""
    tracing_statements = (
        [{"Sid": "WriteTraces", "Effect": "Allow", "Action": XRAY_WRITE_ACTIONS, "Resource": "*"}]
        if tracing
        else []
    )
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                *tracing_statements,
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


def signing_profile_prefix(stack: str, table: str) -> str:
    """The signing profile's name prefix: AWS Signer allows letters, digits and _ (64 in all,
    26 of them the generated suffix)."""
    return re.sub(r"[^A-Za-z0-9]", "_", f"dbtier_{stack}_{table}")[:37] + "_"


def stream_processor(
    owner: DbtierComponent,
    name: str,
    cfg: DynamoTableConfig,
    table: aws.dynamodb.Table,
    kms_key_arn: pulumi.Input[str],
    *,
    log_retention_days: int,
) -> tuple[aws.lambda_.Function, aws.sqs.Queue]:
    """The Lambda that drains the table's stream, its role, log group, DLQ and mapping.

    Every resource is a child of `owner`, the DynamoTable of `table`. The log group keeps
    `log_retention_days` (dbtier:logs) unless the processor's logRetentionDays says otherwise.
    """
    settings = cfg.processor
    queue = aws.sqs.Queue(
        f"{name}-processor-dlq",
        kms_master_key_id=kms_key_arn,
        kms_data_key_reuse_period_seconds=300,
        # Lambda sends a stream source's DLQ only pointers (shard, sequence numbers) to records
        # the stream trims after 24 h: keeping a message longer keeps a dead pointer.
        message_retention_seconds=settings.dlq_retention_seconds,
        opts=owner.child(),
    )
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-processor-logs",
        name=f"/dbtier/{pulumi.get_stack()}/{cfg.schema.name}/stream-processor",
        retention_in_days=settings.log_retention_days or log_retention_days,
        kms_key_id=kms_key_arn,
        opts=owner.child(),
    )
    role = aws.iam.Role(
        f"{name}-processor-role",
        description=f"dbtier {cfg.schema.name} stream processor: its stream, its logs, its DLQ",
        assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
        opts=owner.child(),
    )
    policy = aws.iam.RolePolicy(
        f"{name}-processor-policy",
        role=role.id,
        policy=pulumi.Output.all(table.stream_arn, log_group.arn, queue.arn, kms_key_arn).apply(
            lambda v: processor_policy(v[0], v[1], v[2], v[3], tracing=settings.tracing)
        ),
        opts=owner.child(),
    )
    signing = None
    if settings.code_signing:
        profile = aws.signer.SigningProfile(
            f"{name}-processor-signing",
            # Signer names: letters, digits and _ only, and never reusable once cancelled, so a
            # prefix with a generated suffix (at most 38 characters).
            name_prefix=signing_profile_prefix(pulumi.get_stack(), cfg.schema.name),
            platform_id=SIGNING_PLATFORM,
            opts=owner.child(),
        )
        signing = aws.lambda_.CodeSigningConfig(
            f"{name}-processor-code-signing",
            description=f"dbtier {cfg.schema.name} stream processor: code signed by its profile",
            allowed_publishers={"signing_profile_version_arns": [profile.version_arn]},
            policies={"untrusted_artifact_on_deployment": UNTRUSTED_ARTIFACT_ACTION},
            opts=owner.child(),
        )
    function = aws.lambda_.Function(
        f"{name}-processor",
        description=f"dbtier {cfg.schema.name}: DynamoDB stream processor",
        runtime=LAMBDA_RUNTIME,
        architectures=[LAMBDA_ARCHITECTURE],
        handler=HANDLER,
        code=pulumi.AssetArchive({HANDLER_FILE.name: pulumi.FileAsset(str(HANDLER_FILE))}),
        role=role.arn,
        memory_size=settings.memory_mb,
        timeout=settings.timeout_seconds,
        # The environment is encrypted with the stack key; the handler reads LOG_LEVEL.
        kms_key_arn=kms_key_arn,
        environment={"variables": {"LOG_LEVEL": settings.log_level}},
        logging_config={
            "log_format": "JSON",
            "log_group": log_group.name,
            "application_log_level": settings.log_level,
            "system_log_level": "WARN",
        },
        tracing_config={"mode": "Active"} if settings.tracing else None,
        reserved_concurrent_executions=settings.reserved_concurrency,
        code_signing_config_arn=signing.arn if signing else None,
        # The role must carry its permissions before Lambda validates the function.
        opts=owner.child(depends_on=[policy]),
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
        opts=owner.child(depends_on=[policy]),
    )
    return function, queue
