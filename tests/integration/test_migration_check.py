"""``migration-check`` end to end through its CLI: the relational database is the source, the
aurora database (another database on the same local MariaDB) the target."""

from __future__ import annotations

import json

import pytest

from standins.local_outputs import mysql_admin

pytestmark = pytest.mark.integration

TABLES = ("mc_orders", "mc_tags", "mc_notes", "mc_nokey")


def execute(statements: list[str]) -> None:
    conn = mysql_admin()
    try:
        cur = conn.cursor()
        for statement in statements:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def migrated(sql_stack):
    """The same four tables, rows included, in the source and the target."""
    source = sql_stack.outputs["relational"]["databaseName"]
    target = sql_stack.outputs["aurora"]["databaseName"]
    statements = []
    for db in (source, target):
        statements += [
            f"USE `{db}`",
            f"DROP TABLE IF EXISTS `{db}`.mc_orders, `{db}`.mc_tags, `{db}`.mc_notes, "
            f"`{db}`.mc_nokey",
            f"CREATE TABLE `{db}`.mc_orders (id INT PRIMARY KEY, amount DECIMAL(10,2), "
            "note VARCHAR(50) NULL)",
            f"INSERT INTO `{db}`.mc_orders SELECT seq, seq * 1.5, "
            "IF(seq % 7 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_30000",
            f"CREATE TABLE `{db}`.mc_tags (name VARCHAR(40), k INT, v VARCHAR(20), "
            "PRIMARY KEY (name, k))",
            f"INSERT INTO `{db}`.mc_tags SELECT CONCAT('t', seq % 10), seq, 'x' FROM seq_1_to_3000",
            f"CREATE TABLE `{db}`.mc_notes (code VARCHAR(20) PRIMARY KEY, "
            "body TEXT COLLATE utf8mb4_unicode_ci)",
            f"INSERT INTO `{db}`.mc_notes SELECT CONCAT('c', LPAD(seq, 5, '0')), "
            "REPEAT('b', seq % 50) FROM seq_1_to_2000",
            f"CREATE TABLE `{db}`.mc_nokey (a INT)",
        ]
    execute(statements)
    yield source, target
    execute([f"DROP TABLE IF EXISTS `{db}`.{t}" for db in (source, target) for t in TABLES])


def check(run_workload, stack, *extra: str):
    done = run_workload(
        "migration-check", "--outputs", str(stack.path), "--json", "--include", "mc_*", *extra
    )
    return done, (json.loads(done.stdout) if done.stdout.strip() else None)


def test_identical_tables_match_twice(run_workload, sql_stack, migrated):
    for _ in range(2):
        done, result = check(run_workload, sql_stack, "--chunk-size", "2000")
        assert done.returncode == 0, done.stderr
        by_table = {t["table"]: t for t in result["tables"]}
        assert set(by_table) == set(TABLES)
        assert by_table["mc_orders"]["sourceRows"] == by_table["mc_orders"]["targetRows"] == 30000
        assert by_table["mc_orders"]["chunks"] >= 15
        assert by_table["mc_tags"]["status"] == "match"
        assert by_table["mc_notes"]["status"] == "match"
        assert by_table["mc_nokey"]["status"] == "skipped"
        assert result["dms"]["checked"] is False
        assert "no migration section" in result["dms"]["reason"]


def test_finds_deleted_changed_and_extra_rows(run_workload, sql_stack, migrated):
    _, target = migrated
    execute(
        [
            f"DELETE FROM `{target}`.mc_orders WHERE id BETWEEN 1200 AND 1202",
            f"UPDATE `{target}`.mc_orders SET note = NULL WHERE id = 25000",
            f"INSERT INTO `{target}`.mc_tags VALUES ('t3', 99999, 'y')",
            f"UPDATE `{target}`.mc_notes SET body = 'changed' WHERE code = 'c01500'",
        ]
    )
    done, result = check(run_workload, sql_stack, "--chunk-size", "1000")
    assert done.returncode == 1, done.stderr
    by_table = {t["table"]: t for t in result["tables"]}
    orders = by_table["mc_orders"]
    assert orders["status"] == "differs"
    assert orders["targetRows"] == 29997
    assert orders["ranges"] == [
        {"kind": "missing in target", "from": 1200, "to": 1202, "rows": 3},
        {"kind": "changed", "from": 25000, "to": 25000, "rows": 1},
    ]
    assert by_table["mc_tags"]["ranges"] == [
        {"kind": "extra in target", "from": ["t3", 99999], "to": ["t3", 99999], "rows": 1}
    ]
    assert by_table["mc_notes"]["ranges"] == [
        {"kind": "changed", "from": "c01500", "to": "c01500", "rows": 1}
    ]
    text = run_workload(
        "migration-check", "--outputs", str(sql_stack.path), "--include", "mc_orders"
    )
    assert text.returncode == 1
    assert "mc_orders: key 1200 .. 1202: 3 row(s) missing in target" in text.stdout


def test_include_exclude_and_missing_target_table(run_workload, sql_stack, migrated):
    _, target = migrated
    execute([f"DROP TABLE `{target}`.mc_notes"])
    done, result = check(run_workload, sql_stack, "--exclude", "mc_orders", "--exclude", "%key")
    assert done.returncode == 1
    by_table = {t["table"]: t["status"] for t in result["tables"]}
    assert by_table == {"mc_notes": "missing in target", "mc_tags": "match"}


def test_no_matching_table_is_bad_input(run_workload, sql_stack):
    done = run_workload(
        "migration-check", "--outputs", str(sql_stack.path), "--include", "nothing_like_this"
    )
    assert done.returncode == 2
    assert "no source table matches" in done.stdout


def test_prepare_source_says_what_to_change(run_workload, sql_stack):
    done = run_workload(
        "migration-check", "--outputs", str(sql_stack.path), "--prepare-source", "--json"
    )
    checks = {c["check"]: c for c in json.loads(done.stdout)["checks"]}
    fmt = checks["binlog_format is ROW"]
    assert fmt["ok"] == (fmt["value"] == "ROW")
    assert "binlog_format=ROW" in fmt["fix"]
    assert done.returncode == (0 if all(c["ok"] for c in checks.values()) else 1)
