"""``relational`` end to end through its CLI against the local MariaDB (standing in for RDS)."""

from __future__ import annotations

import json

import pytest

from standins.local_outputs import mysql_admin

pytestmark = pytest.mark.integration


def users_in(database: str) -> list[tuple[str, str]]:
    conn = mysql_admin()
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT name, email FROM `{database}`.users ORDER BY id")
        return [(str(a), str(b)) for a, b in cur.fetchall()]
    finally:
        conn.close()


def test_relational_is_idempotent_and_reads_every_endpoint(run_workload, sql_stack):
    database = sql_stack.outputs["relational"]["databaseName"]
    first = run_workload("relational", "--outputs", str(sql_stack.path), "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["users"] == {"inserted": 4, "alreadyPresent": 0}
    assert result["primary"]["count"] == 4
    assert [r["email"] for r in result["primary"]["sample"]][:2] == [
        "john@example.com",
        "jane@example.com",
    ]
    # The seed's script fails here on its second run (UNIQUE email); ours changes nothing.
    second = run_workload("relational", "--outputs", str(sql_stack.path), "--json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["users"] == {"inserted": 0, "alreadyPresent": 4}
    assert len(users_in(database)) == 4
    readers = again["readers"]
    assert [r["host"] for r in readers] == sql_stack.outputs["relational"]["readerEndpoints"]
    assert readers[0]["count"] == 4
    assert readers[0]["lagSeconds"] is not None and readers[0]["lagSeconds"] < 5
    # The lag markers do not pile up.
    conn = mysql_admin()
    cur = conn.cursor()
    cur.execute(f"SELECT COUNT(*) FROM `{database}`.dbtier_lag_marker")
    assert cur.fetchone()[0] == 0
    conn.close()


def test_relational_text_output_shows_users_and_lag(run_workload, sql_stack):
    done = run_workload("relational", "--outputs", str(sql_stack.path))
    assert done.returncode == 0, done.stderr
    assert "alice@example.com" in done.stdout
    assert "replica lag" in done.stdout


def test_unreachable_reader_exits_2_with_partial_report(run_workload, sql_stack, tmp_path):
    path = sql_stack.variant(
        tmp_path, lambda d: d["relational"].update(readerEndpoints=["127.0.0.1", "127.0.0.2x"])
    )
    done = run_workload("relational", "--outputs", str(path), "--json", "--connect-timeout", "2")
    assert done.returncode == 2
    result = json.loads(done.stdout)
    assert "error" in result["readers"][1]
    assert result["readers"][0]["count"] == 4
