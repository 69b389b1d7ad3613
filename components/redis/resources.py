"""RedisCluster: an ElastiCache replication group (Redis 7 or Valkey 8) or serverless cache,
encrypted and authenticated.

Who may connect is one of two modes. The AUTH token (a replication group's default): generated,
kept as a secret, required over TLS, rotated through `pulumi up` (bump `authTokenVersion` with
`authTokenUpdateStrategy: ROTATE`, then `SET`). RBAC users (`dbtier:redis.users`, the only mode
of a serverless cache): a user group with each configured user and the default user off;
password users' secrets rotated by Secrets Manager, IAM users' connect policies exported
(`components.redis.users`). A replication group's slow and engine logs go to CloudWatch and its
last state to a final snapshot. `outputs()` is the stack's `redis` export; `watches()` what the
alarms watch on it.
"""

from __future__ import annotations

from operator import itemgetter

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent
from components.redis.caches import Cache, RedisClusterArgs, replication_group, serverless_cache
from components.redis.config import replication_group_id
from components.redis.shape import auth_token_args, secret_fields
from components.redis.users import user_access, user_group
from components.redis.watches import redis_watches, serverless_watches
from contract import RedisOutputs

__all__ = ["RedisCluster", "RedisClusterArgs"]


class RedisCluster(DbtierComponent):
    """An ElastiCache replication group (one node, a primary with replicas, or sharded) or an
    ElastiCache Serverless cache."""

    CONTRACT = RedisOutputs

    primary_endpoint: pulumi.Output[str]
    """Primary endpoint (the configuration endpoint in cluster mode; a serverless cache's)."""
    reader_endpoint: pulumi.Output[str]
    """Reader endpoint (the configuration endpoint in cluster mode)."""
    port: pulumi.Output[int]
    """Port (6379)."""
    auth_token: pulumi.Output[str] | None
    """AUTH token (secret); None with users."""
    tls: pulumi.Output[bool]
    """Whether clients must use TLS (always true)."""
    secret_arn: pulumi.Output[str] | None
    """Secrets Manager secret with the connection JSON: the AUTH token's, or the first password
    user's (None when every user is an IAM user)."""
    cluster_mode: pulumi.Output[bool]
    """Whether clients see a Redis Cluster (shards, or a serverless cache)."""
    username: pulumi.Output[str] | None
    """The first password user's name (None with the AUTH token)."""
    users: pulumi.Output[dict[str, dict[str, str]]] | None
    """Each configured user: username, userId, auth, secretArn or connectPolicy."""
    cache_name: pulumi.Output[str] | None
    """Replication group id or serverless cache name, with users (what IAM tokens are for)."""
    serverless: pulumi.Output[bool] | None
    """True for a serverless cache (None otherwise)."""
    region: pulumi.Output[str] | None
    """The cache's region, with users (IAM tokens are signed for it)."""
    replication_group_id: pulumi.Output[str] | None
    """Replication group id (None for a serverless cache)."""
    member_clusters: pulumi.Output[list[str]]
    """Cache cluster (node) ids, sorted (for alarms and dashboards; none when serverless)."""

    def __init__(
        self, name: str, args: RedisClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("RedisCluster", name, args.protect, opts)
        cfg = self._config = args.config
        group_id = replication_group_id(pulumi.get_project(), pulumi.get_stack(), name)
        users = user_group(self, name, cfg, group_id) if cfg.rbac else None
        user_group_id = users.group.user_group_id if users else None
        token = None if users else self.new_password("auth-token", **auth_token_args(cfg))
        if cfg.is_serverless and user_group_id is not None:
            cache = serverless_cache(self, name, args, user_group_id=user_group_id)
        else:
            auth_token = token.result if token else None
            cache = replication_group(
                self, name, args, auth_token=auth_token, user_group_id=user_group_id
            )
        self._cache = cache
        self.primary_endpoint, self.reader_endpoint = cache.primary_endpoint, cache.reader_endpoint
        self.port = cache.port
        self.tls = pulumi.Output.from_input(True)
        self.cluster_mode = pulumi.Output.from_input(cfg.cluster_mode)
        self.serverless = pulumi.Output.from_input(True) if cfg.is_serverless else None
        self.replication_group_id = None if cfg.is_serverless else cache.name
        self.member_clusters = cache.member_clusters
        self.auth_token = self.username = self.users = self.cache_name = self.region = None
        if users is None and token is not None:
            self.auth_token = pulumi.Output.secret(token.result)
            self.secret_arn = self.connection_secret(
                args.kms_key_arn,
                host=self.primary_endpoint,
                port=self.port,
                password=token.result,
                **secret_fields(cfg, cache.name),
            ).arn
        elif users is not None:
            access = user_access(
                self,
                name,
                cfg,
                users,
                cache,
                kms_key_arn=args.kms_key_arn,
                log_retention_days=args.log_retention_days,
            )
            self.secret_arn, self.username = access.secret_arn, access.username
            self.users = pulumi.Output.from_input(access.users)
            self.cache_name = cache.name
            self.region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.publish()

    @property
    def cache(self) -> Cache:
        """The cache the component made, whichever kind it is."""
        return self._cache

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """A replication group: CPU, memory, evictions and lag of every node, named by its cache
        cluster id. A serverless cache: throttling and use near its limits."""
        if self._config.is_serverless:
            return serverless_watches(self._config, alarms, self._cache.name)
        # ElastiCache reports the group's nodes only as one list; the group's topology says how
        # many there are, so each node gets its own Output from it.
        node_ids = [
            self.member_clusters.apply(itemgetter(i)) for i in range(self._config.total_nodes)
        ]
        return redis_watches(self._config, alarms, node_ids)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """None: ElastiCache is not a type AWS Backup backs up; the cache keeps its own daily
        snapshots (snapshotRetentionDays)."""
        return {}
