"""``aurora-load`` end to end through its CLI on each engine: the local MariaDB standing in for
Aurora MySQL and the local PostgreSQL for Aurora PostgreSQL, including a real MariaDB restart in
the middle of a run on a server of the test's own (PostgreSQL's is in test_postgres_server.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import mysql.connector
import pytest

from contract import AuroraOutputs
from tests.integration.engine_stacks import (
    admin_sql,
    aurora_load_in_background,
    mysql_stack,
    own_mariadb_stack,
    pg_stack,
    stack,
)
from workloads import aurora_load
from workloads.common import Outputs
from workloads.sql import libpq, sql_endpoint
from workloads.sql.engines import engine_family

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

__all__ = ["mysql_stack", "own_mariadb_stack", "pg_stack", "stack"]  # fixtures, used by name


def test_aurora_load_by_ops_twice(run_workload, stack):
    for _ in range(2):  # the table exists the second time: still fine
        done = run_workload(
            "aurora-load",
            "--outputs",
            str(stack.path),
            "--json",
            "--ops",
            "600",
            "--workers",
            "3",
            "--mix",
            "50",
            "--mode",
            "threads",
            "--cleanup",
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["engine"] == stack.outputs["aurora"]["engine"]
        assert result["operations"] == 600
        assert result["inserts"] + result["reads"] == 600
        assert 150 < result["inserts"] < 450
        assert result["verification"]["lost"] == 0
        assert result["verification"]["acknowledged"] == result["inserts"]
        assert result["deletedRows"] == result["inserts"]
        lat = result["latencyMs"]
        assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
        assert sum(s["inserts"] + s["reads"] for s in result["perSecond"]) == 600


def test_aurora_load_duration_processes_and_rate(run_workload, sql_stack):
    done = run_workload(
        "aurora-load",
        "--outputs",
        str(sql_stack.path),
        "--json",
        "--duration",
        "2",
        "--workers",
        "2",
        "--rate",
        "200",
        "--mode",
        "processes",
        "--cleanup",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["mode"] == "processes"
    # Paced at 200 ops/s for 2 s: about 400 operations, never thousands.
    assert 250 <= result["operations"] <= 480, result["operations"]


def test_aurora_load_text_report_has_chart(run_workload, stack):
    done = run_workload(
        "aurora-load",
        "--outputs",
        str(stack.path),
        "--ops",
        "200",
        "--mode",
        "threads",
        "--cleanup",
    )
    assert done.returncode == 0, done.stderr
    assert "p99" in done.stdout and "ops/s" in done.stdout
    assert "verified: all" in done.stdout


def test_verification_detects_a_lost_acknowledged_insert(run_workload, stack):
    done = run_workload(
        "aurora-load",
        "--outputs",
        str(stack.path),
        "--json",
        "--ops",
        "100",
        "--mix",
        "100",
        "--workers",
        "2",
        "--mode",
        "threads",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    admin_sql(
        stack.outputs["aurora"],
        "DELETE FROM dbtier_load WHERE run_id = %s AND worker = 1 AND seq IN (3, 7)",
        (result["runId"],),
    )
    aurora = Outputs(stack.outputs, "test").read(AuroraOutputs)
    family = engine_family(aurora.engine, key="aurora", workload="test")
    endpoint = sql_endpoint("aurora", aurora.writer_endpoint, aurora)
    acked = {int(i): n for i, n in result["verification"]["ackedByWorker"].items()}
    check = aurora_load.verify(endpoint, "dbtier_load", result["runId"], acked, 10, family=family)
    assert check.lost == 2
    assert check.lost_by_worker[1].first_missing_seq == [3, 7]
    assert check.acknowledged == result["verification"]["acknowledged"]
    deleted = aurora_load.cleanup(endpoint, "dbtier_load", result["runId"], family)
    assert deleted == result["verification"]["acknowledged"] - 2


def test_aurora_load_worker_processes_on_postgres(run_workload, pg_stack):
    # A spawned worker process finds its engine's driver by name, as threads do.
    done = run_workload(
        "aurora-load",
        "--outputs",
        str(pg_stack.path),
        "--json",
        "--ops",
        "300",
        "--workers",
        "2",
        "--mode",
        "processes",
        "--cleanup",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["mode"], result["driver"], result["operations"]) == (
        "processes",
        "psycopg2+libpq",
        300,
    )
    assert result["verification"]["lost"] == 0
    assert result["deletedRows"] == result["inserts"]


def test_aurora_load_on_postgres_without_direct_libpq(pg_stack, monkeypatch):
    # Where psycopg2's libpq cannot be identified, the statements run as psycopg2's EXECUTE:
    # the same proof, through the other path (in this process, so the switch can be made).
    monkeypatch.setattr(libpq, "load", lambda: None)
    aurora = Outputs(pg_stack.outputs, "test").read(AuroraOutputs)
    endpoint = sql_endpoint("aurora", aurora.writer_endpoint, aurora)
    settings = aurora_load.LoadSettings(workers=2, ops=400, mix=60)
    result = aurora_load.run_load(
        endpoint, settings, engine=aurora.engine, family="postgres", cleanup_after=True
    )
    assert result.driver == "psycopg2"
    assert result.ok and result.summary.operations == 400
    assert result.verification.lost == 0
    assert result.deleted_rows == result.summary.inserts > 0


def _wait_for_rows(server, database: str, proc: subprocess.Popen[str], timeout=120.0) -> None:
    """Until aurora-load has inserted into its table on ``server`` (or stopped: its exit shows)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            conn = server.connect()
            try:
                cur = conn.cursor()
                cur.execute(f"SELECT COUNT(*) FROM `{database}`.dbtier_load")
                if cur.fetchone()[0] > 0:
                    return
            finally:
                conn.close()
        except mysql.connector.Error:
            pass  # the table is not there yet
        time.sleep(0.1)


