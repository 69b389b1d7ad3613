"""The stream processor of a DynamoTable: a Lambda, its least-privilege role, logs and DLQ.

The handler is `lambdas/stream_processor.py`, found through the import system and packaged as
the function's only file. Without code signing the package goes inline with the function; with
it, the package goes through a versioned artifact bucket to an AWS Signer signing job, and the
function is deployed from the signed copy, so a code-signing config in Enforce mode accepts it.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent, assume_role_policy
from components.dynamo.config import DynamoTableConfig
from components.dynamo.shape import (
    dead_letter_queue_args,
    function_args,
    mapping_args,
    processor_log_group,
)
from components.functions import XRAY_WRITE_ACTIONS, SignedCode, signed_code

# The handler module is a single file by contract: stdlib + boto3 only, packaged on its own.
# Found through the import system (not executed), so the program never loads boto3 for it.
_HANDLER_SPEC = importlib.util.find_spec("lambdas.stream_processor")
assert _HANDLER_SPEC is not None and _HANDLER_SPEC.origin is not None
HANDLER_FILE = Path(_HANDLER_SPEC.origin)
# Stream read actions the event source mapping needs, and nothing else on the table.
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]

# The handler's package in the artifact bucket, when the processor's code is signed.
UNSIGNED_KEY = f"unsigned/{HANDLER_FILE.stem}.zip"


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


def processor_signed_code(
    owner: DbtierComponent,
    name: str,
    cfg: DynamoTableConfig,
    code: pulumi.Archive,
    kms_key_arn: pulumi.Input[str],
) -> SignedCode:
    """The processor's package signed (`components.signing`), its children `{name}-processor-*`."""
    return signed_code(
        owner,
        f"{name}-processor",
        name=cfg.schema.name,
        description=f"dbtier {cfg.schema.name} stream processor: code signed by its profile",
        code=code,
        unsigned_key=UNSIGNED_KEY,
        kms_key_arn=kms_key_arn,
        untrusted_artifact_policy=cfg.processor.untrusted_artifact_policy,
    )


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
        opts=owner.child(),
        **dead_letter_queue_args(cfg),
    )
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-processor-logs",
        kms_key_id=kms_key_arn,
        opts=owner.child(),
        **processor_log_group(cfg, pulumi.get_stack(), log_retention_days),
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
    code = pulumi.AssetArchive({HANDLER_FILE.name: pulumi.FileAsset(str(HANDLER_FILE))})
    signed = (
        processor_signed_code(owner, name, cfg, code, kms_key_arn)
        if settings.code_signing
        else None
    )
    function = aws.lambda_.Function(
        f"{name}-processor",
        # Signed: the signing job's copy; unsigned: the package inline.
        code=None if signed else code,
        s3_bucket=signed.s3_bucket if signed else None,
        s3_key=signed.s3_key if signed else None,
        role=role.arn,
        # The environment is encrypted with the stack key.
        kms_key_arn=kms_key_arn,
        code_signing_config_arn=signed.config_arn if signed else None,
        # The role must carry its permissions before Lambda validates the function.
        opts=owner.child(depends_on=[policy]),
        **function_args(cfg, log_group.name),
    )
    aws.lambda_.EventSourceMapping(
        f"{name}-processor-mapping",
        event_source_arn=table.stream_arn,
        function_name=function.arn,
        destination_config={"on_failure": {"destination_arn": queue.arn}},
        # Lambda checks the stream permissions when the mapping is created.
        opts=owner.child(depends_on=[policy]),
        **mapping_args(cfg),
    )
    return function, queue
