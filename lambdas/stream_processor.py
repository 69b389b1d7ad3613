"""DynamoDB Streams processor: the Lambda handler ``stream_processor.handler``.

The DynamoTable component packages exactly this file as the Lambda's code, so it imports only the
standard library and boto3 (which the Lambda Python runtime provides) and nothing else from dbtier.
The ``dynamo`` workload imports it too and runs :func:`process_records` on records it drained from
the stream, so what a local run shows is what the Lambda does.

For every record of the batch the handler

* turns the DynamoDB JSON of ``Keys``, ``NewImage`` and ``OldImage`` into plain values with
  boto3's ``TypeDeserializer`` (numbers become ``int`` or ``float``, sets sorted lists, binary
  base64 text, so the result is JSON-serialisable);
* writes one structured JSON log line: ``INSERT`` with the new item, ``MODIFY`` with the changed
  attributes (old and new value of each), ``REMOVE`` with the removed item;
* skips an event id it has already processed (a replayed batch is not processed twice);
* answers with ``{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}, ...]}`` (the event
  source mapping has ``ReportBatchItemFailures``) naming the records it could not process.

On the first record it cannot process, it stops: stream records of one key must be applied in
order, so every later record is reported as not processed too. Lambda then retries from the lowest
reported sequence number; with bisect-on-error, bounded retries and the dead-letter queue of the
event source mapping, a record that can never be processed ends in the queue instead of blocking
the shard.

Idempotency store: by default an in-memory LRU of processed event ids. It lives as long as the
Lambda container (execution environment), so it catches the common replays (a batch retried after a
partial failure lands on the same warm container) but not a replay on a fresh container. Set
``IDEMPOTENCY_TABLE`` to the name of a DynamoDB table with a string hash key ``eventId`` (and TTL
on ``expiresAt``) to share the record across containers, or call :func:`set_store` with anything
that implements :class:`ProcessedStore`.

``LOG_LEVEL`` (Lambda's level names, INFO by default) sets how much the handler logs.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer

# Lambda's six application log levels (the function's LOG_LEVEL, set with its logging config) as
# Python's; an unknown or absent one means INFO. Python has no TRACE: it gets DEBUG (the finest
# level the handler writes), and Lambda's FATAL is Python's CRITICAL.
_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
}


def log_level(environ: Mapping[str, str] = os.environ) -> int:
    """The handler's log level from ``LOG_LEVEL`` (Lambda's names: TRACE, DEBUG, INFO, WARN,
    ERROR, FATAL)."""
    return _LEVELS.get(environ.get("LOG_LEVEL", "INFO").strip().upper(), logging.INFO)


LOG = logging.getLogger("stream_processor")
# Lambda's Python runtime installs a handler on the root logger but leaves it at WARNING, and
# the processed-record lines are INFO: the component sets LOG_LEVEL (INFO by default).
LOG.setLevel(log_level())

EVENT_NAMES = frozenset({"INSERT", "MODIFY", "REMOVE"})
DEFAULT_LRU_SIZE = 10_000
DEFAULT_TTL_SECONDS = 24 * 3600  # a stream keeps records for 24 hours; no replay is older

_DESERIALIZER = TypeDeserializer()


class RecordError(ValueError):
    """A stream record that cannot be processed (malformed or of an unknown kind)."""


class ProcessedStore(Protocol):
    """Remembers which event ids were processed. Implementations must be thread-safe."""

    def seen(self, event_id: str) -> bool:
        """True if ``event_id`` was already processed."""
        ...

    def add(self, event_id: str) -> None:
        """Record ``event_id`` as processed (called only after it was processed)."""
        ...


class LRUStore:
    """Processed event ids in memory, the least recently used dropped beyond ``maxsize``.

    Per process: in Lambda, per container. See the module docstring for what that covers.
    """

    def __init__(self, maxsize: int = DEFAULT_LRU_SIZE) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1 (got {maxsize})")
        self.maxsize = maxsize
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._ids:
                self._ids.move_to_end(event_id)
                return True
            return False

    def add(self, event_id: str) -> None:
        with self._lock:
            self._ids[event_id] = None
            self._ids.move_to_end(event_id)
            while len(self._ids) > self.maxsize:
                self._ids.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ids)


class DynamoDBStore:
    """Processed event ids in a DynamoDB table (hash key ``eventId``, TTL on ``expiresAt``).

    Shared by every container, so it also catches a replay on a fresh container.
    """

    def __init__(
        self, table_name: str, ttl_seconds: int = DEFAULT_TTL_SECONDS, client: Any = None
    ) -> None:
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds
        self._client = client or boto3.client("dynamodb")

    def seen(self, event_id: str) -> bool:
        response = self._client.get_item(
            TableName=self.table_name,
            Key={"eventId": {"S": event_id}},
            ConsistentRead=True,
            ProjectionExpression="eventId",
        )
        return "Item" in response

    def add(self, event_id: str) -> None:
        expires = int(time.time()) + self.ttl_seconds
        self._client.put_item(
            TableName=self.table_name,
            Item={"eventId": {"S": event_id}, "expiresAt": {"N": str(expires)}},
        )


_store: ProcessedStore | None = None
_store_lock = threading.Lock()


def set_store(store: ProcessedStore | None) -> None:
    """Replace the idempotency store (``None``: back to the default on next use)."""
    global _store  # noqa: PLW0603 -- one store per container, by design
    with _store_lock:
        _store = store


def get_store() -> ProcessedStore:
    """The container's idempotency store, created on first use (see the module docstring)."""
    global _store  # noqa: PLW0603 -- one store per container, by design
    with _store_lock:
        if _store is None:
            table = os.environ.get("IDEMPOTENCY_TABLE")
            _store = DynamoDBStore(table) if table else LRUStore()
        return _store


