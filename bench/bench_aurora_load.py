"""aurora-load against each engine's native insert benchmark on the same server, the same number
of clients, the same duration, back to back. Goal: aurora-load >= 90% of the native tool's
inserts per second.

    .venv/bin/python -m bench.bench_aurora_load [--engine both|mysql|postgres] [--duration 10]
        [--rounds 2] [--workers 5] [--modes threads,processes] [--pg-server shared|private]

- MySQL (the local MariaDB standing in for Aurora MySQL): sysbench ``oltp_insert``. Needs
  sysbench (``apt-get update && apt-get install -y sysbench``); without it that part is skipped.
- PostgreSQL (standing in for Aurora PostgreSQL): ``pgbench`` running an insert-only custom
  script (``-n -M prepared``, one thread per client) into a table made by aurora-load itself, so
  both insert the same row shape into the same indexes: aurora-load's table, its (run id,
  worker, sequence) key filled from a sequence by pgbench, a 35-character text and a random
  number. Every measurement, of either tool, starts from empty tables and a fresh checkpoint
  (TRUNCATE, CHECKPOINT): no autovacuum of the previous run's deleted rows and no checkpoint left
  over for the next tool to pay. ``--pg-server shared`` (default) uses the local PostgreSQL;
  ``private`` starts a throw-away server of the bench's own (tests/integration/pg_server.py), so
  that its CPU is this benchmark's alone, and then also reports the CPU each insert cost, in the
  client (the tool's process and its children; aurora-load's start-up and final check, measured
  once with one operation, taken off) and in the server (the postmaster and every backend).
  ``--pg-setting NAME=VALUE`` sets the private server's settings: ``fsync=off`` takes the disk
  out of the figures (a commit then costs CPU alone: the hardest case for a Python client, and
  a figure the others' disk traffic on a shared machine cannot move). Without pgbench that part
  is skipped.

aurora-load runs insert-only (--mix 100) in each worker mode asked for (threads and processes:
how its default mode was chosen); the order alternates between rounds. Each round prints its
ratios, and the summary gives both the ratio of the medians and the median of the rounds' ratios
(the steadier figure when the machine's load drifts). Not a test: timings on a shared 2-core
machine are noisy, so read the ratio of runs made side by side, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from bench._common import bench_outputs, run_workload
from standins.local_outputs import build_outputs, new_password, provision_pg
from tests.integration.pg_server import PgServer

PGBENCH_TABLE = "dbtier_pgbench"
PGBENCH_SCRIPT = f"""\\set r random(1, 1000000)
INSERT INTO {PGBENCH_TABLE} (run_id, worker, seq, data, random_number) VALUES (1, :client_id, \
nextval('{PGBENCH_TABLE}_seq'), 'Load test data from worker 0 - 1234', :r);
"""


@dataclass(frozen=True)
class Measure:
    """One measurement: inserts per second, and CPU microseconds per insert when counted."""

    rate: float
    client_us: float | None = None
    server_us: float | None = None

    def cpu(self) -> str:
        if self.client_us is None or self.server_us is None:
            return ""
        return f" [cpu/insert client {self.client_us:.0f} us, server {self.server_us:.0f} us]"


def sysbench(database: str, duration: int, workers: int) -> Measure:
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
    return Measure(int(match.group(1)) / duration)


def aurora_load(
    path: str, duration: int, workers: int, mode: str, *, cleanup: bool = True
) -> tuple[dict[str, Any], str]:
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
        *(["--cleanup"] if cleanup else []),
    )
    assert result["verification"]["lost"] == 0
    return result, result["driver"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class PgTarget:
    """Where the PostgreSQL side runs: the shared local server, or a server of our own whose
    CPU can be counted (``server``)."""

    def __init__(
        self, path: Path, outputs: dict[str, Any], server: PgServer | None, scratch: Path
    ) -> None:
        self.path = path
        self.database = outputs["aurora"]["databaseName"]
        self.server = server
        self.host = server.host if server else "127.0.0.1"
        self.port = server.port if server else 5432
        self.env = dict(os.environ, PGPASSWORD=server.password) if server else None
        self.script = scratch / "insert.sql"
        self.startup_cpu: dict[str, float] = {}  # per worker mode

    def admin(self) -> Any:
        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            user="postgres",
            password=self.server.password if self.server else None,
            dbname=self.database,
        )
        conn.autocommit = True
        return conn

    def prepare(self, modes: list[str], workers: int) -> None:
        """aurora-load makes its table, and the same under pgbench's name (one-operation runs,
        which also measure its start-up and final check in each worker mode); a sequence for
        pgbench's keys; the script."""
        path = str(self.path)
        for mode in modes:
            began = _children_cpu()
            run_workload(
                "aurora-load",
                "--outputs",
                path,
                "--ops",
                "1",
                "--mode",
                mode,
                "--workers",
                str(workers),
            )
            self.startup_cpu[mode] = _children_cpu() - began
        run_workload("aurora-load", "--outputs", path, "--table", PGBENCH_TABLE, "--ops", "1")
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {PGBENCH_TABLE}_seq")
            cur.execute(f"GRANT ALL ON {PGBENCH_TABLE}, {PGBENCH_TABLE}_seq TO PUBLIC")
        conn.close()
        self.script.write_text(PGBENCH_SCRIPT)

    def fresh_start(self) -> None:
        """Empty both load tables and checkpoint: each measurement starts from the same state."""
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute(f"TRUNCATE {PGBENCH_TABLE}, dbtier_load")
            cur.execute("CHECKPOINT")
        conn.close()

    def settle(self, timeout: float = 10.0) -> None:
        """On a private server, until the sessions of the last run have ended and been reaped, so
        that all their CPU is in the postmaster's account."""
        if self.server is None:
            return
        deadline = time.monotonic() + timeout
        conn = self.admin()
        try:
            with conn.cursor() as cur:
                while time.monotonic() < deadline:
                    cur.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client "
                        "backend' AND pid <> pg_backend_pid()"
                    )
                    if cur.fetchone()[0] == 0:
                        break
                    time.sleep(0.05)
        finally:
            conn.close()
        time.sleep(0.2)  # this session's own end, and the postmaster reaping it

    def server_cpu(self) -> float | None:
        """Seconds of CPU the private server has used: the postmaster, its live children, and
        (through the postmaster's cutime) every child that has exited."""
        if self.server is None:
            return None
        pid = int((self.server.data / "postmaster.pid").read_text().split()[0])
        total = sum(int(f) for f in _stat(pid)[11:15])  # utime stime cutime cstime
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):  # a process that ended meanwhile
                fields = _stat(int(entry.name))
                if int(fields[1]) == pid:  # a child of the postmaster
                    total += sum(int(f) for f in fields[11:13])
        return total / os.sysconf("SC_CLK_TCK")

    def measure(self, run: Callable[[], int], duration: int, startup: float = 0.0) -> Measure:
        """``run`` (returning the inserts it made in ``duration`` seconds) from a fresh start,
        with CPU counted on a private server; ``startup``: client CPU not spent inserting."""
        self.fresh_start()
        self.settle()
        client, server = _children_cpu(), self.server_cpu()
        inserts = run()
        client = _children_cpu() - client - startup
        self.settle()
        after = self.server_cpu()
        if server is None or after is None or not inserts:
            return Measure(inserts / duration)
        per = 1e6 / inserts
        return Measure(inserts / duration, client * per, (after - server) * per)

    def pgbench(self, duration: int, workers: int) -> int:
        done = subprocess.run(
            [
                "pgbench",
                "-n",  # no vacuum of pgbench's own tables: there are none
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-M",
                "prepared",
                f"--client={workers}",
                f"--jobs={workers}",
                f"--time={duration}",
                f"--file={self.script}",
                self.database,
            ],
            capture_output=True,
            text=True,
            check=True,
            env=self.env,
        )
        match = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
        if match is None:
            raise SystemExit(f"could not read pgbench's transaction count: {done.stdout}")
        return int(match.group(1))


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields from the state on: [1] the parent, [11:15] utime, stime, cutime,
    cstime in clock ticks (proc(5) numbers them 4 and 14 to 17)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


