"""``python -m workloads migration-check``: flags, the text reports and the exit code."""

from __future__ import annotations

import argparse
from typing import Any

from contract import AuroraOutputs, MigrationOutputs, RelationalOutputs
from workloads.common import Outputs, WorkloadError, finish, render_table
from workloads.migration_check import (
    Location,
    MigrationReport,
    PrepareReport,
    binlog_warning,
    check_source,
    compare,
)
from workloads.migration_check.dms import dms_report
from workloads.sql import ConnectionOptions, add_connection_arguments, sql_endpoint
from workloads.sql.engines import MYSQL, engine_family

WORKLOAD = "migration-check"

HELP = "DMS: source vs target row counts and chunked checksums, differing key ranges, task status"


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
    for side, default in (("source", "relational"), ("target", "aurora")):
        parser.add_argument(
            f"--{side}-schema",
            metavar="NAME",
            help=f"the {side}'s schema (default: the {default} database on MySQL, "
            "current_schema() on PostgreSQL; DMS puts a MySQL source's tables in a PostgreSQL "
            "schema named after the source database)",
        )
    parser.add_argument(
        "--prepare-source",
        action="store_true",
        help="only check the source's CDC settings (binlog, or logical decoding on PostgreSQL) "
        "and say what to change",
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    if args.chunk_size < 1 or args.max_ranges < 1:
        raise WorkloadError("--chunk-size and --max-ranges must be at least 1")
    options = ConnectionOptions.from_args(args)
    relational = outputs.read(RelationalOutputs)
    s_family = engine_family(relational.engine, key="relational", workload=WORKLOAD)
    source = sql_endpoint("relational", relational.endpoint, relational, options)
    if args.prepare_source:
        return finish(check_source(source, s_family), args.json, render_prepare)

    aurora = outputs.read(AuroraOutputs)
    t_family = engine_family(aurora.engine, key="aurora", workload=WORKLOAD)
    target = sql_endpoint("aurora", aurora.writer_endpoint, aurora, options)
    tables, matched_any = compare(
        Location(source, s_family, args.source_schema),
        Location(target, t_family, args.target_schema),
        include=args.include,
        exclude=args.exclude,
        chunk_size=args.chunk_size,
        max_ranges=args.max_ranges,
        show_progress=not args.json,
    )
    dms = dms_report(outputs.read_optional(MigrationOutputs), outputs.source, args.connect_timeout)
    warning = binlog_warning(source, dms) if s_family == MYSQL else None
    report = MigrationReport(
        source,
        target,
        args.include,
        args.exclude,
        tables,
        dms,
        matched_any,
        source_engine=relational.engine,
        target_engine=aurora.engine,
        warnings=() if warning is None else (warning,),
    )
    return finish(report, args.json, render)


def _fmt_key(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render(report: MigrationReport) -> str:
    document = report.to_json()
    lines = [
        f"migration-check: source {report.source_engine} {document['source']} -> "
        f"target {report.target_engine} {document['target']}"
    ]
    if report.problem:
        lines.append(f"FAILED: {report.problem}")
    lines += [f"WARNING: {w}" for w in report.warnings]
    rows = [
        (
            t.table,
            "" if t.source_rows is None else t.source_rows,
            "" if t.target_rows is None else t.target_rows,
            "" if t.chunks is None else t.chunks,
            t.status,
        )
        for t in report.tables
    ]
    if rows:
        lines.append(
            render_table(["table", "source rows", "target rows", "chunks", "status"], rows)
        )
    for t in report.tables:
        if t.columns_missing_in_target:
            lines.append(
                f"{t.table}: columns missing in target: {', '.join(t.columns_missing_in_target)}"
            )
        if t.reason:
            lines.append(f"{t.table}: {t.reason}")
        if t.streamed_columns:
            lines.append(
                f"{t.table}: compared row by row (no SQL form both engines share): "
                f"{', '.join(t.streamed_columns)}"
            )
        for r in t.ranges:
            span = (
                _fmt_key(r.first)
                if r.first == r.last
                else f"{_fmt_key(r.first)} .. {_fmt_key(r.last)}"
            )
            lines.append(f"{t.table}: key {span}: {r.rows} row(s) {r.kind}")
    dms = report.dms
    if dms.checked:
        lines.append(
            f"DMS task: {dms.status}" + (f" ({dms.stop_reason})" if dms.stop_reason else "")
        )
        if dms.tables:
            headers = ["table", "state", "full load rows", "inserts", "updates", "deletes"]
            lines.append(
                render_table(
                    [*headers, "validation"],
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
                        for s in dms.tables
                    ],
                )
            )
    else:
        lines.append(f"DMS task status skipped: {dms.reason}")
    lines.append("OK: source and target match" if report.ok else "FAILED: source and target differ")
    return "\n".join(lines)


def render_prepare(report: PrepareReport) -> str:
    lines = ["migration-check --prepare-source: what DMS CDC needs on the source"]
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"{mark} {check.check}: {check.value}")
        if not check.ok:
            lines.append(f"     change: {check.fix}")
    lines.append("source ready for CDC" if report.ok else "source NOT ready for CDC")
    return "\n".join(lines)
