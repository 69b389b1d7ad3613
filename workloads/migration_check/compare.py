"""The comparison itself: tables chosen by pattern, primary-key chunks, per-chunk checksums on
each side in parallel, and the differing key ranges found by fetching only differing chunks.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from workloads.sql.mysqldb import mysql_ident

INTEGER_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}


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
            "differingChunks": self.differing_chunks,
            "ranges": [r.to_json() for r in self.ranges],
            "status": self.status,
        }
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


def list_tables(conn: Any) -> list[str]:
    cur = conn.cursor()
    cur.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    names = [str(r[0]) for r in cur.fetchall()]
    cur.close()
    return names


def table_shape(conn: Any, table: str) -> tuple[list[tuple[str, str]], list[str], set[str]]:
    """(columns with data types in order, primary key columns in order, nullable columns)."""
    cur = conn.cursor()
    cur.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position",
        (table,),
    )
    rows = cur.fetchall()
    columns = [(str(r[0]), str(r[1]).lower()) for r in rows]
    nullable = {str(r[0]) for r in rows if str(r[2]).upper() == "YES"}
    cur.execute(
        "SELECT column_name FROM information_schema.key_column_usage "
        "WHERE table_schema = DATABASE() AND table_name = %s AND constraint_name = 'PRIMARY' "
        "ORDER BY ordinal_position",
        (table,),
    )
    key = [str(r[0]) for r in cur.fetchall()]
    cur.close()
    return columns, key, nullable


def row_hash_sql(columns: list[str], nullable: set[str] | None = None) -> str:
    """CRC32 of the row: values joined with '#', plus a NULL map of the nullable columns so
    that NULL differs from '' and a NULL cannot shift to another column unnoticed."""
    quoted = [mysql_ident(c) for c in columns]
    maybe_null = [mysql_ident(c) for c in columns if nullable is None or c in nullable]
    parts = list(quoted)
    if maybe_null:
        parts.append(f"CONCAT({', '.join(f'ISNULL({q})' for q in maybe_null)})")
    return f"CRC32(CONCAT_WS('#', {', '.join(parts)}))"


class Side:
    """One end of the comparison: a connection and the SQL for one table."""

    def __init__(
        self, conn: Any, table: str, columns: list[str], key: list[str], nullable: set[str]
    ) -> None:
        self.conn = conn
        self.name = table
        self.table = mysql_ident(table)
        self.key = [mysql_ident(k) for k in key]
        self.hash = row_hash_sql(columns, nullable)

    def _where(
        self, lower: tuple[Any, ...] | None, upper: tuple[Any, ...] | None, inclusive_upper: bool
    ) -> tuple[str, list[Any]]:
        """A primary-key range condition: (lower, upper] or [lower, upper) by row comparison."""
        parts: list[str] = []
        params: list[Any] = []
        key = f"({', '.join(self.key)})"
        marks = f"({', '.join(['%s'] * len(self.key))})"
        if lower is not None:
            parts.append(f"{key} {'>' if inclusive_upper else '>='} {marks}")
            params.extend(lower)
        if upper is not None:
            parts.append(f"{key} {'<=' if inclusive_upper else '<'} {marks}")
            params.extend(upper)
        return (" AND ".join(parts) or "TRUE"), params

    def chunk_sums(
        self, chunks: list[tuple[Any, Any]], inclusive_upper: bool
    ) -> list[tuple[int, int]]:
        """(row count, BIT_XOR of row hashes) for each key range."""
        cur = self.conn.cursor()
        sums = []
        for lower, upper in chunks:
            where, params = self._where(lower, upper, inclusive_upper)
            cur.execute(
                f"SELECT COUNT(*), COALESCE(BIT_XOR({self.hash}), 0) FROM {self.table} WHERE {where}",
                params,
            )
            count, digest = cur.fetchone()
            sums.append((int(count), int(digest)))
        cur.close()
        return sums

    def rows(self, lower: Any, upper: Any, inclusive_upper: bool) -> dict[tuple[Any, ...], int]:
        """key -> row hash for one key range (a differing chunk)."""
        where, params = self._where(lower, upper, inclusive_upper)
        cur = self.conn.cursor()
        cur.execute(
            f"SELECT {', '.join(self.key)}, {self.hash} FROM {self.table} WHERE {where}", params
        )
        out = {tuple(r[:-1]): int(r[-1]) for r in cur.fetchall()}
        cur.close()
        return out

    def min_max_estimate(self) -> tuple[Any, Any, int]:
        """MIN and MAX of the key (index lookups) and the server's row estimate (no scan)."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT MIN({self.key[0]}), MAX({self.key[0]}) FROM {self.table}")
        low, high = cur.fetchone()
        cur.execute(
            "SELECT COALESCE(table_rows, 0) FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_name = %s",
            (self.name,),
        )
        (estimate,) = cur.fetchone()
        cur.close()
        return low, high, int(estimate)

    def boundaries(self, chunk_size: int) -> list[tuple[Any, ...]]:
        """Upper keys of successive chunks of ``chunk_size`` rows (keyset walk of the PK)."""
        cur = self.conn.cursor()
        found: list[tuple[Any, ...]] = []
        order = ", ".join(self.key)
        while True:
            where, params = self._where(found[-1] if found else None, None, True)
            cur.execute(
                f"SELECT {order} FROM {self.table} WHERE {where} ORDER BY {order} "
                "LIMIT 1 OFFSET %s",
                [*params, chunk_size - 1],
            )
            row = cur.fetchone()
            if row is None:
                break
            found.append(tuple(row))
        cur.close()
        return found


