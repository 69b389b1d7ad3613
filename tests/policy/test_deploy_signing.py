"""`deploy-lambda-signed-code` over gRPC: on the planned prod stack (code signed, Enforce), and
on the plans the program used to make or a config could bring (an inline zip, an unsigned S3
object, a job signed by a profile the config does not allow, Warn mode)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from preflight.plan import Plan, PlannedResource
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, resource, with_inputs

pytestmark = pytest.mark.policy

RULE = "deploy-lambda-signed-code"
CONFIG: dict[str, Any] = {"all": "mandatory"}
FUNCTION = "dynamo-UserProfiles-processor"
CODE_SIGNING = "dynamo-UserProfiles-processor-code-signing"
JOB = "dynamo-UserProfiles-processor-signing-job"
PACKAGE = "dynamo-UserProfiles-processor-package"
INLINE_ZIP = {
    "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7",
    "assets": {
        "stream_processor.py": {
            "4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17",
            "path": "lambdas/stream_processor.py",
        }
    },
}


@cache
def planned(stack: str) -> Plan:
    return shared_plan(stack)


def copy(plan: Plan) -> Plan:
    return replace(plan, resources=list(plan.resources))


def named(plan: Plan, name: str) -> PlannedResource:
    return next(r for r in plan.resources if r.name == name)


def put(plan: Plan, new: PlannedResource) -> None:
    old = named(plan, new.name)
    plan.resources[plan.resources.index(old)] = new


def without_deps(r: PlannedResource, *keys: str) -> PlannedResource:
    deps = {k: v for k, v in r.property_dependencies.items() if k not in keys}
    return replace(r, property_dependencies=deps)


def hits(pack: Pack, plan: Plan) -> list[tuple[str, str]]:
    report = pack.run(plan, CONFIG)
    return [(v.urn.rsplit("::", 1)[-1], v.message) for v in report.violations if v.policy == RULE]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stacks_comply(pack: Pack, stack: str) -> None:
    assert hits(pack, copy(planned(stack))) == []


def test_signed_object_given_as_a_literal_under_the_jobs_prefix_complies(pack: Pack) -> None:
    """Without the dependency (a key typed in), the key under signed/ of the job's bucket does."""
    plan = copy(planned("prod"))
    put(plan, without_deps(named(plan, FUNCTION), "s3Key", "s3Bucket"))
    assert hits(pack, plan) == []


def test_inline_zip_under_enforce_is_refused(pack: Pack) -> None:
    """What the program planned before: the zip inline, the config enforcing."""
    plan = copy(planned("prod"))
    function = without_deps(named(plan, FUNCTION), "s3Key", "s3Bucket")
    put(plan, with_inputs(function, code=INLINE_ZIP, s3Key=None, s3Bucket=None))
    ((where, message),) = hits(pack, plan)
    assert where == FUNCTION
    assert "inline zip" in message and "Enforce" in message
    assert "dbtier:dynamo.tables[].streamProcessor.codeSigning" in message


def test_unsigned_s3_object_under_enforce_is_refused(pack: Pack) -> None:
    """Deployed from the package object itself, before signing."""
    plan = copy(planned("prod"))
    package = named(plan, PACKAGE)
    function = named(plan, FUNCTION)
    deps = {**function.property_dependencies, "s3Key": [package.urn]}
    put(
        plan,
        replace(with_inputs(function, s3Key=package.inputs["key"]), property_dependencies=deps),
    )
    ((where, message),) = hits(pack, plan)
    assert where == FUNCTION and "not the output of a Signer signing job" in message


def test_literal_key_outside_the_signed_prefix_is_refused(pack: Pack) -> None:
    plan = copy(planned("prod"))
    function = without_deps(named(plan, FUNCTION), "s3Key", "s3Bucket")
    put(plan, with_inputs(function, s3Key="builds/stream_processor.zip"))
    ((where, message),) = hits(pack, plan)
    assert where == FUNCTION and "builds/stream_processor.zip" in message


def test_job_signed_by_a_profile_the_config_does_not_allow_is_refused(pack: Pack) -> None:
    plan = copy(planned("prod"))
    other = resource(
        "aws:signer/signingProfile:SigningProfile",
        "other-profile",
        {"platformId": "AWSLambda-SHA384-ECDSA", "namePrefix": "other_"},
    )
    plan.resources.append(other)
    job = named(plan, JOB)
    deps = {**job.property_dependencies, "profileName": [other.urn]}
    put(plan, replace(job, property_dependencies=deps))
    ((where, message),) = hits(pack, plan)
    assert where == FUNCTION and "allowed publisher" in message


def test_warn_mode_accepts_an_inline_zip(pack: Pack) -> None:
    """Warn deploys unsigned code (and only counts it): not a deployability failure."""
    plan = copy(planned("prod"))
    config = named(plan, CODE_SIGNING)
    put(plan, with_inputs(config, policies={"untrustedArtifactOnDeployment": "Warn"}))
    function = without_deps(named(plan, FUNCTION), "s3Key", "s3Bucket")
    put(plan, with_inputs(function, code=INLINE_ZIP, s3Key=None, s3Bucket=None))
    assert hits(pack, plan) == []
