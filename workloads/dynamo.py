"""The ``dynamo`` workload: the seed's DynamoDB practice (UserProfiles) as a repeatable check.

For every table of the ``dynamo`` stack output it populates N generated users (deterministic by
``--seed``) with concurrent ``BatchWriteItem`` calls that retry ``UnprocessedItems`` with backoff,
runs the seed's reads (get by key, EmailIndex and DepartmentIndex queries, filtered scans) with
every call paginated, a parallel scan by segments that must see each item exactly once, and a
conditional salary update; optionally it drains the table's stream from TRIM_HORIZON and runs the
stream processor's handler code on the records, exactly as the Lambda would.

The functions below are the workload's API (tests and benchmarks call them); ``run`` is the CLI.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import botocore.exceptions
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config

from lambdas import stream_processor
from workloads._dynamo_data import HIGH_SALARY, generate_users, user_id
from workloads.common import (
    EXIT_CHECK_FAILED,
    Outputs,
    WorkloadError,
    chunked,
    emit,
    one_line,
    progress,
    render_table,
    retrying,
)

HELP = """DynamoDB: populate users, run the seed's queries, scans and update, drain the stream.

For each table of the `dynamo` output: write --users users (deterministic by --seed) with
concurrent batch writes, get one by key, query EmailIndex and DepartmentIndex, scan for active and
high-salary users, scan in parallel segments (each item must be seen exactly once), update one
salary on condition that the user exists, and with --drain-stream read the table's stream from
TRIM_HORIZON and run the stream processor handler on it locally."""

log = logging.getLogger("workloads.dynamo")

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_USERS = 1_000_000
USER_HASH_KEY = "userId"
EMAIL_INDEX = "EmailIndex"
DEPARTMENT_INDEX = "DepartmentIndex"
STREAM_BATCH_SIZE = 100  # what the event source mapping hands the Lambda per invocation

_DESERIALIZER = TypeDeserializer()


# --- clients -------------------------------------------------------------------------------


def make_session(region: str, endpoint_url: str | None) -> boto3.session.Session:
    """A session for the table's region; a local endpoint gets dummy credentials if none exist."""
    session = boto3.session.Session(region_name=region)
    if endpoint_url and session.get_credentials() is None:
        # moto accepts any credentials; a real endpoint never takes this branch.
        session = boto3.session.Session(
            region_name=region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 -- moto's dummy
        )
    return session


def client_config(
    workers: int, retry_mode: str = "standard", max_attempts: int = 5, timeout: float = 10.0
) -> Config:
    """botocore settings: bounded retries with backoff, a pool sized to the worker threads."""
    return Config(
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        max_pool_connections=max(10, workers),
        connect_timeout=timeout,
        read_timeout=timeout * 3,
        # Requests are built here and DynamoDB validates them anyway; client-side validation of a
        # 25-item batch costs about a third of botocore's CPU per request.
        parameter_validation=False,
    )


