"""``dynamo``: the seed's DynamoDB practice (UserProfiles) as a repeatable check.

For every table of the ``dynamo`` stack output it populates N generated users (deterministic by
seed; ``workloads.dynamo.populate``) with concurrent ``BatchWriteItem`` calls that retry
``UnprocessedItems`` with backoff, runs the seed's reads (get by key, EmailIndex and
DepartmentIndex queries, filtered scans) with every call paginated, a parallel scan by segments
that must see each item exactly once, and a conditional salary update; optionally it drains the
table's stream from TRIM_HORIZON and runs the stream processor's handler code on the records,
exactly as the Lambda would (``workloads.dynamo.stream``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

from workloads.dynamo.data import generate_users, user_id
from workloads.dynamo.populate import (
    PopulateStats,
    UnprocessedItemsError,
    populate,
    write_batch,
)
from workloads.dynamo.reads import (
    USER_HASH_KEY,
    get_user,
    paginate,
    parallel_scan,
    plain,
    query_by_department,
    query_by_email,
    scan_active,
    scan_high_salary,
)
from workloads.dynamo.stream import StreamReport, drain_stream, stream_arn_of

__all__ = [
    "PopulateStats",
    "SalaryUpdate",
    "StreamReport",
    "TableResult",
    "UnprocessedItemsError",
    "drain_stream",
    "ensure_table",
    "get_user",
    "make_clients",
    "make_probe",
    "paginate",
    "parallel_scan",
    "populate",
    "query_by_department",
    "query_by_email",
    "run_table",
    "scan_active",
    "scan_high_salary",
    "stream_arn_of",
    "update_salary",
    "write_batch",
]

log = logging.getLogger("workloads.dynamo")

MAX_USERS = 1_000_000


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


def make_probe(region: str, endpoint_url: str | None, timeout: float = 5.0) -> Any:
    """A DynamoDB client that fails fast (two attempts, short timeouts) for the first call.

    An endpoint that refuses connections would otherwise take the full backoff of every
    attempt (15 s and more in standard mode) before it is reported unreachable.
    """
    config = client_config(1, "standard", 2, timeout=timeout)
    return make_session(region, endpoint_url).client(
        "dynamodb", endpoint_url=endpoint_url, config=config
    )


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


@dataclass(frozen=True)
class ReadCheck:
    """How many items a query or scan returned, and the first few."""

    count: int
    sample: list[dict[str, Any]]


@dataclass(frozen=True)
class CheckSettings:
    """What one table run does: how many users, which keys and values, how concurrently."""

    users: int = 50
    seed: int = 42
    workers: int = 16
    segments: int = 4
    page_size: int | None = None
    user_id: str | None = None  # default: user 1
    email: str | None = None  # default: user 1's email
    department: str = "Engineering"
    created_from: str | None = None
    created_to: str | None = None
    new_salary: int = 95_000
    drain_stream: bool = False


@dataclass
class TableResult:
    """Every step on one table; ``problems`` lists the checks that failed."""

    table: str
    populate: PopulateStats
    user_id: str
    user: dict[str, Any] | None
    email: str
    department: str
    reads: dict[str, ReadCheck]  # queryEmail, queryDepartment, scanActive, scanHighSalary
    segments: list[int]
    scanned: int
    duplicates: int
    update: SalaryUpdate
    stream: StreamReport | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        stats = self.populate
        out: dict[str, Any] = {
            "table": self.table,
            "ok": self.ok,
            "problems": self.problems,
            "populate": {
                "items": stats.items,
                "requests": stats.requests,
                "resentItems": stats.resent_items,
                "seconds": round(stats.seconds, 3),
                "itemsPerSecond": round(stats.items_per_second, 1),
            },
            "get": {"userId": self.user_id, "found": self.user is not None, "item": self.user},
        }
        for name, check in self.reads.items():
            out[name] = {"count": check.count, "sample": check.sample}
        out["queryEmail"]["email"] = self.email
        out["queryDepartment"]["department"] = self.department
        out["parallelScan"] = {
            "segments": self.segments,
            "items": self.scanned,
            "duplicates": self.duplicates,
        }
        out["update"] = {
            "userId": self.update.user_id,
            "found": self.update.found,
            "oldSalary": self.update.old_salary,
            "newSalary": self.update.new_salary,
        }
        if self.stream is not None:
            out["stream"] = {
                "records": self.stream.records,
                "events": dict(self.stream.by_event),
                "statuses": dict(self.stream.by_status),
                "batchItemFailures": self.stream.failures,
            }
        return out


def _sample(items: Iterable[dict[str, Any]], keep: int = 3) -> ReadCheck:
    count = 0
    sample: list[dict[str, Any]] = []
    for item in items:
        count += 1
        if len(sample) < keep:
            sample.append(
                {k: item.get(k) for k in ("userId", "firstName", "lastName", "department")}
            )
    return ReadCheck(count, sample)


def run_table(
    client: Any,
    streams: Any,
    table: str,
    settings: CheckSettings,
    *,
    stream_arn: str | None = None,
    show_progress: bool = False,
) -> TableResult:
    """Every step on one table: populate, reads, parallel scan, update, optionally the stream."""
    stats = populate(
        client,
        table,
        settings.users,
        seed=settings.seed,
        workers=settings.workers,
        show_progress=show_progress,
    )
    first = next(generate_users(settings.seed, 1), None)
    uid = settings.user_id or user_id(1)
    email = settings.email or (first.email if first else "john.smith@company.com")
    page_size = settings.page_size

    user = get_user(client, table, uid)
    reads: dict[str, Iterable[dict[str, Any]]] = {
        "queryEmail": query_by_email(client, table, email, page_size),
        "queryDepartment": query_by_department(
            client,
            table,
            settings.department,
            created_from=settings.created_from,
            created_to=settings.created_to,
            page_size=page_size,
        ),
        "scanActive": scan_active(client, table, page_size),
        "scanHighSalary": scan_high_salary(client, table, page_size=page_size),
    }
    checks = {name: _sample(items) for name, items in reads.items()}

    segments = parallel_scan(client, table, settings.segments, page_size)
    keys = [k for seg in segments for k in seg]
    duplicates = len(keys) - len(set(keys))
    problems: list[str] = []
    if duplicates:
        problems.append(f"parallel scan saw {duplicates} items more than once")
    if len(keys) < settings.users:
        problems.append(f"parallel scan saw {len(keys)} items, fewer than written")

    update = update_salary(client, table, uid, settings.new_salary)
    if settings.users and not update.found:
        problems.append(f"update: {uid} does not exist")

    report = None
    if settings.drain_stream:
        arn = stream_arn_of(client, table, stream_arn)
        if arn is None:
            problems.append("--drain-stream: the table has no stream")
        else:
            report = drain_stream(streams, arn, keep_lines=False)
            if report.failures:
                problems.append(f"stream processor reported {report.failures} failures")
    return TableResult(
        table=table,
        populate=stats,
        user_id=uid,
        user=user,
        email=email,
        department=settings.department,
        reads=checks,
        segments=[len(s) for s in segments],
        scanned=len(keys),
        duplicates=duplicates,
        update=update,
        stream=report,
        problems=problems,
    )
