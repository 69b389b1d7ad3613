"""RBAC users and serverless caches from `dbtier:redis`, without a plan: parsing and its
refusals (each naming the key), the users ElastiCache gets (the default user off), their
secrets, rotation functions and connect policies, and the serverless cache's arguments."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest

from awsdata import elasticache
from components.redis.config import parse_redis
from components.redis.serverless_shape import serverless_args, usage_limits
from components.redis.users_config import ACCESS_PRESETS, OFF
from components.redis.users_shape import (
    USER_ENGINE,
    connect_policy,
    exclude_characters,
    password_args,
    rotation_environment,
    rotation_policy,
    user_args,
    user_group_args,
    user_plans,
    user_secret_fields,
)
from components.settings import ConfigError

APP = {"name": "app"}
REPORTING = {"name": "reporting", "access": "read-only", "keyPrefix": "reports:", "auth": "iam"}
RBAC = parse_redis({"nodes": 2, "users": [APP, REPORTING]})
SERVERLESS = parse_redis(
    {
        "mode": "serverless",
        "engine": "valkey",
        "users": [APP],
        "minDataStorageGb": 1,
        "maxDataStorageGb": 10,
        "maxEcpuPerSecond": 5000,
        "dailySnapshotTime": "04:30",
        "snapshotRetentionDays": 3,
    }
)
GROUP = "dbtier-prod-redis"


def refused(raw: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_redis(raw, "us-east-1")


def test_presets_grant_their_commands_on_the_key_prefix_only() -> None:
    app, reporting = RBAC.users
    assert app.access_string == f"on ~* &* {ACCESS_PRESETS['read-write']}"
    assert reporting.access_string == f"on ~reports:* &reports:* {ACCESS_PRESETS['read-only']}"
    assert "-@dangerous" in ACCESS_PRESETS["read-write"]
    assert ACCESS_PRESETS["read-only"].startswith("-@all +@read")
    # Cluster clients read the slot map: every preset keeps CLUSTER and INFO.
    assert all("+cluster +info" in rules for rules in ACCESS_PRESETS.values())


def test_an_access_string_is_taken_as_written_and_checked() -> None:
    cfg = parse_redis({"users": [{"name": "ops", "access": "on ~ops:* +@all"}]})
    assert cfg.users[0].access_string == "on ~ops:* +@all"
    refused({"users": [{"name": "ops", "access": "~* +@all"}]}, r"users\[0\]\.access must say on")
    refused(
        {"users": [{"name": "ops", "access": "on >hunter2 ~* +@all"}]},
        r"users\[0\]\.access must not set passwords",
    )
    refused({"users": [{"name": "ops", "access": "on reset"}]}, r"must not set passwords or reset")


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003", "\u1680"])
def test_an_access_string_split_by_a_space_redis_does_not_split_on_is_refused(space: str) -> None:
    """Redis splits an ACL on ASCII spaces only: with a no-break or other Unicode space,
    `+@all<NBSP>-@dangerous` is one rule there, not the two Python's split() sees."""
    refused(
        {"users": [{"name": "ops", "access": f"on ~* +@all{space}-@dangerous"}]},
        r"users\[0\]\.access must be printable ASCII",
    )
    refused(
        {"users": [{"name": "ops", "access": "on ~* +@all", "keyPrefix": "a:"}]},
        r"users\[0\]\.keyPrefix goes with a preset",
    )


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param(
            {"users": [APP], "authTokenVersion": 2},
            r"dbtier:redis\.authTokenVersion belongs to the AUTH-token mode",
            id="users-with-token-version",
        ),
        pytest.param(
            {"users": [APP], "authTokenUpdateStrategy": "ROTATE"},
            r"dbtier:redis\.authTokenUpdateStrategy belongs to the AUTH-token mode",
            id="users-with-token-strategy",
        ),
        pytest.param(
            {"users": [REPORTING], "engineVersion": "6.2"},
            r"dbtier:redis\.users\[0\]\.auth iam: IAM authentication needs Redis OSS 7\.0",
            id="iam-on-redis-6",
        ),
        pytest.param(
            {"users": [APP], "engineVersion": "5.0.6"},
            r"dbtier:redis\.users: role-based access control .* Redis OSS 6\.0",
            id="users-on-redis-5",
        ),
        pytest.param(
            {"users": [APP, {"name": "app", "access": "read-only"}]},
            r"users\[1\]\.name repeats",
            id="a-name-twice",
        ),
        pytest.param(
            {"users": [{"name": "App"}]}, r"users\[0\]\.name must be lower-case", id="upper"
        ),
        pytest.param(
            {"users": [{"access": "read-only"}]}, r"users\[0\]\.name is required", id="no-name"
        ),
        pytest.param(
            {"users": [{"name": "default", "auth": "iam"}]},
            r"users\[0\]\.auth iam is not possible for the default user",
            id="iam-default",
        ),
        pytest.param(
            {"rotationDays": 7}, r"rotationDays rotates password users", id="rotation-no-users"
        ),
        pytest.param(
            {"users": [REPORTING], "rotationDays": 7},
            r"rotationDays rotates password users",
            id="rotation-iam-only",
        ),
        pytest.param(
            {"users": [{"name": "app", "auth": "token"}]},
            r"users\[0\]\.auth must be one of password, iam",
            id="auth-token-user",
        ),
    ],
)
def test_user_refusals_name_the_key(raw: dict[str, Any], match: str) -> None:
    refused(raw, match)


