"""Access on mocks: the IAM connect ARN and policy of RDS and Aurora, the DynamoDB read, write and
stream-read policies, and the COPY role scoped to `dbtier:warehouse.copySources`, in dev and prod;
every new key's config errors; and the outputs read back through the contract."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from components.access import (
    DYNAMO_READ,
    DYNAMO_STREAM_READ,
    DYNAMO_WRITE,
    copy_policy,
    dynamo_policies,
    rds_connect_arn,
)
from components.stack_config import ConfigError, parse
from contract import (
    AuroraOutputs,
    ContractError,
    DynamoOutputs,
    RelationalOutputs,
    WarehouseOutputs,
    read_section,
)
from preflight.mocks import ACCOUNT_ID
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
REGION = "us-east-1"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CONNECT = re.compile(
    rf"arn:aws:rds-db:{REGION}:{ACCOUNT_ID}:dbuser:(db|cluster)-[0-9A-Z]+/(?P<user>\w+)"
)


def statements(document: str) -> list[dict[str, Any]]:
    parsed = json.loads(document)
    assert parsed["Version"] == "2012-10-17"
    return list(parsed["Statement"])


def as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# --- RDS and Aurora -----------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_relational_exports_a_connect_arn_and_a_policy_for_every_instance(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    out = plan.outputs["relational"]
    assert out["iamUser"] == "app"
    assert CONNECT.fullmatch(out["iamConnectArn"])
    assert out["iamConnectArn"].endswith("/app")
    (statement,) = statements(out["iamConnectPolicy"])
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "rds-db:connect"
    instances = of_type(plan, INSTANCE)
    resources = as_list(statement["Resource"])
    # The primary first, then one ARN per replica: each instance has its own DbiResourceId.
    assert resources[0] == out["iamConnectArn"]
    assert len(resources) == len(instances) == 1 + len(out["readerEndpoints"])
    assert len(set(resources)) == len(resources)
    assert all(CONNECT.fullmatch(arn) and arn.endswith("/app") for arn in resources)
    assert all(i.inputs["iamDatabaseAuthenticationEnabled"] is True for i in instances)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aurora_exports_the_clusters_connect_arn_and_policy(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    out = plan.outputs["aurora"]
    assert re.fullmatch(
        rf"arn:aws:rds-db:{REGION}:{ACCOUNT_ID}:dbuser:cluster-[0-9A-Z]+/app", out["iamConnectArn"]
    )
    assert statements(out["iamConnectPolicy"]) == [
        {
            "Sid": "ConnectAsIamDatabaseUser",
            "Effect": "Allow",
            "Action": "rds-db:connect",
            "Resource": [out["iamConnectArn"]],
        }
    ]
    assert one(plan, CLUSTER).inputs["iamDatabaseAuthenticationEnabled"] is True


def test_iam_user_from_config_is_in_the_arns(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev",
        relational={"iamUser": "reporting", "readReplicas": 1},
        aurora={"engine": "aurora-postgresql", "iamUser": "svc_orders"},
    )
    rel, aur = plan.outputs["relational"], plan.outputs["aurora"]
    assert rel["iamUser"] == "reporting"
    assert all(a.endswith("/reporting") for a in statements(rel["iamConnectPolicy"])[0]["Resource"])
    assert aur["iamUser"] == "svc_orders" and aur["iamConnectArn"].endswith("/svc_orders")


def test_connect_arn_shape() -> None:
    where = ("aws-cn", "cn-north-1", "111122223333")
    assert (
        rds_connect_arn(where, "db-ABCDEFGHIJKL", "app")
        == "arn:aws-cn:rds-db:cn-north-1:111122223333:dbuser:db-ABCDEFGHIJKL/app"
    )


# --- DynamoDB ------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_dynamo_policies_are_exactly_the_least_privilege_set(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    key_arn = one(plan, "aws:dynamodb/table:Table").inputs["serverSideEncryption"]["kmsKeyArn"]
    table = plan.outputs["dynamo"]["tables"]["UserProfiles"]
    arn, stream = table["arn"], table["streamArn"]
    via = {"StringEquals": {"kms:ViaService": f"dynamodb.{REGION}.amazonaws.com"}}
    read, read_key = statements(table["policies"]["read"])
    assert sorted(read["Action"]) == sorted(DYNAMO_READ)
    assert set(DYNAMO_READ) == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:DescribeTable",
        "dynamodb:ConditionCheckItem",
    }
    assert read["Resource"] == [arn] + [f"{arn}/index/{i}" for i in table["indexes"]]
    assert table["indexes"] == ["EmailIndex", "DepartmentIndex"]
    assert read_key == {
        "Sid": "UseTableKeyThroughDynamoDB",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": key_arn,
        "Condition": via,
    }
    write, write_key = statements(table["policies"]["write"])
    assert (
        set(write["Action"])
        == set(DYNAMO_WRITE)
        == {
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        }
    )
    assert write["Resource"] == arn
    assert write_key["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert write_key["Resource"] == key_arn and write_key["Condition"] == via
    stream_read, listing, stream_key = statements(table["policies"]["streamRead"])
    assert set(stream_read["Action"]) == set(DYNAMO_STREAM_READ)
    assert stream_read["Resource"] == stream and "/stream/" in stream
    # ListStreams takes no resource ARN; it is the only statement on "*".
    assert listing == {
        "Sid": "FindStreams",
        "Effect": "Allow",
        "Action": "dynamodb:ListStreams",
        "Resource": "*",
    }
    assert stream_key["Action"] == ["kms:Decrypt"] and stream_key["Resource"] == key_arn


def test_a_table_without_a_stream_has_no_stream_policy(plan_with: Callable[..., Plan]) -> None:
    table = {
        "name": "Orders",
        "hashKey": "orderId",
        "attributes": {"orderId": "S"},
    }
    plan = plan_with("dev", dynamo={"tables": [table]})
    policies = plan.outputs["dynamo"]["tables"]["Orders"]["policies"]
    assert set(policies) == {"read", "write"}
    (read, _) = statements(policies["read"])
    assert read["Resource"] == [plan.outputs["dynamo"]["tables"]["Orders"]["arn"]]


def test_dynamo_policies_without_indexes_or_stream() -> None:
    policies = dynamo_policies("arn:aws:dynamodb:eu-west-1:1:table/T", [], None, KEY, "eu-west-1")
    assert set(policies) == {"read", "write"}
    assert statements(policies["read"])[1]["Condition"] == {
        "StringEquals": {"kms:ViaService": "dynamodb.eu-west-1.amazonaws.com"}
    }


# --- Redshift COPY role --------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_copy_role_has_no_s3_access_by_default(stack: str, dev_plan: Plan, prod_plan: Plan) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    role = one(plan, ROLE, "warehouse-copy-role")
    assert not [a for a in of_type(plan, ATTACHMENT) if a.name.startswith("warehouse-")]
    assert not [p for p in of_type(plan, ROLE_POLICY) if p.name.startswith("warehouse-")]
    assert "AmazonS3" not in json.dumps([r.inputs for r in plan.resources])
    out = plan.outputs["warehouse"]
    assert out["copySources"] == []
    assert out["copyRoleArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:role/warehouse-copy-role")
    assert role.name == "warehouse-copy-role"


@pytest.mark.parametrize("mode", ["provisioned", "serverless"])
def test_copy_role_reads_only_the_configured_sources(
    plan_with: Callable[..., Plan], mode: str
) -> None:
    sources = ["ingest-bucket", "lake.example/raw/2026/"]
    plan = plan_with(
        "prod",
        warehouse={"mode": mode, "copySources": sources, "copyKmsKeyArns": [KEY]},
    )
    (inline,) = [p for p in of_type(plan, ROLE_POLICY) if p.name == "warehouse-copy-sources"]
    get, list_bucket, list_prefix, decrypt = statements(inline.inputs["policy"])
    assert get == {
        "Sid": "ReadSourceObjects",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::ingest-bucket/*", "arn:aws:s3:::lake.example/raw/2026/*"],
    }
    assert list_bucket == {
        "Sid": "ListSource0",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::ingest-bucket",
    }
    assert list_prefix["Resource"] == "arn:aws:s3:::lake.example"
    assert list_prefix["Condition"] == {"StringLike": {"s3:prefix": ["raw/2026/*"]}}
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == [KEY]
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}
    assert plan.outputs["warehouse"]["copySources"] == sources


def test_copy_policy_without_keys_has_no_kms_statement() -> None:
    document = copy_policy("aws-us-gov", ["bucket-a/x/"], [])
    assert document is not None
    actions = [s["Action"] for s in statements(document)]
    assert actions == ["s3:GetObject", "s3:ListBucket"]
    assert statements(document)[0]["Resource"] == ["arn:aws-us-gov:s3:::bucket-a/x/*"]
    assert copy_policy("aws", [], [KEY]) is None


# --- contract ------------------------------------------------------------------------------


def test_outputs_read_back_through_the_contract(prod_plan: Plan) -> None:
    outputs = json.loads(json.dumps(prod_plan.outputs))
    for key in ("relational", "aurora", "warehouse"):
        for field in ("password",):
            outputs[key].pop(field, None)
    rel = read_section(outputs, RelationalOutputs, "outputs.json")
    assert rel.iam_connect_arn == outputs["relational"]["iamConnectArn"]
    assert rel.iam_user == "app"
    aur = read_section(outputs, AuroraOutputs, "outputs.json")
    assert aur.iam_connect_policy == outputs["aurora"]["iamConnectPolicy"]
    wh = read_section(outputs, WarehouseOutputs, "outputs.json")
    assert wh.copy_sources == () and wh.copy_role_arn
    dynamo = read_section(outputs, DynamoOutputs, "outputs.json")
    policies = dynamo.tables["UserProfiles"].policies
    assert policies is not None and policies.stream_read is not None


def test_new_fields_are_optional_for_readers() -> None:
    minimal = {
        "relational": {"endpoint": "db.local", "port": 3306, "databaseName": "a", "username": "u"},
        "dynamo": {"region": REGION, "tables": {"T": {"tableName": "Tab"}}},
    }
    assert read_section(minimal, RelationalOutputs, "f").iam_connect_policy is None
    assert read_section(minimal, DynamoOutputs, "f").tables["T"].policies is None


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        ("relational", "iamConnectArn", "not-an-arn", "expected an ARN"),
        ("relational", "iamConnectPolicy", "{", "expected an IAM policy document"),
        ("relational", "iamConnectPolicy", '{"Statement": {}}', "expected an IAM policy document"),
    ],
)
def test_malformed_access_outputs_name_the_key(
    section: str, field: str, value: str, message: str
) -> None:
    data = {
        "relational": {
            "endpoint": "db.local",
            "port": 3306,
            "databaseName": "a",
            "username": "u",
            field: value,
        }
    }
    with pytest.raises(ContractError, match=f"relational.{field}.*{re.escape(message)}"):
        read_section(data, RelationalOutputs, "f")


def test_malformed_dynamo_policy_names_the_nested_key() -> None:
    data = {
        "dynamo": {
            "region": REGION,
            "tables": {"T": {"tableName": "Tab", "policies": {"read": "[]", "write": "{}"}}},
        }
    }
    with pytest.raises(ContractError, match=r"dynamo\.tables\.T\.policies\.read"):
        read_section(data, DynamoOutputs, "f")


# --- config --------------------------------------------------------------------------------

BAD = [
    ("dbtier:relational", {"iamUser": ""}, "dbtier:relational.iamUser must be a non-empty string"),
    ("dbtier:relational", {"iamUser": "9app"}, "dbtier:relational.iamUser must be 1-16 letters"),
    ("dbtier:relational", {"iamUser": "a" * 17}, "dbtier:relational.iamUser must be 1-16 letters"),
    (
        "dbtier:relational",
        {"iamUser": "rdsadmin"},
        "dbtier:relational.iamUser 'rdsadmin' is reserved",
    ),
    ("dbtier:relational", {"iamUser": "DBADMIN"}, "dbtier:relational.iamUser must differ from"),
    (
        "dbtier:aurora",
        {"username": "owner", "iamUser": "owner"},
        "dbtier:aurora.iamUser must differ from dbtier:aurora.username",
    ),
    ("dbtier:aurora", {"iamUser": 5}, "dbtier:aurora.iamUser must be a non-empty string"),
    ("dbtier:warehouse", {"copySources": "bucket"}, "dbtier:warehouse.copySources must be a list"),
    ("dbtier:warehouse", {"copySources": [""]}, "copySources[0] must be a non-empty string"),
    ("dbtier:warehouse", {"copySources": ["ab"]}, "copySources[0] must be bucket or bucket/prefix"),
    ("dbtier:warehouse", {"copySources": ["Upper-Case"]}, "may contain only lower-case"),
    ("dbtier:warehouse", {"copySources": ["-bucket"]}, "must begin and end with a letter or digit"),
    ("dbtier:warehouse", {"copySources": ["my..bucket"]}, "two adjacent periods"),
    ("dbtier:warehouse", {"copySources": ["192.168.5.4"]}, "formatted as an IP address"),
    ("dbtier:warehouse", {"copySources": ["xn--bucket"]}, "a prefix or suffix S3 reserves"),
    ("dbtier:warehouse", {"copySources": ["bucket--ol-s3"]}, "a prefix or suffix S3 reserves"),
    ("dbtier:warehouse", {"copySources": ["bucket/"]}, "ends with / and no prefix"),
    ("dbtier:warehouse", {"copySources": ["bucket/a*"]}, "prefix may not contain *"),
    ("dbtier:warehouse", {"copySources": ["bucket/a?b"]}, "prefix may not contain *"),
    ("dbtier:warehouse", {"copySources": ["bucket/a\nb"]}, "copySources[0] contains a control"),
    ("dbtier:warehouse", {"copySources": ["bucket/" + "k" * 1025]}, "longer than an S3 object key"),
    ("dbtier:warehouse", {"copySources": ["bkt", "bkt"]}, "copySources[1] repeats an earlier item"),
    (
        "dbtier:warehouse",
        {"copySources": [f"bucket-{i}" for i in range(26)]},
        "copySources has 26 items; at most 25",
    ),
    (
        "dbtier:warehouse",
        {"copySources": ["bkt"], "copyKmsKeyArns": ["alias/mine"]},
        "dbtier:warehouse.copyKmsKeyArns[0] must be a KMS key ARN",
    ),
    (
        "dbtier:warehouse",
        {"copyKmsKeyArns": [KEY]},
        "dbtier:warehouse.copyKmsKeyArns applies only with copySources",
    ),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD, ids=[m[-40:] for _, _, m in BAD])
def test_bad_access_value_is_rejected_naming_its_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({key: value})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_access_defaults() -> None:
    cfg = parse({})
    assert cfg.relational.iam_user == "app" and cfg.aurora.iam_user == "app"
    assert cfg.warehouse.copy_sources == () and cfg.warehouse.copy_kms_key_arns == ()
    good = parse({"dbtier:warehouse": {"copySources": ["a.b-c", "abc/x y/é/"]}})
    assert good.warehouse.copy_sources == ("a.b-c", "abc/x y/é/")
