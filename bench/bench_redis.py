"""Benchmark: the ``redis`` workload's bench mode against redis-benchmark on the same server.

Same connections, same value size, SET and GET, without pipelining and at pipeline 16; each pair
runs back to back and is repeated (best of ``--repeat``) because the machine is shared and noisy.
The figure that matters is the ratio to redis-benchmark, measured in the same conditions.

    .venv/bin/python -m bench.bench_redis --connections 50
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys

import redis

from workloads.common import Endpoint
from workloads.redis_workload.bench import run_bench

DB = 9
PREFIX = "dbtier:bench:"


def redis_benchmark(
    host: str,
    port: int,
    command: str,
    connections: int,
    pipeline: int,
    requests: int,
    value_size: int,
) -> float:
    """requests/s reported by redis-benchmark for one test."""
    exe = shutil.which("redis-benchmark")
    if exe is None:
        raise SystemExit("redis-benchmark not found (apt-get install redis-tools)")
    done = subprocess.run(
        [
            exe,
            "-h",
            host,
            "-p",
            str(port),
            "-c",
            str(connections),
            "-n",
            str(requests),
            "-P",
            str(pipeline),
            "-d",
            str(value_size),
            "-t",
            command.lower(),
            "--dbnum",
            str(DB),
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = list(csv.reader(io.StringIO(done.stdout)))
    for row in rows:
        if row and row[0].upper() == command:
            return float(row[1])
    raise RuntimeError(f"no {command} row in redis-benchmark output: {done.stdout!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200_000, help="per test, pipeline 1")
    parser.add_argument("--value-size", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    args = parser.parse_args()
    target = Endpoint(args.host, args.port)
    print(f"connections={args.connections} value={args.value_size}B processes={args.processes}")
    print(f"{'cmd':4} {'P':>3} {'redis-benchmark':>16} {'workload':>10} {'ratio':>6}  p50/p99 ms")
    for pipeline in (1, 16):
        requests = args.requests * (5 if pipeline > 1 else 1)
        for command in ("SET", "GET"):
            native, ours, best = 0.0, 0.0, None
            for _ in range(args.repeat):
                native = max(
                    native,
                    redis_benchmark(
                        args.host,
                        args.port,
                        command,
                        args.connections,
                        pipeline,
                        requests,
                        args.value_size,
                    ),
                )
                result = run_bench(
                    target,
                    command,
                    db=DB,
                    prefix=PREFIX,
                    connections=args.connections,
                    pipeline=pipeline,
                    requests=requests,
                    value_size=args.value_size,
                    processes=args.processes,
                )
                if result.ops_per_second > ours:
                    ours, best = result.ops_per_second, result
            assert best is not None
            p50, p99 = best.percentiles_ms(50, 99)
            print(
                f"{command:4} {pipeline:>3} {native:>16,.0f} {ours:>10,.0f} {ours / native:>6.0%}"
                f"  {p50:.2f}/{p99:.2f}",
                flush=True,
            )
    client = redis.Redis(host=args.host, port=args.port, db=DB)
    client.delete("key:__rand_int__", PREFIX + "bench:key:000000000000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
