"""RedisCluster: an ElastiCache replication group (Redis 7 or Valkey 8), encrypted and authenticated.

The group's AUTH token is generated, kept as a secret, and required over TLS; it is rotated
through `pulumi up` without downtime: bump `authTokenVersion` with `authTokenUpdateStrategy:
ROTATE` (ElastiCache accepts the old and the new token), then set `SET` (only the new one); its slow and
engine logs go to CloudWatch, and its last state is kept in a final snapshot. `outputs()` is the
stack's `redis` export; `watches()` what the alarms watch on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent
from components.logs import DEFAULT_RETENTION_DAYS
from components.redis.config import RedisConfig
from components.redis.shape import (
    REDIS_PORT,
    auth_token_args,
    endpoint_attributes,
    group_args,
    log_delivery,
    log_groups,
    parameter_group_args,
    secret_fields,
)
from components.redis.watches import redis_watches
from contract import RedisOutputs


@dataclass(frozen=True)
class RedisClusterArgs:
    config: RedisConfig
    """Engine, node type, topology, snapshots (dbtier:redis)."""
    subnet_group: pulumi.Input[str]
    """ElastiCache subnet group name."""
    security_group_id: pulumi.Input[str]
    """Security group allowing port 6379 from permitted networks."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: data at rest, log groups, the connection secret."""
    protect: bool = False
    """Pulumi `protect` on the replication group and its secret."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the log groups unless dbtier:redis.logRetentionDays overrides it (dbtier:logs)."""


class RedisCluster(DbtierComponent):
    """An ElastiCache replication group: one node, a primary with replicas, or sharded."""

    CONTRACT = RedisOutputs

    primary_endpoint: pulumi.Output[str]
    """Primary endpoint (the configuration endpoint in cluster mode)."""
    reader_endpoint: pulumi.Output[str]
    """Reader endpoint (the configuration endpoint in cluster mode)."""
    port: pulumi.Output[int]
    """Port (6379)."""
    auth_token: pulumi.Output[str]
    """AUTH token (secret)."""
    tls: pulumi.Output[bool]
    """Whether clients must use TLS (always true)."""
    secret_arn: pulumi.Output[str]
    """Secrets Manager secret with the connection JSON (host, port, password)."""
    replication_group_id: pulumi.Output[str]
    """Replication group id."""
    member_clusters: pulumi.Output[list[str]]
    """Cache cluster (node) ids, sorted (for alarms and dashboards)."""

    def __init__(
        self, name: str, args: RedisClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("RedisCluster", name, args.protect, opts)
        cfg = args.config
        self._config = cfg
        stack = pulumi.get_stack()

        params = aws.elasticache.ParameterGroup(
            f"{name}-params", opts=self.child(), **parameter_group_args(cfg)
        )
        logs = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}", kms_key_id=args.kms_key_arn, opts=self.child(), **group
            )
            for log_type, group in log_groups(cfg, stack, name, args.log_retention_days).items()
        }
        token = self.new_password("auth-token", **auth_token_args(cfg))
        shape = group_args(cfg, pulumi.get_project(), stack, name)
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            parameter_group_name=params.name,
            subnet_group_name=args.subnet_group,
            security_group_ids=[args.security_group_id],
            kms_key_id=args.kms_key_arn,
            auth_token=token.result,
            final_snapshot_identifier=self.snapshot_name(shape["replication_group_id"]),
            log_delivery_configurations=log_delivery({t: g.name for t, g in logs.items()}),
            opts=self.child(stateful=True),
            **shape,
        )

        primary, reader = endpoint_attributes(cfg)
        self.primary_endpoint = getattr(group, primary)
        self.reader_endpoint = getattr(group, reader)
        self.port = group.port.apply(lambda p: p or REDIS_PORT)
        self.auth_token = pulumi.Output.secret(token.result)
        self.tls = pulumi.Output.from_input(True)
        self.replication_group_id = group.id
        self.member_clusters = group.member_clusters.apply(lambda ids: sorted(ids or []))
        self.secret_arn = self.connection_secret(
            args.kms_key_arn,
            host=self.primary_endpoint,
            port=self.port,
            password=token.result,
            **secret_fields(cfg, group.id),
        ).arn
        self.publish()

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """CPU, memory, evictions and lag of every node, named by its cache cluster id."""
        # ElastiCache reports the group's nodes only as one list; the group's topology says how
        # many there are, so each node gets its own Output from it.
        node_ids = [
            self.member_clusters.apply(itemgetter(i)) for i in range(self._config.total_nodes)
        ]
        return redis_watches(self._config, alarms, node_ids)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """None: ElastiCache is not a type AWS Backup backs up; the replication group keeps
        its own daily snapshots (snapshotRetentionDays)."""
        return {}
