"""Draining a table's stream through the stream processor's own code, as the Lambda would run it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdas import stream_processor
from workloads.common import chunked

STREAM_BATCH_SIZE = 100  # what the event source mapping hands the Lambda per invocation


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
