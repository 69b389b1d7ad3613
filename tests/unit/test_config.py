"""Config parsing: defaults, stack files, and bad values rejected with a message naming the key."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.stack_config import ConfigError, StackConfig, parse


def test_empty_config_gives_secure_defaults() -> None:
    cfg = parse({})
    assert cfg == StackConfig()
    assert cfg.relational.engine_version == "8.4"
    assert cfg.relational.instance_class.startswith("db.t4g.")
    assert cfg.relational.deletion_protection and cfg.aurora.deletion_protection
    assert cfg.aurora.engine_version.startswith("8.0.mysql_aurora.3.")
    assert cfg.warehouse.node_type.startswith("ra3.")
    assert [t.schema.name for t in cfg.dynamo.tables] == ["UserProfiles"]


def test_values_arrive_as_pulumi_json_strings() -> None:
    cfg = parse(
        {
            "dbtier:relational": '{"readReplicas": 3, "multiAz": true}',
            "dbtier:protect": "true",
            "dbtier:aurora": '{"minCapacity": 0, "secondsUntilAutoPause": 300}',
        }
    )
    assert cfg.relational.read_replicas == 3
    assert cfg.relational.multi_az is True
    assert cfg.protect is True
    assert cfg.aurora.min_capacity == 0
    assert cfg.aurora.seconds_until_auto_pause == 300


def test_aurora_capacity_in_half_steps_is_accepted() -> None:
    cfg = parse({"dbtier:aurora": {"minCapacity": 1.5, "maxCapacity": 256}})
    assert (cfg.aurora.min_capacity, cfg.aurora.max_capacity) == (1.5, 256)


BAD: list[tuple[str, Any, str]] = [
    # (key, value, text the message must contain)
    (
        "dbtier:aurora",
        {"minCapacity": 1, "maxCapacity": 0.5},
        "dbtier:aurora.maxCapacity must be >= minCapacity (got 0.5 < 1)",
    ),
    ("dbtier:aurora", {"minCapacity": 0.7}, "dbtier:aurora.minCapacity must be a multiple of 0.5"),
    (
        "dbtier:aurora",
        {"maxCapacity": 300},
        "dbtier:aurora.maxCapacity must be between 0.5 and 256",
    ),
    (
        "dbtier:aurora",
        {"minCapacity": 0},
        "dbtier:aurora.minCapacity 0 (auto-pause) needs dbtier:aurora.secondsUntilAutoPause",
    ),
    (
        "dbtier:aurora",
        {"minCapacity": 0, "secondsUntilAutoPause": 100},
        "dbtier:aurora.secondsUntilAutoPause must be between 300 and 86400",
    ),
    (
        "dbtier:aurora",
        {"minCapacity": 1, "secondsUntilAutoPause": 600},
        "dbtier:aurora.secondsUntilAutoPause only applies with minCapacity 0",
    ),
    (
        "dbtier:aurora",
        {"engine": "aurora"},
        "dbtier:aurora.engine must be one of aurora-mysql, aurora-postgresql",
    ),
    (
        "dbtier:aurora",
        {"engine": "aurora-postgresql", "backtrackHours": 2},
        "dbtier:aurora.backtrackHours",
    ),
    (
        "dbtier:relational",
        {"readReplicas": 16},
        "dbtier:relational.readReplicas must be between 0 and 15 (got 16)",
    ),
    ("dbtier:relational", {"readReplicas": -1}, "dbtier:relational.readReplicas"),
    (
        "dbtier:relational",
        {"backupRetentionDays": 0},
        "dbtier:relational.backupRetentionDays must be between 1 and 35 (got 0)",
    ),
    ("dbtier:relational", {"backupRetentionDays": 36}, "dbtier:relational.backupRetentionDays"),
    (
        "dbtier:relational",
        {"instanceClass": "m5.large"},
        "dbtier:relational.instanceClass must be an RDS instance class",
    ),
    (
        "dbtier:relational",
        {"instanceClass": "db.t2.micro"},
        "dbtier:relational.instanceClass: db.t2.micro is not a current-generation rds class",
    ),
    (
        "dbtier:relational",
        {"instanceClass": "db.t3.small", "performanceInsights": True},
        "dbtier:relational.performanceInsights: Performance Insights is not offered for MySQL"
        " on db.t3.small",
    ),
    ("dbtier:relational", {"multiAZ": True}, "dbtier:relational.multiAZ is not a known setting"),
    ("dbtier:relational", {"multiAz": "yes"}, "dbtier:relational.multiAz must be true or false"),
    ("dbtier:relational", {"username": "admin"}, "dbtier:relational.username 'admin' is reserved"),
    ("dbtier:relational", {"databaseName": "1db"}, "dbtier:relational.databaseName"),
    (
        "dbtier:relational",
        {"allocatedStorage": 100, "maxAllocatedStorage": 50},
        "dbtier:relational.maxAllocatedStorage",
    ),
    (
        "dbtier:relational",
        {"engineVersion": "5.7"},
        "dbtier:relational.engineVersion: MySQL 5.7 is outside standard support (supported: 8.4)",
    ),
    (
        "dbtier:relational",
        {"monitoringInterval": 7},
        "dbtier:relational.monitoringInterval must be one of",
    ),
    ("dbtier:relational", "[1, 2]", "dbtier:relational must be an object"),
    ("dbtier:relational", "{not json", "dbtier:relational is not valid JSON"),
    (
        "dbtier:warehouse",
        {"nodeType": "dc2.large"},
        "dbtier:warehouse.nodeType must be one of ra3.large",
    ),
    (
        "dbtier:warehouse",
        {"mode": "serverles"},
        "dbtier:warehouse.mode must be one of provisioned, serverless",
    ),
    (
        "dbtier:warehouse",
        {"mode": "serverless", "baseCapacity": 12},
        "dbtier:warehouse.baseCapacity must be a multiple of 8",
    ),
    ("dbtier:warehouse", {"nodes": 0}, "dbtier:warehouse.nodes must be between 1 and 128"),
    (
        "dbtier:warehouse",
        {"username": "postgres"},
        "dbtier:warehouse.username 'postgres' is reserved",
    ),
    # Redshift's reserved words (r_pg_keywords.html), which CreateCluster refuses for both
    # names, and its own rules: a lower-case master user, never PUBLIC.
    (
        "dbtier:warehouse",
        {"databaseName": "snapshot"},
        "dbtier:warehouse.databaseName 'snapshot' is a word Redshift reserves",
    ),
    (
        "dbtier:warehouse",
        {"mode": "serverless", "databaseName": "credentials"},
        "dbtier:warehouse.databaseName 'credentials' is a word Redshift reserves",
    ),
    (
        "dbtier:warehouse",
        {"username": "wallet"},
        "dbtier:warehouse.username 'wallet' is a word Redshift reserves",
    ),
    (
        "dbtier:warehouse",
        {"username": "public"},
        "dbtier:warehouse.username 'public' is a word Redshift reserves",
    ),
    # PostgreSQL reserves role names that begin with pg_ (release notes of 9.6).
    (
        "dbtier:aurora",
        {"engine": "aurora-postgresql", "username": "pg_admin"},
        "dbtier:aurora.username 'pg_admin' is a word aurora-postgresql reserves",
    ),
    (
        "dbtier:relational",
        {"engine": "postgres", "iamAuth": True, "iamUser": "pg_app"},
        "dbtier:relational.iamUser 'pg_app' is reserved by PostgreSQL",
    ),
    (
        "dbtier:warehouse",
        {"username": "WhAdmin"},
        "dbtier:warehouse.username must be 1-16 lower-case letters",
    ),
    (
        "dbtier:network",
        {"allowedCidrs": ["0.0.0.0/0"]},
        "dbtier:network.allowedCidrs[0] (0.0.0.0/0) reaches public internet addresses",
    ),
    (
        "dbtier:network",
        {"allowedCidrs": ["10.0.0.1/16"]},
        "dbtier:network.allowedCidrs[0] must be a CIDR block",
    ),
    ("dbtier:network", {"vpcId": "vpc-1"}, "dbtier:network.vpcId must be an id like vpc-0123abcd"),
    (
        "dbtier:network",
        {"subnetIds": ["subnet-0123abcd", "subnet-0123abce"]},
        "dbtier:network.subnetIds needs dbtier:network.vpcId",
    ),
    (
        "dbtier:network",
        {"allowedSecurityGroupIds": ["sg-x"]},
        "dbtier:network.allowedSecurityGroupIds[0] must be an id like sg-",
    ),
    (
        "dbtier:encryption",
        {"kmsKeyArn": "alias/mine"},
        "dbtier:encryption.kmsKeyArn must be a KMS key ARN",
    ),
    ("dbtier:tags", {"aws:owner": "me"}, "dbtier:tags key #1 uses the reserved aws: prefix"),
    ("dbtier:tags", ["a"], "dbtier:tags must be an object"),
    ("dbtier:protect", "maybe", "dbtier:protect must be true or false"),
    ("dbtier:relationl", {}, "dbtier:relationl is not a known setting"),
    (
        "dbtier:migration",
        {"enabled": True, "include": ["appdb"]},
        "dbtier:migration.include[0] must be a schema.table pattern",
    ),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[m for _, _, m in BAD])
def test_bad_value_is_rejected_naming_its_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({key: value})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_copy_keys_of_another_partition_are_refused() -> None:
    """A bucket may be in another region (COPY's REGION), never in another partition: the
    COPY role's policy, in the stack's partition, could not name the key."""
    arn = "arn:aws:kms:eu-west-1:123456789012:key/12345678-1234-1234-1234-123456789abc"
    raw = {"dbtier:warehouse": {"copySources": ["bucket-a"], "copyKmsKeyArns": [arn]}}
    assert parse(raw, region="us-east-1").warehouse.copy_kms_key_arns == (arn,)
    china = arn.replace("arn:aws:", "arn:aws-cn:").replace("eu-west-1", "cn-north-1")
    raw["dbtier:warehouse"]["copyKmsKeyArns"] = [china]
    with pytest.raises(ConfigError, match=re.escape("dbtier:warehouse.copyKmsKeyArns[0] must")):
        parse(raw, region="us-east-1")


def test_migration_needs_both_ends_enabled() -> None:
    with pytest.raises(
        ConfigError,
        match=r"dbtier:migration\.target is aurora, but dbtier:aurora\.enabled is false",
    ):
        parse({"dbtier:migration": {"enabled": True}, "dbtier:aurora": {"enabled": False}})
