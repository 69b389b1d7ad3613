"""The comparison itself: tables chosen by pattern, the key cut into chunks (``plan``), per-chunk
counts and hashes computed on each side in parallel (``side``), and the differing keys found by
fetching only differing chunks, narrowed first when the key is an integer.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from workloads.migration_check.canonical import Column
from workloads.migration_check.catalog import Database
from workloads.migration_check.plan import (
    ARITHMETIC,
    BUCKETS,
    RowFilter,
    TablePlan,
    match_name,
    plan_table,
)
from workloads.migration_check.side import SOURCE, TARGET, Key, Row, Rows, Side

SUB_CHUNKS = 25
FETCH_WIDTH = 1_000
STREAM_BATCH = 16  # key-hash buckets fetched per scan when a column is streamed


@dataclass
class KeyRange:
    """Consecutive keys that differ the same way: missing in target, extra in target, changed."""

    kind: str
    first: Any  # a key value, or a list of values for a composite key
    last: Any
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "from": self.first, "to": self.last, "rows": self.rows}


@dataclass
class TableReport:
    """What the comparison found for one table."""

    table: str
    status: str  # match, differs, skipped, missing in target, only in target
    ranges: list[KeyRange] = field(default_factory=list)
    columns_missing_in_target: list[str] = field(default_factory=list)
    reason: str | None = None
    source_rows: int | None = None
    target_rows: int | None = None
    chunks: int | None = None
    differing_chunks: int | None = None
    chunking: str | None = None  # arithmetic, keyset or buckets
    streamed_columns: list[str] = field(default_factory=list)
    # With a row filter: the source rows it left out (written after its time).
    left_out: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table}
        if self.columns_missing_in_target:
            out["columnsMissingInTarget"] = self.columns_missing_in_target
        if self.chunks is None:
            out["status"] = self.status
            if self.reason is not None:
                out["reason"] = self.reason
            out["ranges"] = [r.to_json() for r in self.ranges]
            return out
        out |= {
            "sourceRows": self.source_rows,
            "targetRows": self.target_rows,
            "chunks": self.chunks,
            "chunking": self.chunking,
            "differingChunks": self.differing_chunks,
            "ranges": [r.to_json() for r in self.ranges],
            "status": self.status,
        }
        if self.streamed_columns:
            out["streamedColumns"] = self.streamed_columns
        if self.left_out is not None:
            out["leftOut"] = self.left_out
        return out


def _pattern(p: str) -> str:
    return p.replace("%", "*")


def select_tables(names: list[str], include: list[str], exclude: list[str]) -> list[str]:
    """Names matched by any include pattern (all when none) and by no exclude pattern."""
    chosen = []
    for name in names:
        if include and not any(fnmatch.fnmatchcase(name, _pattern(p)) for p in include):
            continue
        if any(fnmatch.fnmatchcase(name, _pattern(p)) for p in exclude):
            continue
        chosen.append(name)
    return chosen


def _sort_value(value: Any) -> Any:
    """A shown key value both engines' drivers agree on for ordering (a bool as an int)."""
    return int(value) if isinstance(value, bool) else value


def diff_rows(
    source_rows: Mapping[Key, Any],
    target_rows: Mapping[Key, Any],
    *,
    merge: bool = True,
) -> list[KeyRange]:
    """Differing keys in key order; with ``merge``, consecutive ones of the same kind as ranges.

    Values are fingerprints, or ``side.Row``s whose ``shown`` key is what the report names (the
    mapping's keys are then the canonical key texts both engines agree on).
    """

    def shown(key: Key) -> Key:
        row = source_rows.get(key, target_rows.get(key))
        return row.shown if isinstance(row, Row) else key

    def value(row: Any) -> Any:
        return row.fingerprint if isinstance(row, Row) else row

    keys = list(set(source_rows) | set(target_rows))
    try:
        keys.sort(key=lambda k: tuple(_sort_value(v) for v in shown(k)))
    except TypeError:  # values of different types on the two sides: the canonical texts
        keys.sort(key=lambda k: tuple(map(str, k)))
    ranges: list[KeyRange] = []
    current: KeyRange | None = None
    for key in keys:
        if key not in target_rows:
            kind = "missing in target"
        elif key not in source_rows:
            kind = "extra in target"
        elif value(source_rows[key]) != value(target_rows[key]):
            kind = "changed"
        else:
            current = None
            continue
        values = shown(key)
        display = list(values) if len(values) > 1 else values[0]
        if merge and current is not None and current.kind == kind:
            current.last = display
            current.rows += 1
        else:
            current = KeyRange(kind, display, display, 1)
            ranges.append(current)
    return ranges