def make_clients(
    region: str,
    endpoint_url: str | None,
    workers: int = 16,
    retry_mode: str = "standard",
    max_attempts: int = 5,
) -> tuple[Any, Any]:
    """One DynamoDB client and one DynamoDB Streams client, shared by every thread."""
    session = make_session(region, endpoint_url)
    config = client_config(workers, retry_mode, max_attempts)
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url, config=config)
    streams = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config)
    return dynamodb, streams


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON item as Python values (numbers as int or float, like the stream log)."""
    return {k: stream_processor.to_plain(_DESERIALIZER.deserialize(v)) for k, v in item.items()}


# --- table definition (config -> CreateTable) -----------------------------------------------


def create_table_kwargs(table_cfg: Any, table_name: str | None = None) -> dict[str, Any]:
    """CreateTable arguments for a ``components.config.DynamoTableConfig``.

    Only what shapes the data (keys, indexes, capacity mode, stream): the DynamoTable component
    adds encryption, PITR, TTL and deletion protection, which a local engine does not need.
    """
    provisioned = table_cfg.billing_mode == "PROVISIONED"

    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return schema

    kwargs: dict[str, Any] = {
        "TableName": table_name or table_cfg.name,
        "KeySchema": key_schema(table_cfg.hash_key, table_cfg.range_key),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in sorted(table_cfg.attributes.items())
        ],
        "BillingMode": table_cfg.billing_mode,
    }
    if provisioned:
        kwargs["ProvisionedThroughput"] = {
            "ReadCapacityUnits": table_cfg.read_capacity,
            "WriteCapacityUnits": table_cfg.write_capacity,
        }
    indexes = []
    for index in table_cfg.indexes:
        projection: dict[str, Any] = {"ProjectionType": index.projection}
        if index.projection == "INCLUDE":
            projection["NonKeyAttributes"] = list(index.non_key_attributes)
        gsi: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": key_schema(index.hash_key, index.range_key),
            "Projection": projection,
        }
        if provisioned:
            gsi["ProvisionedThroughput"] = {
                "ReadCapacityUnits": index.read_capacity,
                "WriteCapacityUnits": index.write_capacity,
            }
        indexes.append(gsi)
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    if table_cfg.stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table_cfg.stream}
    return kwargs


def default_table_configs() -> dict[str, Any]:
    """The stack's default tables by config name (what ``--create-table`` creates locally)."""
    from components.config import DynamoConfig  # only local runs need it

    return {table.name: table for table in DynamoConfig().tables}


def ensure_table(client: Any, kwargs: Mapping[str, Any]) -> bool:
    """Create the table unless it exists, then wait until it is ACTIVE; True if created."""
    try:
        client.create_table(**kwargs)
        created = True
    except client.exceptions.ResourceInUseException:
        created = False
    client.get_waiter("table_exists").wait(
        TableName=kwargs["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    return created


# --- populate ------------------------------------------------------------------------------


class UnprocessedItemsError(Exception):
    """BatchWriteItem left items unprocessed (throttling or a partition at its limit)."""

    def __init__(self, remaining: int) -> None:
        super().__init__(f"{remaining} items unprocessed")
        self.remaining = remaining


@dataclass
class PopulateStats:
    """What a populate did: items written, requests sent, items re-sent after UnprocessedItems."""

    items: int = 0
    requests: int = 0
    resent_items: int = 0
    seconds: float = 0.0

    def add(self, other: PopulateStats) -> None:
        self.items += other.items
        self.requests += other.requests
        self.resent_items += other.resent_items

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


def write_batch(
    client: Any,
    table: str,
    items: list[dict[str, Any]],
    attempts: int = 10,
    max_seconds: float = 120.0,
) -> PopulateStats:
    """One BatchWriteItem of at most 25 items, re-sending UnprocessedItems with backoff.

    boto3's ``batch_writer`` re-sends unprocessed items at once, which under throttling just
    earns more throttling; exponential backoff with full jitter lets the partition recover.
    """
    stats = PopulateStats(items=len(items))
    request: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in retrying(
        lambda exc: isinstance(exc, UnprocessedItemsError),
        attempts=attempts,
        max_seconds=max_seconds,
        initial_wait=0.05,
        max_wait=5.0,
        describe=f"BatchWriteItem on {table}",
    ):
        with attempt:
            stats.requests += 1
            response = client.batch_write_item(RequestItems=request)
            unprocessed = response.get("UnprocessedItems") or {}
            remaining = sum(len(reqs) for reqs in unprocessed.values())
            if remaining:
                stats.resent_items += remaining
                request = unprocessed
                raise UnprocessedItemsError(remaining)
    return stats


def populate(
    client: Any,
    table: str,
    count: int,
    *,
    seed: int,
    workers: int = 16,
    show_progress: bool = False,
) -> PopulateStats:
    """Write users 1..count, ``workers`` batches in flight at a time; idempotent (plain puts)."""
    total = PopulateStats()
    started = time.perf_counter()
    batches = chunked((user.ddb_item() for user in generate_users(seed, count)), BATCH_SIZE)
    # Bounded in flight so that a million users never sit in memory as queued batches.
    max_pending = workers * 2
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="populate") as pool,
        progress(count, f"populate {table}", disable=not show_progress, unit="item") as bar,
    ):
        pending: set[Future[PopulateStats]] = set()

        def collect(done: Iterable[Future[PopulateStats]]) -> None:
            for future in done:
                stats = future.result()  # re-raises a batch's error here, in the caller
                total.add(stats)
                bar.update(stats.items)

        try:
            for batch in batches:
                if len(pending) >= max_pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    collect(done)
                pending.add(pool.submit(write_batch, client, table, batch))
            done, pending = wait(pending)
            collect(done)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    total.seconds = time.perf_counter() - started
    return total


