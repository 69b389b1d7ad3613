"""The stream processor of a DynamoTable: a Lambda, its least-privilege role, logs and DLQ.

The handler is `lambdas/stream_processor.py`, found through the import system and packaged as
the function's only file. Without code signing the package goes inline with the function; with
it, the package goes through a versioned artifact bucket to an AWS Signer signing job, and the
function is deployed from the signed copy, so a code-signing config in Enforce mode accepts it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
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


# What active tracing needs (the actions of the managed AWSXRayDaemonWriteAccess that a function
# uses); X-Ray has no resource-level permissions, so the resource is "*":
# https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# Lambda validates a package against its code-signing config at deployment: signed by an allowed
# profile, or refused (Enforce) or only counted and logged (Warn). Signer's Lambda platform:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA"
# Where the package and its signed copies live in the artifact bucket. Signer reads a source
# object by its version id (so the bucket must be versioned) and writes the signed copy under the
# destination prefix, at a key of its own choosing (the job's id): the job reports the copy's key
# (signed_objects). The destination takes a prefix only, never a fixed key.
UNSIGNED_KEY = f"unsigned/{HANDLER_FILE.stem}.zip"
SIGNED_PREFIX = "signed/"
# The package object gets a new version, and so a new signing job, only when the handler's
# content changes. Old package versions only matter until their signing job has run: a week
# covers a rollback by hand, then S3 expires them.
NONCURRENT_VERSION_DAYS = 7


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


def artifact_bucket_prefix(stack: str, table: str) -> str:
    """The artifact bucket's name prefix: S3 allows lowercase letters, digits, - and . (dbtier
    leaves out . for TLS), and a bucket_prefix of at most 37 characters before the generated
    suffix. https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"""
    base = re.sub(r"[^a-z0-9]+", "-", f"dbtier-{stack}-{table}".lower()).strip("-")
    return base[:36].rstrip("-") + "-"


def tls_only_policy(bucket_arn: str) -> str:
    """The artifact bucket's policy: every request over TLS. Access itself comes from IAM: the
    deployer uploads, Signer reads and writes as the deployer, Lambda copies the code as it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        },
        indent=2,
    )


@dataclass(frozen=True)
class SignedCode:
    """Where a signed package lives, and the config that makes Lambda check its signature."""

    s3_bucket: pulumi.Output[str]
    s3_key: pulumi.Output[str]
    config_arn: pulumi.Output[str]


def signed_code(
    owner: DbtierComponent,
    name: str,
    cfg: DynamoTableConfig,
    code: pulumi.Archive,
    kms_key_arn: pulumi.Input[str],
) -> SignedCode:
    """Sign `code` with a Signer profile of its own and return the signed copy and the config.

    The package goes to a private, versioned artifact bucket under the stack key; a signing job
    signs that version into a new key under `signed/` (the provider waits for it and fails the
    update if it fails) whenever the handler's content, and so the package's version, changes;
    the code-signing config names the profile as the only publisher. Superseded signed copies
    stay in the bucket: no lifecycle rule can tell them from the deployed one.
    """
    settings = cfg.processor
    profile = aws.signer.SigningProfile(
        f"{name}-processor-signing",
        # Signer names: letters, digits and _ only, and never reusable once cancelled, so a
        # prefix with a generated suffix (at most 38 characters).
        name_prefix=signing_profile_prefix(pulumi.get_stack(), cfg.schema.name),
        platform_id=SIGNING_PLATFORM,
        opts=owner.child(),
    )
    bucket = aws.s3.Bucket(
        f"{name}-processor-artifacts",
        bucket_prefix=artifact_bucket_prefix(pulumi.get_stack(), cfg.schema.name),
        # Only build output lives here, which the program uploads and signs again from the
        # handler's source whenever that changes: deleting the processor may delete the bucket
        # with its versions.
        force_destroy=True,
        opts=owner.child(),
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-processor-artifacts-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=owner.child(),
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-processor-artifacts-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": kms_key_arn,
                },
                # One data key per bucket instead of per object: fewer KMS calls.
                "bucket_key_enabled": True,
            }
        ],
        opts=owner.child(),
    )
    public = aws.s3.BucketPublicAccessBlock(
        f"{name}-processor-artifacts-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=owner.child(),
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{name}-processor-artifacts-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=owner.child(),
    )
    aws.s3.BucketPolicy(
        f"{name}-processor-artifacts-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(tls_only_policy),
        opts=owner.child(depends_on=[public]),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-processor-artifacts-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "expire-old-packages",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_VERSION_DAYS},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
            }
        ],
        # Each signing job writes a new key under signed/, and those copies stay: nothing here
        # expires them. A signed copy never becomes a noncurrent version (Signer never writes the
        # same key twice), and S3 cannot tell the deployed copy from a superseded one, so expiring
        # signed/ by age would, for a function untouched that long, delete the object a
        # replacement of the function needs. They pile up by one small zip per handler change.
        # S3 refuses a lifecycle rule on noncurrent versions until versioning is on.
        opts=owner.child(depends_on=[versioning]),
    )
    package = aws.s3.BucketObjectv2(
        f"{name}-processor-package",
        bucket=bucket.id,
        key=UNSIGNED_KEY,
        source=code,
        kms_key_id=kms_key_arn,
        server_side_encryption="aws:kms",
        # Signer needs the object's version id: upload only once versioning is on.
        opts=owner.child(depends_on=[versioning, encryption, ownership]),
    )
    job = aws.signer.SigningJob(
        f"{name}-processor-signing-job",
        profile_name=profile.name,
        source={
            "s3": {"bucket": package.bucket, "key": package.key, "version": package.version_id}
        },
        destination={"s3": {"bucket": bucket.id, "prefix": SIGNED_PREFIX}},
        # The provider waits for the job; a failed signature must fail the update, not ship
        # unsigned code. Every argument forces a new job, so a new package version (a change of
        # the handler's content, not every `pulumi up`) is signed into a new key.
        ignore_signing_job_failure=False,
        opts=owner.child(),
    )
    config = aws.lambda_.CodeSigningConfig(
        f"{name}-processor-code-signing",
        description=f"dbtier {cfg.schema.name} stream processor: code signed by its profile",
        allowed_publishers={"signing_profile_version_arns": [profile.version_arn]},
        policies={"untrusted_artifact_on_deployment": settings.untrusted_artifact_policy},
        opts=owner.child(),
    )
    signed = job.signed_objects.apply(lambda objects: objects[0].s3s[0])  # type: ignore[index]
    return SignedCode(
        s3_bucket=signed.apply(lambda o: o.bucket),
        s3_key=signed.apply(lambda o: o.key),
        config_arn=config.arn,
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
    signed = signed_code(owner, name, cfg, code, kms_key_arn) if settings.code_signing else None
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
