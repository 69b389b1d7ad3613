"""Deployability of ElastiCache access control and serverless caches: what CreateUser,
CreateUserGroup, CreateReplicationGroup and CreateServerlessCache refuse.

- A user group attached to a cache holds a user named `default`; RBAC needs Redis OSS 6.0 or
  later (or Valkey) and in-transit encryption, and takes the place of the AUTH token.
- An IAM user's name is its id, and it logs in only to Redis OSS 7.0+ or Valkey 7.2+ with TLS.
- A serverless cache runs a major version ElastiCache Serverless offers, within the usage limits'
  ranges (data storage 1-5,000 GB, ECPU per second 1,000-15,000,000), minimum at most maximum.

The facts are `awsdata.elasticache`'s, the functions config validation calls too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import elasticache

from ._common import Resource, Rule, as_number, is_unknown, prop
from .deploy_relations import known_str, linked, of_type, relation_meta
from .elasticache_users import REPLICATION_GROUP, SERVERLESS_CACHE, USER

USER_GROUP = "aws:elasticache/userGroup:UserGroup"


def _group_users(group: PolicyResource, users: Sequence[PolicyResource]) -> list[PolicyResource]:
    return linked(group, "userIds", users, "userId")


def _attached(cache: PolicyResource, groups: Sequence[PolicyResource]) -> list[PolicyResource]:
    key = "userGroupId" if cache.resource_type == SERVERLESS_CACHE else "userGroupIds"
    return linked(cache, key, groups, "userGroupId")


def _engine(cache: PolicyResource) -> tuple[str | None, str | None]:
    """The cache's engine and version (a serverless cache's major version)."""
    version_key = (
        "majorEngineVersion" if cache.resource_type == SERVERLESS_CACHE else "engineVersion"
    )
    return known_str(prop(cache.props, "engine")), known_str(prop(cache.props, version_key))


def _cache_problems(cache: PolicyResource, users: Sequence[PolicyResource]) -> Iterator[str]:
    engine, version = _engine(cache)
    if cache.resource_type == REPLICATION_GROUP:
        if engine and version and (problem := elasticache.rbac_problem(engine, version)):
            yield problem
        if prop(cache.props, "transitEncryptionEnabled") is False:
            yield "RBAC needs in-transit encryption (transitEncryptionEnabled)"
        token = prop(cache.props, "authToken")
        if token is not None and not is_unknown(token):
            yield "it sets both an AUTH token and user groups; ElastiCache takes one of them"
    names = {prop(u.props, "userName") for u in users}
    if users and not any(is_unknown(n) for n in names) and "default" not in names:
        yield "its user group has no user named default, which ElastiCache requires in every group"
    iam = [u for u in users if prop(u.props, "authenticationMode", "type") == "iam"]
    if iam and engine and version:
        problem = (
            None
            if cache.resource_type == SERVERLESS_CACHE
            else elasticache.iam_auth_problem(engine, version)
        )
        if problem:
            yield f"IAM user '{iam[0].name}': {problem}"


def user_groups(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Every cache with users: a default user in its group, RBAC and IAM on engine versions
    that have them, TLS, and no AUTH token beside the group."""
    users = of_type(resources, USER)
    groups = of_type(resources, USER_GROUP)
    for cache in of_type(resources, REPLICATION_GROUP, SERVERLESS_CACHE):
        for group in _attached(cache, groups):
            for problem in _cache_problems(cache, _group_users(group, users)):
                yield cache.urn, f"'{cache.name}' (user group '{group.name}'): {problem}."


def iam_user_names(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.get("authenticationMode", "type") != "iam":
        return
    user_id, name = r.get("userId"), r.get("userName")
    if is_unknown(user_id) or is_unknown(name) or user_id is None:
        return
    if name != user_id:
        yield (
            f"ElastiCache user '{r.name}' authenticates with IAM, and its userName ({name}) is not"
            f" its userId ({user_id}): ElastiCache requires them equal for IAM users."
        )


def _limit(r: Resource, *path: str) -> float | None:
    return as_number(r.get("cacheUsageLimits", *path))


def serverless_limits(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    engine, version = known_str(r.get("engine")), known_str(r.get("majorEngineVersion"))
    if engine and version and (problem := elasticache.serverless_version_problem(engine, version)):
        yield f"{_cache_name(r)}: {problem}."
    unit = r.get("cacheUsageLimits", "dataStorage", "unit")
    if isinstance(unit, str) and not is_unknown(unit) and unit.upper() != "GB":
        yield f"{_cache_name(r)}: data storage limits are in GB (got unit {unit})."
    ecpu = r.get("cacheUsageLimits", "ecpuPerSeconds", 0)
    checks = (
        (
            "data storage (GB)",
            elasticache.DATA_STORAGE_GB,
            _limit(r, "dataStorage", "minimum"),
            _limit(r, "dataStorage", "maximum"),
        ),
        (
            "ECPU per second",
            elasticache.ECPU_PER_SECOND,
            as_number(prop(ecpu, "minimum")) if isinstance(ecpu, Mapping) else None,
            as_number(prop(ecpu, "maximum")) if isinstance(ecpu, Mapping) else None,
        ),
    )
    for what, bounds, low, high in checks:
        if problem := elasticache.usage_limit_problem(what, bounds, low, high):
            yield f"{_cache_name(r)}: {problem}."


def _cache_name(r: Resource) -> str:
    return f"ElastiCache serverless cache '{r.name}'"


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-elasticache-user-groups",
            "A user group attached to an ElastiCache cache holds a user named default; RBAC and "
            "IAM users only on engine versions that have them (Redis OSS 6.0+ and 7.0+, Valkey), "
            "with TLS, and never beside an AUTH token.",
            elasticache.RBAC_DOCS,
            ("dbtier:redis.users", "dbtier:redis.engineVersion"),
            "keep RedisCluster's user group (it adds the default user), and a version that has "
            "RBAC and IAM authentication.",
            resource_types=(REPLICATION_GROUP, SERVERLESS_CACHE, USER_GROUP, USER),
        ),
        stack_check=user_groups,
    ),
    Rule(
        relation_meta(
            "deploy-elasticache-iam-user-name",
            "An ElastiCache user that authenticates with IAM has its user id as its user name.",
            elasticache.IAM_AUTH_DOCS,
            ("dbtier:redis.users",),
            "set userName to the userId (RedisCluster names IAM users by their id).",
            resource_types=(USER,),
        ),
        iam_user_names,
    ),
    Rule(
        relation_meta(
            "deploy-elasticache-serverless-limits",
            "ElastiCache serverless caches run a major version Serverless offers, with usage "
            "limits in AWS's ranges (data storage 1-5,000 GB, ECPU per second "
            "1,000-15,000,000), minimum at most maximum.",
            elasticache.SERVERLESS_DOCS,
            (
                "dbtier:redis.maxDataStorageGb",
                "dbtier:redis.maxEcpuPerSecond",
                "dbtier:redis.engineVersion",
            ),
            "set the limits within AWS's ranges and an engine version Serverless runs.",
            resource_types=(SERVERLESS_CACHE,),
        ),
        serverless_limits,
    ),
]
