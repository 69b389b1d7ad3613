"""What RBAC decides for a RedisCluster, as plain values: the users (the group's default user
included) with their ids, names, access strings and authentication, the user group, each
password user's secret fields and rotation function, and each IAM user's connect policy.

Ids: users and groups live in the account and region, not in a cache, so dbtier prefixes every
id with the cache's own (`<project>-<stack>-<component>`). An IAM user's name must equal its id
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html), so it logs in as that id;
a password user logs in with its configured name.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

from components.base import ELASTICACHE_TOKEN_SPECIAL
from components.redis.config import RedisConfig
from components.redis.users_config import DEFAULT_USER, OFF, RedisUserConfig

# Users and user groups take the engine "redis" on Valkey caches too: ElastiCache's RBAC page
# (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "When using RBAC
# with Valkey clusters, you will still need to assign users and user groups the engine redis").
USER_ENGINE = "redis"
# Generated passwords: the AUTH token's alphabet and length (16-128 printable characters).
PASSWORD_LENGTH = 64
# How long one rotation step may take: setSecret and testSecret wait until the user is active on
# every node, which AWS's instructions give at least 12 minutes; Lambda's maximum.
ROTATION_TIMEOUT_SECONDS = 900
ROTATION_WAIT_SECONDS = 600
# What an IAM user's client needs, on the cache and on the user:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
CONNECT_ACTION = "elasticache:Connect"


@dataclass(frozen=True)
class UserPlan:
    """One user of the group, as ElastiCache stores it."""

    role: str
    """Its child names' part: `<component>-<role>-user`."""
    user_id: str
    user_name: str
    access_string: str
    auth: str
    """password, iam, or none (the default user when it is off)."""

    @property
    def has_password(self) -> bool:
        return self.auth == "password"


def user_plan(group_id: str, user: RedisUserConfig) -> UserPlan:
    """How one configured user is created."""
    user_id = f"{group_id}-{user.name}"
    name = user_id if user.auth == "iam" else user.name
    return UserPlan(user.name, user_id, name, user.access_string, user.auth)


def user_plans(cfg: RedisConfig, group_id: str) -> list[UserPlan]:
    """Every user of the group: the configured ones, and the default user (ElastiCache requires
    one named `default` in every group) switched off unless it is configured."""
    plans = [user_plan(group_id, user) for user in cfg.users]
    if not any(user.is_default for user in cfg.users):
        plans.append(UserPlan(DEFAULT_USER, f"{group_id}-default", DEFAULT_USER, OFF, "none"))
    return plans


def user_args(plan: UserPlan) -> dict[str, Any]:
    """The user's arguments but its password (which comes with the wiring)."""
    mode = {"password": "password", "iam": "iam"}.get(plan.auth, "no-password-required")
    return {
        "user_id": plan.user_id,
        "user_name": plan.user_name,
        "engine": USER_ENGINE,
        "access_string": plan.access_string,
        "authentication_mode": {"type": mode},
    }


def user_group_args(group_id: str) -> dict[str, Any]:
    """The user group: the cache's id, engine redis (see USER_ENGINE); users come with wiring."""
    return {"user_group_id": group_id, "engine": USER_ENGINE}


def password_args() -> dict[str, Any]:
    """How a user's initial password is generated (the rotation function makes the next ones)."""
    return {"special": ELASTICACHE_TOKEN_SPECIAL, "length": PASSWORD_LENGTH}


def exclude_characters() -> str:
    """What the rotation function must not put in a password: punctuation outside the AUTH
    token's alphabet (ElastiCache's rules for passwords)."""
    return "".join(c for c in string.punctuation if c not in ELASTICACHE_TOKEN_SPECIAL)


def user_secret_fields(cfg: RedisConfig, plan: UserPlan) -> dict[str, Any]:
    """A password user's secret besides host, port, password and user_arn: the shape AWS's
    rotation template for ElastiCache users reads (username, password, user_arn), with the
    connection's engine and TLS like every dbtier secret."""
    return {"engine": cfg.engine, "username": plan.user_name, "tls": "true"}


def rotation_environment(secret_arn: str, plan: UserPlan) -> dict[str, str]:
    """The rotation function's settings (`lambdas.elasticache_user_rotation`)."""
    return {
        "SECRET_ARN": secret_arn,
        "USER_NAME": plan.user_name,
        "EXCLUDE_CHARACTERS": exclude_characters(),
        "PASSWORD_LENGTH": str(PASSWORD_LENGTH),
        "MAX_WAIT_SECONDS": str(ROTATION_WAIT_SECONDS),
    }


def rotation_policy(
    secret_arn: str, user_arn: str, log_group_arn: str, key_arn: str, xray: list[str]
) -> str:
    """The rotation function's only permissions: its secret, its user, its logs and traces, and
    the stack key through Secrets Manager (the instructions on AWS's ElastiCache page)."""
    statements = [
        {
            "Sid": "RotateThisSecret",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            ],
            "Resource": secret_arn,
        },
        {
            "Sid": "GeneratePasswords",
            "Effect": "Allow",
            "Action": "secretsmanager:GetRandomPassword",
            "Resource": "*",
        },
        {
            "Sid": "SetThisUsersPassword",
            "Effect": "Allow",
            "Action": ["elasticache:DescribeUsers", "elasticache:ModifyUser"],
            "Resource": user_arn,
        },
        {
            # The secret is encrypted with the stack key: reading and writing it needs data keys,
            # and only through Secrets Manager.
            "Sid": "SecretKeyViaSecretsManager",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
        },
        {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:log-stream:*",
        },
        {"Sid": "WriteTraces", "Effect": "Allow", "Action": xray, "Resource": "*"},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


def connect_policy(cache_arn: str, user_arn: str) -> str:
    """The policy a client role needs to log in as an IAM user: Connect on the cache and user."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ConnectAsThisUser",
                    "Effect": "Allow",
                    "Action": CONNECT_ACTION,
                    "Resource": [cache_arn, user_arn],
                }
            ],
        },
        indent=2,
    )
