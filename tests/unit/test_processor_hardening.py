"""The stream processor's hardening switches and `dbtier:logs`, planned on mocks in dev and prod:
X-Ray tracing, the environment under the stack key, reserved concurrency, code signing (Warn),
and the retention every log group of the stack gets."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from components.dynamo.processor import SIGNING_PLATFORM, XRAY_WRITE_ACTIONS
from lambdas import stream_processor
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROFILE = "aws:signer/signingProfile:SigningProfile"
SIGNING = "aws:lambda/codeSigningConfig:CodeSigningConfig"
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


def test_dev_reserves_nothing_and_signs_nothing(dev_plan: Plan) -> None:
    function = processor(dev_plan)
    assert "reservedConcurrentExecutions" not in function
    assert "codeSigningConfigArn" not in function
    assert not of_type(dev_plan, PROFILE) and not of_type(dev_plan, SIGNING)


def test_prod_reserves_concurrency_and_attaches_a_warn_code_signing_config(
    prod_plan: Plan,
) -> None:
    function = processor(prod_plan)
    assert function["reservedConcurrentExecutions"] == 20
    profile = one(prod_plan, PROFILE, f"{PROCESSOR}-signing").inputs
    assert profile["platformId"] == SIGNING_PLATFORM == "AWSLambda-SHA384-ECDSA"
    assert profile["namePrefix"] == "dbtier_prod_UserProfiles_"
    signing = one(prod_plan, SIGNING, f"{PROCESSOR}-code-signing")
    assert signing.inputs["policies"] == {"untrustedArtifactOnDeployment": "Warn"}
    versions = signing.inputs["allowedPublishers"]["signingProfileVersionArns"]
    assert len(versions) == 1 and versions[0].startswith("arn:aws:signer:")
    assert function["codeSigningConfigArn"].startswith("arn:aws:lambda:")
    assert (
        signing.urn
        in one(prod_plan, FUNCTION, PROCESSOR).property_dependencies["codeSigningConfigArn"]
    )


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
     ({"LOG_LEVEL": "debug"}, logging.DEBUG), ({"LOG_LEVEL": "nonsense"}, logging.INFO)],
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
