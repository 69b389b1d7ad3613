"""The shared fake cloud (preflight/mocks/): one answer per resource type, in AWS's shapes."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import SimpleNamespace

import preflight.mocks
from preflight.mocks import DbtierMocks, cloud


def _service_tables() -> dict[str, dict[str, object]]:
    """Every module of the package that answers resource types: name -> its BUILDERS."""
    found = {}
    for info in pkgutil.iter_modules(preflight.mocks.__path__):
        module = importlib.import_module(f"preflight.mocks.{info.name}")
        if info.name != "cloud" and hasattr(module, "BUILDERS"):
            found[info.name] = module.BUILDERS
    return found


def _new(mocks: DbtierMocks, typ: str, name: str, **inputs: object) -> tuple[str | None, dict]:
    return _new_with(mocks, typ, name, inputs)


def _new_with(
    mocks: DbtierMocks, typ: str, name: str, inputs: dict[str, object]
) -> tuple[str | None, dict]:
    args = SimpleNamespace(typ=typ, name=name, inputs=inputs, provider=None, resource_id=None)
    return mocks.new_resource(args)  # type: ignore[arg-type]


def test_every_type_is_answered_by_one_service_module() -> None:
    tables = _service_tables()
    assert len(tables) >= 11
    listed = [typ for table in tables.values() for typ in table]
    assert sorted(t for t in set(listed) if listed.count(t) > 1) == []
    # ...and the dispatcher answers with every one of them.
    assert {typ: b for table in tables.values() for typ, b in table.items()} == cloud.BUILDERS


def test_a_managed_master_password_gets_an_rds_managed_secret_in_the_stack_region() -> None:
    _, out = _new(
        DbtierMocks("eu-west-3"), "aws:rds/instance:Instance", "db", manageMasterUserPassword=True
    )
    (secret,) = out["masterUserSecrets"]
    assert re.fullmatch(
        r"arn:aws:secretsmanager:eu-west-3:123456789012:secret:rds!db-"
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{6}",
        secret["secretArn"],
    )
    assert out["address"].endswith(".eu-west-3.rds.amazonaws.com") and out["port"] == 3306


def test_a_type_without_an_answer_gets_an_id_and_arn_from_its_name() -> None:
    resource_id, out = _new(DbtierMocks(), "aws:sqs/queuePolicy:QueuePolicy", "dlq-policy", a=1)
    assert resource_id is not None and resource_id.startswith("dlq-policy-")
    assert out == {"a": 1, "arn": f"arn:aws:sqs:us-east-1:123456789012:queuepolicy/{resource_id}"}


def test_elasticache_users_and_groups_get_their_ids_and_arns() -> None:
    mocks = DbtierMocks("eu-west-1")
    user_id, user = _new(
        mocks, "aws:elasticache/user:User", "redis-app-user", userId="p-s-redis-app"
    )
    assert user_id == "p-s-redis-app"
    assert user["arn"] == "arn:aws:elasticache:eu-west-1:123456789012:user:p-s-redis-app"
    group_id, group = _new(
        mocks, "aws:elasticache/userGroup:UserGroup", "redis-users", userGroupId="p-s-redis"
    )
    assert group_id == "p-s-redis"
    assert group["arn"].endswith(":usergroup:p-s-redis")


def test_a_serverless_cache_has_one_host_for_writes_and_replica_reads() -> None:
    name, out = _new_with(
        DbtierMocks("us-east-1"),
        "aws:elasticache/serverlessCache:ServerlessCache",
        "redis-serverless",
        {"name": "dbtier-dev-redis", "engine": "valkey", "majorEngineVersion": "8"},
    )
    assert name == "dbtier-dev-redis"
    assert (
        out["arn"] == "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:dbtier-dev-redis"
    )
    (primary,), (reader,) = out["endpoints"], out["readerEndpoints"]
    assert primary["address"] == reader["address"]
    assert re.fullmatch(
        r"dbtier-dev-redis-[0-9a-f]{6}\.serverless\.use1\.cache\.amazonaws\.com", primary["address"]
    )
    assert (primary["port"], reader["port"]) == (6379, 6380)
    assert out["fullEngineVersion"] == "8.0"


def _in(mocks: DbtierMocks, provider: str | None, typ: str, name: str, **inputs: object) -> dict:
    args = SimpleNamespace(typ=typ, name=name, inputs=inputs, provider=provider, resource_id=None)
    return mocks.new_resource(args)[1]  # type: ignore[arg-type]


def test_a_secondary_region_provider_answers_from_its_region() -> None:
    mocks = DbtierMocks("us-east-1")
    provider_id, _ = _new(mocks, "pulumi:providers:aws", "dbtier-aws-eu-west-1", region="eu-west-1")
    there = f"urn:pulumi:dev::dbtier::pulumi:providers:aws::dbtier-aws-eu-west-1::{provider_id}"
    key = _in(mocks, there, "aws:kms/key:Key", "stack-key-eu-west-1")
    assert key["arn"].startswith("arn:aws:kms:eu-west-1:123456789012:")
    cluster = _in(mocks, there, "aws:rds/cluster:Cluster", "aurora-eu-west-1")
    assert ".eu-west-1.rds.amazonaws.com" in cluster["readerEndpoint"]
    replica = _in(
        mocks,
        there,
        "aws:dynamodb/tableReplica:TableReplica",
        "orders-eu-west-1",
        globalTableArn="arn:aws:dynamodb:us-east-1:123456789012:table/orders",
    )
    assert replica["arn"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    zones = mocks.call(
        SimpleNamespace(  # type: ignore[arg-type]
            token="aws:index/getAvailabilityZones:getAvailabilityZones", args={}, provider=there
        )
    )[0]
    assert zones["names"][0] == "eu-west-1a"
    # The home provider's resources and the default one stay in the stack's region.
    assert _in(mocks, None, "aws:kms/key:Key", "stack-key")["arn"].startswith(
        "arn:aws:kms:us-east-1"
    )


def test_global_tables_and_databases_are_answered_in_aws_shapes() -> None:
    mocks = DbtierMocks("us-east-1")
    _, table = _new_with(
        mocks,
        "aws:dynamodb/table:Table",
        "orders",
        {
            "name": "orders",
            "streamEnabled": True,
            "replicas": [{"regionName": "eu-west-1", "kmsKeyArn": "k"}],
        },
    )
    (replica,) = table["replicas"]
    assert replica["arn"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    assert replica["streamArn"].startswith(replica["arn"] + "/stream/")
    global_id, gc = _new(mocks, "aws:rds/globalCluster:GlobalCluster", "aurora-global")
    assert gc["arn"] == f"arn:aws:rds::123456789012:global-cluster:{global_id}"
    assert gc["endpoint"].endswith(".global.rds.amazonaws.com")