# --- reads ---------------------------------------------------------------------------------


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

    with ThreadPoolExecutor(max_workers=segments, thread_name_prefix="scan") as pool:
        return list(pool.map(segment, range(segments)))


# --- update --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalaryUpdate:
    """The result of the conditional update."""

    user_id: str
    found: bool
    old_salary: int | None = None
    new_salary: int | None = None


def update_salary(client: Any, table: str, uid: str, new_salary: int) -> SalaryUpdate:
    """Set a user's salary only if the user exists (no upsert); old and new values."""
    try:
        response = client.update_item(
            TableName=table,
            Key={USER_HASH_KEY: {"S": uid}},
            UpdateExpression="SET salary = :salary, lastUpdated = :now",
            ConditionExpression="attribute_exists(userId)",
            ExpressionAttributeValues={
                ":salary": {"N": str(new_salary)},
                ":now": {"S": datetime.now().astimezone().isoformat()},
            },
            ReturnValues="ALL_OLD",
        )
    except client.exceptions.ConditionalCheckFailedException:
        return SalaryUpdate(user_id=uid, found=False)
    old = plain(response.get("Attributes", {}))
    return SalaryUpdate(
        user_id=uid, found=True, old_salary=old.get("salary"), new_salary=new_salary
    )


# --- stream --------------------------------------------------------------------------------


def stream_arn_of(client: Any, table: str, from_outputs: str | None) -> str | None:
    """The stream ARN from the outputs, else the table's latest stream (None: no stream)."""
    if from_outputs:
        return from_outputs
    description = client.describe_table(TableName=table)["Table"]
    arn = description.get("LatestStreamArn")
    return arn if isinstance(arn, str) else None


def read_stream(streams: Any, stream_arn: str, page_limit: int = 1000) -> Iterator[dict[str, Any]]:
    """Every record of every shard from TRIM_HORIZON, as the Lambda event source delivers them.

    An open shard never ends; reading stops at the first empty page, which is where it has caught
    up (enough for a check, unlike a consumer that must keep polling).
    """
    shards: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"StreamArn": stream_arn}
    while True:
        description = streams.describe_stream(**kwargs)["StreamDescription"]
        shards.extend(description.get("Shards", []))
        last = description.get("LastEvaluatedShardId")
        if not last:
            break
        kwargs["ExclusiveStartShardId"] = last
    # Parents before children keeps each key's records in order across shard splits.
    ordered = sorted(shards, key=lambda s: s["SequenceNumberRange"]["StartingSequenceNumber"])
    for shard in ordered:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        ).get("ShardIterator")
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=page_limit)
            records = response.get("Records", [])
            if not records:
                break
            for record in records:
                yield lambda_record(record, stream_arn)
            iterator = response.get("NextShardIterator")


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda passes: plus eventSourceARN, dates as epoch."""
    out = dict(record)
    data = dict(record.get("dynamodb", {}))
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = created.timestamp()
    out["dynamodb"] = data
    out["eventSourceARN"] = stream_arn
    return out


@dataclass
class StreamReport:
    """What the handler did with the drained records."""

    records: int = 0
    by_event: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)


def drain_stream(
    streams: Any,
    stream_arn: str,
    store: stream_processor.ProcessedStore | None = None,
    keep_lines: bool = False,
) -> StreamReport:
    """Run the stream processor handler's code on the whole stream, in Lambda-sized batches."""
    store = store if store is not None else stream_processor.LRUStore(maxsize=2_000_000)
    report = StreamReport()

    def on_line(line: dict[str, Any]) -> None:
        report.by_status[line["status"]] += 1
        if "eventName" in line:
            report.by_event[line["eventName"]] += 1
        if keep_lines:
            report.lines.append(line)

    for batch in chunked(read_stream(streams, stream_arn), STREAM_BATCH_SIZE):
        report.records += len(batch)
        result = stream_processor.process_records(batch, store=store, emit=on_line)
        report.failures += len(result["batchItemFailures"])
    return report


