"""Whom the ``redis`` workload logs in as, from the ``redis`` output: the AUTH token, a named
password user (its secret), or an IAM user (a token provider for the cache), and whether it
needs a cluster client; refusals in one line naming the flag or the key."""

from __future__ import annotations

from typing import Any

import pytest

from contract import RedisOutputs, read_section
from workloads.common import WorkloadError
from workloads.redis_workload.client import target_from, user_of

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-app-secret-abcdef"


def section(**changes: Any) -> RedisOutputs:
    raw: dict[str, Any] = {
        "primaryEndpoint": "clustercfg.dbtier-prod-redis.abc.use1.cache.amazonaws.com",
        "port": 6379,
        "tls": True,
        "clusterMode": True,
        "secretArn": ARN,
        "username": "app",
        "cacheName": "dbtier-prod-redis",
        "region": "us-east-1",
        "users": {
            "reporting": {
                "username": "dbtier-prod-redis-reporting",
                "userId": "dbtier-prod-redis-reporting",
                "auth": "iam",
                "connectPolicy": '{"Version": "2012-10-17", "Statement": []}',
            },
            "app": {
                "username": "app",
                "userId": "dbtier-prod-redis-app",
                "auth": "password",
                "secretArn": ARN,
            },
        },
        **changes,
    }
    return read_section({"redis": raw}, RedisOutputs, "outputs.json")


def test_the_default_user_is_the_outputs_username_then_the_first() -> None:
    assert user_of(section(), None).username == "app"  # type: ignore[union-attr]
    assert user_of(section(username=None), None).auth == "iam"  # type: ignore[union-attr]
    assert user_of(section(), "reporting").user_id == "dbtier-prod-redis-reporting"  # type: ignore[union-attr]
    with pytest.raises(
        WorkloadError, match=r"--user nobody: not a user of the redis output \(app, reporting\)"
    ):
        user_of(section(), "nobody")
    with pytest.raises(WorkloadError, match="has no users"):
        user_of(section(users=None), "app")


def test_an_iam_user_gets_a_token_provider_for_its_cache_and_no_password() -> None:
    target = target_from(section(serverless=True), user="reporting")
    assert target.iam is not None and target.cluster
    assert (
        target.iam.user_id,
        target.iam.cache_name,
        target.iam.region,
        target.iam.serverless,
    ) == (
        "dbtier-prod-redis-reporting",
        "dbtier-prod-redis",
        "us-east-1",
        True,
    )
    assert target.primary.password is None and target.primary.credentials is None
    assert target.user == "dbtier-prod-redis-reporting"
    assert target.reader.host == target.primary.host  # no reader endpoint: the primary's


def test_an_iam_user_without_the_cache_name_is_refused() -> None:
    with pytest.raises(WorkloadError, match="needs the output's cacheName and region"):
        target_from(section(cacheName=None), user="reporting")


def test_a_password_user_without_a_secret_to_read_is_refused_in_one_line() -> None:
    local = section(
        users={"app": {"username": "app", "userId": "u", "auth": "password", "secretArn": "local"}}
    )
    with pytest.raises(WorkloadError, match=r"no credentials for redis"):
        target_from(local)


def test_the_auth_token_mode_is_unchanged() -> None:
    token = read_section(
        {"redis": {"primaryEndpoint": "127.0.0.1", "port": 6379, "authToken": "t0ken-value"}},
        RedisOutputs,
        "f",
    )
    target = target_from(token, credentials="outputs")
    assert (target.primary.password, target.iam, target.cluster, target.user) == (
        "t0ken-value",
        None,
        False,
        "",
    )
