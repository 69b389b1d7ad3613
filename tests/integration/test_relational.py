"""``relational`` end to end through its CLI, on each engine: MySQL (the local MariaDB standing in
for RDS MySQL) and PostgreSQL (the local PostgreSQL standing in for RDS PostgreSQL). A real
PostgreSQL standby is in test_postgres_server.py."""

from __future__ import annotations

import json

import pytest

from tests.integration.engine_stacks import admin_sql, is_postgres, mysql_stack, pg_stack, stack

pytestmark = pytest.mark.integration

__all__ = ["mysql_stack", "pg_stack", "stack"]  # fixtures, used by name


def test_relational_is_idempotent_and_reads_every_endpoint(run_workload, stack):
    section = stack.outputs["relational"]
    first = run_workload("relational", "--outputs", str(stack.path), "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["engine"] == section["engine"]
    assert result["server"] in ({"postgres"} if is_postgres(section) else {"mysql", "mariadb"})
    assert result["users"] == {"inserted": 4, "alreadyPresent": 0}
    assert result["primary"]["count"] == 4
    assert [r["email"] for r in result["primary"]["sample"]][:2] == [
        "john@example.com",
        "jane@example.com",
    ]
    # The seed's script fails here on its second run (UNIQUE email); ours changes nothing.
    second = run_workload("relational", "--outputs", str(stack.path), "--json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["users"] == {"inserted": 0, "alreadyPresent": 4}
    rows = admin_sql(section, "SELECT name, email FROM users ORDER BY id")
    assert [email for _, email in rows] == [
        "john@example.com",
        "jane@example.com",
        "bob@example.com",
        "alice@example.com",
    ]
    readers = again["readers"]
    assert [r["host"] for r in readers] == section["readerEndpoints"]
    assert readers[0]["count"] == 4
    assert readers[0]["lagSeconds"] is not None and readers[0]["lagSeconds"] < 5
    # The lag markers do not pile up.
    assert admin_sql(section, "SELECT COUNT(*) FROM dbtier_lag_marker") == [(0,)]


def test_postgres_readers_report_the_engines_own_replication(run_workload, pg_stack):
    done = run_workload("relational", "--outputs", str(pg_stack.path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # The local reader is the primary itself: PostgreSQL says it is not in recovery, and no
    # standby streams from it.
    assert result["readers"][0]["replication"] == {"standby": False, "replayLagSeconds": None}
    assert result["primary"]["standbys"] == []
    text = run_workload("relational", "--outputs", str(pg_stack.path))
    assert text.returncode == 0, text.stderr
    assert "relational (postgres on postgres)" in text.stdout
    assert "engine: not a standby" in text.stdout


def test_relational_text_output_shows_users_and_lag(run_workload, stack):
    done = run_workload("relational", "--outputs", str(stack.path))
    assert done.returncode == 0, done.stderr
    assert "alice@example.com" in done.stdout
    assert "replica lag" in done.stdout


def test_mariadb_engine_runs_on_the_mysql_driver(run_workload, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].update(engine="mariadb"))
    done = run_workload("relational", "--outputs", str(path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["engine"], result["server"]) == ("mariadb", "mariadb")
    assert result["ok"] and result["primary"]["count"] == 4
    assert "replication" not in result["readers"][0]  # MySQL's lag is the marker's alone


def test_unreachable_reader_exits_2_with_partial_report(run_workload, stack, tmp_path):
    path = stack.variant(
        tmp_path, lambda d: d["relational"].update(readerEndpoints=["127.0.0.1", "127.0.0.2x"])
    )
    done = run_workload("relational", "--outputs", str(path), "--json", "--connect-timeout", "2")
    assert done.returncode == 2
    result = json.loads(done.stdout)
    assert "error" in result["readers"][1]
    assert result["readers"][0]["count"] == 4
