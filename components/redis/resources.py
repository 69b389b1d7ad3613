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
from components.base import ELASTICACHE_TOKEN_SPECIAL, DbtierComponent, family_of
from components.logs import DEFAULT_RETENTION_DAYS
from components.parameters import plain_parameters
from components.redis.config import RedisConfig, enforced_parameters
from components.redis.config import replication_group_id as config_group_id
from components.redis.watches import redis_watches
from contract import RedisOutputs

REDIS_PORT = 6379
# ElastiCache AUTH tokens: 16-128 printable characters; of the punctuation only ! & # $ ^ < > -
# (no space, ", / or @). 64 characters from that alphabet is far beyond brute force.
AUTH_TOKEN_LENGTH = 64
LOG_TYPES = ("slow-log", "engine-log")


def replication_group_id(name: str) -> str:
    """A readable, per-stack id within ElastiCache's 40 lower-case characters."""
    return config_group_id(pulumi.get_project(), pulumi.get_stack(), name)


def auth_token_keepers(version: int) -> dict[str, str] | None:
    """The token's pulumi-random keepers: a new version makes a new token. Version 1 has none,
    so a stack made before token rotation existed keeps its token."""
    return None if version == 1 else {"authTokenVersion": str(version)}


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

        params = aws.elasticache.ParameterGroup(
            f"{name}-params",
            family=family_of(cfg.engine, cfg.engine_version),
            description=f"dbtier {cfg.engine}: cluster mode {'on' if cfg.cluster_mode else 'off'}",
            parameters=plain_parameters(enforced_parameters(cfg), cfg.parameters),
            opts=self.child(),
        )
        logs = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}",
                name=f"/dbtier/{pulumi.get_stack()}/{name}/{log_type}",
                retention_in_days=cfg.log_retention_days or args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=self.child(),
            )
            for log_type in LOG_TYPES
        }
        token = self.new_password(
            "auth-token",
            ELASTICACHE_TOKEN_SPECIAL,
            length=AUTH_TOKEN_LENGTH,
            keepers=auth_token_keepers(cfg.auth_token_version),
        )
        topology: dict[str, object]
        if cfg.cluster_mode:
            topology = {
                "cluster_mode": "enabled",
                "num_node_groups": cfg.shards,
                "replicas_per_node_group": cfg.replicas_per_shard,
            }
        else:
            topology = {"num_cache_clusters": cfg.nodes}
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            replication_group_id=replication_group_id(name),
            description=f"dbtier {pulumi.get_stack()} {cfg.engine} {cfg.engine_version}",
            engine=cfg.engine,
            engine_version=cfg.engine_version,
            node_type=cfg.node_type,
            port=REDIS_PORT,
            parameter_group_name=params.name,
            subnet_group_name=args.subnet_group,
            security_group_ids=[args.security_group_id],
            automatic_failover_enabled=cfg.automatic_failover,
            multi_az_enabled=cfg.multi_az,
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            # Sent with a changed token or strategy (ModifyReplicationGroup); ignored on create.
            auth_token_update_strategy=cfg.auth_token_update_strategy,
            auto_minor_version_upgrade=cfg.auto_minor_version_upgrade,
            apply_immediately=cfg.apply_immediately,
            snapshot_retention_limit=cfg.snapshot_retention_days,
            snapshot_window=cfg.snapshot_window,
            maintenance_window=cfg.maintenance_window,
            final_snapshot_identifier=self.snapshot_name(replication_group_id(name)),
            log_delivery_configurations=[
                {
                    "destination": logs[log_type].name,
                    "destination_type": "cloudwatch-logs",
                    "log_format": "json",
                    "log_type": log_type,
                }
                for log_type in LOG_TYPES
            ],
            opts=self.child(stateful=True),
            **topology,
        )

        if cfg.cluster_mode:
            self.primary_endpoint = group.configuration_endpoint_address
            self.reader_endpoint = group.configuration_endpoint_address
        else:
            self.primary_endpoint = group.primary_endpoint_address
            self.reader_endpoint = group.reader_endpoint_address
        self.port = group.port.apply(lambda p: p or REDIS_PORT)
        self.auth_token = pulumi.Output.secret(token.result)
        self.tls = pulumi.Output.from_input(True)
        self.replication_group_id = group.id
        self.member_clusters = group.member_clusters.apply(lambda ids: sorted(ids or []))
        self.secret_arn = self.connection_secret(
            args.kms_key_arn,
            engine=cfg.engine,
            host=self.primary_endpoint,
            port=self.port,
            username="default",
            password=token.result,
            dbname="0",
            extra={"replicationGroupId": group.id, "tls": "true"},
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
