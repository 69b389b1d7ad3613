"""Config validation for dynamo, redis, migration and alarms: each bad value is rejected with one
message that names its key (pure parsing, no Pulumi)."""

from __future__ import annotations

from typing import Any

import pytest

from components.dynamo.processor_config import StreamProcessorConfig
from components.stack_config import ConfigError, parse
from contract.tables import SEED_TABLE


def table(**overrides: Any) -> dict[str, Any]:
    """A valid table with `overrides` applied (a None value removes the field)."""
    base: dict[str, Any] = {
        "name": "Orders",
        "hashKey": "orderId",
        "attributes": {"orderId": "S", "customerId": "S"},
        "indexes": [{"name": "CustomerIndex", "hashKey": "customerId"}],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def dynamo(**overrides: Any) -> dict[str, Any]:
    return {"tables": [table(**overrides)]}


PROVISIONED = {
    "billingMode": "PROVISIONED",
    "readCapacity": 10,
    "writeCapacity": 10,
    "indexes": [
        {"name": "CustomerIndex", "hashKey": "customerId", "readCapacity": 5, "writeCapacity": 5}
    ],
}

BAD: list[tuple[str, Any, str]] = [
    # dynamo
    ("dynamo", dynamo(attributes={"orderId": "S", "customerId": "S", "total": "N"}),
     "dbtier:dynamo.tables[0].attributes.total is not a table or index key"),
    ("dynamo", dynamo(attributes={"orderId": "S"}),
     "dbtier:dynamo.tables[0].attributes must define key attribute 'customerId'"),
    ("dynamo", dynamo(indexes=[{"name": "A1x", "hashKey": "customerId"}] * 2),
     "dbtier:dynamo.tables[0].indexes[1].name repeats the name of dbtier:dynamo.tables[0].indexes[0]"),
    ("dynamo", dynamo(indexes=[{"name": f"Index{i}", "hashKey": "customerId"} for i in range(21)]),
     "dbtier:dynamo.tables[0].indexes has 21 global secondary indexes"),
    ("dynamo", dynamo(indexes=[{"name": "CustomerIndex", "hashKey": "customerId",
                                "projection": "INCLUDE"}]),
     "dbtier:dynamo.tables[0].indexes[0].nonKeyAttributes is required"),
    ("dynamo", dynamo(billingMode="PROVISIONED"),
     "dbtier:dynamo.tables[0].readCapacity and writeCapacity are required"),
    ("dynamo", dynamo(**{**PROVISIONED, "indexes": [{"name": "CustomerIndex",
                                                      "hashKey": "customerId"}]}),
     "dbtier:dynamo.tables[0].indexes[0].readCapacity and writeCapacity are required"),
    ("dynamo", dynamo(streamProcessor=True),
     "dbtier:dynamo.tables[0].streamProcessor needs a stream"),
    ("dynamo", dynamo(stream="ALL_IMAGES"), "dbtier:dynamo.tables[0].stream must be one of"),
    ("dynamo", dynamo(rangeKey="orderId"),
     "dbtier:dynamo.tables[0].rangeKey must differ from hashKey"),
    ("dynamo", dynamo(ttlAttribute="orderId"), "dbtier:dynamo.tables[0].ttlAttribute 'orderId'"),
    ("dynamo", dynamo(readCapacity=5, writeCapacity=5),
     "dbtier:dynamo.tables[0].readCapacity/writeCapacity apply only with billingMode PROVISIONED"),
    ("dynamo", dynamo(autoscaling={"minCapacity": 5}),
     "dbtier:dynamo.tables[0].autoscaling applies only with billingMode PROVISIONED"),
    ("dynamo", dynamo(**PROVISIONED, autoscaling={"minCapacity": 50, "maxCapacity": 10}),
     "dbtier:dynamo.tables[0].autoscaling.maxCapacity must be >= minCapacity"),
    ("dynamo", dynamo(**{**PROVISIONED, "readCapacity": 500},
                      autoscaling={"minCapacity": 5, "maxCapacity": 100}),
     "dbtier:dynamo.tables[0].readCapacity must be within autoscaling minCapacity..maxCapacity"),
    ("dynamo", dynamo(**PROVISIONED, autoscaling={"targetUtilization": 95}),
     "dbtier:dynamo.tables[0].autoscaling.targetUtilization must be between 20 and 90"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"batchSize": 0}),
     "dbtier:dynamo.tables[0].streamProcessor.batchSize must be between 1 and 10000"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"maximumRecordAgeSeconds": -1}),
     "dbtier:dynamo.tables[0].streamProcessor.maximumRecordAgeSeconds must be between 60"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"logRetentionDays": 10}),
     "dbtier:dynamo.tables[0].streamProcessor.logRetentionDays must be a CloudWatch Logs"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"retries": 3}),
     "dbtier:dynamo.tables[0].streamProcessor.retries is not a known setting"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor="yes"),
     "dbtier:dynamo.tables[0].streamProcessor must be true, false or an object"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"tracing": "on"}),
     "dbtier:dynamo.tables[0].streamProcessor.tracing must be true or false"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"reservedConcurrency": 0}),
     "dbtier:dynamo.tables[0].streamProcessor.reservedConcurrency must be between 1 and 100000"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"reservedConcurrency": 100001}),
     "dbtier:dynamo.tables[0].streamProcessor.reservedConcurrency must be between 1 and 100000"),
    ("dynamo", dynamo(stream="NEW_IMAGE",
                      streamProcessor={"reservedConcurrency": 2, "parallelizationFactor": 4}),
     "dbtier:dynamo.tables[0].streamProcessor.reservedConcurrency must be >= parallelizationFactor"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"codeSigning": "Enforce"}),
     "dbtier:dynamo.tables[0].streamProcessor.codeSigning must be true or false"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"logLevel": "CRITICAL"}),
     "dbtier:dynamo.tables[0].streamProcessor.logLevel must be one of TRACE, DEBUG, INFO, WARN,"
     " ERROR, FATAL"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"untrustedArtifactPolicy": "Block",
                                                         "codeSigning": True}),
     "dbtier:dynamo.tables[0].streamProcessor.untrustedArtifactPolicy must be one of Enforce, Warn"),
    ("dynamo", dynamo(stream="NEW_IMAGE", streamProcessor={"untrustedArtifactPolicy": "Warn"}),
     "dbtier:dynamo.tables[0].streamProcessor.untrustedArtifactPolicy applies only with"
     " codeSigning true"),
    ("dynamo", {"tables": [table(), table()]}, "dbtier:dynamo.tables[1].name repeats the name of dbtier:dynamo.tables[0]"),
    ("dynamo", {"tables": []}, "dbtier:dynamo.tables must be a non-empty list"),
    # redis
    ("redis", {"nodes": 1, "automaticFailover": True},
     "dbtier:redis.automaticFailover needs at least 2 nodes"),
    ("redis", {"nodes": 1, "multiAz": True}, "dbtier:redis.multiAz needs a replica"),
    ("redis", {"nodes": 3, "automaticFailover": False, "multiAz": True},
     "dbtier:redis.multiAz needs automaticFailover"),
    ("redis", {"nodes": 2, "shards": 2}, "dbtier:redis.nodes and dbtier:redis.shards are exclusive"),
    ("redis", {"replicasPerShard": 1}, "dbtier:redis.replicasPerShard needs dbtier:redis.shards"),
    ("redis", {"shards": 2, "automaticFailover": False},
     "dbtier:redis.shards (cluster mode) needs automaticFailover true"),
    ("redis", {"nodes": 7}, "dbtier:redis.nodes must be between 1 and 6"),
    ("redis", {"engine": "memcached"}, "dbtier:redis.engine must be one of redis, valkey"),
    ("redis", {"engine": "valkey", "engineVersion": "7.1"},
     "dbtier:redis.engineVersion: Valkey 7.1 is not offered by ElastiCache"),
    ("redis", {"nodeType": "cache.t2.micro"}, "dbtier:redis.nodeType cache.t2.micro"),
    ("redis", {"snapshotRetentionDays": 36}, "dbtier:redis.snapshotRetentionDays must be between"),
    ("redis", {"logRetentionDays": 45}, "dbtier:redis.logRetentionDays must be a CloudWatch Logs"),
    # logs
    ("logs", {"retentionDays": 45}, "dbtier:logs.retentionDays must be a CloudWatch Logs retention"),
    ("logs", {"retentionDays": "a year"}, "dbtier:logs.retentionDays must be an integer"),
    ("logs", {"logRetentionDays": 30}, "dbtier:logs.logRetentionDays is not a known setting"),
    ("logs", 365, "dbtier:logs must be an object"),
    # migration
    ("migration", {"enabled": True, "include": ["appdb"]}, "dbtier:migration.include[0] must be"),
    ("migration", {"enabled": True, "exclude": ["appdb.%"], "include": ["appdb.%"]},
     "dbtier:migration.exclude[0] removes every table include[0] selects"),
    ("migration", {"enabled": True, "include": ["a.b", "A.B"]},
     "dbtier:migration.include[1] repeats an earlier pattern"),
    ("migration", {"migrationType": "cdc-only"}, "dbtier:migration.migrationType must be one of"),
    ("migration", {"instanceClass": "db.t3.medium"}, "dbtier:migration.instanceClass must be"),
    ("migration", {"allocatedStorage": 2}, "dbtier:migration.allocatedStorage must be between"),
    ("migration", {"target": "warehouse"}, "dbtier:migration.target must be one of aurora"),
    # alarms
    ("alarms", {"enabled": True, "email": "not-an-address"}, "dbtier:alarms.email must be"),
    ("alarms", {"enabled": True, "cpuPercent": 120}, "dbtier:alarms.cpuPercent must be between"),
    ("alarms", {"enabled": True, "throttles": 0}, "dbtier:alarms.throttles must be between 1"),
    ("alarms", {"enabled": True, "iteratorAge": 60}, "dbtier:alarms.iteratorAge is not a known"),
    ("alarms", {"enabled": "sometimes"}, "dbtier:alarms.enabled must be true or false"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[m for _, _, m in BAD])
