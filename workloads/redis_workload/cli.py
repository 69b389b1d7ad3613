"""``python -m workloads redis``: flags, the text report and the exit code."""

from __future__ import annotations

import argparse
import json
import os

from contract import RedisOutputs
from workloads.common import (
    Outputs,
    WorkloadError,
    add_credentials_argument,
    finish,
    render_table,
)
from workloads.redis_workload import (
    BenchReport,
    RedisResult,
    run_benchmarks,
    run_checks,
    target_from,
)

HELP = """Redis/Valkey: the seed's operations on every data type, sessions, cache-aside, pub/sub, bench.

Writes to primaryEndpoint, reads from readerEndpoint, TLS and AUTH as the `redis` output says:
the AUTH token (from the secret behind secretArn, else authToken), or with RBAC users a named
user (--user, else the output's username): a password user with its secret's password, an IAM
user with a token signed by the default AWS session. A password the server refuses is renewed
from the secret, as after a rotation. With clusterMode (shards, or serverless) a cluster client
follows the slot map and redirections, and reports each shard's keys and latency.
Every key is under --prefix in --db and removed at the end. --bench measures SET and GET like
redis-benchmark (ops/s, latency percentiles); --soak SECONDS runs a write loop that must survive
a failover with every acknowledged write kept."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``redis`` workload's options."""
    add_credentials_argument(parser)
    parser.add_argument(
        "--user", help="log in as this user of the output's users (default: its username)"
    )
    parser.add_argument("--db", type=int, default=0, help="logical database (default 0)")
    parser.add_argument(
        "--prefix", default="dbtier:workload:", help="key prefix (default dbtier:workload:)"
    )
    parser.add_argument(
        "--session-ttl", type=float, default=1800, help="session expiry in seconds (default 1800)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the keys (no cleanup)")
    parser.add_argument(
        "--ca-bundle", help="CA certificates for TLS (default: the system trust store)"
    )
    parser.add_argument(
        "--soak", type=float, default=0, metavar="SECONDS", help="run a write loop this long"
    )
    parser.add_argument("--bench", action="store_true", help="run SET/GET benchmarks instead")
    parser.add_argument("--connections", type=int, default=50, help="bench connections (50)")
    parser.add_argument("--pipeline", type=int, default=1, help="bench pipeline depth (1)")
    parser.add_argument("--requests", type=int, default=100_000, help="bench requests (100000)")
    parser.add_argument("--value-size", type=int, default=3, help="bench value bytes (3)")
    parser.add_argument(
        "--processes", type=int, help="bench client processes (default: CPUs; half on loopback)"
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    """The ``redis`` workload."""
    if args.ca_bundle is not None and not os.path.isfile(args.ca_bundle):
        raise WorkloadError(f"--ca-bundle {args.ca_bundle}: no such file")
    target = target_from(outputs.read(RedisOutputs), args.ca_bundle, args.credentials, args.user)
    if args.bench:
        if args.connections < 1 or args.pipeline < 1 or args.requests < 1 or args.value_size < 0:
            raise WorkloadError("--connections, --pipeline and --requests must be >= 1")
        report = run_benchmarks(
            target,
            db=args.db,
            prefix=args.prefix,
            connections=args.connections,
            pipeline=args.pipeline,
            requests=args.requests,
            value_size=args.value_size,
            processes=args.processes,
        )
        return finish(report, args.json, render_bench)
    result = run_checks(
        target,
        db=args.db,
        prefix=args.prefix,
        session_ttl=args.session_ttl,
        soak_seconds=args.soak,
        keep=args.keep,
    )
    return finish(result, args.json, render)


def render_bench(report: BenchReport) -> str:
    rows = [
        [
            b["command"],
            b["connections"],
            b["pipeline"],
            b["opsPerSecond"],
            b["p50Ms"],
            b["p95Ms"],
            b["p99Ms"],
        ]
        for b in report.to_json()["bench"]
    ]
    return render_table(["cmd", "conns", "pipeline", "ops/s", "p50 ms", "p95 ms", "p99 ms"], rows)


def render(result: RedisResult) -> str:
    rows = [[name, json.dumps(value)] for name, value in result.checks.results.items()]
    cache = result.cache
    rows.append(["cache", f"{cache.hits} hits, {cache.misses} misses, {cache.loads} loads"])
    rows.append(["pubsub", f"{len(result.pubsub.messages)} messages, {result.pubsub.reason}"])
    if result.soak is not None:
        soak = result.soak
        rows.append(
            ["soak", f"{soak.acknowledged} acked, {soak.lost} lost, {soak.given_up} given up"]
        )
    for shard in result.shards:
        rows.append(
            [
                f"shard {shard.node}",
                f"{shard.keys} keys, {shard.commands} commands,"
                f" p50 {shard.p50_ms:.2f} ms, p99 {shard.p99_ms:.2f} ms",
            ]
        )
    if result.redirections is not None:
        rows.append(["redirections", json.dumps(result.redirections)])
    rows.append(["retried errors", json.dumps(result.retried_errors)])
    renewed = f", renewed {result.renewals} time(s)" if result.renewals else ""
    rows.append(["reconnects", str(result.reconnects)])
    who = f"user {result.user}: " if result.user else ""
    source = "an IAM token" if result.iam_tokens else f"password from the {result.credentials}"
    rows.append(["credentials", f"{who}{source}{renewed}"])
    status = "ok" if result.ok else "FAILED: " + "; ".join(result.problems)
    return f"redis {result.primary} (reads {result.reader}): {status}\n" + render_table(
        ["step", "result"], rows
    )
