"""The stream processor Lambda handler, fed records in the real DynamoDB Streams event shape."""

from __future__ import annotations

import ast
import json
import logging
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from moto import mock_aws

from lambdas import stream_processor as sp

STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfiles/stream/2026-11-25T00:00:00.000"
)
_SER = TypeSerializer()


def ddb(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _SER.serialize(v) for k, v in item.items()}


def record(
    event_name: str,
    seq: int,
    *,
    keys: dict[str, Any],
    new: dict[str, Any] | None = None,
    old: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One record exactly as Lambda delivers it from a NEW_AND_OLD_IMAGES stream."""
    data: dict[str, Any] = {
        "ApproximateCreationDateTime": 1764028800.0,
        "Keys": ddb(keys),
        "SequenceNumber": f"{seq:021d}",
        "SizeBytes": 123,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        data["NewImage"] = ddb(new)
    if old is not None:
        data["OldImage"] = ddb(old)
    return {
        "eventID": event_id or f"evt-{seq}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": data,
        "eventSourceARN": STREAM_ARN,
    }


USER = {
    "userId": "user_0001",
    "email": "jane.smith@company.com",
    "salary": Decimal(95000),
    "isActive": True,
    "skills": ["AWS", "Python"],
    "tags": {"a", "b"},
    "rating": Decimal("4.5"),
    "avatar": b"\x00\x01",
}


@pytest.fixture
def store() -> sp.LRUStore:
    return sp.LRUStore()


@pytest.fixture
def lines() -> list[dict[str, Any]]:
    return []


def run(records: list[dict[str, Any]], store: sp.LRUStore, lines: list[dict[str, Any]]) -> Any:
    return sp.process_records(records, store=store, emit=lines.append)


def test_insert_modify_remove_are_processed_with_plain_values(store, lines):
    updated = {**USER, "salary": Decimal(105000), "lastUpdated": "2026-11-25T00:00:00"}
    records = [
        record("INSERT", 1, keys={"userId": "user_0001"}, new=USER),
        record("MODIFY", 2, keys={"userId": "user_0001"}, new=updated, old=USER),
        record("REMOVE", 3, keys={"userId": "user_0001"}, old=updated),
    ]
    assert run(records, store, lines) == {"batchItemFailures": []}
    assert [(line["status"], line["eventName"]) for line in lines] == [
        ("processed", "INSERT"),
        ("processed", "MODIFY"),
        ("processed", "REMOVE"),
    ]
    insert, modify, remove = lines
    assert insert["table"] == "UserProfiles"
    assert insert["keys"] == {"userId": "user_0001"}
    assert insert["sequenceNumber"] == f"{1:021d}"
    assert insert["newImage"] == {
        "userId": "user_0001",
        "email": "jane.smith@company.com",
        "salary": 95000,
        "isActive": True,
        "skills": ["AWS", "Python"],
        "tags": ["a", "b"],
        "rating": 4.5,
        "avatar": "AAE=",
    }
    assert isinstance(insert["newImage"]["salary"], int)
    assert modify["changes"] == {
        "salary": {"old": 95000, "new": 105000},
        "lastUpdated": {"old": None, "new": "2026-11-25T00:00:00"},
    }
    assert remove["oldImage"]["salary"] == 105000
    for line in lines:
        json.dumps(line)  # every line is serialisable as is


def test_handler_logs_one_json_line_per_record(caplog, store):
    sp.set_store(store)
    try:
        event = {
            "Records": [
                record("INSERT", 1, keys={"userId": "u1"}, new={"userId": "u1"}),
                record("REMOVE", 2, keys={"userId": "u1"}, old={"userId": "u1"}),
            ]
        }
        with caplog.at_level(logging.INFO, logger="stream_processor"):
            assert sp.handler(event, None) == {"batchItemFailures": []}
    finally:
        sp.set_store(None)
    messages = [r.getMessage() for r in caplog.records if r.name == "stream_processor"]
    assert len(messages) == 2
    assert [json.loads(m)["eventName"] for m in messages] == ["INSERT", "REMOVE"]


def test_malformed_record_is_reported_and_later_records_left_for_retry(store, lines):
    bad = record("INSERT", 2, keys={"userId": "u2"}, new={"userId": "u2"})
    bad["dynamodb"]["NewImage"] = {"userId": {"Q": "not a type"}}
    records = [
        record("INSERT", 1, keys={"userId": "u1"}, new={"userId": "u1"}),
        bad,
        record("INSERT", 3, keys={"userId": "u3"}, new={"userId": "u3"}),
    ]
    result = run(records, store, lines)
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": f"{2:021d}"},
            {"itemIdentifier": f"{3:021d}"},
        ]
    }
    assert [line["status"] for line in lines] == ["processed", "failed", "skipped"]
    assert "NewImage" in lines[1]["error"]
    # Only the processed record counts as done: the retry processes the other two.
    assert store.seen("evt-1")
    assert not store.seen("evt-2")
    assert not store.seen("evt-3")


@pytest.mark.parametrize(
    ("mutate", "message", "identifier"),
    [
        (lambda r: r.pop("eventID"), "eventID", f"{7:021d}"),
        (lambda r: r.update(eventName="TRUNCATE"), "eventName", f"{7:021d}"),
        (lambda r: r["dynamodb"].pop("Keys"), "Keys", f"{7:021d}"),
        (lambda r: r["dynamodb"].pop("OldImage"), "OldImage", f"{7:021d}"),
        # No sequence number to name: an empty identifier makes Lambda retry the whole batch.
        (lambda r: r.pop("dynamodb"), "dynamodb", ""),
    ],
)
def test_each_kind_of_malformed_record_is_a_failure_not_a_crash(
    store, lines, mutate, message, identifier
):
    rec = record("MODIFY", 7, keys={"userId": "u"}, new={"userId": "u"}, old={"userId": "u"})
    mutate(rec)
    assert run([rec], store, lines) == {"batchItemFailures": [{"itemIdentifier": identifier}]}
    assert message in lines[0]["error"]


def test_replayed_event_is_not_processed_twice(store, lines):
    batch = [
        record("INSERT", 1, keys={"userId": "u1"}, new={"userId": "u1"}),
        record(
            "MODIFY", 2, keys={"userId": "u1"}, new={"userId": "u1", "n": 1}, old={"userId": "u1"}
        ),
    ]
    assert run(batch, store, lines) == {"batchItemFailures": []}
    # Lambda delivers the same batch again (e.g. after a timeout): nothing is processed again.
    assert run(batch, store, lines) == {"batchItemFailures": []}
    assert [line["status"] for line in lines] == [
        "processed",
        "processed",
        "duplicate",
        "duplicate",
    ]


def test_retry_after_partial_failure_processes_only_the_rest(store, lines):
    good = record("INSERT", 1, keys={"userId": "u1"}, new={"userId": "u1"})
    fixed = record("INSERT", 2, keys={"userId": "u2"}, new={"userId": "u2"})
    broken = json.loads(json.dumps(fixed))
    broken["dynamodb"]["NewImage"] = "garbage"
    assert run([good, broken], store, lines)["batchItemFailures"] == [
        {"itemIdentifier": f"{2:021d}"}
    ]
    lines.clear()
    assert run([good, fixed], store, lines) == {"batchItemFailures": []}
    assert [line["status"] for line in lines] == ["duplicate", "processed"]


def test_lru_store_forgets_the_least_recently_used():
    store = sp.LRUStore(maxsize=2)
    store.add("a")
    store.add("b")
    assert store.seen("a")  # touches a: b is now the oldest
    store.add("c")
    assert store.seen("a")
    assert store.seen("c")
    assert not store.seen("b")
    assert len(store) == 2


def test_handler_rejects_an_event_without_records():
    with pytest.raises(sp.RecordError):
        sp.handler({"nope": 1}, None)


def test_default_store_is_per_container_lru(monkeypatch):
    monkeypatch.delenv("IDEMPOTENCY_TABLE", raising=False)
    sp.set_store(None)
    try:
        assert isinstance(sp.get_store(), sp.LRUStore)
        assert sp.get_store() is sp.get_store()
    finally:
        sp.set_store(None)


def test_dynamodb_store_shares_processed_ids():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="processed",
            KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        first = sp.DynamoDBStore("processed", client=client)
        second = sp.DynamoDBStore("processed", client=client)  # another container
        assert not first.seen("evt-1")
        first.add("evt-1")
        assert second.seen("evt-1")


def test_module_imports_only_stdlib_and_boto3():
    """The component ships this one file as the Lambda's code: nothing else may be imported."""
    source = Path(sp.__file__).read_text()
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            roots.add((node.module or "").split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore"}
    assert roots <= allowed, roots - allowed