def test_bad_value_is_rejected_naming_its_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse({f"dbtier:{key}": value})
    assert message in str(raised.value)
    assert f"dbtier:{key}" in str(raised.value)


def test_alarm_email_needs_alarms_enabled() -> None:
    with pytest.raises(ConfigError, match=r"dbtier:alarms\.email is set"):
        parse({"dbtier:alarms": {"email": "oncall@example.com"}})


def test_migration_needs_the_relational_source() -> None:
    with pytest.raises(ConfigError, match=r"dbtier:migration\.source"):
        parse({"dbtier:migration": {"enabled": True}, "dbtier:relational": {"enabled": False}})


def test_default_table_is_user_profiles_with_a_processor() -> None:
    (t,) = parse({}).dynamo.tables
    assert t.schema == SEED_TABLE
    assert t.schema.name == "UserProfiles" and t.schema.hash_key == "userId"
    assert [i.name for i in t.schema.indexes] == ["EmailIndex", "DepartmentIndex"]
    assert t.schema.stream == "NEW_AND_OLD_IMAGES" and t.stream_processor
    assert t.processor == StreamProcessorConfig()


def test_stream_processor_as_object_enables_it_with_settings() -> None:
    cfg = parse(
        {"dbtier:dynamo": dynamo(stream="NEW_IMAGE", streamProcessor={"batchSize": 10})}
    ).dynamo.tables[0]
    assert cfg.stream_processor and cfg.processor.batch_size == 10
    off = parse({"dbtier:dynamo": dynamo(stream="NEW_IMAGE", streamProcessor=False)})
    assert off.dynamo.tables[0].stream_processor is False


def test_provisioned_table_within_autoscaling_range_is_accepted() -> None:
    t = parse({"dbtier:dynamo": dynamo(**PROVISIONED)}).dynamo.tables[0]
    assert t.schema.billing_mode == "PROVISIONED" and t.autoscaling is None


@pytest.mark.parametrize(
    ("raw", "failover", "multi_az"),
    [
        ({}, False, False),
        ({"nodes": 3}, True, True),
        ({"shards": 2}, True, False),
        ({"shards": 2, "replicasPerShard": 2}, True, True),
    ],
    ids=["one-node", "three-nodes", "two-shards", "two-shards-with-replicas"],
)
def test_redis_failover_and_multi_az_default_from_the_topology(
    raw: dict[str, Any], failover: bool, multi_az: bool
) -> None:
    cfg = parse({"dbtier:redis": raw}).redis
    assert (cfg.automatic_failover, cfg.multi_az) == (failover, multi_az)


def test_valkey_defaults_to_version_8() -> None:
    cfg = parse({"dbtier:redis": {"engine": "valkey"}}).redis
    assert cfg.engine_version == "8.0"