def plan_chunks(
    source: Side, target: Side, arithmetic: bool, chunk_size: int
) -> tuple[list[tuple[Any, Any]], bool]:
    """Key ranges covering both sides, and whether upper bounds are inclusive.

    A single integer key is cut arithmetically ([low, low + width) ...) from both sides' min and
    max, so no side pays for a walk; any other key is cut at the source's keyset boundaries,
    with open ends so rows beyond the source's range still land in a chunk.
    """
    if arithmetic:
        lows, highs = [], []
        for side in (source, target):
            low, high = side.min_max()
            if low is not None:
                lows.append(int(low))
                highs.append(int(high))
        if not lows:
            return [], False
        low, high = min(lows), max(highs)
        span = high - low + 1
        # The server's estimate (no scan) sizes the chunks; none yet (never analysed): the span.
        estimate = source.estimate() or span
        pieces = max(1, math.ceil(estimate / chunk_size))
        width = max(1, math.ceil(span / pieces))
        chunks = [
            ((start,), (min(start + width, high + 1),)) for start in range(low, high + 1, width)
        ]
        return chunks, False
    bounds = source.boundaries(chunk_size)
    uppers: list[Any] = [*bounds, None]
    lowers: list[Any] = [None, *bounds]
    return list(zip(lowers, uppers, strict=True)), True


def _narrow(
    chunks: list[tuple[Any, Any]], source: Side, target: Side, arithmetic: bool, pool: Any
) -> Iterator[tuple[Any, Any]]:
    """Differing integer-key chunks cut into sub-chunks, keeping only those that differ, so that
    only about FETCH_WIDTH keys per difference are fetched row by row."""
    for lower, upper in chunks:
        if not arithmetic or upper[0] - lower[0] <= FETCH_WIDTH:
            yield lower, upper
            continue
        width = max(1, math.ceil((upper[0] - lower[0]) / SUB_CHUNKS))
        subs = [((a,), (min(a + width, upper[0]),)) for a in range(lower[0], upper[0], width)]
        s_sums = pool.submit(source.chunk_sums, subs, False)
        t_sums = pool.submit(target.chunk_sums, subs, False)
        differing = [
            c for c, a, b in zip(subs, s_sums.result(), t_sums.result(), strict=True) if a != b
        ]
        yield from _narrow(differing, source, target, arithmetic, pool)


def _merge_adjacent(pieces: Iterator[tuple[Any, Any]], most: int = 10) -> Iterator[tuple[Any, Any]]:
    """Join touching key ranges (up to ``most`` at a time) so that a run of differing rows
    across a chunk boundary is reported as one range."""
    current: list[Any] | None = None
    joined = 0
    for lower, upper in pieces:
        if current is not None and current[1] == lower and joined < most:
            current[1] = upper
            joined += 1
            continue
        if current is not None:
            yield current[0], current[1]
        current, joined = [lower, upper], 1
    if current is not None:
        yield current[0], current[1]


@dataclass(frozen=True)
class _Job:
    """One table's comparison: its plan, both sides, the chunk size, how many ranges to name,
    and the two threads the sides run on."""

    plan: TablePlan
    source: Side
    target: Side
    chunk_size: int
    max_ranges: int
    pool: ThreadPoolExecutor

    def both(self, call: str, *args: Any) -> Any:
        """The same method on both sides at once, each on its own connection."""
        s = self.pool.submit(getattr(self.source, call), *args)
        t = self.pool.submit(getattr(self.target, call), *args)
        return s.result(), t.result()


def _ranged(job: _Job) -> TableReport:
    """Arithmetic or keyset chunks: sums per key range, then the differing ranges' rows."""
    arithmetic = job.plan.strategy == ARITHMETIC
    chunks, inclusive = plan_chunks(job.source, job.target, arithmetic, job.chunk_size)
    s_sums, t_sums = job.both("chunk_sums", chunks, inclusive)
    differing = [chunk for chunk, s, t in zip(chunks, s_sums, t_sums, strict=True) if s != t]
    ranges: list[KeyRange] = []
    if job.plan.streamed:
        # A streamed column is in no SQL hash: every chunk's rows are compared in Python.
        differing = []
        for lower, upper in chunks:
            found = diff_rows(*job.both("rows", lower, upper, inclusive))
            differing += [(lower, upper)] if found else []
            ranges.extend(found)
    else:
        pieces = _merge_adjacent(_narrow(differing, job.source, job.target, arithmetic, job.pool))
        for lower, upper in pieces:
            if len(ranges) >= job.max_ranges:
                break
            ranges.extend(diff_rows(*job.both("rows", lower, upper, inclusive)))
    return _report(
        job.plan,
        ranges=ranges[: job.max_ranges],
        sums=(s_sums, t_sums),
        chunks=len(chunks),
        differing=len(differing),
    )