def test_aurora_load_survives_a_server_restart(own_mariadb_stack):
    # On a server of its own: the shared MariaDB serves other tests (and workers) meanwhile.
    sql_stack, server = own_mariadb_stack
    # scripts/engines.sh installs MariaDB from Debian's packages, which bring both tools.
    assert shutil.which("mariadb-admin") and shutil.which("mariadb-install-db")
    proc = aurora_load_in_background(sql_stack.path, duration=12, verify_timeout=90)
    try:
        # The restart comes once the run is inserting (a fixed wait lost the race on a busy
        # machine, where starting the workload alone took longer), and a moment into it.
        _wait_for_rows(server, sql_stack.outputs["aurora"]["databaseName"], proc)
        time.sleep(1)
        subprocess.run(
            ["mariadb-admin", f"-h{server.host}", f"-P{server.port}", "-uroot", "shutdown"],
            check=True,
            timeout=60,
        )
        server.wait_stopped()
        time.sleep(1.5)
        server.launch()
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["errors"], "the restart should have been seen as errors"
    assert result["reconnects"] >= 3
    assert result["verification"]["acknowledged"] > 100
    assert result["verification"]["lost"] == 0
    # Work happened both before and after the restart.
    busy = [s["second"] for s in result["perSecond"] if s["inserts"] + s["reads"] > 0]
    assert busy[0] <= 3 and busy[-1] >= 8, busy
    for secret in sql_stack.passwords:
        assert secret not in out and secret not in err


def _aurora_load_json(sql_stack, *, preload_ssl: bool, mode: str) -> tuple[dict, str]:
    args = ["aurora-load", "--outputs", str(sql_stack.path), "--json", "-v", "--ops", "200"]
    args += ["--mix", "50", "--workers", "2", "--mode", mode, "--cleanup"]
    # `import ssl` first loads the system's OpenSSL, after which the C extension cannot load.
    code = "import runpy, sys; sys.argv = ['workloads', *sys.argv[1:]]; "
    code = ("import ssl; " if preload_ssl else "") + code + "runpy.run_module('workloads', "
    code += "run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_aurora_load_uses_the_c_extension_and_falls_back_to_pure_python(sql_stack, mode):
    # The wheel installed here has the C extension: loaded first, it must be the driver in use,
    # in worker processes too.
    result, log = _aurora_load_json(sql_stack, preload_ssl=False, mode=mode)
    assert result["driver"] == "c-extension", log
    assert "MySQL driver: mysql-connector C extension" in log
    assert result["ok"] and result["verification"]["lost"] == 0
    assert result["operations"] == 200
    # Too late to load it: the same run on the pure-Python driver, and the log says why.
    result, log = _aurora_load_json(sql_stack, preload_ssl=True, mode="threads")
    assert result["driver"] == "pure-python", log
    assert "MySQL driver: mysql-connector pure Python (C extension unavailable:" in log
    assert result["ok"] and result["verification"]["lost"] == 0
    assert result["operations"] == 200
