"""What dbtier's own Lambda functions share: the runtime, X-Ray's write permissions, and code
signing (a package signed by a Signer profile of its own, and the config that makes Lambda
refuse anything else).

The package goes to a private, versioned artifact bucket under the stack key; a signing job
signs that version into a new key under `signed/`, and the function is deployed from the signed
copy, so a code-signing config in Enforce mode accepts it. Used by the DynamoDB stream processor
and the ElastiCache user rotation functions; each names its children after its own prefix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent

# The newest Python runtime Lambda offers; arm64 (Graviton) is cheaper for the same work.
LAMBDA_RUNTIME = "python3.14"
LAMBDA_ARCHITECTURE = "arm64"
# What active tracing needs (the actions of the managed AWSXRayDaemonWriteAccess that a function
# uses); X-Ray has no resource-level permissions, so the resource is "*":
# https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# Lambda validates a package against its code-signing config at deployment: signed by an allowed
# profile, or refused (Enforce) or only counted and logged (Warn). Signer's Lambda platform:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA"
# Where the signed copies live in the artifact bucket. Signer reads a source object by its
# version id (so the bucket must be versioned) and writes the signed copy under the destination
# prefix, at a key of its own choosing (the job's id): the job reports the copy's key
# (signed_objects). The destination takes a prefix only, never a fixed key.
SIGNED_PREFIX = "signed/"
# The package object gets a new version, and so a new signing job, only when the handler's
# content changes. Old package versions only matter until their signing job has run: a week
# covers a rollback by hand, then S3 expires them.
NONCURRENT_VERSION_DAYS = 7


def signing_profile_prefix(stack: str, name: str) -> str:
    """The signing profile's name prefix: AWS Signer allows letters, digits and _ (64 in all,
    26 of them the generated suffix)."""
    return re.sub(r"[^A-Za-z0-9]", "_", f"dbtier_{stack}_{name}")[:37] + "_"


def artifact_bucket_prefix(stack: str, name: str) -> str:
    """The artifact bucket's name prefix: S3 allows lowercase letters, digits, - and . (dbtier
    leaves out . for TLS), and a bucket_prefix of at most 37 characters before the generated
    suffix. https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"""
    base = re.sub(r"[^a-z0-9]+", "-", f"dbtier-{stack}-{name}".lower()).strip("-")
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
    prefix: str,
    *,
    name: str,
    description: str,
    code: pulumi.Archive,
    unsigned_key: str,
    kms_key_arn: pulumi.Input[str],
    untrusted_artifact_policy: str = "Enforce",
) -> SignedCode:
    """Sign `code` with a Signer profile of its own and return the signed copy and the config.

    Children are named `{prefix}-signing`, `{prefix}-artifacts...`, `{prefix}-package`; `name`
    goes into the profile's and bucket's physical names (with the stack), `description` is the
    code-signing config's, `unsigned_key` the package's key in the bucket.

    The package goes to a private, versioned artifact bucket under the stack key; a signing job
    signs that version into a new key under `signed/` (the provider waits for it and fails the
    update if it fails) whenever the package's content, and so its version, changes; the
    code-signing config names the profile as the only publisher. Superseded signed copies stay in
    the bucket: no lifecycle rule can tell them from the deployed one.
    """
    profile = aws.signer.SigningProfile(
        f"{prefix}-signing",
        # Signer names: letters, digits and _ only, and never reusable once cancelled, so a
        # prefix with a generated suffix (at most 38 characters).
        name_prefix=signing_profile_prefix(pulumi.get_stack(), name),
        platform_id=SIGNING_PLATFORM,
        opts=owner.child(),
    )
    bucket = aws.s3.Bucket(
        f"{prefix}-artifacts",
        bucket_prefix=artifact_bucket_prefix(pulumi.get_stack(), name),
        # Only build output lives here, which the program uploads and signs again from the
        # handler's source whenever that changes: deleting the processor may delete the bucket
        # with its versions.
        force_destroy=True,
        opts=owner.child(),
    )
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-artifacts-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=owner.child(),
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-artifacts-encryption",
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
        f"{prefix}-artifacts-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=owner.child(),
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{prefix}-artifacts-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=owner.child(),
    )
    aws.s3.BucketPolicy(
        f"{prefix}-artifacts-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(tls_only_policy),
        opts=owner.child(depends_on=[public]),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{prefix}-artifacts-lifecycle",
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
        f"{prefix}-package",
        bucket=bucket.id,
        key=unsigned_key,
        source=code,
        kms_key_id=kms_key_arn,
        server_side_encryption="aws:kms",
        # Signer needs the object's version id: upload only once versioning is on.
        opts=owner.child(depends_on=[versioning, encryption, ownership]),
    )
    job = aws.signer.SigningJob(
        f"{prefix}-signing-job",
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
        f"{prefix}-code-signing",
        description=description,
        allowed_publishers={"signing_profile_version_arns": [profile.version_arn]},
        policies={"untrusted_artifact_on_deployment": untrusted_artifact_policy},
        opts=owner.child(),
    )
    signed = job.signed_objects.apply(lambda objects: objects[0].s3s[0])  # type: ignore[index]
    return SignedCode(
        s3_bucket=signed.apply(lambda o: o.bucket),
        s3_key=signed.apply(lambda o: o.key),
        config_arn=config.arn,
    )
