"""RedisCluster's decisions from `dbtier:redis`, without a plan: parameters, topology, failover,
log groups and delivery, the AUTH token, endpoints and the connection secret's fields."""

from __future__ import annotations

import string

from components.redis.config import parse_redis
from components.redis.shape import (
    AUTH_TOKEN_LENGTH,
    LOG_TYPES,
    REDIS_PORT,
    auth_token_args,
    auth_token_keepers,
    endpoint_attributes,
    group_args,
    log_delivery,
    log_groups,
    parameter_group_args,
    secret_fields,
    topology,
)

ONE_NODE = parse_redis(None)
THREE_NODES = parse_redis({"nodes": 3})
SHARDED = parse_redis({"shards": 2, "replicasPerShard": 1})


def test_parameter_group_enforces_cluster_mode_as_the_topology_needs_it() -> None:
    assert parameter_group_args(ONE_NODE) == {
        "family": "redis7",
        "description": "dbtier redis: cluster mode off",
        "parameters": [{"name": "cluster-enabled", "value": "no"}],
    }
    sharded = parameter_group_args(SHARDED)
    assert sharded["description"] == "dbtier redis: cluster mode on"
    assert sharded["parameters"] == [{"name": "cluster-enabled", "value": "yes"}]


def test_parameter_group_of_valkey_has_its_family_and_merges_user_parameters() -> None:
    cfg = parse_redis({"engine": "valkey", "parameters": {"maxmemory-policy": "allkeys-lru"}})
    args = parameter_group_args(cfg)
    assert args["family"] == "valkey8"
    assert args["description"] == "dbtier valkey: cluster mode off"
    assert args["parameters"] == [
        {"name": "cluster-enabled", "value": "no"},
        {"name": "maxmemory-policy", "value": "allkeys-lru"},
    ]


def test_topology_is_nodes_without_cluster_mode_and_shards_with_it() -> None:
    assert topology(ONE_NODE) == {"num_cache_clusters": 1}
    assert topology(THREE_NODES) == {"num_cache_clusters": 3}
    assert topology(SHARDED) == {
        "cluster_mode": "enabled",
        "num_node_groups": 2,
        "replicas_per_node_group": 1,
    }


def test_one_node_has_no_failover_and_stays_in_one_zone() -> None:
    args = group_args(ONE_NODE, "dbtier", "dev", "redis")
    assert args["automatic_failover_enabled"] is False
    assert args["multi_az_enabled"] is False
    assert args["num_cache_clusters"] == 1
    assert "cluster_mode" not in args


def test_replicas_bring_failover_and_multi_az() -> None:
    for cfg in (THREE_NODES, SHARDED):
        args = group_args(cfg, "dbtier", "prod", "redis")
        assert args["automatic_failover_enabled"] is True
        assert args["multi_az_enabled"] is True
    assert group_args(SHARDED, "dbtier", "prod", "redis")["num_node_groups"] == 2


def test_group_is_encrypted_both_ways_and_named_per_stack() -> None:
    args = group_args(ONE_NODE, "dbtier", "dev", "redis")
    assert args["replication_group_id"] == "dbtier-dev-redis"
    assert args["description"] == "dbtier dev redis 7.1"
    assert (args["engine"], args["engine_version"], args["node_type"]) == (
        "redis",
        "7.1",
        "cache.t4g.micro",
    )
    assert args["port"] == REDIS_PORT == 6379
    assert args["at_rest_encryption_enabled"] is True
    assert args["transit_encryption_enabled"] is True
    assert args["transit_encryption_mode"] == "required"
    assert args["snapshot_retention_limit"] == 1
    assert (args["snapshot_window"], args["maintenance_window"]) == (
        "03:00-04:00",
        "sun:05:00-sun:06:00",
    )
    assert args["auth_token_update_strategy"] is None
    assert args["auto_minor_version_upgrade"] is True
    assert args["apply_immediately"] is False


def test_group_id_keeps_within_elasticache_40_lowercase_characters() -> None:
    args = group_args(ONE_NODE, "DbTier", "a-very-long-stack-name-for-testing", "redis")
    assert args["replication_group_id"] == "dbtier-a-very-long-stack-name-for-testin"
    assert len(args["replication_group_id"]) == 40


def test_log_groups_are_per_stack_and_take_the_redis_retention_over_the_stack_one() -> None:
    assert log_groups(ONE_NODE, "dev", "redis", 14) == {
        "slow-log": {"name": "/dbtier/dev/redis/slow-log", "retention_in_days": 14},
        "engine-log": {"name": "/dbtier/dev/redis/engine-log", "retention_in_days": 14},
    }
    own = parse_redis({"logRetentionDays": 30})
    assert {g["retention_in_days"] for g in log_groups(own, "dev", "redis", 14).values()} == {30}


def test_log_delivery_sends_each_log_type_as_json_to_its_group() -> None:
    delivery = log_delivery({"engine-log": "engine-group", "slow-log": "slow-group"})
    assert delivery == [
        {
            "destination": "slow-group",
            "destination_type": "cloudwatch-logs",
            "log_format": "json",
            "log_type": "slow-log",
        },
        {
            "destination": "engine-group",
            "destination_type": "cloudwatch-logs",
            "log_format": "json",
            "log_type": "engine-log",
        },
    ]
    assert [d["log_type"] for d in delivery] == list(LOG_TYPES)


def test_auth_token_uses_elasticache_alphabet_and_its_version_renews_it() -> None:
    args = auth_token_args(ONE_NODE)
    assert args["length"] == AUTH_TOKEN_LENGTH == 64
    assert args["keepers"] is None
    # AUTH refuses space, ", / and @; none of them may be in the alphabet.
    assert not set(args["special"]) & set(' "/@')
    assert set(args["special"]) <= set(string.punctuation)
    rotated = parse_redis({"authTokenVersion": 2, "authTokenUpdateStrategy": "ROTATE"})
    assert auth_token_args(rotated)["keepers"] == {"authTokenVersion": "2"}
    assert group_args(rotated, "dbtier", "dev", "redis")["auth_token_update_strategy"] == "ROTATE"


def test_token_version_one_has_no_keepers_so_old_stacks_keep_their_token() -> None:
    assert auth_token_keepers(1) is None
    assert auth_token_keepers(7) == {"authTokenVersion": "7"}


def test_clients_use_the_configuration_endpoint_in_cluster_mode() -> None:
    assert endpoint_attributes(ONE_NODE) == ("primary_endpoint_address", "reader_endpoint_address")
    assert endpoint_attributes(SHARDED) == (
        "configuration_endpoint_address",
        "configuration_endpoint_address",
    )


def test_secret_names_the_default_user_database_zero_and_tls() -> None:
    assert secret_fields(ONE_NODE, "group-id") == {
        "engine": "redis",
        "username": "default",
        "dbname": "0",
        "extra": {"replicationGroupId": "group-id", "tls": "true"},
    }
    assert secret_fields(parse_redis({"engine": "valkey"}), "g")["engine"] == "valkey"
