"""The access rules through the real gRPC path: a role Redshift assumes for COPY reads only named
S3 sources (no AWS managed S3 policy, no `s3:*`, no S3 action on every bucket, however the policy
reaches the role), and RDS instances and Aurora clusters keep IAM database authentication on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.access import copy_policy
from components.base import assume_role_policy
from preflight.plan import Plan, PlannedResource
from tests.policy.baseline import build
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, resource, with_inputs

pytestmark = pytest.mark.policy

RULE = "redshift-copy-role-scoped-s3"
ALL: dict[str, Any] = {"all": "mandatory"}
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED = "aws:iam/policy:Policy"
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
SCOPED = copy_policy("aws", ["ingest-bucket/exports/"], [])


def copy_role(name: str = "warehouse-copy-role", **inputs: Any) -> PlannedResource:
    trust = assume_role_policy(["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"])
    return resource(ROLE, name, {"name": name, "assumeRolePolicy": trust, **inputs})


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def hits(
    pack: Pack, resources: list[PlannedResource] | Plan, cfg: dict[str, Any] | None = None
) -> list:
    return [v for v in pack.run(resources, cfg or ALL).violations if v.policy == RULE]


def test_scoped_inline_policy_is_compliant(pack: Pack) -> None:
    role = copy_role()
    inline = resource(ROLE_POLICY, "copy-sources", {"policy": SCOPED}, deps={"role": [role]})
    assert hits(pack, [*build().values(), role, inline]) == []


def test_a_role_without_any_policy_is_compliant(pack: Pack) -> None:
    assert hits(pack, [*build().values(), copy_role()]) == []


def test_s3_read_only_attached_to_the_copy_role_is_mandatory_in_prod(pack: Pack) -> None:
    role = copy_role()
    attach = resource(
        ATTACHMENT, "copy-s3-read", {"policyArn": S3_READ_ONLY}, deps={"role": [role]}
    )
    found = hits(pack, [role, attach], {"all": "advisory", RULE: "mandatory"})
    assert [(v.urn, v.level) for v in found] == [(attach.urn, "mandatory")]
    assert "AmazonS3ReadOnlyAccess" in found[0].message
    assert "dbtier:warehouse.copySources" in found[0].message


def test_attachment_found_by_role_name_without_a_dependency(pack: Pack) -> None:
    role = copy_role()
    attach = resource(
        ATTACHMENT,
        "copy-s3-full",
        {"role": "warehouse-copy-role", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
    )
    assert [v.urn for v in hits(pack, [role, attach])] == [attach.urn]


def test_the_same_attachment_on_a_role_redshift_cannot_assume_is_not_this_rules(
    pack: Pack,
) -> None:
    role = resource(
        ROLE,
        "app-role",
        {"name": "app-role", "assumeRolePolicy": assume_role_policy("ec2.amazonaws.com")},
    )
    attach = resource(ATTACHMENT, "app-s3-read", {"policyArn": S3_READ_ONLY}, deps={"role": [role]})
    assert hits(pack, [role, attach]) == []


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::ingest-bucket/*"},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::ingest-bucket"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    ],
    ids=["s3-star", "star", "get-on-star", "list-every-bucket", "get-every-object", "not-action"],
)
def test_inline_policy_granting_every_bucket_is_reported(
    pack: Pack, statement: dict[str, Any]
) -> None:
    role = copy_role()
    inline = resource(
        ROLE_POLICY, "copy-wide", {"policy": policy(statement)}, deps={"role": [role]}
    )
    assert [v.urn for v in hits(pack, [role, inline])] == [inline.urn]


def test_customer_managed_policy_attached_to_the_copy_role_is_read(pack: Pack) -> None:
    role = copy_role()
    wide = resource(
        MANAGED,
        "copy-wide-policy",
        {"policy": policy({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})},
    )
    attach = resource(ATTACHMENT, "copy-wide", {}, deps={"role": [role], "policyArn": [wide]})
    assert [v.urn for v in hits(pack, [role, wide, attach])] == [attach.urn]
    narrow = with_inputs(wide, policy=SCOPED)
    assert hits(pack, [role, narrow, attach]) == []


def test_managed_and_inline_policies_on_the_role_itself(pack: Pack) -> None:
    role = copy_role(
        managedPolicyArns=[S3_READ_ONLY],
        inlinePolicies=[
            {
                "name": "wide",
                "policy": policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
            }
        ],
    )
    found = hits(pack, [role])
    assert {v.urn for v in found} == {role.urn}
    assert len(found) == 2


def test_the_planned_stacks_copy_role_is_compliant_with_and_without_sources(pack: Pack) -> None:
    for overrides in (
        {},
        {"dbtier:warehouse": {"copySources": ["ingest-bucket", "lake.example/raw/2026/"]}},
    ):
        plan = shared_plan("prod", overrides=overrides)
        assert hits(pack, plan) == [], overrides


@pytest.mark.parametrize(
    ("policy_name", "target", "flag"),
    [
        ("rds-instance-iam-auth", "primary", False),
        ("rds-cluster-iam-auth", "cluster", False),
    ],
)
def test_iam_database_authentication_off_is_reported(
    pack: Pack, policy_name: str, target: str, flag: bool
) -> None:
    resources = build()
    compliant = [v.policy for v in pack.run(list(resources.values()), ALL).violations]
    assert policy_name not in compliant
    resources[target] = with_inputs(resources[target], iamDatabaseAuthenticationEnabled=flag)
    found = [
        v for v in pack.run(list(resources.values()), ALL).violations if v.policy == policy_name
    ]
    assert [v.urn for v in found] == [resources[target].urn]
