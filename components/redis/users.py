"""A RedisCluster's RBAC users: the users and their user group, made before the cache; then,
once the cache exists, each password user's secret and rotation, each IAM user's connect policy,
and what the stack exports of them (`contract.RedisUserOutputs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.base import DbtierComponent
from components.redis.caches import Cache
from components.redis.config import RedisConfig
from components.redis.rotation import rotation_package, user_rotation
from components.redis.users_shape import (
    UserPlan,
    connect_policy,
    password_args,
    user_args,
    user_group_args,
    user_plans,
    user_secret_fields,
)
from contract import RedisUserOutputs, exported


@dataclass
class Users:
    """The users of one cache and their group."""

    plans: list[UserPlan]
    users: dict[str, aws.elasticache.User]
    passwords: dict[str, random.RandomPassword]
    group: aws.elasticache.UserGroup


@dataclass
class UserAccess:
    """What the stack exports of the users: each one, and the first password user's name and
    secret (the workloads' default login)."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    username: pulumi.Output[str] | None = None
    secret_arn: pulumi.Output[str] | None = None


def user_group(owner: DbtierComponent, name: str, cfg: RedisConfig, group_id: str) -> Users:
    """Every user of the cache (the default user off unless configured) in one user group."""
    plans = user_plans(cfg, group_id)
    users: dict[str, aws.elasticache.User] = {}
    passwords: dict[str, random.RandomPassword] = {}
    for plan in plans:
        args = user_args(plan)
        if plan.has_password:
            passwords[plan.role] = owner.new_password(f"{plan.role}-password", **password_args())
            # Secret in the user's inputs too (a nested input does not carry it by itself).
            password: pulumi.Output[str] = pulumi.Output.secret(passwords[plan.role].result)
            args["authentication_mode"]["passwords"] = [password]
        users[plan.role] = aws.elasticache.User(
            f"{name}-{plan.role}-user",
            # After the first rotation the rotation function owns the password.
            opts=owner.child(
                ignore_changes=["authenticationMode.passwords"] if plan.has_password else None
            ),
            **args,
        )
    group = aws.elasticache.UserGroup(
        f"{name}-users",
        user_ids=[user.user_id for user in users.values()],
        opts=owner.child(),
        **user_group_args(group_id),
    )
    return Users(plans, users, passwords, group)


def user_access(
    owner: DbtierComponent,
    name: str,
    cfg: RedisConfig,
    users: Users,
    cache: Cache,
    *,
    kms_key_arn: pulumi.Input[str],
    log_retention_days: int,
) -> UserAccess:
    """Each password user's secret (the shape of AWS's ElastiCache rotation template) rotated
    every `cfg.rotation_days`; each IAM user's connect policy on `cache`; their exports."""
    configured = {user.name for user in cfg.users}
    plans = [plan for plan in users.plans if plan.role in configured]
    package = (
        rotation_package(owner, name, kms_key_arn)
        if any(plan.has_password for plan in plans)
        else None
    )
    access = UserAccess()
    for plan in plans:
        user = users.users[plan.role]
        secret_arn = policy = None
        if plan.has_password and package is not None:
            secret, version = owner.json_secret(
                plan.role,
                f"dbtier {name}: ElastiCache user {plan.user_name} (username, password, user_arn)",
                kms_key_arn,
                {
                    "host": cache.primary_endpoint,
                    "port": cache.port,
                    "password": users.passwords[plan.role].result,
                    "user_arn": user.arn,
                    **user_secret_fields(cfg, plan),
                },
                rotated=True,
                # The AUTH token's secret becomes the first password user's: a stack moving
                # to users keeps the secret (and its ARN) its clients read.
                aliases=[] if access.secret_arn else [pulumi.Alias(name=f"{name}-secret")],
            )
            user_rotation(
                owner,
                name,
                plan,
                secret=secret,
                user=user,
                package=package,
                kms_key_arn=kms_key_arn,
                log_retention_days=log_retention_days,
                days=cfg.rotation_days,
                depends_on=[version, user, users.group],
            )
            secret_arn = secret.arn
            if access.secret_arn is None:
                access.username = pulumi.Output.from_input(plan.user_name)
                access.secret_arn = secret.arn
        elif plan.auth == "iam":
            policy = pulumi.Output.all(cache.arn, user.arn).apply(lambda v: connect_policy(*v))
        access.users[plan.role] = exported(
            RedisUserOutputs,
            username=plan.user_name,
            user_id=plan.user_id,
            auth=plan.auth,
            secret_arn=secret_arn,
            connect_policy=policy,
        )
    return access
