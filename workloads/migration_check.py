"""``migration-check``: what a DMS user runs before trusting a migration.

For every source table matched by ``--include``/``--exclude`` (shell-style patterns; DMS's ``%``
works too) it compares the source (the ``relational`` output) with the target (the ``aurora``
output) by row count and by chunked checksums over the primary key, and reports the first key
ranges that differ: rows missing in the target, extra rows in the target, changed rows. Each side
streams its chunk checksums on its own connection, in parallel; only differing chunks are fetched
row by row. With a taskArn in the ``migration`` output and AWS credentials, it also reports the
DMS task status and table statistics (otherwise it says why that part was skipped).

``--prepare-source`` instead checks what CDC needs on the source (binary log on, binlog_format
ROW, binlog_row_image FULL, binlog retention) and says exactly what to change.
"""

from __future__ import annotations

import argparse
import fnmatch
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import mysql.connector

from workloads.common import (
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Outputs,
    WorkloadError,
    emit,
    log,
    one_line,
    progress,
    redact,
    render_table,
)
from workloads.sql import (
    Endpoint,
    add_connection_arguments,
    endpoint_from_outputs,
    mysql_connect,
    mysql_ident,
    server_flavor,
)

HELP = "DMS: source vs target row counts and chunked checksums, differing key ranges, task status"

INTEGER_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}
RETENTION_HOURS = 24


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATTERN",
        help="table pattern to compare (repeatable; default: every table)",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN", help="table pattern to skip"
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=25_000,
        metavar="ROWS",
        help="rows per checksum chunk (default 25000)",
    )
    parser.add_argument(
        "--max-ranges", type=int, default=5, metavar="N", help="differing ranges shown per table"
    )
    parser.add_argument(
        "--prepare-source",
        action="store_true",
        help="only check the source's binlog settings for CDC and say what to change",
    )


# --- table discovery -----------------------------------------------------------------------


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


# --- checksums -----------------------------------------------------------------------------


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
) -> list[dict[str, Any]]:
    """Consecutive differing keys of the same kind, merged into ranges, in key order."""
    ranges: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
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
        if current is not None and current["kind"] == kind:
            current["to"] = shown
            current["rows"] += 1
        else:
            current = {"kind": kind, "from": shown, "to": shown, "rows": 1}
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
    args: argparse.Namespace,
    pool: ThreadPoolExecutor,
) -> dict[str, Any]:
    result: dict[str, Any] = {"table": table}
    if table not in target_tables:
        result.update(status="missing in target", ranges=[])
        return result
    s_columns, key, s_nullable = table_shape(source_conn, table)
    t_columns, _, t_nullable = table_shape(target_conn, table)
    t_names = {c for c, _ in t_columns}
    common = [c for c, _ in s_columns if c in t_names]
    missing_columns = [c for c, _ in s_columns if c not in t_names]
    if missing_columns:
        result["columnsMissingInTarget"] = missing_columns
    if not key:
        result.update(status="skipped", reason="no primary key: cannot chunk", ranges=[])
        return result
    # Both sides must hash alike: a column nullable on either side gets a NULL flag on both.
    nullable = s_nullable | t_nullable
    source = Side(source_conn, table, common, key, nullable)
    target = Side(target_conn, table, common, key, nullable)
    int_key = len(key) == 1 and dict(s_columns)[key[0]] in INTEGER_TYPES
    chunks, inclusive = plan_chunks(source, target, int_key, args.chunk_size)
    s_future = pool.submit(source.chunk_sums, chunks, inclusive)
    t_future = pool.submit(target.chunk_sums, chunks, inclusive)
    s_sums, t_sums = s_future.result(), t_future.result()
    result["sourceRows"] = sum(c for c, _ in s_sums)
    result["targetRows"] = sum(c for c, _ in t_sums)
    result["chunks"] = len(chunks)
    differing = [chunk for chunk, s, t in zip(chunks, s_sums, t_sums, strict=True) if s != t]
    result["differingChunks"] = len(differing)
    ranges: list[dict[str, Any]] = []
    for lower, upper in _merge_adjacent(_narrow(differing, source, target, int_key, pool)):
        if len(ranges) >= args.max_ranges:
            break
        s_rows = pool.submit(source.rows, lower, upper, inclusive)
        t_rows = pool.submit(target.rows, lower, upper, inclusive)
        ranges.extend(diff_rows(s_rows.result(), t_rows.result()))
    result["ranges"] = ranges[: args.max_ranges]
    differs = bool(differing) or bool(missing_columns)
    result["status"] = "differs" if differs else "match"
    return result


