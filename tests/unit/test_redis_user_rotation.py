"""The ElastiCache user rotation function (`lambdas.elasticache_user_rotation`), driven through a
whole rotation as Secrets Manager drives it: moto stands in for Secrets Manager, a recording
fake for ElastiCache's DescribeUsers and ModifyUser (moto has no ModifyUser)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas import elasticache_user_rotation as rotation

USER_ARN = "arn:aws:elasticache:us-east-1:123456789012:user:dbtier-prod-redis-app"


class FakeElastiCache:
    """DescribeUsers and ModifyUser of one user: `modifying` for `busy` describes after a change."""

    def __init__(self, busy: int = 1) -> None:
        self.status, self.busy, self.left = "active", busy, 0
        self.passwords: list[list[str]] = []

    def describe_users(self, UserId: str) -> dict[str, Any]:
        assert UserId == "dbtier-prod-redis-app"
        if self.left:
            self.left -= 1
        status = "modifying" if self.left else "active"
        return {"Users": [{"UserId": UserId, "Status": status}]}

    def modify_user(self, UserId: str, Passwords: list[str]) -> None:
        self.passwords.append(list(Passwords))
        self.left = self.busy


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, FakeElastiCache]]:
    with mock_aws():
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        value = {"username": "app", "password": "initial-password-0123456789", "user_arn": USER_ARN}
        arn = secrets.create_secret(Name="redis-app", SecretString=json.dumps(value))["ARN"]
        monkeypatch.setenv("SECRET_ARN", arn)
        monkeypatch.setenv("USER_NAME", "app")
        monkeypatch.setenv("EXCLUDE_CHARACTERS", "/@\"'\\ %")
        monkeypatch.setenv("WAIT_INTERVAL_SECONDS", "0")
        fake = FakeElastiCache()
        monkeypatch.setattr(rotation, "elasticache_client", lambda region: fake)
        yield secrets, arn, fake


def run(secrets: Any, arn: str, token: str, step: str) -> None:
    rotation.handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None, secrets)


def test_a_rotation_sets_both_passwords_then_makes_the_new_one_current(
    env: tuple[Any, str, FakeElastiCache], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets, arn, fake = env
    token = str(uuid.uuid4())
    real_describe = secrets.describe_secret

    def describe(**kwargs: Any) -> dict[str, Any]:
        reply = real_describe(**kwargs)
        reply["RotationEnabled"] = True
        reply["VersionIdsToStages"].setdefault(token, ["AWSPENDING"])
        return dict(reply)

    monkeypatch.setattr(secrets, "describe_secret", describe)
    run(secrets, arn, token, "createSecret")
    pending = json.loads(
        secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")[
            "SecretString"
        ]
    )
    assert pending["user_arn"] == USER_ARN and pending["username"] == "app"
    assert pending["password"] != "initial-password-0123456789"
    assert len(pending["password"]) == 64
    assert not set(pending["password"]) & set("/@\"'\\ %")
    run(secrets, arn, token, "createSecret")  # idempotent: the pending version is kept
    again = secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
    assert json.loads(again["SecretString"])["password"] == pending["password"]

    run(secrets, arn, token, "setSecret")
    assert fake.passwords == [[pending["password"], "initial-password-0123456789"]]
    run(secrets, arn, token, "testSecret")  # waits through "modifying"
    assert fake.left == 0
    run(secrets, arn, token, "finishSecret")
    current = secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
    assert json.loads(current["SecretString"]) == pending


def test_it_rotates_only_its_own_secret_and_user(
    env: tuple[Any, str, FakeElastiCache], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets, arn, _ = env
    with pytest.raises(rotation.RotationError, match="this function rotates"):
        run(secrets, arn + "-other", "t", "createSecret")
    monkeypatch.setenv("USER_NAME", "someone-else")
    real_describe = secrets.describe_secret

    def describe(**kwargs: Any) -> dict[str, Any]:
        reply = dict(real_describe(**kwargs))
        reply["RotationEnabled"] = True
        reply["VersionIdsToStages"] = {**reply["VersionIdsToStages"], "t": ["AWSPENDING"]}
        return reply

    monkeypatch.setattr(secrets, "describe_secret", describe)
    with pytest.raises(rotation.RotationError, match="belongs to another user"):
        run(secrets, arn, "t", "createSecret")
    with pytest.raises(rotation.RotationError, match="unknown rotation step"):
        run(secrets, arn, "t", "dropSecret")


def test_a_user_that_stays_busy_fails_the_step(
    env: tuple[Any, str, FakeElastiCache], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, fake = env
    fake.left = 10**6
    monkeypatch.setenv("MAX_WAIT_SECONDS", "0")
    with pytest.raises(rotation.RotationError, match="is still modifying"):
        rotation.wait_active(fake, "dbtier-prod-redis-app", "testSecret")
