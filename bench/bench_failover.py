"""The failover drill's recovery time on each local stand-in: the median RTO of N drills (default
5), each on a fresh stand-in (a failover changes who is primary), beside the failover time AWS
documents for the managed service it stands in for (docs/workloads.md has both).

    .venv/bin/python -m bench.bench_failover [--runs 5] [--stand-ins redis,aurora,relational]

- redis: a Redis primary and replica, ``REPLICAOF NO ONE`` and the endpoint moved after 0.2 s
  (``standins.local_failover.RedisPair``); also run with ``--durable``;
- aurora: PostgreSQL with a synchronous standby, ``pg_ctl promote`` and the endpoint moved
  (tests/integration/failover_local.py);
- relational: the bench's own MariaDB killed and started again (the Multi-AZ reboot).

Each drill runs as a user runs it (``python -m workloads failover --json``, 4 SQL writers or one
Redis writer at 200 writes/s). Not a test: timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import ROOT
from standins.local_failover import FAKE_AWS, redis_standin
from tests.integration.failover_local import mariadb_standin, postgres_standin

STANDINS: dict[str, tuple[str, Callable[[], Any], tuple[str, ...]]] = {
    "redis": ("redis", lambda: redis_standin(lag=0.2), ()),
    "redis-durable": ("redis", lambda: redis_standin(lag=0.2), ("--durable",)),
    "aurora": ("aurora", postgres_standin, ()),
    "relational": ("relational", mariadb_standin, ()),
}


def drill_once(name: str) -> dict[str, Any]:
    """One drill on a fresh stand-in: its JSON report."""
    target, standin, extra = STANDINS[name]
    with standin() as (_engine, front, outputs), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "outputs.json"
        path.write_text(json.dumps(outputs))
        command = [sys.executable, "-m", "workloads", "failover", "--target", target, "--json"]
        command += ["--outputs", str(path), "--warmup", "1", "--settle", "1", "--timeout", "60"]
        done = subprocess.run(
            [*command, *extra],
            cwd=ROOT,
            env={**os.environ, **FAKE_AWS, "AWS_ENDPOINT_URL": front.url},
            capture_output=True,
            text=True,
            check=False,
        )
        front.wait_effects()
    if done.returncode not in (0, 1):
        raise SystemExit(f"{name}: the drill failed ({done.returncode}): {done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_failover")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stand-ins", default=",".join(STANDINS))
    args = parser.parse_args()
    for name in args.stand_ins.split(","):
        rtos, lost, acked = [], [], []
        for run in range(args.runs):
            report = drill_once(name)
            rtos.append(report["rtoSeconds"])
            lost.append(report["writes"]["lost"])
            acked.append(report["writes"]["acknowledged"])
            print(f"{name} run {run + 1}: RTO {report['rtoSeconds']}s, lost {lost[-1]}", flush=True)
        with contextlib.suppress(statistics.StatisticsError, TypeError):
            print(
                f"{name}: median RTO {statistics.median(rtos):.2f}s (runs {rtos}), "
                f"acknowledged {statistics.median(acked):.0f}, lost {lost}",
                flush=True,
            )


if __name__ == "__main__":
    main()