# --- DMS -----------------------------------------------------------------------------------


def dms_report(outputs: Outputs, timeout: int) -> dict[str, Any]:
    """Task status and table statistics, or why they were skipped."""
    if not outputs.has("migration"):
        return {
            "checked": False,
            "reason": "no migration section in the outputs (DMS disabled or a local run)",
        }
    task_arn = outputs.field("migration", "taskArn", str)
    import boto3  # boto3 is slow to import; only this path needs it
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session()
    if session.get_credentials() is None:
        return {"checked": False, "reason": "no AWS credentials (environment, profile or role)"}
    parts = task_arn.split(":")
    if len(parts) < 7 or parts[2] != "dms":
        raise WorkloadError(f'{outputs.source}: malformed key "migration.taskArn" (not a DMS ARN)')
    config = Config(
        region_name=parts[3],
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    try:
        client = session.client("dms", config=config)
        tasks = client.describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}]
        )["ReplicationTasks"]
        if not tasks:
            return {"checked": False, "reason": f"task {task_arn} not found"}
        task = tasks[0]
        tables = []
        paginator = client.get_paginator("describe_table_statistics")
        for page in paginator.paginate(ReplicationTaskArn=task_arn):
            for stat in page.get("TableStatistics", []):
                tables.append(
                    {
                        "table": f"{stat.get('SchemaName')}.{stat.get('TableName')}",
                        "state": stat.get("TableState"),
                        "fullLoadRows": stat.get("FullLoadRows"),
                        "inserts": stat.get("Inserts"),
                        "updates": stat.get("Updates"),
                        "deletes": stat.get("Deletes"),
                        "validation": stat.get("ValidationState"),
                    }
                )
    except (BotoCoreError, ClientError) as exc:
        return {"checked": False, "reason": f"DMS API: {redact(one_line(exc))}"}
    return {
        "checked": True,
        "status": task.get("Status"),
        "stopReason": task.get("StopReason"),
        "lastFailure": task.get("LastFailureMessage"),
        "stats": {
            k: v
            for k, v in task.get("ReplicationTaskStats", {}).items()
            if not hasattr(v, "isoformat")
        },
        "tables": tables,
    }


# --- prepare-source ------------------------------------------------------------------------