def test_iam_users_are_accepted_where_the_engine_has_them() -> None:
    for engine, version in (
        ("redis", "7.0"),
        ("redis", "7.1"),
        ("valkey", "7.2"),
        ("valkey", "8.0"),
    ):
        cfg = parse_redis({"engine": engine, "engineVersion": version, "users": [REPORTING]})
        assert cfg.users[0].auth == "iam"
    assert elasticache.iam_auth_problem("valkey", "7.2") is None
    assert elasticache.iam_auth_problem("redis", "6.2") is not None


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param(
            {"mode": "serverless"}, r"users is required with mode serverless", id="no-users"
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "nodeType": "cache.r7g.large"},
            r"dbtier:redis\.nodeType is not used with mode serverless",
            id="node-type",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "shards": 2},
            r"dbtier:redis\.shards is not used with mode serverless",
            id="shards",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "maxDataStorageGb": 5001},
            r"dbtier:redis\.maxDataStorageGb must be between 1 and 5000",
            id="storage-above-range",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "maxEcpuPerSecond": 999},
            r"dbtier:redis\.maxEcpuPerSecond must be between 1000 and 15000000",
            id="ecpu-below-range",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "minDataStorageGb": 20, "maxDataStorageGb": 10},
            r"dbtier:redis\.minDataStorageGb: data storage \(GB\) minimum 20 is above its maximum",
            id="storage-min-above-max",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "dailySnapshotTime": "25:00"},
            r"dailySnapshotTime must be hh24:mi",
            id="snapshot-time",
        ),
        pytest.param(
            {"mode": "serverless", "users": [APP], "engineVersion": "6.2"},
            r"engineVersion: ElastiCache Serverless runs Redis OSS 7",
            id="redis-6",
        ),
        pytest.param(
            {"maxEcpuPerSecond": 5000},
            r"maxEcpuPerSecond is a serverless cache's setting",
            id="not-serverless",
        ),
    ],
)
def test_serverless_refusals_name_the_key(raw: dict[str, Any], match: str) -> None:
    refused(raw, match)


def test_the_default_user_is_off_unless_configured() -> None:
    plans = {p.role: p for p in user_plans(RBAC, GROUP)}
    assert set(plans) == {"app", "reporting", "default"}
    default = plans["default"]
    assert (default.user_id, default.user_name, default.access_string) == (
        f"{GROUP}-default",
        "default",
        OFF,
    )
    assert user_args(default)["authentication_mode"] == {"type": "no-password-required"}
    configured = parse_redis({"users": [{"name": "default", "access": "read-only"}]})
    (plan,) = user_plans(configured, GROUP)
    assert plan.user_name == "default" and plan.access_string.startswith("on ")
    assert configured.users[0].enabled


