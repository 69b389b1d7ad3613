"""``python -m workloads aurora-load``: flags, the text report with its chart, the exit code."""

from __future__ import annotations

import argparse
import math

from contract import AuroraOutputs
from contract.echo import echo
from workloads.aurora_load import LoadResult, LoadSettings, Second, run_load
from workloads.common import Outputs, WorkloadError, finish
from workloads.common.regions import regional_host
from workloads.sql import (
    ConnectionOptions,
    add_connection_arguments,
    is_plain_identifier,
    sql_endpoint,
)
from workloads.sql.engines import engine_family

HELP = (
    "Aurora MySQL or PostgreSQL: load generator (workers, insert/read mix, rate) with latency "
    "and no-loss proof"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--workers", type=int, default=5, metavar="N", help="default 5")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument(
        "--duration", type=float, default=None, metavar="S", help="seconds to run (default 30)"
    )
    limit.add_argument("--ops", type=int, default=None, metavar="N", help="operations in total")
    parser.add_argument(
        "--mix",
        type=int,
        default=None,
        metavar="PCT",
        help="percent of operations that are inserts, the rest reads (default 50; 0 with --region)",
    )
    parser.add_argument(
        "--region",
        default=None,
        help="read (only) from the Aurora Global Database's secondary cluster in this region:"
        " its reader endpoint in aurora.regions",
    )
    parser.add_argument(
        "--rate", type=float, default=None, metavar="OPS", help="target operations/s (all workers)"
    )
    parser.add_argument(
        "--mode",
        choices=["processes", "threads"],
        default="threads",
        help="worker kind (default threads: measured faster here, see docs/workloads.md)",
    )
    parser.add_argument("--table", default="dbtier_load", help="table name (default dbtier_load)")
    parser.add_argument(
        "--cleanup", action="store_true", help="delete this run's rows after the final check"
    )
    parser.add_argument(
        "--verify-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="how long the final check waits for the writer to come back (default 120)",
    )


def settings_from(args: argparse.Namespace) -> LoadSettings:
    """The load settings of the command line, checked."""
    if args.workers < 1 or args.workers > 512:
        raise WorkloadError("--workers must be between 1 and 512")
    if args.mix is None:
        args.mix = 0 if args.region else 50
    if not 0 <= args.mix <= 100:
        raise WorkloadError("--mix must be a percentage between 0 and 100")
    if args.region and (args.mix or args.cleanup):
        raise WorkloadError(
            f"--region {echo(args.region, 40)} runs reads only (a secondary cluster refuses"
            " writes): leave out --mix and --cleanup"
        )
    if args.ops is not None and args.ops < 1:
        raise WorkloadError("--ops must be at least 1")
    if args.duration is not None and args.duration <= 0:
        raise WorkloadError("--duration must be positive")
    if args.rate is not None and args.rate <= 0:
        raise WorkloadError("--rate must be positive")
    if not is_plain_identifier(args.table):
        raise WorkloadError(f"--table {args.table!r}: letters, digits, _ and $ only")
    return LoadSettings(
        table=args.table,
        workers=args.workers,
        mode=args.mode,
        duration=args.duration,
        ops=args.ops,
        mix=args.mix,
        rate=args.rate,
    )