def plan_chunks(
    source: Side, target: Side, int_key: bool, chunk_size: int
) -> tuple[list[tuple[Any, Any]], bool]:
    """Key ranges covering both sides, and whether upper bounds are inclusive.

    A single integer key is cut arithmetically ([low, low + width) ...) from both sides' min and
    max, so no side pays for a walk; any other key is cut at the source's keyset boundaries,
    with open ends so rows beyond the source's range still land in a chunk.
    """
    if int_key:
        s_low, s_high, s_count = source.min_max_estimate()
        t_low, t_high, _ = target.min_max_estimate()
        lows = [v for v in (s_low, t_low) if v is not None]
        highs = [v for v in (s_high, t_high) if v is not None]
        if not lows:
            return [], False
        low, high = int(min(lows)), int(max(highs))
        span = high - low + 1
        pieces = max(1, math.ceil(max(s_count, 1) / chunk_size))
        width = max(1, math.ceil(span / pieces))
        chunks = [
            ((start,), (min(start + width, high + 1),)) for start in range(low, high + 1, width)
        ]
        return chunks, False
    bounds = source.boundaries(chunk_size)
    uppers: list[Any] = [*bounds, None]
    lowers: list[Any] = [None, *bounds]
    return list(zip(lowers, uppers, strict=True)), True


def diff_rows(
    source_rows: dict[tuple[Any, ...], int], target_rows: dict[tuple[Any, ...], int]
) -> list[KeyRange]:
    """Consecutive differing keys of the same kind, merged into ranges, in key order."""
    ranges: list[KeyRange] = []
    current: KeyRange | None = None
    for key in sorted(set(source_rows) | set(target_rows)):
        if key not in target_rows:
            kind = "missing in target"
        elif key not in source_rows:
            kind = "extra in target"
        elif source_rows[key] != target_rows[key]:
            kind = "changed"
        else:
            current = None
            continue
        shown = list(key) if len(key) > 1 else key[0]
        if current is not None and current.kind == kind:
            current.last = shown
            current.rows += 1
        else:
            current = KeyRange(kind, shown, shown, 1)
            ranges.append(current)
    return ranges


SUB_CHUNKS = 25
FETCH_WIDTH = 1_000


def _narrow(
    chunks: list[tuple[Any, Any]], source: Side, target: Side, int_key: bool, pool: Any
) -> Iterator[tuple[Any, Any]]:
    """Differing integer-key chunks cut into sub-chunks, keeping only those that differ, so that
    only about FETCH_WIDTH keys per difference are fetched row by row."""
    for lower, upper in chunks:
        if not int_key or upper[0] - lower[0] <= FETCH_WIDTH:
            yield lower, upper
            continue
        width = max(1, math.ceil((upper[0] - lower[0]) / SUB_CHUNKS))
        subs = [((a,), (min(a + width, upper[0]),)) for a in range(lower[0], upper[0], width)]
        s_sums = pool.submit(source.chunk_sums, subs, False)
        t_sums = pool.submit(target.chunk_sums, subs, False)
        differing = [
            c for c, a, b in zip(subs, s_sums.result(), t_sums.result(), strict=True) if a != b
        ]
        yield from _narrow(differing, source, target, int_key, pool)


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


def compare_table(
    *,
    source_conn: Any,
    target_conn: Any,
    table: str,
    target_tables: set[str],
    chunk_size: int,
    max_ranges: int,
    pool: ThreadPoolExecutor,
) -> TableReport:
    """Compare one table of the source with the target: counts, checksums, differing ranges."""
    if table not in target_tables:
        return TableReport(table, "missing in target")
    s_columns, key, s_nullable = table_shape(source_conn, table)
    t_columns, _, t_nullable = table_shape(target_conn, table)
    t_names = {c for c, _ in t_columns}
    common = [c for c, _ in s_columns if c in t_names]
    missing_columns = [c for c, _ in s_columns if c not in t_names]
    if not key:
        return TableReport(
            table,
            "skipped",
            columns_missing_in_target=missing_columns,
            reason="no primary key: cannot chunk",
        )
    # Both sides must hash alike: a column nullable on either side gets a NULL flag on both.
    nullable = s_nullable | t_nullable
    source = Side(source_conn, table, common, key, nullable)
    target = Side(target_conn, table, common, key, nullable)
    int_key = len(key) == 1 and dict(s_columns)[key[0]] in INTEGER_TYPES
    chunks, inclusive = plan_chunks(source, target, int_key, chunk_size)
    s_future = pool.submit(source.chunk_sums, chunks, inclusive)
    t_future = pool.submit(target.chunk_sums, chunks, inclusive)
    s_sums, t_sums = s_future.result(), t_future.result()
    differing = [chunk for chunk, s, t in zip(chunks, s_sums, t_sums, strict=True) if s != t]
    ranges: list[KeyRange] = []
    for lower, upper in _merge_adjacent(_narrow(differing, source, target, int_key, pool)):
        if len(ranges) >= max_ranges:
            break
        s_rows = pool.submit(source.rows, lower, upper, inclusive)
        t_rows = pool.submit(target.rows, lower, upper, inclusive)
        ranges.extend(diff_rows(s_rows.result(), t_rows.result()))
    differs = bool(differing) or bool(missing_columns)
    return TableReport(
        table,
        "differs" if differs else "match",
        ranges=ranges[:max_ranges],
        columns_missing_in_target=missing_columns,
        source_rows=sum(c for c, _ in s_sums),
        target_rows=sum(c for c, _ in t_sums),
        chunks=len(chunks),
        differing_chunks=len(differing),
    )
