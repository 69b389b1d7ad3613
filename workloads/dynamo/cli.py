"""``python -m workloads dynamo``: flags, the tables to check, the text report, the exit code."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
import botocore.loaders

from contract import DynamoOutputs, DynamoReplicaOutputs, echo
from contract.tables import SEED_TABLE, create_table_kwargs
from workloads.common import (
    EXIT_CHECK_FAILED,
    Outputs,
    WorkloadError,
    bounded,
    check_exit_code,
    finish,
    one_line,
    render_table,
)
from workloads.dynamo import (
    MAX_USERS,
    CheckSettings,
    TableResult,
    UnprocessedItemsError,
    ensure_table,
    log,
    make_clients,
    make_probe,
    run_table,
)
from workloads.dynamo.data import HIGH_SALARY
from workloads.dynamo.replication import ReplicationResult, check_replication

HELP = """DynamoDB: populate users, run the seed's queries, scans and update, drain the stream.

For each table of the `dynamo` output: write --users users (deterministic by --seed) with
concurrent batch writes, get one by key, query EmailIndex and DepartmentIndex, scan for active and
high-salary users, scan in parallel segments (each item must be seen exactly once), update one
salary on condition that the user exists, and with --drain-stream read the table's stream from
TRIM_HORIZON and run the stream processor handler on it locally.