def region_host(section: AuroraOutputs, region: str | None) -> tuple[str, str | None]:
    """The host to run against and, for a local stand-in, what stands in for the region: the
    writer without --region; with it, that region's reader endpoint (aurora.regions). Outputs
    of a local run (tls false, no aurora.regions) have no secondary: the same local engine
    stands in, said so."""
    if region is None:
        return section.writer_endpoint, None
    regions = section.regions
    local = regions is None and not section.tls
    return regional_host(
        region,
        {s.region: s.reader_endpoint for s in regions or ()},
        local_host=(section.reader_endpoint or section.writer_endpoint) if local else None,
        missing="aurora has no secondary cluster there",
        key="aurora.regions",
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    settings = settings_from(args)
    section = outputs.read(AuroraOutputs)
    family = engine_family(section.engine, key=AuroraOutputs.KEY, workload="aurora-load")
    host, note = region_host(section, args.region)
    endpoint = sql_endpoint("aurora", host, section, ConnectionOptions.from_args(args))
    result = run_load(
        endpoint,
        settings,
        engine=section.engine,
        family=family,
        verify_timeout=args.verify_timeout,
        cleanup_after=args.cleanup,
        show_progress=not args.json,
        read_only=args.region is not None,
    )
    result.region, result.region_note = args.region, note
    return finish(result, args.json, render)


_BLOCKS = " ▁▂▃▄▅▆▇█"


def chart(per_second: list[Second], width: int = 60, height: int = 5) -> list[str]:
    """A small bar chart of operations per second (columns), errors marked with x below."""
    if not per_second:
        return []
    group = max(1, math.ceil(len(per_second) / width))
    cols = [per_second[i : i + group] for i in range(0, len(per_second), group)]
    values = [sum(p.inserts + p.reads for p in c) / len(c) for c in cols]
    errs = [sum(p.errors for p in c) for c in cols]
    top = max(values) or 1.0
    lines = []
    for level in range(height, 0, -1):
        row = ""
        for v in values:
            fill = v / top * height - (level - 1)
            row += _BLOCKS[max(0, min(8, round(fill * 8)))] if fill > 0 else " "
        label = f"{top * level / height:>9,.0f} |" if level in (height, 1) else "          |"
        lines.append(label + row)
    lines.append("   errors |" + "".join("x" if e else " " for e in errs))
    span = f"{group}s per column" if group > 1 else "1s per column"
    lines.append(f"          +{'-' * len(values)} ops/s, {span}")
    return lines


def render(result: LoadResult) -> str:
    s, v, settings = result.summary, result.verification, result.settings
    lat = s.latency_ms
    lines = [
        f"aurora-load: {settings.workers} {settings.mode}, {round(s.seconds, 3):g}s, "
        f"mix {settings.mix}% inserts"
        + (f", target {settings.rate:g} ops/s" if settings.rate else ""),
        f"operations  {s.operations:,} ({s.inserts:,} inserts, {s.reads:,} reads)",
        f"throughput  {s.per_second_rate(s.operations):,.1f} ops/s "
        f"({s.per_second_rate(s.inserts):,.1f} inserts/s, "
        f"{s.per_second_rate(s.reads):,.1f} reads/s)",
        f"latency ms  p50 {lat.p50:.2f}  p95 {lat.p95:.2f}  p99 {lat.p99:.2f}  max {lat.max:.2f}",
    ]
    if result.region:
        lines.append(f"region      {result.region}: {result.region_note or 'its reader endpoint'}")
    if s.errors:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(s.errors.items()))
        lines.append(f"errors      {kinds} ({s.reconnects} reconnects)")
    else:
        lines.append("errors      none")
    renewed = (
        f", renewed {s.credential_renewals} time(s) after a rotation"
        if s.credential_renewals
        else ""
    )
    lines.append(f"credentials from the {result.credentials}{renewed}")
    lines += ["", *chart(s.per_second), ""]
    if v.lost:
        by_worker = result.to_json()["verification"]["lostByWorker"]
        lines.append(
            f"FAILED: {v.lost} of {v.acknowledged:,} acknowledged inserts missing "
            f"(by worker: {by_worker})"
        )
    else:
        lines.append(
            f"verified: all {v.acknowledged:,} acknowledged inserts are in {settings.table}"
            + (
                f" ({v.committed_without_ack} more committed without an acknowledgement)"
                if v.committed_without_ack
                else ""
            )
        )
    lines.extend(f"FAILED: {f}" for f in result.fatal_errors)
    if result.deleted_rows is not None:
        lines.append(f"cleanup: deleted {result.deleted_rows:,} rows of run {result.run_id}")
    return "\n".join(lines)