@contextlib.contextmanager
def pg_target(kind: str, settings: dict[str, str]) -> Iterator[PgTarget]:
    """The shared local PostgreSQL (dbtier_bench_* databases), or a throw-away server with
    ``settings``; the scratch files go with it."""
    with tempfile.TemporaryDirectory(prefix="dbtier-pgbench-") as scratch:
        if kind == "shared":
            path, outputs = bench_outputs(
                relational_engine="postgres", aurora_engine="aurora-postgresql"
            )
            yield PgTarget(path, outputs, None, Path(scratch))
            return
        server = PgServer.create(**settings)
        try:
            passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
            outputs = build_outputs(
                "dbtier_bench",
                passwords,
                pg_port=server.port,
                relational_engine="postgres",
                aurora_engine="aurora-postgresql",
            )
            admin = server.connect()
            section = outputs["aurora"]
            provision_pg(admin, section["databaseName"], section["username"], section["password"])
            admin.close()
            path = Path(scratch) / "outputs.json"
            path.write_text(json.dumps(outputs))
            path.chmod(0o600)
            yield PgTarget(path, outputs, server, Path(scratch))
        finally:
            server.close()


def compare(
    native_name: str,
    native: Callable[[], Measure],
    ours: Callable[[str], tuple[Measure, str]],
    args: argparse.Namespace,
) -> None:
    """Rounds of the native tool and aurora-load in each mode, side by side; the summary."""
    modes = args.modes
    figures: dict[str, list[Measure]] = {native_name: [], **{mode: [] for mode in modes}}
    ratios: dict[str, list[float]] = {mode: [] for mode in modes}
    drivers: set[str] = set()
    for round_ in range(1, args.rounds + 1):
        # Alternate the order (native first, then last) so that a drift in the machine's load
        # during a round does not always favour the same side.
        native_first = round_ % 2 == 1
        if native_first:
            figures[native_name].append(native())
        for mode in modes if native_first else modes[::-1]:
            value, driver = ours(mode)
            figures[mode].append(value)
            drivers.add(driver)
        if not native_first:
            figures[native_name].append(native())
        base = figures[native_name][-1]
        for mode in modes:
            ratios[mode].append(figures[mode][-1].rate / base.rate)
        columns = ", ".join(
            f"{mode} {figures[mode][-1].rate:,.0f}/s ({ratios[mode][-1]:.0%}){figures[mode][-1].cpu()}"
            for mode in modes
        )
        print(
            f"round {round_}: {native_name} {base.rate:,.0f}/s{base.cpu()}, aurora-load {columns}",
            flush=True,
        )
    print(f"aurora-load driver: {', '.join(sorted(drivers))}")
    base_rate = statistics.median(m.rate for m in figures[native_name])
    for mode in modes:
        value = statistics.median(m.rate for m in figures[mode])
        print(
            f"median inserts/s, {args.workers} workers, {args.duration}s: aurora-load {mode} "
            f"{value:,.0f} vs {native_name} {base_rate:,.0f} = {value / base_rate:.0%}; median of "
            f"the rounds' ratios {statistics.median(ratios[mode]):.0%} (goal >= 90%)",
            flush=True,
        )
    for name, measures in figures.items():
        counted = [m for m in measures if m.client_us is not None and m.server_us is not None]
        if counted:
            client = statistics.median(m.client_us or 0.0 for m in counted)
            server = statistics.median(m.server_us or 0.0 for m in counted)
            print(f"median CPU per insert, {name}: client {client:.0f} us, server {server:.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["both", "mysql", "postgres"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument(
        "--modes",
        type=lambda text: text.split(","),
        default=["threads", "processes"],
        help="aurora-load worker modes, comma-separated (default threads,processes)",
    )
    parser.add_argument(
        "--pg-server",
        choices=["shared", "private"],
        default="shared",
        help="the local PostgreSQL, or a throw-away server whose CPU is counted",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the private server (repeatable), e.g. fsync=off",
    )
    args = parser.parse_args()
    if args.engine in ("both", "mysql"):
        bench_mysql(args)
    if args.engine in ("both", "postgres"):
        bench_postgres(args)


