"""A DynamoDB table against its restored copy: every item of both read with a paginated scan
(strongly consistent on the source), keyed by the table's key, each item's fingerprint a hash of
its canonical JSON; the differing keys named the way migration-check names rows
(``migration_check.diff_rows``).

Items written after the restore point are left out on both sides when ``since`` names an
attribute holding the time they were written (ISO 8601 text, or epoch seconds as a number).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from workloads.migration_check import TableReport, diff_rows

Key = tuple[Any, ...]


def _items(client: Any, table: str, consistent: bool) -> Iterator[dict[str, Any]]:
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(TableName=table, ConsistentRead=consistent):
        yield from page.get("Items", [])


def _plain(value: dict[str, Any]) -> Any:
    """A key attribute as reports show it: its string, number or bytes (hex)."""
    (kind, inner), *_ = value.items()
    if kind == "N":
        number = float(inner)
        return int(number) if number.is_integer() else number
    if kind == "B":
        return bytes(inner).hex()
    return inner


def _fingerprint(item: dict[str, Any]) -> str:
    text = json.dumps(item, sort_keys=True, default=lambda b: bytes(b).hex())
    return hashlib.sha256(text.encode()).hexdigest()


def written_at(item: dict[str, Any], since: str) -> datetime | None:
    """When the item was written, from attribute ``since`` (None: no such attribute, or a value
    that is not a time)."""
    value = item.get(since)
    if not value:
        return None
    try:
        if "N" in value:
            return datetime.fromtimestamp(float(value["N"]), UTC)
        if "S" in value:
            found = datetime.fromisoformat(value["S"].replace("Z", "+00:00"))
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return None


def _read(
    client: Any, table: str, key: list[str], *, since: str | None, before: datetime, source: bool
) -> tuple[dict[Key, str], int]:
    """key -> fingerprint of every item kept, and how many were left out."""
    kept: dict[Key, str] = {}
    left_out = 0
    for item in _items(client, table, consistent=source):
        when = written_at(item, since) if since else None
        if when is not None and when > before:
            left_out += 1
            continue
        kept[tuple(_plain(item[k]) for k in key)] = _fingerprint(item)
    return kept, left_out


def compare_tables(
    client: Any,
    source: str,
    restored: str,
    *,
    since: str | None,
    before: datetime,
    max_ranges: int = 5,
) -> TableReport:
    """The source table against the restored one: counts, differing keys, items left out."""
    described = client.describe_table(TableName=source)["Table"]
    key = [part["AttributeName"] for part in described["KeySchema"]]
    s_items, left_out = _read(client, source, key, since=since, before=before, source=True)
    t_items, _ = _read(client, restored, key, since=since, before=before, source=False)
    ranges = diff_rows(s_items, t_items)
    return TableReport(
        source,
        "differs" if ranges else "match",
        ranges=ranges[:max_ranges],
        source_rows=len(s_items),
        target_rows=len(t_items),
        chunks=1,
        differing_chunks=1 if ranges else 0,
        chunking="scan",
        left_out=left_out if since else None,
    )
