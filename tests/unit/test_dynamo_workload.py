"""Pure parts of the ``dynamo`` workload: what ``--create-table`` sends, the deterministic
generator and its hand-built DynamoDB JSON."""

from __future__ import annotations

from boto3.dynamodb.types import TypeSerializer

from contract.tables import SEED_TABLE, IndexSchema, TableSchema, create_table_kwargs
from workloads.dynamo.cli import DEFAULT_TABLES
from workloads.dynamo.data import generate_user, generate_users


def test_create_table_creates_the_seed_table_under_the_outputs_name():
    assert DEFAULT_TABLES == {"UserProfiles": SEED_TABLE}
    kwargs = create_table_kwargs(DEFAULT_TABLES["UserProfiles"], "UserProfiles-abc")
    assert kwargs == {
        "TableName": "UserProfiles-abc",
        "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "createdAt", "AttributeType": "S"},
            {"AttributeName": "department", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
            {"AttributeName": "userId", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "EmailIndex",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "DepartmentIndex",
                "KeySchema": [
                    {"AttributeName": "department", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def test_provisioned_table_with_include_projection_and_range_key():
    table = TableSchema(
        name="Orders",
        hash_key="pk",
        range_key="sk",
        attributes={"pk": "S", "sk": "N", "status": "S"},
        billing_mode="PROVISIONED",
        read_capacity=5,
        write_capacity=6,
        indexes=(
            IndexSchema(
                name="ByStatus",
                hash_key="status",
                projection="INCLUDE",
                non_key_attributes=("total",),
                read_capacity=7,
                write_capacity=8,
            ),
        ),
    )
    kwargs = create_table_kwargs(table)
    assert kwargs["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert kwargs["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}
    (gsi,) = kwargs["GlobalSecondaryIndexes"]
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
    assert gsi["ProvisionedThroughput"] == {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8}
    assert "StreamSpecification" not in kwargs


def test_generator_is_deterministic_and_order_independent():
    forward = list(generate_users(42, 50))
    assert forward == list(generate_users(42, 50))
    assert generate_user(42, 37) == forward[36]  # any user alone, no state from the others
    assert forward != list(generate_users(43, 50))
    assert forward[0].user_id == "user_0001"
    assert all(50_000 <= u.salary <= 150_000 for u in forward)
    assert all(2 <= len(u.skills) <= 4 and len(set(u.skills)) == len(u.skills) for u in forward)


def test_hand_built_dynamodb_json_equals_boto3_serializer():
    serializer = TypeSerializer()
    for user in generate_users(1, 20):
        expected = {k: serializer.serialize(v) for k, v in user.item().items()}
        assert user.ddb_item() == expected
