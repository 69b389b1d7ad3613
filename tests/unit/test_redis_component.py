"""RedisCluster on mocks: dev's one encrypted node, prod's three with failover, cluster mode."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from components.base import family_of
from preflight.mocks import _random_password
from preflight.plan import Plan
from tests.unit.conftest import is_secret, of_type, one

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PASSWORD = "random:index/randomPassword:RandomPassword"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
COMPONENT = "dbtier:components:RedisCluster"
USER = "aws:elasticache/user:User"


def group_of(plan: Plan) -> dict:
    return one(plan, GROUP).inputs


def test_dev_is_one_small_node_still_encrypted_with_an_auth_token(dev_plan: Plan) -> None:
    group = group_of(dev_plan)
    assert group["numCacheClusters"] == 1
    assert group["nodeType"] == "cache.t4g.micro"
    assert group["automaticFailoverEnabled"] is False
    assert group["multiAzEnabled"] is False
    assert group["atRestEncryptionEnabled"] is True
    assert group["kmsKeyId"].startswith("arn:aws:kms:")
    assert group["transitEncryptionEnabled"] is True
    assert group["transitEncryptionMode"] == "required"
    assert is_secret(group["authToken"])


def test_prod_has_three_nodes_with_failover_and_multi_az(prod_plan: Plan) -> None:
    group = group_of(prod_plan)
    assert group["numCacheClusters"] == 3
    assert group["nodeType"] == "cache.r7g.large"
    assert group["automaticFailoverEnabled"] is True
    assert group["multiAzEnabled"] is True
    assert group["snapshotRetentionLimit"] == 7
    assert one(prod_plan, GROUP).protect is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_final_snapshot_has_a_unique_name_and_windows_do_not_overlap(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    group = group_of(dev_plan if stack == "dev" else prod_plan)
    assert re.fullmatch(
        rf"dbtier-{stack}-redis-final-[0-9a-f]{{8}}", group["finalSnapshotIdentifier"]
    )
    windows = {
        "dev": ("03:00-04:00", "sun:05:00-sun:06:00"),
        "prod": ("02:00-03:00", "sun:06:30-sun:07:30"),
    }
    assert (group["snapshotWindow"], group["maintenanceWindow"]) == windows[stack]
    assert group["replicationGroupId"] == f"dbtier-{stack}-redis"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_slow_and_engine_logs_go_to_encrypted_log_groups(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    deliveries = {d["logType"]: d for d in group_of(plan)["logDeliveryConfigurations"]}
    assert set(deliveries) == {"slow-log", "engine-log"}
    for log_type, delivery in deliveries.items():
        log_group = one(plan, LOG_GROUP, f"redis-{log_type}").inputs
        assert delivery["destination"] == log_group["name"]
        assert delivery["destinationType"] == "cloudwatch-logs"
        assert log_group["kmsKeyId"].startswith("arn:aws:kms:")
        # dbtier:logs.retentionDays: the default in dev, 400 days in prod.
        assert log_group["retentionInDays"] == (30 if stack == "dev" else 400)


def test_auth_token_uses_only_characters_elasticache_accepts(dev_plan: Plan) -> None:
    token = one(dev_plan, PASSWORD, "redis-auth-token").inputs
    assert 16 <= token["length"] <= 128
    special = token["overrideSpecial"]
    assert not set(special) & set(' "/@')
    assert set(special) <= set("!&#$^<>-")
    generated = _random_password("redis-auth-token", token)
    assert generated.isprintable() and not set(generated) & set(' "/@')


def test_parameter_group_family_matches_the_engine(
    dev_plan: Plan, plan_with: Callable[..., Plan]
) -> None:
    params = one(dev_plan, PARAMS).inputs
    assert params["family"] == "redis7"
    assert {p["name"]: p["value"] for p in params["parameters"]} == {"cluster-enabled": "no"}
    valkey = plan_with("dev", redis={"engine": "valkey"})
    assert one(valkey, PARAMS).inputs["family"] == "valkey8"
    assert group_of(valkey)["engine"] == "valkey"
    assert group_of(valkey)["engineVersion"] == "8.0"
    assert family_of("redis", "6.2") == "redis6.x"


def test_cluster_mode_shards_with_replicas(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", redis={"shards": 3, "replicasPerShard": 1})
    group = group_of(plan)
    assert group["clusterMode"] == "enabled"
    assert (group["numNodeGroups"], group["replicasPerNodeGroup"]) == (3, 1)
    assert "numCacheClusters" not in group
    assert group["automaticFailoverEnabled"] is True and group["multiAzEnabled"] is True
    params = {p["name"]: p["value"] for p in one(plan, PARAMS).inputs["parameters"]}
    assert params == {"cluster-enabled": "yes"}
    out = plan.outputs["redis"]
    assert out["primaryEndpoint"].startswith("clustercfg.")
    assert out["readerEndpoint"] == out["primaryEndpoint"]


def test_redis_export_has_the_fixed_shape_with_the_token_as_a_secret(dev_plan: Plan) -> None:
    out = dev_plan.outputs["redis"]
    assert set(out) == {
        "primaryEndpoint",
        "readerEndpoint",
        "port",
        "authToken",
        "secretArn",
        "tls",
        "clusterMode",
        "replicationGroupId",
    }
    assert out["replicationGroupId"] == "dbtier-dev-redis"  # what TestFailover names
    assert out["primaryEndpoint"].startswith("master.dbtier-dev-redis.")
    assert out["readerEndpoint"].startswith("replica.dbtier-dev-redis.")
    assert out["port"] == 6379
    assert out["tls"] is True and out["clusterMode"] is False
    assert is_secret(out["authToken"])


def test_connection_secret_holds_the_token_only_as_a_secret(dev_plan: Plan) -> None:
    version = one(dev_plan, SECRET_VERSION, "redis-secret-value").inputs
    assert is_secret(version["secretString"])
    secret = one(dev_plan, "aws:secretsmanager/secret:Secret", "redis-secret")
    assert secret.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert "authtoken" not in json.dumps(one(dev_plan, GROUP).inputs["description"]).lower()


def test_every_child_is_parented_to_the_redis_cluster(prod_plan: Plan) -> None:
    component = one(prod_plan, COMPONENT)
    children = [r for r in prod_plan.resources if r.parent == component.urn]
    assert {r.type for r in children} >= {GROUP, PARAMS, LOG_GROUP, PASSWORD, USER}
    assert all(r.name.startswith("redis-") for r in children)
    assert one(prod_plan, GROUP).parent == component.urn


def test_redis_is_placed_in_its_subnet_group_and_security_group(prod_plan: Plan) -> None:
    group = one(prod_plan, GROUP)
    subnets = one(prod_plan, "aws:elasticache/subnetGroup:SubnetGroup")
    sg = one(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "network-redis-sg")
    assert subnets.urn in group.property_dependencies["subnetGroupName"]
    assert sg.urn in group.property_dependencies["securityGroupIds"]


def test_redis_off_creates_nothing(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", redis={"enabled": False})
    assert of_type(plan, GROUP) == [] and of_type(plan, PARAMS) == []
    assert "redis" not in plan.outputs
    names = {r.name for r in of_type(plan, "aws:ec2/securityGroup:SecurityGroup")}
    assert "network-redis-sg" not in names