def to_plain(value: Any) -> Any:
    """A deserialized DynamoDB value made JSON-serialisable."""
    if isinstance(value, Decimal):
        # Integral numbers stay exact; others become floats, which is enough for a log line.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((to_plain(v) for v in value), key=lambda v: (str(type(v)), v))
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def deserialize_image(image: Any, field: str) -> dict[str, Any]:
    """DynamoDB JSON (``{"name": {"S": "x"}}``) to plain values; RecordError if malformed."""
    if not isinstance(image, Mapping):
        raise RecordError(f"dynamodb.{field} is not an object")
    try:
        return {str(k): to_plain(_DESERIALIZER.deserialize(v)) for k, v in image.items()}
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise RecordError(f"dynamodb.{field} is not valid DynamoDB JSON: {exc}") from exc


def changed_attributes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``{name: {"old": .., "new": ..}}`` for every attribute added, removed or changed."""
    return {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    }


def describe_record(record: Any) -> dict[str, Any]:
    """The log line for one stream record; RecordError if the record is malformed."""
    if not isinstance(record, Mapping):
        raise RecordError("record is not an object")
    event_id = record.get("eventID")
    if not isinstance(event_id, str) or not event_id:
        raise RecordError("record has no eventID")
    event_name = record.get("eventName")
    if event_name not in EVENT_NAMES:
        raise RecordError(f"unknown eventName {event_name!r}")
    data = record.get("dynamodb")
    if not isinstance(data, Mapping):
        raise RecordError("record has no dynamodb object")
    line: dict[str, Any] = {
        "eventID": event_id,
        "eventName": event_name,
        "sequenceNumber": data.get("SequenceNumber"),
        "table": table_from_arn(record.get("eventSourceARN")),
        "keys": deserialize_image(data.get("Keys"), "Keys"),
    }
    view = data.get("StreamViewType")
    if event_name == "INSERT":
        if "NewImage" in data:
            line["newImage"] = deserialize_image(data["NewImage"], "NewImage")
        elif view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            raise RecordError("INSERT record has no NewImage")
    elif event_name == "MODIFY":
        if "NewImage" in data and "OldImage" in data:
            old = deserialize_image(data["OldImage"], "OldImage")
            new = deserialize_image(data["NewImage"], "NewImage")
            line["changes"] = changed_attributes(old, new)
        elif view == "NEW_AND_OLD_IMAGES":
            raise RecordError("MODIFY record lacks NewImage or OldImage")
        elif "NewImage" in data:
            line["newImage"] = deserialize_image(data["NewImage"], "NewImage")
    elif "OldImage" in data:  # REMOVE
        line["oldImage"] = deserialize_image(data["OldImage"], "OldImage")
    elif view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        raise RecordError("REMOVE record has no OldImage")
    return line


def table_from_arn(arn: Any) -> str | None:
    """``arn:aws:dynamodb:r:a:table/Name/stream/ts`` -> ``Name``; None when absent or odd."""
    if not isinstance(arn, str) or ":table/" not in arn:
        return None
    return arn.split(":table/", 1)[1].split("/", 1)[0]


def _sequence_number(record: Any) -> str:
    if isinstance(record, Mapping):
        data = record.get("dynamodb")
        if isinstance(data, Mapping) and isinstance(data.get("SequenceNumber"), str):
            return data["SequenceNumber"]
    # Without a sequence number Lambda cannot checkpoint: an empty identifier makes it treat the
    # whole batch as failed, which is the safe answer for a record this broken.
    return ""


def _log_json(line: Mapping[str, Any]) -> None:
    LOG.info(json.dumps(line, sort_keys=True, default=str))


def process_records(
    records: Iterable[Any],
    store: ProcessedStore | None = None,
    emit: Callable[[dict[str, Any]], None] = _log_json,
) -> dict[str, list[dict[str, str]]]:
    """Process stream records in order; the partial batch response for Lambda.

    ``emit`` receives one dict per record (``status`` is ``processed``, ``duplicate``, ``failed``
    or ``skipped``); the Lambda handler logs each as one JSON line.
    """
    store = store if store is not None else get_store()
    failures: list[dict[str, str]] = []
    for record in records:
        if failures:
            # An earlier record failed: keep the per-key order by leaving the rest for the retry.
            failures.append({"itemIdentifier": _sequence_number(record)})
            emit({"status": "skipped", "sequenceNumber": _sequence_number(record)})
            continue
        try:
            line = describe_record(record)
        except RecordError as exc:
            failures.append({"itemIdentifier": _sequence_number(record)})
            emit(
                {"status": "failed", "sequenceNumber": _sequence_number(record), "error": str(exc)}
            )
            continue
        if store.seen(line["eventID"]):
            emit({"status": "duplicate", **line})
            continue
        emit({"status": "processed", **line})
        store.add(line["eventID"])
    return {"batchItemFailures": failures}


def handler(event: Mapping[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Lambda entry point for a DynamoDB Streams event source mapping."""
    del context  # unused; part of the Lambda signature
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        # Nothing identifiable to report; raising makes Lambda retry (then bisect, then the DLQ).
        raise RecordError("event has no Records list")
    return process_records(records)
