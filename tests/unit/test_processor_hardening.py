"""The stream processor's hardening switches and `dbtier:logs`, planned on mocks in dev and prod:
X-Ray tracing, the environment under the stack key, reserved concurrency, code signing (the
signed path: artifact bucket, package object, signing job, function from the signed object,
Enforce), Lambda's six log levels, and the retention every log group of the stack gets."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from components.dynamo.config import parse_dynamo_table
from components.dynamo.processor import UNSIGNED_KEY, XRAY_WRITE_ACTIONS
from components.dynamo.processor_config import LOG_LEVELS
from components.functions import SIGNED_PREFIX, SIGNING_PLATFORM, artifact_bucket_prefix
from lambdas import stream_processor
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROFILE = "aws:signer/signingProfile:SigningProfile"
SIGNING = "aws:lambda/codeSigningConfig:CodeSigningConfig"
JOB = "aws:signer/signingJob:SigningJob"
BUCKET = "aws:s3/bucket:Bucket"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
S3_TYPES = (
    BUCKET,
    OBJECT,
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
)
PROCESSOR = "dynamo-UserProfiles-processor"
USER_PROFILES: dict[str, Any] = {
    "name": "UserProfiles",
    "hashKey": "userId",
    "attributes": {"userId": "S"},
    "stream": "NEW_AND_OLD_IMAGES",
}


def processor(plan: Plan) -> dict[str, Any]:
    return one(plan, FUNCTION, PROCESSOR).inputs


def trace_statements(plan: Plan) -> list[dict[str, Any]]:
    policy = json.loads(one(plan, ROLE_POLICY, f"{PROCESSOR}-policy").inputs["policy"])
    return [s for s in policy["Statement"] if any(a.startswith("xray:") for a in s["Action"])]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_processor_traces_and_encrypts_its_environment(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    function = processor(plan)
    assert function["tracingConfig"] == {"mode": "Active"}
    assert [s["Action"] for s in trace_statements(plan)] == [XRAY_WRITE_ACTIONS]
    assert function["environment"] == {"variables": {"LOG_LEVEL": "INFO"}}
    key = one(plan, "aws:kms/key:Key")
    assert key.urn in one(plan, FUNCTION, PROCESSOR).property_dependencies["kmsKeyArn"]
    assert function["loggingConfig"]["applicationLogLevel"] == "INFO"


def test_dev_reserves_nothing_signs_nothing_and_ships_the_zip_inline(dev_plan: Plan) -> None:
    function = processor(dev_plan)
    assert "reservedConcurrentExecutions" not in function
    assert "codeSigningConfigArn" not in function
    assert "s3Bucket" not in function and "s3Key" not in function
    assert "stream_processor.py" in function["code"]["assets"]
    assert not [r for t in (PROFILE, SIGNING, JOB, *S3_TYPES) for r in of_type(dev_plan, t)]


def test_prod_deploys_the_signed_object_under_an_enforcing_code_signing_config(
    prod_plan: Plan,
) -> None:
    function = one(prod_plan, FUNCTION, PROCESSOR)
    assert function.inputs["reservedConcurrentExecutions"] == 20
    profile = one(prod_plan, PROFILE, f"{PROCESSOR}-signing")
    assert profile.inputs["platformId"] == SIGNING_PLATFORM == "AWSLambda-SHA384-ECDSA"
    assert profile.inputs["namePrefix"] == "dbtier_prod_UserProfiles_"
    signing = one(prod_plan, SIGNING, f"{PROCESSOR}-code-signing")
    assert signing.inputs["policies"] == {"untrustedArtifactOnDeployment": "Enforce"}
    (version,) = signing.inputs["allowedPublishers"]["signingProfileVersionArns"]
    assert version.startswith("arn:aws:signer:") and profile.inputs["namePrefix"] in version
    assert profile.urn in signing.property_dependencies["allowedPublishers"]
    assert signing.urn in function.property_dependencies["codeSigningConfigArn"]

    # The package: an object in the artifact bucket, encrypted with the stack key.
    key = one(prod_plan, "aws:kms/key:Key")
    bucket = one(prod_plan, BUCKET, f"{PROCESSOR}-artifacts")
    assert bucket.inputs["bucketPrefix"] == "dbtier-prod-userprofiles-"
    package = one(prod_plan, OBJECT, f"{PROCESSOR}-package")
    assert package.inputs["key"] == UNSIGNED_KEY == "unsigned/stream_processor.zip"
    assert "stream_processor.py" in package.inputs["source"]["assets"]
    assert bucket.urn in package.property_dependencies["bucket"]
    assert key.urn in package.property_dependencies["kmsKeyId"]
    assert package.inputs["serverSideEncryption"] == "aws:kms"

    # The job signs that very version into signed/ of the same bucket, and may not fail quietly.
    job = one(prod_plan, JOB, f"{PROCESSOR}-signing-job")
    assert job.inputs["ignoreSigningJobFailure"] is False
    assert profile.urn in job.property_dependencies["profileName"]
    source = job.inputs["source"]["s3"]
    assert source["key"] == UNSIGNED_KEY and len(source["version"]) == 32
    assert package.urn in job.property_dependencies["source"]
    assert job.inputs["destination"]["s3"] == {"bucket": source["bucket"], "prefix": "signed/"}

    # The function comes from the job's signed object, not from the zip.
    assert "code" not in function.inputs
    assert function.inputs["s3Bucket"] == source["bucket"]
    assert function.inputs["s3Key"].startswith(SIGNED_PREFIX)
    assert function.inputs["s3Key"].endswith(".zip")
    assert job.urn in function.property_dependencies["s3Key"]
    assert job.urn in function.property_dependencies["s3Bucket"]


def test_prod_artifact_bucket_is_versioned_encrypted_private_and_tls_only(
    prod_plan: Plan,
) -> None:
    bucket = one(prod_plan, BUCKET, f"{PROCESSOR}-artifacts")
    key = one(prod_plan, "aws:kms/key:Key")
    parts = {
        t: next(r for r in of_type(prod_plan, t) if r.name.startswith(PROCESSOR))
        for t in S3_TYPES[2:]
    }
    for part in parts.values():
        assert bucket.urn in part.property_dependencies["bucket"], part.name
    versioning, encryption, public, ownership, policy, lifecycle = parts.values()
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert key.urn in encryption.property_dependencies["rules"]
    assert all(
        public.inputs[k]
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (deny,) = json.loads(policy.inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    (expiry,) = lifecycle.inputs["rules"]
    assert expiry["noncurrentVersionExpiration"]["noncurrentDays"] > 0
    assert expiry["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    # Only noncurrent versions expire. Signer writes each signed copy to a new key it chooses, so
    # an expiry of current objects would reach the deployed copy of a function untouched that
    # long, which a replacement of the function needs: no rule may expire current objects.
    assert "expiration" not in expiry
    # Signer reads the package by version: it is uploaded only once versioning is on.
    assert versioning.urn in one(prod_plan, OBJECT, f"{PROCESSOR}-package").dependencies


def test_warn_policy_still_signs_and_deploys_the_signed_object(
    plan_with: Callable[..., Plan],
) -> None:
    settings = {"codeSigning": True, "untrustedArtifactPolicy": "Warn"}
    plan = plan_with("dev", dynamo={"tables": [{**USER_PROFILES, "streamProcessor": settings}]})
    signing = one(plan, SIGNING, f"{PROCESSOR}-code-signing")
    assert signing.inputs["policies"] == {"untrustedArtifactOnDeployment": "Warn"}
    function = one(plan, FUNCTION, PROCESSOR)
    assert "code" not in function.inputs
    assert one(plan, JOB).urn in function.property_dependencies["s3Key"]


@pytest.mark.parametrize(
    ("table", "prefix"),
    [("UserProfiles", "dbtier-prod-userprofiles-"),
     ("orders_v2.archive", "dbtier-prod-orders-v2-archive-"),
     ("A" * 200, "dbtier-prod-" + "a" * 24 + "-")],
)  # fmt: skip
def test_artifact_bucket_prefix_is_a_valid_s3_prefix(table: str, prefix: str) -> None:
    got = artifact_bucket_prefix("prod", table)
    assert got == prefix
    assert len(got) <= 37 and got == got.lower() and ".." not in got


def test_code_signing_defaults_to_enforce_and_takes_any_of_lambdas_six_log_levels() -> None:
    def processor_of(settings: dict[str, Any]) -> Any:
        return parse_dynamo_table("t", {**USER_PROFILES, "streamProcessor": settings}).processor

    assert processor_of({"codeSigning": True}).untrusted_artifact_policy == "Enforce"
    assert LOG_LEVELS == ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
    assert [processor_of({"logLevel": level}).log_level for level in LOG_LEVELS] == list(LOG_LEVELS)
    # Reserved concurrency above a default account's 900: AWS checks it against the quota.
    assert processor_of({"reservedConcurrency": 5000}).reserved_concurrency == 5000


def test_switches_turn_off_and_on(plan_with: Callable[..., Plan]) -> None:
    settings = {"tracing": False, "logLevel": "WARN", "reservedConcurrency": 3}
    plan = plan_with("dev", dynamo={"tables": [{**USER_PROFILES, "streamProcessor": settings}]})
    function = processor(plan)
    assert "tracingConfig" not in function
    assert trace_statements(plan) == []
    assert function["environment"] == {"variables": {"LOG_LEVEL": "WARN"}}
    assert function["loggingConfig"]["applicationLogLevel"] == "WARN"
    assert function["reservedConcurrentExecutions"] == 3


@pytest.mark.parametrize(
    ("environ", "level"),
    [({}, logging.INFO), ({"LOG_LEVEL": "WARN"}, logging.WARNING),
     ({"LOG_LEVEL": "debug"}, logging.DEBUG), ({"LOG_LEVEL": "nonsense"}, logging.INFO),
     ({"LOG_LEVEL": "TRACE"}, logging.DEBUG), ({"LOG_LEVEL": "FATAL"}, logging.CRITICAL),
     ({"LOG_LEVEL": "ERROR"}, logging.ERROR)],
)  # fmt: skip
def test_handler_reads_its_log_level(environ: dict[str, str], level: int) -> None:
    assert stream_processor.log_level(environ) == level


def test_logs_retention_reaches_every_group_and_a_part_override_wins(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with(
        "dev",
        logs={"retentionDays": 90},
        redis={"logRetentionDays": 7},
        relational={"credentials": {"rotationDays": 30}},
    )
    retention = {g.name: g.inputs["retentionInDays"] for g in of_type(plan, LOG_GROUP)}
    assert retention["redis-slow-log"] == retention["redis-engine-log"] == 7
    others = {name: days for name, days in retention.items() if not name.startswith("redis-")}
    assert set(others.values()) == {90}, others
    assert "relational-rotation-function-logs" in others
    assert "relational-primary-error-logs" in others
    assert "aurora-cluster-audit-logs" in others
    assert all(g.inputs["kmsKeyId"].startswith("arn:aws:kms:") for g in of_type(plan, LOG_GROUP))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_databases_wait_for_their_aws_named_log_groups(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    groups = {g.urn: g.inputs["name"] for g in of_type(plan, LOG_GROUP)}
    for instance in of_type(plan, "aws:rds/instance:Instance"):
        ident = instance.inputs["identifier"]
        assert ident == f"dbtier-{stack}-{instance.name}"
        wanted = {
            f"/aws/rds/instance/{ident}/{log}"
            for log in instance.inputs["enabledCloudwatchLogsExports"]
        }
        assert wanted <= {groups[u] for u in instance.dependencies if u in groups}
    cluster = one(plan, "aws:rds/cluster:Cluster")
    assert cluster.inputs["clusterIdentifier"] == f"dbtier-{stack}-aurora-cluster"
    assert {
        f"/aws/rds/cluster/dbtier-{stack}-aurora-cluster/{log}"
        for log in cluster.inputs["enabledCloudwatchLogsExports"]
    } <= {groups[u] for u in cluster.dependencies if u in groups}