def _bucketed(job: _Job) -> TableReport:
    """Key-hash buckets: one grouped scan per side, then one scan for the differing buckets."""
    # The servers' estimates size the buckets; a table never analysed yet has none: count it.
    estimate = max(*job.both("estimate")) or job.source.count()
    buckets = max(1, math.ceil(estimate / job.chunk_size))
    s_sums, t_sums = job.both("bucket_sums", buckets)
    differing = sorted(b for b in set(s_sums) | set(t_sums) if s_sums.get(b) != t_sums.get(b))
    ranges: list[KeyRange] = []
    if job.plan.streamed:
        wanted = sorted(set(s_sums) | set(t_sums))
        differing = []
        for at in range(0, len(wanted), STREAM_BATCH):
            batch = wanted[at : at + STREAM_BATCH]
            s_rows, t_rows = job.both("rows_in_buckets", buckets, batch)
            found = _differing_keys(s_rows, t_rows)
            differing += sorted({(s_rows.get(k) or t_rows[k]).bucket for k in found})
            ranges.extend(diff_rows(s_rows, t_rows, merge=False))
    elif differing:
        batch = differing[: job.max_ranges]
        s_rows, t_rows = job.both("rows_in_buckets", buckets, batch)
        ranges = diff_rows(s_rows, t_rows, merge=False)
    return _report(
        job.plan,
        ranges=ranges[: job.max_ranges],
        sums=(list(s_sums.values()), list(t_sums.values())),
        chunks=buckets,
        differing=len(differing),
    )


def _differing_keys(s_rows: Rows, t_rows: Rows) -> list[Key]:
    return [
        k
        for k in set(s_rows) | set(t_rows)
        if k not in s_rows or k not in t_rows or s_rows[k].fingerprint != t_rows[k].fingerprint
    ]


def _report(
    plan: TablePlan,
    *,
    ranges: list[KeyRange],
    sums: tuple[list[Key], list[Key]],
    chunks: int,
    differing: int,
) -> TableReport:
    s_sums, t_sums = sums
    return TableReport(
        plan.table,
        "differs" if differing or plan.missing else "match",
        ranges=ranges,
        columns_missing_in_target=plan.missing,
        source_rows=sum(c for c, _ in s_sums),
        target_rows=sum(c for c, _ in t_sums),
        chunks=chunks,
        differing_chunks=differing,
        chunking=plan.strategy,
        streamed_columns=[p.source.name for p in plan.streamed],
    )


LATE_KEYS = 10_000  # rows written after a filter's time left out by key, at most


def _leave_out_late_rows(
    source: Side,
    target: Side,
    row_filter: RowFilter,
    s_columns: list[Column],
    t_columns: list[Column],
) -> None:
    """Leave out, on both sides, the rows the source wrote after the filter's time.

    By key: the source's rows whose time column is after it, and the target's rows of the same
    keys, so that a row the source updated later is left out of both (the target holds its
    earlier version). Beyond ``LATE_KEYS`` such rows, by the column on each side instead."""
    column = row_filter.column_for(source.name, [c.name for c in s_columns])
    if column is None:
        return
    late = source.late_keys(column, row_filter, LATE_KEYS)
    source.not_after(column, row_filter)
    if late is not None:
        target.without(late)
        return
    t_column = row_filter.column_for(target.name, [c.name for c in t_columns])
    if t_column is not None:
        target.not_after(t_column, row_filter)


def compare_table(
    *,
    source_db: Database,
    target_db: Database,
    table: str,
    target_tables: list[str],
    chunk_size: int,
    max_ranges: int,
    pool: ThreadPoolExecutor,
    row_filter: RowFilter | None = None,
) -> TableReport:
    """Compare one table of the source with the target: counts, checksums, differing ranges;
    with ``row_filter``, without the rows the source wrote after its time (when the source's
    table has its column)."""
    target_table = match_name(table, target_tables)
    if target_table is None:
        return TableReport(table, "missing in target")
    s_shape = source_db.shape(table)
    t_shape = target_db.shape(target_table)
    plan = plan_table(
        table,
        target_table,
        (source_db.family, s_shape.columns, s_shape.key),
        (target_db.family, t_shape.columns),
    )
    if not s_shape.key or isinstance(plan, str):
        missing = [] if isinstance(plan, str) else plan.missing
        reason = plan if isinstance(plan, str) else "no primary key: cannot chunk"
        return TableReport(table, "skipped", columns_missing_in_target=missing, reason=reason)
    source = Side(source_db, plan, SOURCE)
    target = Side(target_db, plan, TARGET)
    if row_filter is not None:
        _leave_out_late_rows(source, target, row_filter, s_shape.columns, t_shape.columns)
    job = _Job(plan, source, target, chunk_size, max_ranges, pool)
    report = _bucketed(job) if plan.strategy == BUCKETS else _ranged(job)
    report.left_out = source.left_out()
    return report