def bench_mysql(args: argparse.Namespace) -> None:
    print("== Aurora MySQL (local MariaDB): aurora-load vs sysbench oltp_insert")
    if shutil.which("sysbench") is None:
        print("sysbench is not installed: apt-get update && apt-get install -y sysbench; skipped")
        return
    path, outputs = bench_outputs()
    database = outputs["aurora"]["databaseName"]

    def ours(mode: str) -> tuple[Measure, str]:
        result, driver = aurora_load(str(path), args.duration, args.workers, mode)
        return Measure(result["throughput"]["insertsPerSecond"]), driver

    compare("sysbench", lambda: sysbench(database, args.duration, args.workers), ours, args)


def bench_postgres(args: argparse.Namespace) -> None:
    print(
        f"== Aurora PostgreSQL ({args.pg_server} PostgreSQL): aurora-load vs pgbench, "
        "insert-only script"
    )
    if shutil.which("pgbench") is None:
        print("pgbench is not installed (Debian: the PostgreSQL server's package); skipped")
        return
    settings = dict(item.split("=", 1) for item in args.pg_setting)
    with pg_target(args.pg_server, settings) as target:
        target.prepare(args.modes, args.workers)
        drivers: list[str] = []

        def run_ours(mode: str) -> int:
            result, driver = aurora_load(
                str(target.path), args.duration, args.workers, mode, cleanup=False
            )
            drivers.append(driver)
            return int(result["inserts"])

        def ours(mode: str) -> tuple[Measure, str]:
            value = target.measure(lambda: run_ours(mode), args.duration, target.startup_cpu[mode])
            return value, drivers[-1]

        def native() -> Measure:
            return target.measure(
                lambda: target.pgbench(args.duration, args.workers), args.duration
            )

        try:
            compare("pgbench", native, ours, args)
        finally:
            target.fresh_start()


if __name__ == "__main__":
    main()