# --- CLI -----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``dynamo`` workload's options."""

    def bounded(lo: int, hi: int) -> Callable[[str], int]:
        def parse(text: str) -> int:
            try:
                value = int(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
            if not lo <= value <= hi:
                raise argparse.ArgumentTypeError(f"must be between {lo} and {hi} (got {value})")
            return value

        return parse

    parser.add_argument(
        "--users", type=bounded(0, MAX_USERS), default=50, help="users to write (default 50)"
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    parser.add_argument("--table", help="only this table (its key in the `dynamo.tables` output)")
    parser.add_argument(
        "--workers", type=bounded(1, 256), default=16, help="batch writes in flight (default 16)"
    )
    parser.add_argument(
        "--segments", type=bounded(1, 64), default=4, help="parallel scan segments (default 4)"
    )
    parser.add_argument(
        "--page-size", type=bounded(1, 10_000), help="items per Query/Scan page (default: 1 MB)"
    )
    parser.add_argument("--user-id", help="key for get and update (default: user 1)")
    parser.add_argument("--email", help="EmailIndex query value (default: user 1's email)")
    parser.add_argument("--department", default="Engineering", help="DepartmentIndex value")
    parser.add_argument("--created-from", help="DepartmentIndex createdAt lower bound (ISO 8601)")
    parser.add_argument("--created-to", help="DepartmentIndex createdAt upper bound (ISO 8601)")
    parser.add_argument(
        "--new-salary", type=bounded(0, 10**9), default=95_000, help="salary to set (default 95000)"
    )
    parser.add_argument(
        "--drain-stream",
        action="store_true",
        help="read the stream from TRIM_HORIZON and run the stream processor handler on it",
    )
    parser.add_argument(
        "--create-table",
        action="store_true",
        help="local runs only (endpointUrl set): create missing tables from the default config",
    )
    parser.add_argument(
        "--retry-mode", choices=("standard", "adaptive"), default="standard", help="botocore"
    )
    parser.add_argument(
        "--max-attempts", type=bounded(1, 20), default=5, help="botocore attempts per call"
    )


@dataclass(frozen=True)
class TableTarget:
    """One table of the ``dynamo`` output."""

    key: str
    table_name: str
    stream_arn: str | None


def parse_targets(outputs: Outputs, only: str | None) -> tuple[str, str | None, list[TableTarget]]:
    """Region, endpoint URL and tables from the ``dynamo`` output, validated."""
    region = outputs.field("dynamo", "region")
    endpoint_url = outputs.field("dynamo", "endpointUrl", default=None)
    tables = outputs.field("dynamo", "tables", dict)
    if not tables:
        raise WorkloadError(f'{outputs.source}: "dynamo.tables" is empty')
    targets = []
    for key, value in tables.items():
        where = f"dynamo.tables.{key}"
        if not isinstance(value, dict):
            raise WorkloadError(f'{outputs.source}: malformed key "{where}" (expected an object)')
        name = value.get("tableName")
        if not isinstance(name, str) or not name:
            raise WorkloadError(f'{outputs.source}: missing key "{where}.tableName"')
        stream = value.get("streamArn")
        targets.append(
            TableTarget(key, name, stream if isinstance(stream, str) and stream else None)
        )
    if only is not None:
        targets = [t for t in targets if only in (t.key, t.table_name)]
        if not targets:
            raise WorkloadError(f"--table {only}: not in dynamo.tables ({', '.join(tables)})")
    return region, endpoint_url, targets


def _check_reachable(client: Any, target: TableTarget, endpoint: str) -> None:
    try:
        client.describe_table(TableName=target.table_name)
    except client.exceptions.ResourceNotFoundException:
        raise WorkloadError(
            f"table {target.table_name} does not exist at {endpoint}"
            " (local runs: add --create-table)"
        ) from None


def _sample(items: Iterable[dict[str, Any]], keep: int = 3) -> tuple[int, list[dict[str, Any]]]:
    count = 0
    sample: list[dict[str, Any]] = []
    for item in items:
        count += 1
        if len(sample) < keep:
            sample.append(
                {k: item.get(k) for k in ("userId", "firstName", "lastName", "department")}
            )
    return count, sample


def run_table(
    args: argparse.Namespace, client: Any, streams: Any, target: TableTarget
) -> dict[str, Any]:
    """Every step on one table; the result dict (``ok`` False when a check failed)."""
    table = target.table_name
    result: dict[str, Any] = {"table": table, "ok": True, "problems": []}
    stats = populate(
        client,
        table,
        args.users,
        seed=args.seed,
        workers=args.workers,
        show_progress=not args.json,
    )
    result["populate"] = {
        "items": stats.items,
        "requests": stats.requests,
        "resentItems": stats.resent_items,
        "seconds": round(stats.seconds, 3),
        "itemsPerSecond": round(stats.items_per_second, 1),
    }
    first = next(generate_users(args.seed, 1), None)
    uid = args.user_id or user_id(1)
    email = args.email or (first.email if first else "john.smith@company.com")

    user = get_user(client, table, uid)
    result["get"] = {"userId": uid, "found": user is not None, "item": user}
    ops: dict[str, Iterable[dict[str, Any]]] = {
        "queryEmail": query_by_email(client, table, email, args.page_size),
        "queryDepartment": query_by_department(
            client,
            table,
            args.department,
            created_from=args.created_from,
            created_to=args.created_to,
            page_size=args.page_size,
        ),
        "scanActive": scan_active(client, table, args.page_size),
        "scanHighSalary": scan_high_salary(client, table, page_size=args.page_size),
    }
    for name, items in ops.items():
        count, sample = _sample(items)
        result[name] = {"count": count, "sample": sample}
    result["queryEmail"]["email"] = email
    result["queryDepartment"]["department"] = args.department

    segments = parallel_scan(client, table, args.segments, args.page_size)
    keys = [k for seg in segments for k in seg]
    duplicates = len(keys) - len(set(keys))
    result["parallelScan"] = {
        "segments": [len(s) for s in segments],
        "items": len(keys),
        "duplicates": duplicates,
    }
    if duplicates:
        result["problems"].append(f"parallel scan saw {duplicates} items more than once")
    if len(keys) < args.users:
        result["problems"].append(f"parallel scan saw {len(keys)} items, fewer than written")

    update = update_salary(client, table, uid, args.new_salary)
    result["update"] = {
        "userId": update.user_id,
        "found": update.found,
        "oldSalary": update.old_salary,
        "newSalary": update.new_salary,
    }
    if args.users and not update.found:
        result["problems"].append(f"update: {uid} does not exist")

    if args.drain_stream:
        arn = stream_arn_of(client, table, target.stream_arn)
        if arn is None:
            result["problems"].append("--drain-stream: the table has no stream")
        else:
            report = drain_stream(streams, arn, keep_lines=False)
            result["stream"] = {
                "records": report.records,
                "events": dict(report.by_event),
                "statuses": dict(report.by_status),
                "batchItemFailures": report.failures,
            }
            if report.failures:
                result["problems"].append(f"stream processor reported {report.failures} failures")
    result["ok"] = not result["problems"]
    return result


def render(result: dict[str, Any]) -> str:
    """Text report: one block per table."""
    blocks = []
    for t in result["tables"]:
        pop = t["populate"]
        rows = [
            [
                "populate",
                f"{pop['items']} items, {pop['itemsPerSecond']:.0f}/s, "
                f"{pop['requests']} requests, {pop['resentItems']} re-sent",
            ],
            ["get", f"{t['get']['userId']}: {'found' if t['get']['found'] else 'not found'}"],
            ["query EmailIndex", f"{t['queryEmail']['email']}: {t['queryEmail']['count']}"],
            [
                "query DepartmentIndex",
                f"{t['queryDepartment']['department']}: {t['queryDepartment']['count']}",
            ],
            ["scan isActive", str(t["scanActive"]["count"])],
            [f"scan salary > {HIGH_SALARY:,}", str(t["scanHighSalary"]["count"])],
            [
                "parallel scan",
                f"{t['parallelScan']['items']} items in segments {t['parallelScan']['segments']},"
                f" {t['parallelScan']['duplicates']} duplicates",
            ],
            [
                "update salary",
                f"{t['update']['userId']}: {t['update']['oldSalary']} -> {t['update']['newSalary']}"
                if t["update"]["found"]
                else f"{t['update']['userId']}: not found",
            ],
        ]
        if "stream" in t:
            s = t["stream"]
            events = ", ".join(f"{n} {name}" for name, n in sorted(s["events"].items()))
            failures = s["batchItemFailures"]
            rows.append(["stream", f"{s['records']} records ({events}), {failures} failures"])
        status = "ok" if t["ok"] else "FAILED: " + "; ".join(t["problems"])
        blocks.append(f"table {t['table']}: {status}\n" + render_table(["step", "result"], rows))
    return "\n\n".join(blocks)


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    """The ``dynamo`` workload."""
    if args.created_from and args.created_to and args.created_from > args.created_to:
        raise WorkloadError("--created-from is after --created-to")
    region, endpoint_url, targets = parse_targets(outputs, args.table)
    endpoint = endpoint_url or f"DynamoDB in {region}"
    client, streams = make_clients(
        region, endpoint_url, args.workers + args.segments, args.retry_mode, args.max_attempts
    )
    results = []
    try:
        if args.create_table:
            if not endpoint_url:
                raise WorkloadError("--create-table is for local runs (dynamo.endpointUrl)")
            configs = default_table_configs()
            for target in targets:
                cfg = configs.get(target.key)
                if cfg is None:
                    raise WorkloadError(f"--create-table: no default config for table {target.key}")
                if ensure_table(client, create_table_kwargs(cfg, target.table_name)):
                    log.info("created table %s", target.table_name)
        for target in targets:
            _check_reachable(client, target, endpoint)
            results.append(run_table(args, client, streams, target))
    except botocore.exceptions.EndpointConnectionError:
        raise WorkloadError(f"cannot reach {endpoint}") from None
    except botocore.exceptions.NoCredentialsError:
        raise WorkloadError("no AWS credentials found (set AWS_PROFILE or run in AWS)") from None
    except botocore.exceptions.ClientError as exc:
        raise WorkloadError(f"DynamoDB: {one_line(exc)}") from None
    except UnprocessedItemsError as exc:
        raise WorkloadError(
            f"batch write gave up with {exc.remaining} items unprocessed", EXIT_CHECK_FAILED
        ) from None
    result = {"region": region, "tables": results, "ok": all(r["ok"] for r in results)}
    emit(result, args.json, render)
    return 0 if result["ok"] else EXIT_CHECK_FAILED