def prepare_source_checks(conn: Any) -> list[dict[str, Any]]:
    """What DMS CDC needs from a MySQL source, each with the exact change when it is wrong."""
    cur = conn.cursor(buffered=True)
    flavor = server_flavor(cur)

    def variable(name: str) -> str | None:
        cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (name,))
        row = cur.fetchone()
        return None if row is None else str(row[1])

    checks = []
    log_bin = variable("log_bin")
    checks.append(
        {
            "check": "binary log enabled",
            "value": log_bin,
            "ok": (log_bin or "").upper() == "ON",
            "fix": "RDS: binary logging follows automated backups, set "
            "dbtier:relational.backupRetentionDays >= 1; self-managed: start the server with "
            "log_bin (log-bin=mysql-bin in my.cnf) and restart it",
        }
    )
    fmt = variable("binlog_format")
    checks.append(
        {
            "check": "binlog_format is ROW",
            "value": fmt,
            "ok": (fmt or "").upper() == "ROW",
            "fix": "RDS: binlog_format=ROW in the DB parameter group (dbtier sets it when "
            "dbtier:migration.enabled is true); self-managed: SET GLOBAL binlog_format = 'ROW' "
            "and binlog_format=ROW in my.cnf",
        }
    )
    image = variable("binlog_row_image")
    checks.append(
        {
            "check": "binlog_row_image is FULL",
            "value": image,
            "ok": (image or "FULL").upper() == "FULL",
            "fix": "binlog_row_image=FULL in the DB parameter group (self-managed: "
            "SET GLOBAL binlog_row_image = 'FULL' and in my.cnf)",
        }
    )
    on_rds, hours = _rds_retention_hours(cur) if flavor == "mysql" else (False, None)
    if on_rds:
        checks.append(
            {
                "check": f"binlog retention >= {RETENTION_HOURS} hours (RDS)",
                "value": "NULL (purged as soon as possible)" if hours is None else f"{hours} hours",
                "ok": hours is not None and hours >= RETENTION_HOURS,
                "fix": "CALL mysql.rds_set_configuration('binlog retention hours', "
                f"{RETENTION_HOURS});",
            }
        )
    else:
        seconds_text = variable("binlog_expire_logs_seconds")
        days_text = variable("expire_logs_days")
        seconds = int(float(seconds_text)) if seconds_text else 0
        if not seconds and days_text:
            seconds = int(float(days_text) * 86400)
        checks.append(
            {
                "check": f"binlog retention >= {RETENTION_HOURS} hours",
                "value": "never purged" if seconds == 0 else f"{seconds / 3600:g} hours",
                "ok": seconds == 0 or seconds >= RETENTION_HOURS * 3600,
                "fix": f"SET GLOBAL binlog_expire_logs_seconds = {RETENTION_HOURS * 3600} "
                "(and in my.cnf)",
            }
        )
    cur.close()
    return checks


def _rds_retention_hours(cur: Any) -> tuple[bool, int | None]:
    """(running on RDS, its 'binlog retention hours' or None when unset)."""
    try:
        cur.execute("CALL mysql.rds_show_configuration")
    except mysql.connector.Error:
        return False, None
    hours = None
    for row in cur.fetchall():
        if str(row[0]) == "binlog retention hours" and row[1] not in (None, "NULL"):
            hours = int(row[1])
    while cur.nextset() if hasattr(cur, "nextset") else False:
        pass
    return True, hours


# --- run -----------------------------------------------------------------------------------