Global tables (`dbtier:regions`): --region runs all of it against the table's replica in that
region; --replication writes probe items in the region run against and reports how long each
other region of the table took to show them (the lag observed by a client, which a local run's
stand-in decides, not DynamoDB)."""

# What --create-table creates locally, by the table's key in the `dynamo.tables` output.
DEFAULT_TABLES = {SEED_TABLE.name: SEED_TABLE}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``dynamo`` workload's options."""
    parser.add_argument(
        "--users", type=bounded(0, MAX_USERS), default=50, help="users to write (default 50)"
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    parser.add_argument("--table", help="only this table (its key in the `dynamo.tables` output)")
    parser.add_argument(
        "--workers", type=bounded(1, 256), default=16, help="batch writes in flight (default 16)"
    )
    parser.add_argument(
        "--segments", type=bounded(1, 64), default=4, help="parallel scan segments (default 4)"
    )
    parser.add_argument(
        "--page-size", type=bounded(1, 10_000), help="items per Query/Scan page (default: 1 MB)"
    )
    parser.add_argument("--user-id", help="key for get and update (default: user 1)")
    parser.add_argument("--email", help="EmailIndex query value (default: user 1's email)")
    parser.add_argument("--department", default="Engineering", help="DepartmentIndex value")
    parser.add_argument("--created-from", help="DepartmentIndex createdAt lower bound (ISO 8601)")
    parser.add_argument("--created-to", help="DepartmentIndex createdAt upper bound (ISO 8601)")
    parser.add_argument(
        "--new-salary", type=bounded(0, 10**9), default=95_000, help="salary to set (default 95000)"
    )
    parser.add_argument(
        "--drain-stream",
        action="store_true",
        help="read the stream from TRIM_HORIZON and run the stream processor handler on it",
    )
    parser.add_argument(
        "--create-table",
        action="store_true",
        help="local runs only (endpointUrl set): create missing tables from the default config",
    )
    parser.add_argument(
        "--region", help="run against the table's replica in this region (default: dynamo.region)"
    )
    parser.add_argument(
        "--replication",
        action="store_true",
        help="measure replication from --region to every other region of each table",
    )
    parser.add_argument(
        "--replication-items", type=bounded(1, 1000), default=5, help="probes (default 5)"
    )
    parser.add_argument(
        "--replication-timeout",
        type=bounded(1, 3600),
        default=30,
        help="seconds a probe may take to show in every region (default 30)",
    )
    parser.add_argument(
        "--retry-mode", choices=("standard", "adaptive"), default="standard", help="botocore"
    )
    parser.add_argument(
        "--max-attempts", type=bounded(1, 20), default=5, help="botocore attempts per call"
    )


@dataclass(frozen=True)
class TableTarget:
    """One table of the ``dynamo`` output: its key there, its name, its stream if exported."""

    key: str
    table_name: str
    stream_arn: str | None
    replicas: tuple[DynamoReplicaOutputs, ...] = ()

    def regions(self, home: str) -> tuple[str, ...]:
        """Every region the table is in: the stack's, then its replicas'."""
        return (home, *(r.region for r in self.replicas))

    def in_region(self, home: str, region: str) -> TableTarget:
        """The table as seen in `region`: its stream there (a replica has its own)."""
        if region == home:
            return self
        (replica,) = [r for r in self.replicas if r.region == region]
        return TableTarget(self.key, self.table_name, replica.stream_arn, self.replicas)


@dataclass(frozen=True)
class DynamoResult:
    """Every table's result."""

    region: str
    tables: list[TableResult]
    replication: list[ReplicationResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and all(r.ok for r in self.replication)

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region": self.region, "tables": [t.to_json() for t in self.tables]}
        if self.replication:
            out["replication"] = [r.to_json() for r in self.replication]
        return {**out, "ok": self.ok}


def check_region(region: str, source: str) -> None:
    """Refuse a region no AWS partition has (botocore's own partition patterns), before a call.

    The contract already checked its shape (``us-east-1``); this catches ``mars-north-9``, which
    botocore would send to a host that does not exist and retry for a long time.
    """
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    patterns = [p["regionRegex"] for p in partitions if p.get("regionRegex")]
    known = {name for p in partitions for name in p.get("regions", {})}
    if region in known or any(re.fullmatch(pattern.strip("^$"), region) for pattern in patterns):
        return
    raise WorkloadError(
        f'{source}: malformed key "dynamo.region" ({echo(region, 40)} is in no AWS partition)'
    )


def select_targets(section: DynamoOutputs, source: str, only: str | None) -> list[TableTarget]:
    """The tables of the ``dynamo`` output to check (all, or the one ``--table`` names)."""
    if not section.tables:
        raise WorkloadError(f'{source}: "dynamo.tables" is empty')
    targets = [
        TableTarget(key, table.table_name, table.stream_arn, table.replicas)
        for key, table in section.tables.items()
    ]
    if only is not None:
        targets = [t for t in targets if only in (t.key, t.table_name)]
        if not targets:
            names = ", ".join(echo(name, 60) for name in section.tables)
            raise WorkloadError(f"--table {echo(only, 60)}: not in dynamo.tables ({names})")
    return targets


def _check_reachable(
    client: Any, target: TableTarget, endpoint: str, *, missing_ok: bool = False
) -> None:
    try:
        client.describe_table(TableName=target.table_name)
    except client.exceptions.ResourceNotFoundException:
        if missing_ok:
            return
        raise WorkloadError(
            f"table {target.table_name} does not exist at {echo(endpoint)} "
            f"(dynamo.tables.{echo(target.key, 60)}; local runs: add --create-table)"
        ) from None


def in_region(targets: list[TableTarget], home: str, region: str, source: str) -> list[TableTarget]:
    """The tables as seen in `region` (`--region`): each must have a replica there."""
    check_region(region, source)
    for target in targets:
        if region not in target.regions(home):
            where = ", ".join(target.regions(home))
            raise WorkloadError(
                f"--region {echo(region, 40)}: table {target.table_name} is not replicated there"
                f" (dynamo.tables.{echo(target.key, 60)} is in {where})"
            )
    return [t.in_region(home, region) for t in targets]


def replication_of(
    target: TableTarget,
    args: argparse.Namespace,
    client: Any,
    *,
    home: str,
    region: str,
    url: str | None,
) -> ReplicationResult:
    """Probe replication of one table from `region` (written through `client`) to the others."""
    others = [r for r in target.regions(home) if r != region]
    clients = {
        other: make_clients(other, url, 1, args.retry_mode, args.max_attempts)[0]
        for other in others
    }
    return check_replication(
        client,
        clients,
        target.table_name,
        source_region=region,
        items=args.replication_items,
        timeout=args.replication_timeout,
        stand_in=f"the local stand-in at {url}" if url else None,
    )


def settings_from(args: argparse.Namespace) -> CheckSettings:
    """The per-table settings of the command line."""
    return CheckSettings(
        users=args.users,
        seed=args.seed,
        workers=args.workers,
        segments=args.segments,
        page_size=args.page_size,
        user_id=args.user_id,
        email=args.email,
        department=args.department,
        created_from=args.created_from,
        created_to=args.created_to,
        new_salary=args.new_salary,
        drain_stream=args.drain_stream,
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    """The ``dynamo`` workload."""
    if args.created_from and args.created_to and args.created_from > args.created_to:
        raise WorkloadError("--created-from is after --created-to")
    section = outputs.read(DynamoOutputs)
    check_region(section.region, outputs.source)
    targets = select_targets(section, outputs.source, args.table)
    home, endpoint_url = section.region, section.endpoint_url
    region = args.region or home
    targets = in_region(targets, home, region, outputs.source)
    bare = [t for t in targets if not t.replicas] if args.replication else []
    if bare:
        raise WorkloadError(
            f"--replication: table {bare[0].table_name} has no replicas"
            f" (dynamo.tables.{echo(bare[0].key, 60)}.replicas; see dbtier:regions)"
        )
    endpoint = endpoint_url or f"DynamoDB in {region}"
    client, streams = make_clients(
        region, endpoint_url, args.workers + args.segments, args.retry_mode, args.max_attempts
    )
    probe = make_probe(region, endpoint_url)
    settings = settings_from(args)
    results = []
    replication: list[ReplicationResult] = []
    try:
        # Fail fast on a wrong endpoint: one quick call before any work (or any table creation).
        _check_reachable(probe, targets[0], endpoint, missing_ok=args.create_table)
        if args.create_table:
            if not endpoint_url:
                raise WorkloadError("--create-table is for local runs (dynamo.endpointUrl)")
            for target in targets:
                schema = DEFAULT_TABLES.get(target.key)
                if schema is None:
                    raise WorkloadError(f"--create-table: no default config for table {target.key}")
                if ensure_table(client, create_table_kwargs(schema, target.table_name)):
                    log.info("created table %s", target.table_name)
        for target in targets:
            _check_reachable(client, target, endpoint)
            results.append(
                run_table(
                    client,
                    streams,
                    target.table_name,
                    settings,
                    stream_arn=target.stream_arn,
                    show_progress=not args.json,
                )
            )
            if args.replication:
                replication.append(
                    replication_of(target, args, client, home=home, region=region, url=endpoint_url)
                )
    except botocore.exceptions.EndpointConnectionError:
        raise WorkloadError(f"cannot reach {echo(endpoint)}") from None
    except botocore.exceptions.NoCredentialsError:
        raise WorkloadError("no AWS credentials found (set AWS_PROFILE or run in AWS)") from None
    except botocore.exceptions.ClientError as exc:
        raise WorkloadError(f"DynamoDB: {echo(one_line(exc), 300)}") from None
    except UnprocessedItemsError as exc:
        raise WorkloadError(
            f"batch write gave up with {exc.remaining} items unprocessed", EXIT_CHECK_FAILED
        ) from None
    return finish(DynamoResult(region, results, replication), args.json, render)


def render(result: DynamoResult) -> str:
    """Text report: one block per table."""
    blocks = []
    for t in result.tables:
        pop, update = t.populate, t.update
        rows = [
            [
                "populate",
                f"{pop.items} items, {round(pop.items_per_second, 1):.0f}/s, "
                f"{pop.requests} requests, {pop.resent_items} re-sent",
            ],
            ["get", f"{t.user_id}: {'found' if t.user is not None else 'not found'}"],
            ["query EmailIndex", f"{t.email}: {t.reads['queryEmail'].count}"],
            ["query DepartmentIndex", f"{t.department}: {t.reads['queryDepartment'].count}"],
            ["scan isActive", str(t.reads["scanActive"].count)],
            [f"scan salary > {HIGH_SALARY:,}", str(t.reads["scanHighSalary"].count)],
            [
                "parallel scan",
                f"{t.scanned} items in segments {t.segments}, {t.duplicates} duplicates",
            ],
            [
                "update salary",
                f"{update.user_id}: {update.old_salary} -> {update.new_salary}"
                if update.found
                else f"{update.user_id}: not found",
            ],
        ]
        if t.stream is not None:
            s = t.stream
            events = ", ".join(f"{n} {name}" for name, n in sorted(s.by_event.items()))
            rows.append(["stream", f"{s.records} records ({events}), {s.failures} failures"])
        status = "ok" if t.ok else "FAILED: " + "; ".join(t.problems)
        blocks.append(f"table {t.table}: {status}\n" + render_table(["step", "result"], rows))
    blocks += [render_replication(r) for r in result.replication]
    return "\n\n".join(blocks)


def render_replication(r: ReplicationResult) -> str:
    """One table's replication lag from the region written to each other region."""
    rows = []
    for lag in r.regions:
        shown = lag.to_json().get("lagSeconds")
        lags = f"lag {shown['min']}/{shown['median']}/{shown['max']} s" if shown else "no lag seen"
        rows.append([lag.region, f"{len(lag.lags)}/{lag.sent} probes, {lags} (min/median/max)"])
    by = r.stand_in or "DynamoDB global tables"
    status = "ok" if r.ok else "FAILED: " + "; ".join(r.problems)
    head = f"replication of {r.table} from {r.source}, replicated by {by}: {status}"
    if r.stand_in:
        head += "\n(local run: the lag is what the stand-in does, not what DynamoDB would do)"
    return head + "\n" + render_table(["region", "observed"], rows)
