"""DynamoDB table shapes: keys, attributes, indexes and stream, shared by whoever creates a table.

Pure data and functions (no Pulumi, no boto3), so the DynamoTable component, the local DynamoDB
stand-in and the `dynamo` workload's `--create-table` derive a table's key schema the same way.
Security settings (encryption, PITR, TTL, deletion protection) are the component's business and
are not part of a shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contract.fielddoc import doc

# DynamoDB projects at most 100 non-key attributes over all of a table's indexes:
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
MAX_PROJECTED = 100

AttributeType = Literal["S", "N", "B"]
Projection = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
StreamView = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]


@dataclass(frozen=True)
class IndexSchema:
    """One global secondary index."""

    name: str = field(
        metadata=doc(
            "The index name, unique in the table.",
            rule="3-255 letters, digits, _ . or -",
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
        )
    )
    hash_key: str = field(
        metadata=doc("The index's partition key: an attribute defined in attributes.")
    )
    range_key: str | None = field(
        default=None,
        metadata=doc("The index's sort key, an attribute defined in attributes; unset: none."),
    )
    projection: Projection = field(
        default="ALL", metadata=doc("Which attributes the index copies.")
    )
    non_key_attributes: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "The non-key attributes projection INCLUDE copies.",
            rule="projection INCLUDE only, and required with it; no key attributes; at most"
            " 100 in all of the table's indexes",
            most=MAX_PROJECTED,
            quota=f"DynamoDB projects at most {MAX_PROJECTED} per table",
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
        ),
    )
    read_capacity: int | None = field(
        default=None,
        metadata=doc(
            "Read capacity units of a provisioned table's index.",
            lo=1,
            hi=40000,
            rule="required with billingMode PROVISIONED",
        ),
    )
    write_capacity: int | None = field(
        default=None,
        metadata=doc(
            "Write capacity units of a provisioned table's index.",
            lo=1,
            hi=40000,
            rule="required with billingMode PROVISIONED",
        ),
    )


@dataclass(frozen=True)
class TableSchema:
    """What shapes a table's data: keys, key attributes, indexes, capacity mode and stream."""

    name: str = field(
        metadata=doc(
            "The table's name in the stack; AWS's name is <project>-<stack>-<name>.",
            rule="letters, digits, _ . or -; 3-255 characters with the prefix",
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
        )
    )
    hash_key: str = field(metadata=doc("The partition key: an attribute defined in attributes."))
    attributes: Mapping[str, AttributeType] = field(
        metadata=doc(
            "The type of every key attribute of the table and its indexes, and of no other.",
            rule="names of 1-255 letters, digits, _ . or -",
            nonempty=True,
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
        )
    )
    range_key: str | None = field(
        default=None,
        metadata=doc("The sort key, an attribute defined in attributes; unset: none."),
    )
    indexes: tuple[IndexSchema, ...] = field(
        default=(),
        metadata=doc(
            "Global secondary indexes.",
            rule="at most 20, names and key pairs unique",
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
        ),
    )
    billing_mode: BillingMode = field(
        default="PAY_PER_REQUEST", metadata=doc("On-demand or provisioned capacity.")
    )
    read_capacity: int | None = field(
        default=None,
        metadata=doc(
            "Read capacity units of a provisioned table.",
            lo=1,
            hi=40000,
            rule="required with billingMode PROVISIONED, refused without",
        ),
    )
    write_capacity: int | None = field(
        default=None,
        metadata=doc(
            "Write capacity units of a provisioned table.",
            lo=1,
            hi=40000,
            rule="required with billingMode PROVISIONED, refused without",
        ),
    )
    stream: StreamView | None = field(
        default=None,
        metadata=doc(
            "The stream's view of changed items; unset: no stream.",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
        ),
    )


# The seed's UserProfiles table: the default table of every stack and of local runs.
SEED_TABLE = TableSchema(
    name="UserProfiles",
    hash_key="userId",
    attributes={"userId": "S", "email": "S", "department": "S", "createdAt": "S"},
    indexes=(
        IndexSchema(name="EmailIndex", hash_key="email"),
        IndexSchema(name="DepartmentIndex", hash_key="department", range_key="createdAt"),
    ),
    stream="NEW_AND_OLD_IMAGES",
)


def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    """KeySchema elements: the hash key, then the range key when there is one."""
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def attribute_definitions(table: TableSchema) -> list[dict[str, str]]:
    """AttributeDefinitions: the key attributes only, sorted by name."""
    return [
        {"AttributeName": name, "AttributeType": kind}
        for name, kind in sorted(table.attributes.items())
    ]


def projection(index: IndexSchema) -> dict[str, Any]:
    """An index's Projection block."""
    block: dict[str, Any] = {"ProjectionType": index.projection}
    if index.projection == "INCLUDE":
        block["NonKeyAttributes"] = list(index.non_key_attributes)
    return block


def create_table_kwargs(table: TableSchema, table_name: str | None = None) -> dict[str, Any]:
    """The CreateTable request for `table` (under `table_name` when given)."""
    provisioned = table.billing_mode == "PROVISIONED"
    kwargs: dict[str, Any] = {
        "TableName": table_name or table.name,
        "KeySchema": key_schema(table.hash_key, table.range_key),
        "AttributeDefinitions": attribute_definitions(table),
        "BillingMode": table.billing_mode,
    }
    if provisioned:
        kwargs["ProvisionedThroughput"] = {
            "ReadCapacityUnits": table.read_capacity,
            "WriteCapacityUnits": table.write_capacity,
        }
    indexes = []
    for index in table.indexes:
        gsi: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": key_schema(index.hash_key, index.range_key),
            "Projection": projection(index),
        }
        if provisioned:
            gsi["ProvisionedThroughput"] = {
                "ReadCapacityUnits": index.read_capacity,
                "WriteCapacityUnits": index.write_capacity,
            }
        indexes.append(gsi)
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    if table.stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
    return kwargs
