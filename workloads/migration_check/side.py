"""One table on one side of the comparison: the SQL that counts and hashes its rows in the
database (per key range or per key-hash bucket), and the row fetch for the few ranges that differ.

Everything heavy runs in the database: ``COUNT(*)`` and the ``SUM`` of the rows' 60-bit hashes
(the ``BIT_XOR`` of their CRC32s between MySQLs) per chunk, an index range scan each. Rows come to
Python only for differing chunks: the key, its canonical text (so that keys compare equal across
engines) and the row's hash, plus the values of streamed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workloads.migration_check.canonical import (
    aggregate_sql,
    hash_sql,
    json_value,
    naive_utc,
    render,
    row_text,
)
from workloads.migration_check.catalog import Database
from workloads.migration_check.plan import ColumnPlan, RowFilter, TablePlan
from workloads.sql.engines import MYSQL

SOURCE, TARGET = "source", "target"

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Row:
    """A fetched row: its key as the driver returned it (shown in reports) and its fingerprint
    (the SQL hash, with the streamed columns' canonical values when there are any)."""

    shown: Key
    fingerprint: Any
    bucket: int | None = None  # the key-hash bucket, when fetched by bucket


Rows = dict[Key, Row]  # canonical key text -> row


def shown_value(value: Any) -> Any:
    """A key value as reports show it: bytes as hex, an aware time in UTC without its zone."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return naive_utc(value)


class Side:
    """The SQL for one table on one side; ``role`` picks the plan's source or target columns."""

    def __init__(self, db: Database, plan: TablePlan, role: str) -> None:
        self.db = db
        self.name = plan.table if role == SOURCE else plan.target_table
        self.table = db.relation(self.name)
        family = db.family

        def column(p: ColumnPlan) -> Any:
            return p.source if role == SOURCE else p.target

        collations = {column(p).collation for p in plan.columns if column(p).charset}

        def text(p: ColumnPlan) -> str:
            quoted = db.quote(column(p).name)
            return render(family, quoted, column(p), p.form, recollate=len(collations) > 1)

        self.key = [db.quote(column(p).name) for p in plan.key]
        self.key_texts = [text(p) for p in plan.key]
        row = row_text(family, [text(p) for p in plan.columns], [p.nullable for p in plan.columns])
        self.hash = hash_sql(family, row, plan.algorithm, db.utf8)
        self.total = aggregate_sql(plan.algorithm, self.hash)
        key_row = row_text(family, self.key_texts, [False] * len(self.key_texts))
        self.key_hash = hash_sql(family, key_row, plan.algorithm, db.utf8)
        # Streamed columns come as their stored text (psycopg2 would parse json into objects).
        self.mysql = family == MYSQL
        cast = "" if self.mysql else "::text"
        self.streamed = [db.quote(column(p).name) + cast for p in plan.streamed]
        # A condition every statement adds (``not_after``, ``without``), and its parameters.
        self.only: tuple[str, list[Any]] | None = None

    def not_after(self, column: str, row_filter: RowFilter) -> None:
        """Leave out the rows whose ``column`` is after the filter's time."""
        quoted = self.db.quote(column)
        self.only = (f"({quoted} IS NULL OR {quoted} <= %s)", [self.db.param(row_filter.before)])

    def without(self, keys: list[Key]) -> None:
        """Leave out the rows of these keys (none: every row stays)."""
        if not keys:
            return
        row = f"({', '.join(['%s'] * len(self.key))})"
        self.only = (
            f"({', '.join(self.key)}) NOT IN ({', '.join([row] * len(keys))})",
            [self.db.param(v) for key in keys for v in key],
        )

    def late_keys(self, column: str, row_filter: RowFilter, most: int) -> list[Key] | None:
        """The keys of the rows whose ``column`` is after the filter's time; None when there
        are more than ``most``."""
        found = self.db.query(
            f"SELECT {', '.join(self.key)} FROM {self.table} WHERE {self.db.quote(column)} > %s "
            "LIMIT %s",
            [self.db.param(row_filter.before), most + 1],
        )
        return None if len(found) > most else [tuple(r) for r in found]

    def _filtered(self, where: str, params: list[Any]) -> tuple[str, list[Any]]:
        """``where`` narrowed to the rows the filter keeps."""
        if self.only is None:
            return where, params
        return f"{self.only[0]} AND ({where})", [*self.only[1], *params]

    def _where(
        self, lower: Key | None, upper: Key | None, inclusive_upper: bool
    ) -> tuple[str, list[Any]]:
        """A primary-key range condition: (lower, upper] or [lower, upper) by row comparison."""
        parts: list[str] = []
        params: list[Any] = []
        key = f"({', '.join(self.key)})"
        marks = f"({', '.join(['%s'] * len(self.key))})"
        if lower is not None:
            parts.append(f"{key} {'>' if inclusive_upper else '>='} {marks}")
            params.extend(self.db.param(v) for v in lower)
        if upper is not None:
            parts.append(f"{key} {'<=' if inclusive_upper else '<'} {marks}")
            params.extend(self.db.param(v) for v in upper)
        return self._filtered(" AND ".join(parts) or "TRUE", params)

    def chunk_sums(self, chunks: list[tuple[Any, Any]], inclusive_upper: bool) -> list[Key]:
        """(row count, combined row hashes) for each key range."""
        sums = []
        for lower, upper in chunks:
            where, params = self._where(lower, upper, inclusive_upper)
            count, total = self.db.one(
                f"SELECT COUNT(*), {self.total} FROM {self.table} WHERE {where}",
                params,
            )
            sums.append((int(count), int(total)))
        return sums

    def bucket_sums(self, buckets: int) -> dict[int, Key]:
        """bucket -> (row count, combined row hashes), the bucket a hash of the key's canonical
        text modulo ``buckets``: one grouped scan."""
        where, params = self._filtered("TRUE", [])
        rows = self.db.query(
            f"SELECT MOD({self.key_hash}, {int(buckets)}) AS b, COUNT(*), {self.total} "
            f"FROM {self.table} WHERE {where} GROUP BY b",
            params,
        )
        return {int(b): (int(count), int(total)) for b, count, total in rows}

    def _fetch(self, where: str, params: list[Any], bucket: str | None = None) -> Rows:
        # The key's canonical text identifies a row across engines; MySQL returns some of them
        # typed (an integer, a date) unless cast.
        texts = [f"CAST({t} AS CHAR)" for t in self.key_texts] if self.mysql else self.key_texts
        columns = [*self.key, *texts, self.hash, bucket or "NULL", *self.streamed]
        found = self.db.query(
            f"SELECT {', '.join(columns)} FROM {self.table} WHERE {where}", params
        )
        n = len(self.key)
        rows: Rows = {}
        for r in found:
            streamed = tuple(json_value(v) for v in r[2 * n + 2 :])
            fingerprint = (int(r[2 * n]), *streamed) if streamed else int(r[2 * n])
            rows[tuple(r[n : 2 * n])] = Row(
                tuple(shown_value(v) for v in r[:n]),
                fingerprint,
                None if r[2 * n + 1] is None else int(r[2 * n + 1]),
            )
        return rows

    def rows(self, lower: Key | None, upper: Key | None, inclusive_upper: bool) -> Rows:
        """The rows of one key range (a differing chunk)."""
        return self._fetch(*self._where(lower, upper, inclusive_upper))

    def rows_in_buckets(self, buckets: int, wanted: list[int]) -> Rows:
        """The rows of some key-hash buckets (differing ones): one scan."""
        marks = ", ".join(["%s"] * len(wanted))
        bucket = f"MOD({self.key_hash}, {int(buckets)})"
        return self._fetch(*self._filtered(f"{bucket} IN ({marks})", list(wanted)), bucket)

    def min_max(self) -> tuple[Any, Any]:
        """MIN and MAX of the (single, integer) key: two index lookups."""
        where, params = self._filtered("TRUE", [])
        low, high = self.db.one(
            f"SELECT MIN({self.key[0]}), MAX({self.key[0]}) FROM {self.table} WHERE {where}",
            params,
        )
        return low, high

    def estimate(self) -> int:
        return self.db.estimate(self.name)

    def count(self) -> int:
        where, params = self._filtered("TRUE", [])
        return int(self.db.one(f"SELECT COUNT(*) FROM {self.table} WHERE {where}", params)[0])

    def left_out(self) -> int | None:
        """Rows the filter leaves out (written after its time); None without a filter."""
        if self.only is None:
            return None
        condition, params = self.only
        return int(
            self.db.one(f"SELECT COUNT(*) FROM {self.table} WHERE NOT {condition}", params)[0]
        )

    def boundaries(self, chunk_size: int) -> list[Key]:
        """Upper keys of successive chunks of ``chunk_size`` rows (keyset walk of the key)."""
        found: list[Key] = []
        order = ", ".join(self.key)
        while True:
            where, params = self._where(found[-1] if found else None, None, True)
            row = self.db.one(
                f"SELECT {order} FROM {self.table} WHERE {where} ORDER BY {order} "
                "LIMIT 1 OFFSET %s",
                [*params, chunk_size - 1],
            )
            if not row:
                return found
            found.append(tuple(row))
