"""aurora-load against sysbench oltp_insert on the same MariaDB: 5 workers each, same duration,
back to back. Goal: aurora-load >= 90% of sysbench's inserts per second.

    .venv/bin/python -m bench.bench_aurora_load [--duration 10] [--rounds 2]

Needs sysbench (`apt-get update && apt-get install -y sysbench`); without it, says so and exits
0. aurora-load runs insert-only (--mix 100) in both worker modes, threads and processes, which is
how its default mode was chosen; the order alternates between rounds. Each round prints its
ratios, and the summary gives both the ratio of the medians and the median of the rounds' ratios
(the steadier figure when the machine's load drifts). Not a test: timings on a shared 2-core
machine are noisy, so read the ratio of runs made side by side, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess

from bench._common import bench_outputs, run_workload


def sysbench(database: str, duration: int, workers: int) -> float:
    base = [
        "sysbench",
        "oltp_insert",
        "--db-driver=mysql",
        "--mysql-host=127.0.0.1",
        "--mysql-user=root",
        f"--mysql-db={database}",
        "--tables=1",
        "--table-size=10000",
        f"--threads={workers}",
    ]
    subprocess.run([*base, "cleanup"], capture_output=True, check=False)
    subprocess.run([*base, "prepare"], capture_output=True, check=True)
    done = subprocess.run(
        [*base, f"--time={duration}", "run"], capture_output=True, text=True, check=True
    )
    subprocess.run([*base, "cleanup"], capture_output=True, check=False)
    match = re.search(r"write:\s+(\d+)", done.stdout)
    if match is None:
        raise SystemExit("could not read sysbench's write count")
    return int(match.group(1)) / duration


def aurora_load(path: str, duration: int, workers: int, mode: str) -> tuple[float, str]:
    result, _ = run_workload(
        "aurora-load",
        "--outputs",
        path,
        "--workers",
        str(workers),
        "--duration",
        str(duration),
        "--mix",
        "100",
        "--mode",
        mode,
        "--cleanup",
    )
    assert result["verification"]["lost"] == 0
    return result["throughput"]["insertsPerSecond"], result["driver"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("sysbench") is None:
        print("sysbench is not installed: apt-get update && apt-get install -y sysbench; skipped")
        return
    path, outputs = bench_outputs()
    database = outputs["aurora"]["databaseName"]
    modes = ("threads", "processes")
    figures: dict[str, list[float]] = {"sysbench": [], **{mode: [] for mode in modes}}
    ratios: dict[str, list[float]] = {mode: [] for mode in modes}
    drivers: set[str] = set()
    for round_ in range(1, args.rounds + 1):
        # Alternate the order (sysbench first, then last) so that a drift in the machine's load
        # during a round does not always favour the same side.
        sysbench_first = round_ % 2 == 1
        if sysbench_first:
            figures["sysbench"].append(sysbench(database, args.duration, args.workers))
        for mode in modes if sysbench_first else modes[::-1]:
            value, driver = aurora_load(str(path), args.duration, args.workers, mode)
            figures[mode].append(value)
            drivers.add(driver)
        if not sysbench_first:
            figures["sysbench"].append(sysbench(database, args.duration, args.workers))
        base = figures["sysbench"][-1]
        for mode in modes:
            ratios[mode].append(figures[mode][-1] / base)
        columns = ", ".join(
            f"{mode} {figures[mode][-1]:,.0f}/s ({ratios[mode][-1]:.0%})" for mode in modes
        )
        print(f"round {round_}: sysbench {base:,.0f}/s, aurora-load {columns}")
    print(f"aurora-load driver: {', '.join(sorted(drivers))}")
    base = statistics.median(figures["sysbench"])
    for mode in modes:
        value = statistics.median(figures[mode])
        print(
            f"median inserts/s, {args.workers} workers, {args.duration}s: aurora-load {mode} "
            f"{value:,.0f} vs sysbench {base:,.0f} = {value / base:.0%}; median of the rounds' "
            f"ratios {statistics.median(ratios[mode]):.0%} (goal >= 90%)"
        )


if __name__ == "__main__":
    main()
