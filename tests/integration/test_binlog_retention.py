"""The binlog-retention deploy step (``python -m workloads binlog-retention``) and
migration-check's warning, on a MariaDB server of the test's own (binary log on, a 1 h expiry),
so the shared server's globals and ``mysql`` schema are never touched.

Not RDS, the step raises ``binlog_expire_logs_seconds`` (never lowers it) and says it is not RDS;
with RDS's two procedures in place (a stand-in created in the private server's ``mysql`` schema:
a table of settings, ``rds_show_configuration`` reading it, ``rds_set_configuration`` writing
it), it calls them and reads the value back, as on RDS MySQL and MariaDB."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from tests.integration.mariadb_server import MariadbServer, mariadb_server

pytestmark = pytest.mark.integration

RunWorkload = Callable[..., CompletedProcess[str]]
STAND_IN = (
    "CREATE TABLE mysql.rds_configuration (name VARCHAR(64) PRIMARY KEY, value VARCHAR(64))",
    "INSERT INTO mysql.rds_configuration VALUES ('binlog retention hours', NULL)",
    "CREATE PROCEDURE mysql.rds_show_configuration() SELECT name, value, 'stand-in' AS"
    " description FROM mysql.rds_configuration",
    "CREATE PROCEDURE mysql.rds_set_configuration(IN p_name VARCHAR(64), IN p_value INT)"
    " BEGIN IF p_value > 168 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'at most 168';"
    " END IF; UPDATE mysql.rds_configuration SET value = p_value WHERE name = p_name; END",
)


@pytest.fixture(scope="module")
def server() -> Iterator[MariadbServer]:
    with mariadb_server("--binlog-expire-logs-seconds=3600") as started:
        conn = started.connect()
        cur = conn.cursor()
        cur.execute("CREATE DATABASE app")
        cur.execute("CREATE USER 'admin'@'127.0.0.1' IDENTIFIED BY %s", (PASSWORD,))
        cur.execute("GRANT ALL ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION")
        conn.close()
        yield started


PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture
def outputs(server: MariadbServer, tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    relational = {
        "endpoint": "127.0.0.1",
        "port": server.port,
        "databaseName": "app",
        "username": "admin",
        "password": PASSWORD,
        "engine": "mariadb",
        "tls": False,
    }
    path.write_text(json.dumps({"relational": relational}))
    return path


def expiry(server: MariadbServer) -> int:
    conn = server.connect()
    cur = conn.cursor()
    cur.execute("SELECT @@GLOBAL.binlog_expire_logs_seconds")
    (seconds,) = cur.fetchone()
    conn.close()
    return int(seconds)


def report(done: CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in done.stderr and PASSWORD not in done.stdout + done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_off_rds_the_step_checks_then_raises_the_expiry(
    run_workload: RunWorkload, server: MariadbServer, outputs: Path
) -> None:
    args = ("binlog-retention", "--outputs", str(outputs))
    checked = run_workload(*args, "--check", "--json", timeout=60)
    assert checked.returncode == 1, checked.stderr
    assert report(checked) | {"source": None} == {
        "workload": "binlog-retention",
        "source": None,
        "rds": False,
        "wantedHours": 24,
        "keptHours": 1,
        "set": False,
        "ok": False,
    }
    assert expiry(server) == 3600  # --check changes nothing
    done = run_workload(*args, "--hours", "48", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not RDS: no mysql.rds_set_configuration" in done.stdout
    assert "48 hours (not RDS) (set now)" in done.stdout
    assert expiry(server) == 48 * 3600
    # Never lowered: a server that keeps them longer is left alone.
    again = report(run_workload(*args, "--hours", "24", "--json", timeout=60))
    assert (again["keptHours"], again["set"], again["ok"]) == (48, False, True)
    assert expiry(server) == 48 * 3600


def test_on_rds_the_step_calls_the_procedures_and_reads_the_value_back(
    run_workload: RunWorkload, server: MariadbServer, outputs: Path
) -> None:
    conn = server.connect()
    cur = conn.cursor()
    for statement in STAND_IN:
        cur.execute(statement)
    try:
        args = ("binlog-retention", "--outputs", str(outputs), "--json")
        checked = report(run_workload(*args, "--check", timeout=60))
        assert (checked["rds"], checked["keptHours"], checked["ok"]) == (True, None, False)
        done = run_workload(*args, timeout=60)
        assert done.returncode == 0, done.stderr
        assert report(done) | {"source": None} == {
            "workload": "binlog-retention",
            "source": None,
            "rds": True,
            "wantedHours": 24,
            "keptHours": 24,
            "set": True,
            "ok": True,
        }
        cur.execute("SELECT value FROM mysql.rds_configuration")
        assert cur.fetchall() == [("24",)]
        # What migration-check's source check then reports.
        prepared = report(
            run_workload("migration-check", "--outputs", str(outputs), "--prepare-source", "--json")
        )
        (retention,) = [c for c in prepared["checks"] if c["check"].startswith("binlog retention")]
        assert retention["ok"] and retention["value"] == "binlog retention hours: 24"
    finally:
        cur.execute("DROP PROCEDURE mysql.rds_set_configuration")
        cur.execute("DROP PROCEDURE mysql.rds_show_configuration")
        cur.execute("DROP TABLE mysql.rds_configuration")
        conn.close()


@pytest.mark.parametrize(
    ("hours", "message"), [("0", "--hours must be 1 to 168"), ("169", "--hours must be 1 to 168")]
)
def test_hours_outside_rds_limits_are_refused_before_connecting(
    run_workload: RunWorkload,
    assert_clean_error: Callable[..., None],
    tmp_path: Path,
    hours: str,
    message: str,
) -> None:
    # No server at all: the bound is checked first.
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"relational": {"endpoint": "127.0.0.1", "port": 1}}))
    done = run_workload("binlog-retention", "--outputs", str(path), "--hours", hours, timeout=60)
    assert_clean_error(done, [], message)
