"""The two caches a RedisCluster can be, each built from its own shape: a replication group
(`components.redis.shape`) or a serverless cache (`components.redis.serverless_shape`). Both
return a `Cache`, what the rest of the component (its access, exports and alarms) reads; both
take the component's args (`RedisClusterArgs`, defined here so the builders and the component
share them without a cycle)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent
from components.logs import DEFAULT_RETENTION_DAYS
from components.redis.config import RedisConfig
from components.redis.serverless_shape import serverless_args
from components.redis.shape import (
    REDIS_PORT,
    endpoint_attributes,
    group_args,
    log_delivery,
    log_groups,
    parameter_group_args,
)


@dataclass(frozen=True)
class RedisClusterArgs:
    config: RedisConfig
    """Mode, engine, node type or usage limits, topology, snapshots, users (dbtier:redis)."""
    subnet_group: pulumi.Input[str]
    """ElastiCache subnet group name (a replication group's subnets)."""
    security_group_id: pulumi.Input[str]
    """Security group allowing port 6379 from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: data at rest, log groups, the connection secrets."""
    protect: bool = False
    """Pulumi `protect` on the cache and its secrets."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the log groups unless dbtier:redis.logRetentionDays overrides it (dbtier:logs)."""
    subnet_ids: pulumi.Input[list[str]] | None = None
    """The subnets a serverless cache's endpoints are placed in (mode serverless)."""


@dataclass(frozen=True)
class Cache:
    """What clients and alarms need of a cache, whichever kind it is."""

    primary_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    """The replication group id, or the serverless cache's name."""
    member_clusters: pulumi.Output[list[str]]
    """The nodes' cache cluster ids, sorted (none for a serverless cache)."""


def replication_group(
    owner: DbtierComponent,
    name: str,
    args: RedisClusterArgs,
    *,
    auth_token: pulumi.Input[str] | None,
    user_group_id: pulumi.Input[str] | None,
) -> Cache:
    """A replication group with its parameter group and log groups; it authenticates with
    `auth_token` or the users of `user_group_id` (exactly one of them is given)."""
    cfg, stack = args.config, pulumi.get_stack()
    params = aws.elasticache.ParameterGroup(
        f"{name}-params", opts=owner.child(), **parameter_group_args(cfg)
    )
    logs = {
        log_type: aws.cloudwatch.LogGroup(
            f"{name}-{log_type}", kms_key_id=args.kms_key_arn, opts=owner.child(), **group
        )
        for log_type, group in log_groups(cfg, stack, name, args.log_retention_days).items()
    }
    shape = group_args(cfg, pulumi.get_project(), stack, name)
    group = aws.elasticache.ReplicationGroup(
        f"{name}-group",
        parameter_group_name=params.name,
        subnet_group_name=args.subnet_group,
        security_group_ids=[args.security_group_id],
        kms_key_id=args.kms_key_arn,
        auth_token=auth_token,
        user_group_ids=[user_group_id] if user_group_id is not None else None,
        final_snapshot_identifier=owner.snapshot_name(shape["replication_group_id"]),
        log_delivery_configurations=log_delivery({t: g.name for t, g in logs.items()}),
        opts=owner.child(stateful=True),
        **shape,
    )
    primary, reader = endpoint_attributes(cfg)
    return Cache(
        primary_endpoint=getattr(group, primary),
        reader_endpoint=getattr(group, reader),
        port=group.port.apply(lambda p: p or REDIS_PORT),
        arn=group.arn,
        name=group.id,
        member_clusters=group.member_clusters.apply(lambda ids: sorted(ids or [])),
    )


def serverless_cache(
    owner: DbtierComponent, name: str, args: RedisClusterArgs, *, user_group_id: pulumi.Input[str]
) -> Cache:
    """A serverless cache in the stack's subnets, behind the engine's security group, encrypted
    with the stack key, its users those of `user_group_id`."""
    cache = aws.elasticache.ServerlessCache(
        f"{name}-serverless",
        kms_key_id=args.kms_key_arn,
        security_group_ids=[args.security_group_id],
        subnet_ids=args.subnet_ids,
        user_group_id=user_group_id,
        opts=owner.child(stateful=True),
        **serverless_args(args.config, pulumi.get_project(), pulumi.get_stack(), name),
    )
    endpoint = cache.endpoints.apply(lambda e: e[0])
    # The reader endpoint is the same host on port 6380; the engine's security group opens the
    # port of the contract only (6379), where the primary serves reads too.
    return Cache(
        primary_endpoint=endpoint.apply(lambda e: e.address),
        reader_endpoint=cache.reader_endpoints.apply(lambda e: e[0].address),
        port=endpoint.apply(lambda e: int(e.port or REDIS_PORT)),
        arn=cache.arn,
        name=cache.name,
        member_clusters=pulumi.Output.from_input([]),
    )
