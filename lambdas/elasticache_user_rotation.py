"""Secrets Manager rotation of one ElastiCache user's password (RBAC), as a Lambda handler.

The steps and the secret are those of AWS's rotation template for ElastiCache users
(SecretsManagerElasticacheUserRotation, https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html).
AWS publishes that template's source but not an application in the Serverless Application
Repository (aws-samples/aws-secrets-manager-rotation-lambdas#135), which is how dbtier deploys
the RDS and Redshift rotation functions, so the RedisCluster component deploys this handler,
which follows the template:

- the secret is ``{"username", "password", "user_arn", ...}`` (other keys are kept);
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/User-Secrets-Manager.html
- ``createSecret``: a new password (Secrets Manager's GetRandomPassword) in an ``AWSPENDING``
  version;
- ``setSecret``: ElastiCache ModifyUser with the pending and the current password, so clients
  holding either keep logging in while the secret changes;
- ``testSecret``: the user is ``active`` again, its new passwords on every node;
- ``finishSecret``: ``AWSCURRENT`` moves to the pending version.

One function rotates one secret of one user (``SECRET_ARN``, ``USER_NAME``), as AWS recommends,
so its role can touch only that secret and that user. Standard library and boto3 only: the
module is packaged as the function's only file.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import boto3

log = logging.getLogger()
log.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

PENDING, CURRENT = "AWSPENDING", "AWSCURRENT"


class RotationError(ValueError):
    """The secret or the event is not one this function may rotate (never holds a password)."""


def _config(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RotationError(f"{name} is not set")
    return value


def _secret(client: Any, arn: str, stage: str, token: str | None = None) -> dict[str, Any]:
    """The secret's JSON at ``stage`` (and version ``token``), with its user_arn checked."""
    args: dict[str, Any] = {"SecretId": arn, "VersionStage": stage}
    if token is not None:
        args["VersionId"] = token
    text = client.get_secret_value(**args)["SecretString"]
    try:
        value = json.loads(text)
    except ValueError:
        raise RotationError(f"secret {arn} ({stage}) is not JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("user_arn"), str):
        raise RotationError(f"secret {arn} ({stage}) has no user_arn")
    if value.get("username") != _config("USER_NAME"):
        raise RotationError(f"secret {arn} belongs to another user than this function's")
    return value


def _user_id(user_arn: str) -> tuple[str, str]:
    """(region, user id) of ``arn:<partition>:elasticache:<region>:<account>:user:<id>``."""
    parts = user_arn.split(":")
    if len(parts) != 7 or parts[2] != "elasticache" or parts[5] != "user":
        raise RotationError(f"{user_arn} is not an ElastiCache user ARN")
    return parts[3], parts[6]


def elasticache_client(region: str) -> Any:
    """An ElastiCache client in the user's region (the region of its ARN)."""
    return boto3.client("elasticache", region_name=region)


def wait_active(elasticache: Any, user_id: str, step: str) -> dict[str, Any]:
    """The user once its status is ``active`` (a modification has reached every node)."""
    deadline = time.monotonic() + float(_config("MAX_WAIT_SECONDS", "600"))
    interval = float(_config("WAIT_INTERVAL_SECONDS", "10"))
    while True:
        user: dict[str, Any] = elasticache.describe_users(UserId=user_id)["Users"][0]
        if user["Status"] == "active":
            return user
        if time.monotonic() + interval > deadline:
            raise RotationError(f"{step}: user {user_id} is still {user['Status']}")
        log.info("%s: user %s is %s; waiting", step, user_id, user["Status"])
        time.sleep(interval)


def create_secret(secrets: Any, arn: str, token: str) -> None:
    current = _secret(secrets, arn, CURRENT)
    region, user_id = _user_id(current["user_arn"])
    elasticache_client(region).describe_users(UserId=user_id)
    try:
        _secret(secrets, arn, PENDING, token)
        log.info("createSecret: %s already has its pending version", arn)
        return
    except secrets.exceptions.ResourceNotFoundException:
        pass
    password = secrets.get_random_password(
        ExcludeCharacters=_config("EXCLUDE_CHARACTERS", "/@\"'\\"),
        PasswordLength=int(_config("PASSWORD_LENGTH", "64")),
    )["RandomPassword"]
    secrets.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps({**current, "password": password}),
        VersionStages=[PENDING],
    )
    log.info("createSecret: new pending version of %s", arn)


def set_secret(secrets: Any, arn: str, token: str) -> None:
    current = _secret(secrets, arn, CURRENT)
    pending = _secret(secrets, arn, PENDING, token)
    region, user_id = _user_id(current["user_arn"])
    elasticache = elasticache_client(region)
    wait_active(elasticache, user_id, "setSecret")
    # Both passwords until the next rotation: a client that read the secret just before the
    # switch still logs in.
    passwords = [pending["password"]]
    if current.get("password") and current["password"] != pending["password"]:
        passwords.append(current["password"])
    elasticache.modify_user(UserId=user_id, Passwords=passwords)
    log.info("setSecret: %s has the pending password", user_id)


def test_secret(secrets: Any, arn: str, _token: str) -> None:
    current = _secret(secrets, arn, CURRENT)
    region, user_id = _user_id(current["user_arn"])
    wait_active(elasticache_client(region), user_id, "testSecret")


def finish_secret(secrets: Any, arn: str, token: str) -> None:
    stages = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((v for v, s in stages.items() if CURRENT in s), None)
    if current == token:
        return
    secrets.update_secret_version_stage(
        SecretId=arn, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=current
    )
    log.info("finishSecret: %s version %s is current", arn, token)


STEPS = {
    "createSecret": create_secret,
    "setSecret": set_secret,
    "testSecret": test_secret,
    "finishSecret": finish_secret,
}


def handler(event: dict[str, Any], _context: Any, secrets: Any = None) -> None:
    """One rotation step of the one secret this function rotates (``SECRET_ARN``)."""
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if arn != _config("SECRET_ARN"):
        raise RotationError(f"this function rotates {_config('SECRET_ARN')}, not {arn}")
    if step not in STEPS:
        raise RotationError(f"unknown rotation step {step!r}")
    secrets = secrets or boto3.client("secretsmanager")
    metadata = secrets.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise RotationError(f"{arn} does not have rotation enabled")
    stages = metadata["VersionIdsToStages"].get(token)
    if stages is None:
        raise RotationError(f"{arn} has no version {token}")
    if CURRENT in stages:
        log.info("%s: version %s is already current", step, token)
        return
    if PENDING not in stages:
        raise RotationError(f"{arn} version {token} is not pending")
    STEPS[step](secrets, arn, token)
