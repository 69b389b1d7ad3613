"""Config validation against hostile and careless input (issue 11): public ranges however split,
non-ASCII digits, AWS name rules (stack-derived names too), tags, quotas checked before parsing,
settings the chosen mode ignores, and no echo of free-text values."""

from __future__ import annotations

from typing import Any

import pytest

from components.stack_config import ConfigError, parse

SECRET = "Xq7-Hunter2-s3cr3t-W0rd!"
ARN = "arn:aws:kms:{}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
T = {"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}}

BAD: list[tuple[dict[str, Any], str]] = [
    ({"dbtier:network": {"allowedCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}}, "allowedCidrs[0] (0.0.0.0/1) reaches public"),
    ({"dbtier:network": {"allowedCidrs": ["10.0.0.0/8", "3.0.0.0/8"]}}, "allowedCidrs[1] (3.0.0.0/8) reaches public"),
    ({"dbtier:network": {"allowedCidrs": ["::/1"]}}, "allowedCidrs[0] (::/1) reaches public"),
    ({"dbtier:network": {"allowedCidrs": ["::ffff:0:0/96"]}}, "reaches public"),
    ({"dbtier:network": {"allowedCidrs": ["fe80::1%eth0/64"]}}, "allowedCidrs[0] must be a CIDR block"),
    ({"dbtier:network": {"allowedCidrs": ["10.0.0.0/16", "10.0.0.0/16"]}}, "allowedCidrs[1] repeats"),
    ({"dbtier:network": {"allowedCidrs": ["10.0.0.0/8", "10.1.0.0/16"]}}, "allowedCidrs[1] (10.1.0.0/16) overlaps"),
    ({"dbtier:network": {"allowedCidrs": [f"10.{i}.0.0/16" for i in range(80)]}}, "allowedCidrs has 80 items"),
    ({"dbtier:network": {"vpcId": "vpc-0123abcd", "subnetIds": ["subnet-0123abcd"] * 2}}, "subnetIds[1] repeats"),
    ({"dbtier:relational": {"allocatedStorage": "\u0661\u0660\u0660"}}, "allocatedStorage must be an integer in ASCII"),
    ({"dbtier:relational": {"readReplicas": "+2"}}, "readReplicas must be an integer in ASCII"),
    ({"dbtier:alarms": {"enabled": True, "email": "a@b.co", "cpuPercent": "8_0"}}, "cpuPercent must be a number"),
    ({"dbtier:aurora": {"maxCapacity": "NaN"}}, "maxCapacity must be a number"),
    ({"dbtier:aurora": {"maxCapacity": float("inf")}}, "maxCapacity must be a finite number"),
    ({"dbtier:relational": {"engineVersion": "8.4.\u0663"}}, "engineVersion must be"),
    ({"dbtier:encryption": {"kmsKeyArn": ARN.format("eu-west-1")}}, "kmsKeyArn must be a key in the stack's region us-east-1"),
    ({"dbtier:encryption": {"kmsKeyArn": ARN.format("us-east-1").replace("aws", "aws-cn", 1)}}, "partition aws"),
    ({"dbtier:tags": {"Own\ner": "x"}}, "dbtier:tags key #1 contains a control character"),
    ({"dbtier:tags": {"Owner": "<b>x</b>"}}, "dbtier:tags.Owner: the value may contain only"),
    ({"dbtier:tags": {"Owner": "a\u202eb"}}, "control character"),
    ({"dbtier:tags": {"Project": "other"}}, "dbtier:tags.Project would replace dbtier's own Project tag"),
    ({"dbtier:tags": {"managedby": "me"}}, "own ManagedBy tag"),
    ({"dbtier:redis": {"shards": 100, "replicasPerShard": 5}}, "600 nodes; ElastiCache allows at most 500"),
    ({"dbtier:redis": {"shards": 10, "replicasPerShard": 6}}, "replicasPerShard must be between 0 and 5"),
    ({"dbtier:dynamo": {"tables": [dict(T, name=f"T{i:04d}") for i in range(300)]}}, "has 300 tables; dbtier plans at most 256"),
    ({"dbtier:dynamo": {"tables": [dict(T, attributes={"id": "S", "e": "S"}, indexes=[{"name": "ByE1", "hashKey": "e"}, {"name": "ByE2", "hashKey": "e"}])]}}, "indexes[1] has the same hashKey and rangeKey"),
    ({"dbtier:dynamo": {"tables": [dict(T, attributes={"id": "S", "e": "S"}, indexes=[{"name": "ByE", "hashKey": "e", "projection": "INCLUDE", "nonKeyAttributes": ["x", "x"]}])]}}, "nonKeyAttributes[1] repeats"),
    ({"dbtier:dynamo": {"tables": [dict(T, attributes={"id": "S", "e": "S"}, indexes=[{"name": "ByE", "hashKey": "e", "projection": "INCLUDE", "nonKeyAttributes": ["id"]}])]}}, "lists key attribute 'id'"),
    ({"dbtier:dynamo": {"tables": [dict(T, name="T" * 250)]}}, "dbtier:dynamo.tables[0].name: a DynamoDB table name must be 3-255 characters (got 262)"),
    ({"dbtier:migration": {"enabled": True, "include": []}}, "dbtier:migration.include is empty"),
    ({"dbtier:migration": {"include": [f"db.t{i}" for i in range(101)]}}, "include has 101 items; at most 100"),
    ({"dbtier:migration": {"include": ["appdb.%"], "exclude": ["%.%"]}}, "exclude[0] removes every table include[0] selects"),
    ({"dbtier:warehouse": {"mode": "serverless", "nodes": 4}}, "dbtier:warehouse.nodes does not apply to mode serverless"),
    ({"dbtier:warehouse": {"mode": "serverless", "nodeType": "ra3.4xlarge"}}, "nodeType does not apply to mode serverless"),
    ({"dbtier:warehouse": {"mode": "provisioned", "baseCapacity": 64}}, "baseCapacity does not apply to mode provisioned"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_input_is_refused_naming_its_key_and_rule(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse(raw, region="us-east-1", stack="prod")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_empty_region_reaches_the_catalog() -> None:
    with pytest.raises(ConfigError, match=r"^aws:region: '' is not an AWS region"):
        parse({}, region="")


def test_rds_identifiers_built_from_the_stack_name_follow_aws_rules() -> None:
    # Only the databases: RDS identifiers take no underscore, and the last replica's is longest.
    only_rds = {
        "dbtier:redis": {"enabled": False},
        "dbtier:warehouse": {"enabled": False},
        "dbtier:dynamo": {"enabled": False},
    }
    with pytest.raises(ConfigError) as raised:
        parse(only_rds, region="us-east-1", stack="my_stack")
    assert "dbtier:relational in stack 'my_stack': an RDS DB instance or cluster identifier" in str(
        raised.value
    )
    long_stack = "s" * 35  # dbtier-<35>-relational-replica-15 is 64 characters
    parse({**only_rds, "dbtier:aurora": {"enabled": False}}, region="us-east-1", stack=long_stack)
    with pytest.raises(ConfigError, match=r"dbtier:relational in stack .*must be 1-63 characters"):
        parse(
            {
                **only_rds,
                "dbtier:aurora": {"enabled": False},
                "dbtier:relational": {"readReplicas": 15},
            },
            region="us-east-1",
            stack=long_stack,
        )


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ("my_stack", "dbtier:redis in stack 'my_stack': an ElastiCache replication group id may"),
        ("s" * 61, "dbtier:warehouse in stack"),
        ("-prod", "in stack '-prod': an ElastiCache replication group id may not contain two"),
        ("prod/x", "stack 'prod/x': a stack name may contain only"),
    ],
)
def test_names_built_from_the_stack_name_follow_aws_rules(stack: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse({"dbtier:migration": {"enabled": True}}, region="us-east-1", stack=stack)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("dbtier:relational", "username"),
        ("dbtier:aurora", "databaseName"),
        ("dbtier:redis", "nodeType"),
        ("dbtier:encryption", "kmsKeyArn"),
        ("dbtier:network", "vpcId"),
        ("dbtier:alarms", "email"),
    ],
)
def test_a_password_in_a_free_text_field_is_not_echoed(key: str, field: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse({key: {field: SECRET}}, region="us-east-1")
    assert f"{key}.{field}" in str(raised.value)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    "raw",
    [
        {"dbtier:network": {"allowedCidrs": [SECRET]}},
        {"dbtier:migration": {"include": [SECRET]}},
        {"dbtier:tags": {"aws:" + SECRET: "x"}},
        {"dbtier:tags": {SECRET + "\n": "x"}},
        {"dbtier:protect": SECRET},
        {"dbtier:relational": {"multiAz": SECRET}},
    ],
)
def test_a_password_in_a_list_or_tag_key_is_not_echoed(raw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as raised:
        parse(raw, region="us-east-1")
    assert SECRET not in str(raised.value)


def test_huge_lists_are_refused_before_their_items_are_parsed() -> None:
    # Every item is malformed: a parser that read the items first would name one of them; the
    # refusal must be about the list's size, said before any item is looked at.
    for raw, key in (
        ({"dbtier:network": {"allowedCidrs": ["not a cidr"] * 100_000}}, "dbtier:network.allowedCidrs"),
        ({"dbtier:migration": {"include": ["!bad!"] * 100_000}}, "dbtier:migration.include"),
        ({"dbtier:dynamo": {"tables": [{"bad": 1}] * 10_000}}, "dbtier:dynamo.tables"),
    ):  # fmt: skip
        with pytest.raises(ConfigError, match=r"at most [\d,]+ (are allowed|are read)") as err:
            parse(raw)
        assert str(err.value).startswith(key), err.value


def test_private_ipv4_and_ipv6_ranges_are_accepted() -> None:
    cfg = parse({"dbtier:network": {"allowedCidrs": ["10.20.0.0/16", "100.64.0.0/10", "fd00::/8"]}})
    assert cfg.network.allowed_cidrs == ("10.20.0.0/16", "100.64.0.0/10", "fd00::/8")
