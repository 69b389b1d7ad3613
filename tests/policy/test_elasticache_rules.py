"""ElastiCache access control and serverless caches through the real pack, on real plans with
prod's policy config: prod's users and a serverless variant pass every rule; the AUTH token, an
enabled default user, a password user without a rotated secret, an IAM user where AWS refuses
one, a user group without its default user, and serverless limits outside AWS's ranges each
make their violation on the resource concerned."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from preflight.plan import Plan, PlannedResource
from preflight.policy import PolicyReport, load_policy_config
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, with_inputs

pytestmark = pytest.mark.policy

PROD_CONFIG = load_policy_config(Path(__file__).resolve().parents[2] / "policy/config/prod.json")
USERS = [
    {"name": "app"},
    {"name": "reporting", "access": "read-only", "keyPrefix": "reports:", "auth": "iam"},
]
SERVERLESS = {
    "mode": "serverless",
    "engine": "valkey",
    "users": USERS,
    "snapshotRetentionDays": 7,
    "maxDataStorageGb": 100,
    "maxEcpuPerSecond": 100_000,
}


def prod_with(redis: dict[str, Any] | None = None) -> Plan:
    overrides = {} if redis is None else {"dbtier:redis": json.dumps(redis)}
    return shared_plan("prod", overrides=overrides)


@pytest.fixture(scope="module")
def prod() -> Plan:
    return prod_with()


@pytest.fixture(scope="module")
def serverless() -> Plan:
    return prod_with(SERVERLESS)


def named(plan: Plan, name: str) -> PlannedResource:
    (found,) = [r for r in plan.resources if r.name == name]
    return found


def mutated(plan: Plan, name: str, change: Callable[[PlannedResource], PlannedResource]) -> Plan:
    return replace(plan, resources=[change(r) if r.name == name else r for r in plan.resources])


def without(plan: Plan, *names: str) -> Plan:
    return replace(plan, resources=[r for r in plan.resources if r.name not in names])


def found(report: PolicyReport, policy: str) -> list[tuple[str, str, str]]:
    return [
        (v.urn.rsplit("::", 1)[-1], v.level, v.message)
        for v in report.violations
        if v.policy == policy
    ]


def test_prods_users_pass_every_rule(pack: Pack, prod: Plan) -> None:
    assert pack.run(prod, PROD_CONFIG).violations == ()


def test_a_serverless_variant_plans_and_passes_every_rule(pack: Pack, serverless: Plan) -> None:
    cache = named(serverless, "redis-serverless")
    assert cache.protect is True and cache.inputs["userGroupId"] == "dbtier-prod-redis"
    assert pack.run(serverless, PROD_CONFIG).violations == ()


def test_the_auth_token_in_prod_is_refused_twice(pack: Pack) -> None:
    token = prod_with({"nodeType": "cache.r7g.large", "nodes": 3, "snapshotRetentionDays": 7})
    report = pack.run(token, PROD_CONFIG)
    assert [(n, lvl) for n, lvl, _ in found(report, "elasticache-rbac-user-group")] == [
        ("redis-group", "mandatory")
    ]
    (rotation,) = found(report, "database-secret-rotation")
    assert rotation[0] == "redis-secret" and "dbtier:redis.users" in rotation[2]


def test_an_enabled_default_user_is_refused_in_prod(pack: Pack) -> None:
    users = [*USERS, {"name": "default", "access": "read-only"}]
    plan = prod_with(
        {"nodeType": "cache.r7g.large", "nodes": 3, "snapshotRetentionDays": 7, "users": users}
    )
    report = pack.run(plan, PROD_CONFIG)
    ((name, level, message),) = found(report, "elasticache-default-user-off")
    assert (name, level) == ("redis-default-user", "mandatory")
    assert "can log in" in message


def test_a_password_user_needs_its_secret_and_its_rotation(pack: Pack, prod: Plan) -> None:
    unrotated = pack.run(without(prod, "redis-app-rotation"), PROD_CONFIG)
    ((name, _, message),) = found(unrotated, "elasticache-password-users-rotated")
    assert name == "redis-app-user" and "no SecretRotation" in message
    assert [v[0] for v in found(unrotated, "database-secret-rotation")] == ["redis-app-secret"]
    secretless = pack.run(without(prod, "redis-app-secret-value"), PROD_CONFIG)
    ((name, _, message),) = found(secretless, "elasticache-password-users-rotated")
    assert name == "redis-app-user" and "no Secrets Manager secret holds" in message


def test_an_iam_user_on_redis_6_is_undeployable(pack: Pack, prod: Plan) -> None:
    old = mutated(prod, "redis-group", lambda r: with_inputs(r, engineVersion="6.2"))
    ((name, level, message),) = found(pack.run(old, PROD_CONFIG), "deploy-elasticache-user-groups")
    assert (name, level) == ("redis-group", "mandatory")
    assert "IAM authentication needs Redis OSS 7.0" in message


def test_an_iam_users_name_must_be_its_id(pack: Pack, prod: Plan) -> None:
    renamed = mutated(prod, "redis-reporting-user", lambda r: with_inputs(r, userName="reporting"))
    ((name, _, message),) = found(
        pack.run(renamed, PROD_CONFIG), "deploy-elasticache-iam-user-name"
    )
    assert name == "redis-reporting-user" and "requires them equal" in message


def test_a_user_group_needs_its_default_user_and_no_token_beside_it(pack: Pack, prod: Plan) -> None:
    def drop_default(r: PlannedResource) -> PlannedResource:
        ids = [u for u in r.inputs["userIds"] if not u.endswith("-default")]
        deps = {
            k: [u for u in v if not u.endswith("redis-default-user")]
            for k, v in r.property_dependencies.items()
        }
        return replace(with_inputs(r, userIds=ids), property_dependencies=deps)

    no_default = mutated(prod, "redis-users", drop_default)
    messages = [
        m for *_, m in found(pack.run(no_default, PROD_CONFIG), "deploy-elasticache-user-groups")
    ]
    assert any("no user named default" in m for m in messages)
    both = mutated(prod, "redis-group", lambda r: with_inputs(r, authToken="t0ken-literal"))
    messages = [m for *_, m in found(pack.run(both, PROD_CONFIG), "deploy-elasticache-user-groups")]
    assert any("both an AUTH token and user groups" in m for m in messages)


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"dataStorage": {"unit": "GB", "maximum": 6000}}, "maximum 6000 is outside 1-5,000"),
        ({"ecpuPerSeconds": [{"minimum": 500}]}, "minimum 500 is outside 1,000-15,000,000"),
        ({"ecpuPerSeconds": [{"minimum": 9000, "maximum": 5000}]}, "above its maximum"),
        ({"dataStorage": {"unit": "TB", "maximum": 1}}, "limits are in GB"),
    ],
)
def test_serverless_limits_outside_awss_ranges_are_undeployable(
    pack: Pack, serverless: Plan, limits: dict[str, Any], expected: str
) -> None:
    plan = mutated(
        serverless, "redis-serverless", lambda r: with_inputs(r, cacheUsageLimits=limits)
    )
    messages = [
        m for *_, m in found(pack.run(plan, PROD_CONFIG), "deploy-elasticache-serverless-limits")
    ]
    assert len(messages) == 1 and expected in messages[0]


def test_a_serverless_cache_keeps_the_stack_key_snapshots_and_users(
    pack: Pack, serverless: Plan
) -> None:
    plan = mutated(
        serverless,
        "redis-serverless",
        lambda r: with_inputs(r, kmsKeyId=None, snapshotRetentionLimit=1, userGroupId=None),
    )
    report = pack.run(plan, PROD_CONFIG)
    for policy in (
        "elasticache-serverless-customer-managed-key",
        "elasticache-serverless-snapshot-retention",
        "elasticache-rbac-user-group",
    ):
        assert [n for n, *_ in found(report, policy)] == ["redis-serverless"], policy