def test_user_ids_carry_the_cache_id_and_iam_users_log_in_as_their_id() -> None:
    plans = {p.role: p for p in user_plans(RBAC, GROUP)}
    app, reporting = plans["app"], plans["reporting"]
    assert (app.user_id, app.user_name, app.auth) == (f"{GROUP}-app", "app", "password")
    assert reporting.user_id == reporting.user_name == f"{GROUP}-reporting"
    assert user_args(reporting) == {
        "user_id": f"{GROUP}-reporting",
        "user_name": f"{GROUP}-reporting",
        "engine": USER_ENGINE,
        "access_string": reporting.access_string,
        "authentication_mode": {"type": "iam"},
    }
    assert user_args(app)["authentication_mode"] == {"type": "password"}
    assert user_group_args(GROUP) == {"user_group_id": GROUP, "engine": "redis"}


def test_passwords_use_only_characters_elasticache_accepts() -> None:
    args = password_args()
    assert 16 <= args["length"] <= 128
    assert set(args["special"]) <= set("!&#$^<>-")
    excluded = exclude_characters()
    assert not set(excluded) & set(args["special"])
    assert set(excluded) | set(args["special"]) == set(string.punctuation)


def test_the_secret_has_the_rotation_templates_shape_and_the_function_its_settings() -> None:
    plan = next(p for p in user_plans(RBAC, GROUP) if p.role == "app")
    assert user_secret_fields(RBAC, plan) == {"engine": "redis", "username": "app", "tls": "true"}
    env = rotation_environment("arn:aws:secretsmanager:us-east-1:1:secret:s", plan)
    assert env["SECRET_ARN"].endswith(":secret:s") and env["USER_NAME"] == "app"
    assert env["EXCLUDE_CHARACTERS"] == exclude_characters()


def test_the_rotation_role_touches_only_its_secret_its_user_and_its_logs() -> None:
    policy = json.loads(
        rotation_policy("arn:secret", "arn:user", "arn:logs", "arn:key", ["xray:PutTraceSegments"])
    )
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["RotateThisSecret"]["Resource"] == "arn:secret"
    assert by_sid["SetThisUsersPassword"] == {
        "Sid": "SetThisUsersPassword",
        "Effect": "Allow",
        "Action": ["elasticache:DescribeUsers", "elasticache:ModifyUser"],
        "Resource": "arn:user",
    }
    assert by_sid["SecretKeyViaSecretsManager"]["Condition"] == {
        "StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}
    }
    assert by_sid["WriteOwnLogGroup"]["Resource"] == "arn:logs:log-stream:*"
    wildcard = [s["Sid"] for s in policy["Statement"] if s["Resource"] == "*"]
    assert sorted(wildcard) == ["GeneratePasswords", "WriteTraces"]


def test_an_iam_user_may_connect_to_its_cache_as_itself_only() -> None:
    policy = json.loads(connect_policy("arn:cache", "arn:user"))
    assert policy["Statement"] == [
        {
            "Sid": "ConnectAsThisUser",
            "Effect": "Allow",
            "Action": "elasticache:Connect",
            "Resource": ["arn:cache", "arn:user"],
        }
    ]


def test_serverless_cache_arguments() -> None:
    assert SERVERLESS.cluster_mode and SERVERLESS.is_serverless
    assert serverless_args(SERVERLESS, "dbtier", "prod", "redis") == {
        "name": "dbtier-prod-redis",
        "description": "dbtier prod valkey 8.0 serverless",
        "engine": "valkey",
        "major_engine_version": "8",
        "cache_usage_limits": {
            "data_storage": {"unit": "GB", "minimum": 1, "maximum": 10},
            "ecpu_per_seconds": [{"maximum": 5000}],
        },
        "daily_snapshot_time": "04:30",
        "snapshot_retention_limit": 3,
    }
    no_limits = parse_redis({"mode": "serverless", "users": [APP]})
    assert usage_limits(no_limits.serverless) is None
    assert serverless_args(no_limits, "p", "s", "redis")["major_engine_version"] == "7"
