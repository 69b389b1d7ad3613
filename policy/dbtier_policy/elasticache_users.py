"""ElastiCache access control and serverless caches: RBAC users instead of the shared AUTH token,
the group's default user off, every password user's secret rotated, and a serverless cache
encrypted with the stack key and keeping snapshots.

A user group is how ElastiCache gives each application its own user, password or IAM identity,
and access string; the AUTH token is one password every client shares, with every command on
every key, that no rotation function can rotate. Every group must hold a user named `default`
(the one a connection gets without AUTH): dbtier keeps it off.
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ._common import Resource, Rule, RuleMeta, as_number, deps_of, integer, is_off, is_unknown, prop
from .credentials import ROTATION, SECRET

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
USER = "aws:elasticache/user:User"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RBAC_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html"
ROTATION_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/User-Secrets-Manager.html"


def _cache(r: Resource) -> str:
    kind = "serverless cache" if r.type == SERVERLESS_CACHE else "replication group"
    return f"ElastiCache {kind} '{r.name}'"


def user_group_attached(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    groups = r.get("userGroupId") if r.type == SERVERLESS_CACHE else r.get("userGroupIds")
    if is_unknown(groups) or not is_off(groups):
        return
    yield (
        f"{_cache(r)} has no RBAC user group: clients share the AUTH token, with every command on"
        " every key, and nothing rotates it."
    )


def access_rules(user: Resource | PolicyResource) -> list[str] | None:
    """The user's access string as rules; None when unknown."""
    props = user.props
    text = prop(props, "accessString")
    if is_unknown(text) or not isinstance(text, str):
        return None
    return text.split()


def default_user_off(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.get("userName") != "default":
        return
    rules = access_rules(r)
    if rules is not None and "on" in rules:
        yield (
            f"ElastiCache user '{r.name}' is a group's default user and can log in"
            f" ({' '.join(rules[:4])} ...): a connection that names no user gets its rights."
        )


def _password_user(user: PolicyResource) -> bool:
    mode = prop(user.props, "authenticationMode", "type")
    return mode == "password" or bool(prop(user.props, "passwords"))


def password_users_rotated(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A password user's password is in a secret that a SecretRotation rotates: the secret's
    value takes the user's ARN (AWS's rotation template finds the user by it)."""
    rotated = {
        source.urn
        for rotation in resources
        if rotation.resource_type == ROTATION
        for source in deps_of(rotation, "secretId")
    }
    kept: dict[str, set[str]] = {}  # user URN -> the secrets whose values name it
    for version in resources:
        if version.resource_type != SECRET_VERSION:
            continue
        secrets = {d.urn for d in deps_of(version, "secretId") if d.resource_type == SECRET}
        for dep in deps_of(version, "secretString"):
            if dep.resource_type == USER:
                kept.setdefault(dep.urn, set()).update(secrets)
    for user in resources:
        if user.resource_type != USER or not _password_user(user):
            continue
        secrets = kept.get(user.urn, set())
        if not secrets:
            yield (
                user.urn,
                f"ElastiCache user '{user.name}' has a password that no Secrets Manager secret"
                " holds: nothing can rotate it, and clients can only have it from the program.",
            )
        elif not secrets & rotated:
            yield (
                user.urn,
                f"ElastiCache user '{user.name}' keeps its password in a secret that no"
                " SecretRotation rotates.",
            )


def serverless_customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"{_cache(r)} has no kmsKeyId: data at rest uses the AWS-owned key."


def serverless_snapshot_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("snapshotRetentionLimit")
    if is_unknown(value):
        return
    days = as_number(value) or 0.0
    if days < int(c["minimumDays"]):
        yield f"{_cache(r)} keeps snapshots {days:g} days; at least {c['minimumDays']} required."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="elasticache-rbac-user-group",
            description="ElastiCache caches authenticate RBAC users of a user group, not the "
            "shared AUTH token.",
            severity=Severity.MEDIUM,
            category="iam",
            remediation="set dbtier:redis.users (one user per application: password users are "
            "rotated by Secrets Manager, IAM users need no password).",
            resource_types=(REPLICATION_GROUP, SERVERLESS_CACHE),
            docs=RBAC_DOCS,
            fixes=("dbtier:redis.users",),
        ),
        user_group_attached,
    ),
    Rule(
        RuleMeta(
            name="elasticache-default-user-off",
            description="The default user of an ElastiCache user group cannot log in.",
            severity=Severity.HIGH,
            category="iam",
            remediation="leave `default` out of dbtier:redis.users (dbtier keeps the group's "
            "default user off: access 'off -@all').",
            resource_types=(USER,),
            docs=RBAC_DOCS,
            fixes=("dbtier:redis.users",),
        ),
        default_user_off,
    ),
    Rule(
        RuleMeta(
            name="elasticache-password-users-rotated",
            description="Every ElastiCache password user's password is in a secret Secrets "
            "Manager rotates.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="keep RedisCluster's users (each password user gets its secret and "
            "rotation); dbtier:redis.rotationDays sets the period.",
            resource_types=(USER, SECRET_VERSION, ROTATION),
            docs=ROTATION_DOCS,
            fixes=("dbtier:redis.rotationDays", "dbtier:redis.users"),
        ),
        stack_check=password_users_rotated,
    ),
    Rule(
        RuleMeta(
            name="elasticache-serverless-customer-managed-key",
            description="ElastiCache serverless caches encrypt with the stack's customer-managed "
            "key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn; "
            "RedisCluster does).",
            resource_types=(SERVERLESS_CACHE,),
            docs="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",
            fixes=("dbtier:encryption.kmsKeyArn",),
        ),
        serverless_customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="elasticache-serverless-snapshot-retention",
            description="ElastiCache serverless caches keep daily snapshots.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="raise dbtier:redis.snapshotRetentionDays to at least minimumDays.",
            resource_types=(SERVERLESS_CACHE,),
            config={"minimumDays": integer(1, 1, "Minimum snapshot retention, days.")},
            docs="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html",
            fixes=("dbtier:redis.snapshotRetentionDays",),
        ),
        serverless_snapshot_retention,
    ),
]
