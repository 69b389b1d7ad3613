"""``python -m workloads restore-drill``: flags, the source read from the outputs, the text report
and the exit code (0 the restore gave the data back, 1 a check failed, 2 bad input, AWS refused,
or something the drill made could not be deleted)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import boto3

from contract import AuroraOutputs, DynamoOutputs, RelationalOutputs, echo
from workloads.common import Outputs, WorkloadError, finish, render_table
from workloads.common.drill import add_drill_arguments, require_consent
from workloads.migration_check.compare import KeyRange
from workloads.restore_drill import DrillSettings, RestoreReport, SourceSide, drill
from workloads.restore_drill.aws import Aws
from workloads.restore_drill.plan import DYNAMO, RELATIONAL, TARGETS
from workloads.sql import (
    ConnectionOptions,
    add_connection_arguments,
    is_plain_identifier,
    sql_endpoint,
)
from workloads.sql.engines import engine_family

WORKLOAD = "restore-drill"

HELP = (
    "Restore drill: a point in time restored into a throwaway, compared with the source; RTO, RPO"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, choices=TARGETS, help="what to restore")
    parser.add_argument(
        "--to-time",
        metavar="T",
        help="restore this time (ISO 8601, UTC unless it says; default: the latest restorable "
        "time, once it is after the drill's marker)",
    )
    parser.add_argument(
        "--since-column",
        metavar="NAME",
        help="a column (attribute) holding when each row (item) was written: rows written "
        "after the restore point are left out of the comparison",
    )
    parser.add_argument(
        "--table",
        metavar="NAME",
        help="dynamo: the table's name in the outputs (default: the only one)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the restored copy")
    parser.add_argument(
        "--region", help="AWS region of the RDS source (default: its secret's, else boto3's)"
    )
    parser.add_argument(
        "--restore-timeout",
        type=float,
        default=3600.0,
        metavar="S",
        help="seconds for the copy to become available (default 3600)",
    )
    parser.add_argument(
        "--restorable-timeout",
        type=float,
        default=900.0,
        metavar="S",
        help="seconds for the latest restorable time to pass the marker (default 900)",
    )
    parser.add_argument(
        "--chunk-size", type=int, default=25_000, metavar="ROWS", help="rows per checksum chunk"
    )
    parser.add_argument(
        "--max-ranges", type=int, default=5, metavar="N", help="differing key ranges per table"
    )
    add_connection_arguments(parser)
    add_drill_arguments(parser)


def parse_time(text: str) -> datetime:
    """``--to-time``: ISO 8601, a trailing Z allowed, UTC when it names no zone."""
    try:
        found = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise WorkloadError(
            f"--to-time {echo(text, 60)}: not an ISO 8601 time (e.g. 2026-12-06T04:30:00Z)"
        ) from None
    return found.astimezone(UTC) if found.tzinfo else found.replace(tzinfo=UTC)


def _region(explicit: str | None, *arns: str | None) -> str:
    if explicit:
        return explicit
    for arn in arns:
        parts = (arn or "").split(":")
        if len(parts) > 4 and parts[0] == "arn" and parts[3]:
            return parts[3]
    region = boto3.session.Session().region_name
    if not region:
        raise WorkloadError("no AWS region: pass --region or set AWS_REGION")
    return region


def _source(args: argparse.Namespace, outputs: Outputs) -> tuple[SourceSide, Aws]:
    """The source the outputs name, and the AWS clients of its region."""
    options = ConnectionOptions.from_args(args)
    if args.target == DYNAMO:
        dynamo = outputs.read(DynamoOutputs)
        names = list(dynamo.tables)
        chosen = args.table or (names[0] if len(names) == 1 else None)
        if chosen not in dynamo.tables:
            raise WorkloadError(
                f"--table: choose one of the tables in the outputs: {', '.join(names)}"
            )
        table = dynamo.tables[chosen].table_name
        aws = Aws(_region(args.region, dynamo.region), dynamo.endpoint_url, args.connect_timeout)
        return SourceSide(DYNAMO, table, local=dynamo.endpoint_url is not None), aws
    section: RelationalOutputs | AuroraOutputs
    if args.target == RELATIONAL:
        rel = outputs.read(RelationalOutputs)
        identifier = rel.instance_ids[0] if rel.instance_ids else None
        section, host, key = rel, rel.endpoint, '"relational.instanceIds"'
    else:
        aur = outputs.read(AuroraOutputs)
        identifier = aur.cluster_id
        section, host, key = aur, aur.writer_endpoint, '"aurora.clusterId"'
    if not identifier:
        raise WorkloadError(
            f"{outputs.source}: no {key}: the stack was deployed before it was exported "
            "(run pulumi up once)"
        )
    family = engine_family(section.engine, key=args.target, workload=WORKLOAD)
    endpoint = None if args.dry_run else sql_endpoint(args.target, host, section, options)
    aws = Aws(_region(args.region, section.secret_arn), None, args.connect_timeout)
    return SourceSide(args.target, identifier, family, endpoint, local=not section.tls), aws


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    if args.chunk_size < 1 or args.max_ranges < 1:
        raise WorkloadError("--chunk-size and --max-ranges must be at least 1")
    if args.restore_timeout <= 0 or args.restorable_timeout <= 0:
        raise WorkloadError("--restore-timeout and --restorable-timeout must be positive")
    since = args.since_column
    if since is not None and args.target != DYNAMO and not is_plain_identifier(since):
        raise WorkloadError(f"--since-column {echo(since, 64)}: not a plain column name")
    to_time = parse_time(args.to_time) if args.to_time else None
    if not args.dry_run:
        require_consent(outputs, args.stack, args.yes, "restore into a throwaway copy of it")
    side, aws = _source(args, outputs)
    settings = DrillSettings(
        target=args.target,
        to_time=to_time,
        since_column=since,
        keep=args.keep,
        dry_run=args.dry_run,
        restore_timeout=args.restore_timeout,
        restorable_timeout=args.restorable_timeout,
        chunk_size=args.chunk_size,
        max_ranges=args.max_ranges,
        show_progress=not args.json,
    )
    report = drill(settings, side, aws, _say)
    return finish(report, args.json, render)


def _say(line: str) -> None:
    sys.stderr.write(f"{WORKLOAD}: {line}\n")
    sys.stderr.flush()


def _span(r: KeyRange) -> str:
    def one(value: object) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    return one(r.first) if r.first == r.last else f"{one(r.first)} .. {one(r.last)}"


def render(report: RestoreReport) -> str:
    if report.dry_run:
        lines = [f"restore-drill --dry-run: {report.target} {report.source} -> {report.throwaway}"]
        lines += [f"  {call.shown()}" for call in report.calls]
        return "\n".join(lines)
    doc = report.to_json()
    lines = [
        f"restore-drill: {report.target} {report.source} restored to {doc['restorePoint']} "
        f"as {report.throwaway}"
    ]
    if report.stand_in:
        lines.append(report.stand_in)
    lines.append(f"RTO (restore until available): {doc['rtoSeconds']} s")
    rpo = f"RPO (restore point behind the request): {doc['rpoSeconds']} s"
    if report.left_out is not None:
        rpo += f"; {report.left_out} row(s) written after the restore point left out"
    lines.append(rpo)
    if report.marker is not None:
        state = "present" if report.marker_present else "MISSING"
        if not report.marker_expected:
            state = f"{'present' if report.marker_present else 'absent'} (written after --to-time)"
        lines.append(f"marker {report.marker.drill_id}: {state}")
    rows = [(t.table, t.source_rows, t.target_rows, t.left_out, t.status) for t in report.tables]
    if rows:
        lines.append(
            render_table(["table", "source rows", "restored rows", "left out", "status"], rows)
        )
    for t in report.tables:
        lines.extend(f"{t.table}: key {_span(r)}: {r.rows} row(s) {r.kind}" for r in t.ranges)
        if t.reason:
            lines.append(f"{t.table}: {t.reason}")
    if report.deleted:
        lines.append(f"deleted: {', '.join(report.deleted)}")
    if report.kept:
        lines.append(f"kept: {report.throwaway} (--keep)")
    lines.extend(f"LEFT BEHIND: {item}" for item in report.left_behind)
    verdict = "OK: the restore gave the data back" if report.ok else "FAILED: the restore differs"
    lines.append(verdict)
    return "\n".join(lines)
