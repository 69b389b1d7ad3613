"""The seed's reads: get by key, the two index queries, filtered scans and a parallel scan, every
call paginated, items returned as plain Python values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from lambdas import stream_processor
from workloads.dynamo.data import HIGH_SALARY

USER_HASH_KEY = "userId"
EMAIL_INDEX = "EmailIndex"
DEPARTMENT_INDEX = "DepartmentIndex"

_DESERIALIZER = TypeDeserializer()


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON item as Python values (numbers as int or float, like the stream log)."""
    return {k: stream_processor.to_plain(_DESERIALIZER.deserialize(v)) for k, v in item.items()}


def paginate(
    client: Any, operation: str, page_size: int | None = None, **kwargs: Any
) -> Iterator[dict[str, Any]]:
    """Every item of a Query or Scan, page by page (plain values)."""
    config = {"PageSize": page_size} if page_size else {}
    for page in client.get_paginator(operation).paginate(PaginationConfig=config, **kwargs):
        for item in page.get("Items", []):
            yield plain(item)


def get_user(client: Any, table: str, uid: str) -> dict[str, Any] | None:
    """The item with key ``uid``, or None."""
    response = client.get_item(
        TableName=table, Key={USER_HASH_KEY: {"S": uid}}, ConsistentRead=True
    )
    return plain(response["Item"]) if "Item" in response else None


def query_by_email(
    client: Any, table: str, email: str, page_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """Users with this email, through EmailIndex."""
    return paginate(
        client,
        "query",
        page_size,
        TableName=table,
        IndexName=EMAIL_INDEX,
        KeyConditionExpression="email = :email",
        ExpressionAttributeValues={":email": {"S": email}},
    )


def query_by_department(
    client: Any,
    table: str,
    department: str,
    *,
    created_from: str | None = None,
    created_to: str | None = None,
    page_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Users of a department through DepartmentIndex, optionally with createdAt in a range."""
    condition = "department = :dept"
    values: dict[str, Any] = {":dept": {"S": department}}
    if created_from and created_to:
        condition += " AND createdAt BETWEEN :from AND :to"
        values |= {":from": {"S": created_from}, ":to": {"S": created_to}}
    elif created_from:
        condition += " AND createdAt >= :from"
        values[":from"] = {"S": created_from}
    elif created_to:
        condition += " AND createdAt <= :to"
        values[":to"] = {"S": created_to}
    return paginate(
        client,
        "query",
        page_size,
        TableName=table,
        IndexName=DEPARTMENT_INDEX,
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
    )


def scan_active(client: Any, table: str, page_size: int | None = None) -> Iterator[dict[str, Any]]:
    """Users with isActive true (a filtered scan: reads the whole table)."""
    return paginate(
        client,
        "scan",
        page_size,
        TableName=table,
        FilterExpression="isActive = :true",
        ExpressionAttributeValues={":true": {"BOOL": True}},
    )


def scan_high_salary(
    client: Any, table: str, threshold: int = HIGH_SALARY, page_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """Users with salary above ``threshold``."""
    return paginate(
        client,
        "scan",
        page_size,
        TableName=table,
        FilterExpression="salary > :threshold",
        ExpressionAttributeValues={":threshold": {"N": str(threshold)}},
    )


def parallel_scan(
    client: Any, table: str, segments: int = 4, page_size: int | None = None
) -> list[list[str]]:
    """The hash key of every item, one list per segment, the segments scanned concurrently."""

    def segment(number: int) -> list[str]:
        return [
            item[USER_HASH_KEY]
            for item in paginate(
                client,
                "scan",
                page_size,
                TableName=table,
                Segment=number,
                TotalSegments=segments,
                ProjectionExpression=USER_HASH_KEY,
            )
        ]

    pool = ThreadPoolExecutor(max_workers=segments, thread_name_prefix="scan")
    try:
        return list(pool.map(segment, range(segments)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
