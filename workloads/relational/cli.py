"""``python -m workloads relational``: flags, the text report and the exit code."""

from __future__ import annotations

import argparse

from contract import RelationalOutputs
from workloads.common import Outputs, finish, log, progress, render_table
from workloads.common.regions import regional_host
from workloads.relational import RelationalResult, Replay, Standby, check
from workloads.sql import ConnectionOptions, add_connection_arguments, sql_endpoint
from workloads.sql.engines import engine_family

HELP = (
    "RDS MySQL, MariaDB or PostgreSQL: idempotent schema and sample users, reads from primary "
    "and readers, replica lag"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument(
        "--lag-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="fail a reader that does not see the marker row within S seconds (default 30)",
    )
    parser.add_argument(
        "--sample", type=int, default=5, metavar="N", help="rows to show from each endpoint"
    )
    parser.add_argument(
        "--region",
        default=None,
        help="check the cross-region read replica in this region (relational.regionReaderEndpoints)"
        " as the only reader: reads and the lag of the primary's marker row, no writes on it",
    )


def readers_for(
    section: RelationalOutputs, region: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The readers to check and, for a local stand-in, what stands in for the region: the
    home readers without --region; with it, only that region's replica. Outputs of a local run
    (tls false, no regionReaderEndpoints) have none: the local engine stands in, said so."""
    if region is None:
        return section.reader_endpoints, None
    hosts = section.region_reader_endpoints
    local = hosts is None and not section.tls
    host, note = regional_host(
        region,
        hosts,
        local_host=(section.reader_endpoints or (section.endpoint,))[0] if local else None,
        missing="relational has no cross-region read replica there",
        key="relational.regionReaderEndpoints",
    )
    return (host,), note


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    section = outputs.read(RelationalOutputs)
    family = engine_family(section.engine, key=RelationalOutputs.KEY, workload="relational")
    readers, note = readers_for(section, args.region)
    primary = sql_endpoint(
        "relational", section.endpoint, section, ConnectionOptions.from_args(args)
    )
    bar = progress(3 + len(readers), "relational", disable=args.json)
    try:
        result = check(
            primary,
            readers,
            engine=section.engine,
            family=family,
            sample=args.sample,
            lag_timeout=args.lag_timeout,
            on_step=bar.update,
        )
    finally:
        bar.close()
    result.region, result.region_note = args.region, note
    log.info("relational done: ok=%s", result.ok)
    return finish(result, args.json, render)


def render(result: RelationalResult) -> str:
    lines = [
        f"relational ({result.engine} on {result.server})",
        f"schema ready; sample users: {result.inserted} inserted, "
        f"{result.already_present} already present",
        "",
        f"primary {result.primary_host}: {result.primary_users.count} users",
        render_table(
            ["id", "name", "email"], [(r.id, r.name, r.email) for r in result.primary_users.sample]
        ),
    ]
    if result.region:
        lines.append(f"region {result.region}: {result.region_note or 'its cross-region replica'}")
    if not result.readers:
        lines += ["", "no reader endpoints in the outputs: replica lag not measured"]
    for reader in result.readers:
        lines.append("")
        if reader.users is None:
            lines.append(f"reader {reader.host}: UNREACHABLE: {reader.error}")
            continue
        lag = reader.lag_seconds
        lag_text = f"replica lag {lag * 1000:.1f} ms" if lag is not None else "replica lag: TIMEOUT"
        lines.append(f"reader {reader.host}: {reader.users.count} users, {lag_text}")
        if reader.replay is not None:
            lines.append(f"  {_replay_text(reader.replay)}")
    if result.standbys is not None:
        lines += ["", *_standbys_text(result.standbys)]
    if result.problem:
        lines += ["", f"FAILED: {result.problem}"]
    return "\n".join(lines)


def _standbys_text(standbys: list[Standby]) -> list[str]:
    if not standbys:
        return ["primary's pg_stat_replication: no standby streams from it"]
    lines = []
    for standby in standbys:
        lag = standby.replay_lag_seconds
        if standby.state is None:
            seen = "state and lag not visible (the pg_monitor role shows them)"
        else:
            seen = f"{standby.state}, replay lag " + (
                f"{lag * 1000:.1f} ms" if lag is not None else "not reported"
            )
        lines.append(f"primary's pg_stat_replication: {standby.client} {seen}")
    return lines


def _replay_text(replay: Replay) -> str:
    if not replay.standby:
        return "engine: not a standby (pg_is_in_recovery() is false: this reader is a primary)"
    lag = replay.lag_seconds
    return "engine: standby, replay lag " + (
        f"{lag * 1000:.1f} ms" if lag is not None else "unknown (nothing replayed yet)"
    )