def _fail(endpoint: Endpoint, exc: BaseException) -> WorkloadError:
    return WorkloadError(
        redact(f"{endpoint.name} at {endpoint.host}:{endpoint.port}: {one_line(exc)}")
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    if args.chunk_size < 1 or args.max_ranges < 1:
        raise WorkloadError("--chunk-size and --max-ranges must be at least 1")
    source_ep = endpoint_from_outputs(outputs, "relational", "endpoint", args)
    if args.prepare_source:
        conn = mysql_connect(source_ep)
        try:
            checks = prepare_source_checks(conn)
        except mysql.connector.Error as exc:
            raise _fail(source_ep, exc) from None
        finally:
            conn.close()
        result = {
            "workload": "migration-check",
            "mode": "prepare-source",
            "checks": checks,
            "ok": all(c["ok"] for c in checks),
        }
        emit(result, args.json, render_prepare)
        return EXIT_OK if result["ok"] else EXIT_CHECK_FAILED

    target_ep = endpoint_from_outputs(outputs, "aurora", "writerEndpoint", args)
    engine = outputs.field("aurora", "engine", str, default="aurora-mysql")
    if "postgres" in engine:
        raise WorkloadError(
            f"migration-check compares MySQL with MySQL; the aurora target runs {engine}"
        )
    source_conn = mysql_connect(source_ep)
    try:
        target_conn = mysql_connect(target_ep)
    except WorkloadError:
        source_conn.close()
        raise
    tables: list[dict[str, Any]] = []
    try:
        source_tables = list_tables(source_conn)
        target_tables = set(list_tables(target_conn))
        chosen = select_tables(source_tables, args.include, args.exclude)
        only_target = select_tables(
            sorted(target_tables - set(source_tables)), args.include, args.exclude
        )
        bar = progress(len(chosen), "migration-check", disable=args.json, unit="table")
        with ThreadPoolExecutor(max_workers=2) as pool:
            for table in chosen:
                log.info("comparing %s", table)
                try:
                    tables.append(
                        compare_table(
                            source_conn=source_conn,
                            target_conn=target_conn,
                            table=table,
                            target_tables=target_tables,
                            args=args,
                            pool=pool,
                        )
                    )
                except mysql.connector.Error as exc:
                    raise WorkloadError(redact(f"comparing {table}: {one_line(exc)}")) from None
                bar.update()
        bar.close()
        for table in only_target:
            tables.append({"table": table, "status": "only in target", "ranges": []})
    finally:
        source_conn.close()
        target_conn.close()
    dms = dms_report(outputs, args.connect_timeout)
    failed_dms = (
        dms.get("checked")
        and str(dms.get("status")) in {"failed", "stopped"}
        and dms.get("lastFailure")
    )
    result = {
        "workload": "migration-check",
        "source": f"{source_ep.host}:{source_ep.port}/{source_ep.database}",
        "target": f"{target_ep.host}:{target_ep.port}/{target_ep.database}",
        "include": args.include,
        "exclude": args.exclude,
        "tables": tables,
        "dms": dms,
    }
    if not chosen:
        result["ok"] = False
        result["problem"] = "no source table matches the include/exclude patterns"
        emit(result, args.json, render)
        return EXIT_BAD_INPUT
    result["ok"] = all(t["status"] in {"match", "skipped"} for t in tables) and not failed_dms
    emit(result, args.json, render)
    return EXIT_OK if result["ok"] else EXIT_CHECK_FAILED


def _fmt_key(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render(result: dict[str, Any]) -> str:
    lines = [f"migration-check: source {result['source']} -> target {result['target']}"]
    if result.get("problem"):
        lines.append(f"FAILED: {result['problem']}")
    rows = [
        (
            t["table"],
            t.get("sourceRows", ""),
            t.get("targetRows", ""),
            t.get("chunks", ""),
            t["status"],
        )
        for t in result["tables"]
    ]
    if rows:
        lines.append(
            render_table(["table", "source rows", "target rows", "chunks", "status"], rows)
        )
    for t in result["tables"]:
        if t.get("columnsMissingInTarget"):
            lines.append(
                f"{t['table']}: columns missing in target: {', '.join(t['columnsMissingInTarget'])}"
            )
        if t.get("reason"):
            lines.append(f"{t['table']}: {t['reason']}")
        for r in t["ranges"]:
            span = (
                _fmt_key(r["from"])
                if r["from"] == r["to"]
                else f"{_fmt_key(r['from'])} .. {_fmt_key(r['to'])}"
            )
            lines.append(f"{t['table']}: key {span}: {r['rows']} row(s) {r['kind']}")
    dms = result["dms"]
    if dms.get("checked"):
        lines.append(
            f"DMS task: {dms['status']}"
            + (f" ({dms['stopReason']})" if dms.get("stopReason") else "")
        )
        if dms["tables"]:
            lines.append(
                render_table(
                    [
                        "table",
                        "state",
                        "full load rows",
                        "inserts",
                        "updates",
                        "deletes",
                        "validation",
                    ],
                    [
                        (
                            s["table"],
                            s["state"],
                            s["fullLoadRows"],
                            s["inserts"],
                            s["updates"],
                            s["deletes"],
                            s["validation"],
                        )
                        for s in dms["tables"]
                    ],
                )
            )
    else:
        lines.append(f"DMS task status skipped: {dms['reason']}")
    lines.append(
        "OK: source and target match" if result["ok"] else "FAILED: source and target differ"
    )
    return "\n".join(lines)


def render_prepare(result: dict[str, Any]) -> str:
    lines = ["migration-check --prepare-source: what DMS CDC needs on the source"]
    for check in result["checks"]:
        mark = "ok  " if check["ok"] else "FAIL"
        lines.append(f"{mark} {check['check']}: {check['value']}")
        if not check["ok"]:
            lines.append(f"     change: {check['fix']}")
    lines.append("source ready for CDC" if result["ok"] else "source NOT ready for CDC")
    return "\n".join(lines)
