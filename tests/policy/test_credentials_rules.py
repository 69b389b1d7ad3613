"""The credential rules through the real gRPC path: every database secret rotates (at most every
90 days; the Redis token's secret is exempt), and a managed-password database has no password
input; rotation is mandatory with prod's config and advisory with dev's."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.policy.baseline import build
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import ROOT, Pack, with_inputs

pytestmark = pytest.mark.policy

ROTATION_RULE = "database-secret-rotation"
MANAGED_RULE = "database-managed-password-no-input"
ALL: dict[str, Any] = {"all": "mandatory"}


def config(stack: str) -> dict[str, Any]:
    return json.loads((ROOT / "policy" / "config" / f"{stack}.json").read_text())  # type: ignore[no-any-return]


def hits(pack: Pack, resources: list[Any], policy: str, cfg: dict[str, Any] | None = None) -> list:
    return [v for v in pack.run(resources, cfg or ALL).violations if v.policy == policy]


def test_a_rotated_secret_is_compliant(pack: Pack) -> None:
    assert hits(pack, list(build().values()), ROTATION_RULE) == []


@pytest.mark.parametrize(("stack", "level"), [("prod", "mandatory"), ("dev", "advisory")])
def test_a_secret_without_rotation_is_reported_at_the_stacks_level(
    pack: Pack, stack: str, level: str
) -> None:
    resources = build()
    del resources["secret-rotation"]
    found = hits(pack, list(resources.values()), ROTATION_RULE, config(stack))
    assert [(v.urn, v.level) for v in found] == [(resources["secret"].urn, level)]
    assert "never rotated" in found[0].message and "Fix:" in found[0].message


@pytest.mark.parametrize(
    ("rules", "violates"),
    [
        ({"automaticallyAfterDays": 90}, False),
        ({"automaticallyAfterDays": 365}, True),
        ({"scheduleExpression": "rate(30 days)"}, False),
        ({"scheduleExpression": "rate(120 days)"}, True),
    ],
)
def test_rotation_at_most_every_90_days(pack: Pack, rules: dict[str, Any], violates: bool) -> None:
    resources = build()
    resources["secret-rotation"] = with_inputs(resources["secret-rotation"], rotationRules=rules)
    found = hits(pack, list(resources.values()), ROTATION_RULE)
    assert [v.urn for v in found] == ([resources["secret"].urn] if violates else [])


def test_the_redis_token_secret_is_not_exempt(pack: Pack) -> None:
    # No rotation function exists for an AUTH token: its secret is flagged like any other, and
    # the fix names RBAC users (dbtier:redis.users), whose passwords do rotate.
    resources = build()
    del resources["secret-rotation"]
    secret = resources["secret"]
    redis_secret = replace(
        secret,
        name="redis-secret",
        urn=secret.urn.replace(
            "::aws:secretsmanager", "::dbtier:components:RedisCluster$aws:secretsmanager"
        ).replace("::secret", "::redis-secret"),
    )
    resources["secret"] = redis_secret
    found = hits(pack, list(resources.values()), ROTATION_RULE)
    assert [v.urn for v in found] == [redis_secret.urn]
    assert "dbtier:redis.users" in found[0].message


@pytest.mark.parametrize(
    ("target", "manage", "password"),
    [
        ("primary", "manageMasterUserPassword", "password"),
        ("cluster", "manageMasterUserPassword", "masterPassword"),
        ("warehouse", "manageMasterPassword", "masterPassword"),
    ],
)
def test_a_managed_password_database_without_a_password_input_is_compliant(
    pack: Pack, target: str, manage: str, password: str
) -> None:
    resources = build()
    violating = with_inputs(resources[target], **{manage: True})
    resources[target] = violating
    found = hits(pack, list(resources.values()), MANAGED_RULE)
    assert [v.urn for v in found] == [violating.urn]
    assert password in found[0].message
    resources[target] = with_inputs(violating, **{password: None})
    assert hits(pack, list(resources.values()), MANAGED_RULE) == []


def test_a_managed_namespace_with_a_password_is_reported(pack: Pack) -> None:
    resources = build()
    ns = with_inputs(
        resources["namespace"], manageAdminPassword=True, adminUserPassword="from-config"
    )
    resources["namespace"] = ns
    assert [v.urn for v in hits(pack, list(resources.values()), MANAGED_RULE)] == [ns.urn]


def test_prod_rotates_every_database_secret_and_dev_is_advised(pack: Pack) -> None:
    prod = pack.run(shared_plan("prod"), config("prod")).violations
    assert [v for v in prod if v.policy in (ROTATION_RULE, MANAGED_RULE)] == []
    dev = [
        v
        for v in pack.run(shared_plan("dev"), config("dev")).violations
        if v.policy == ROTATION_RULE
    ]
    assert sorted(v.urn.rsplit("::", 1)[1] for v in dev) == [
        "aurora-secret",
        "redis-secret",  # dev keeps the AUTH token: advice to give it users
        "relational-secret",
        "warehouse-secret",
    ]
    assert {v.level for v in dev} == {"advisory"}


def test_managed_credentials_plan_has_no_password_input_and_no_finding(pack: Pack) -> None:
    managed = {"credentials": {"mode": "managed", "rotationDays": 30}}
    plan = shared_plan(
        "dev",
        overrides={
            "dbtier:relational": managed,
            "dbtier:aurora": {"minCapacity": 0.5, **managed},
            "dbtier:warehouse": {"mode": "serverless", **managed},
            "dbtier:redis": {"users": [{"name": "app"}]},
        },
    )
    found = [
        v
        for v in pack.run(plan, config("prod")).violations
        if v.policy in (ROTATION_RULE, MANAGED_RULE)
    ]
    assert found == []
