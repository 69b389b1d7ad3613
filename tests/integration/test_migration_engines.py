"""``migration-check`` across engines, end to end through its CLI: MySQL (the local MariaDB) to
PostgreSQL, PostgreSQL to PostgreSQL and PostgreSQL to MariaDB, each on its own databases and
users (standins.local_outputs, generated passwords, dropped afterwards); the targets filled by the
full-load stand-in (standins.full_load).

MySQL to PostgreSQL compares a target whose tables the test created with other types than the
source's (TINYINT(1) / boolean, DATETIME(3) / timestamp, DECIMAL(10,2) / numeric(12,4), utf8mb4
general_ci text / text in the C collation, TIMESTAMP / timestamptz, BLOB / bytea, FLOAT / real,
MariaDB's JSON / jsonb) and a text key ordered differently by the two collations.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import mysql.connector
import psycopg2
import pytest

from standins.full_load import TRUNCATE, full_load
from standins.local_outputs import drop_all, new_password, provision_all
from tests.integration.engine_stacks import pg_stack
from workloads.sql.engines import FAMILIES, POSTGRES

pytestmark = pytest.mark.integration

__all__ = ["pg_stack"]  # the fixture, imported for the PostgreSQL-to-PostgreSQL tests

MYSQL_SOURCE = [
    "CREATE TABLE mc_types (id INT PRIMARY KEY, flag TINYINT(1) NULL, happened DATETIME(3) "
    "NOT NULL, stamp TIMESTAMP NULL, amount DECIMAL(10,2) NULL, name VARCHAR(60) CHARACTER SET "
    "utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, note TEXT NULL, data BLOB NULL, ratio FLOAT "
    "NULL, kind ENUM('a','b') NULL)",
    "INSERT INTO mc_types SELECT seq, IF(seq % 5 = 0, NULL, seq % 2), "
    "'2024-01-01 00:00:00.125' + INTERVAL seq MINUTE, IF(seq % 3 = 0, NULL, "
    "FROM_UNIXTIME(1700000000 + seq)), IF(seq % 7 = 0, NULL, seq * 1.5), "
    "CONCAT('Näme ', seq), IF(seq % 4 = 0, NULL, REPEAT('x', seq % 20)), "
    "IF(seq % 6 = 0, NULL, UNHEX(MD5(seq))), seq / 8, IF(seq % 2, 'a', 'b') FROM seq_1_to_3000",
    # general_ci orders a00001 < B00002; PostgreSQL's C.UTF-8 orders B00002 < a00001.
    "CREATE TABLE mc_codes (code VARCHAR(20) PRIMARY KEY, qty INT NOT NULL)",
    "INSERT INTO mc_codes SELECT CONCAT(IF(seq % 2, 'a', 'B'), LPAD(seq, 5, '0')), seq "
    "FROM seq_1_to_2000",
    "CREATE TABLE mc_lines (order_id INT, line SMALLINT, sku VARCHAR(12), "
    "PRIMARY KEY (order_id, line))",
    "INSERT INTO mc_lines SELECT seq DIV 4, seq % 4, CONCAT('sku-', seq) FROM seq_1_to_2000",
    "CREATE TABLE mc_docs (id INT PRIMARY KEY, doc JSON NULL)",
    "INSERT INTO mc_docs SELECT seq, IF(seq % 9 = 0, NULL, CONCAT('{\"b\": ', seq, "
    '\', "a": [1, 2.50], "s": "é"}\')) FROM seq_1_to_300',
    # A text key in buckets and a streamed column together.
    "CREATE TABLE mc_notes (code VARCHAR(10) PRIMARY KEY, doc JSON NOT NULL)",
    "INSERT INTO mc_notes SELECT CONCAT(IF(seq % 2, 'n', 'N'), seq), "
    "CONCAT('{\"v\": ', seq, '}') FROM seq_1_to_120",
]
PG_TARGET = [
    "CREATE TABLE mc_types (id integer PRIMARY KEY, flag boolean, happened timestamp(6) NOT NULL, "
    'stamp timestamptz, amount numeric(12,4), name text COLLATE "C" NOT NULL, note text, '
    "data bytea, ratio real, kind text)",
    "CREATE TABLE mc_codes (code varchar(20) PRIMARY KEY, qty integer NOT NULL)",
    "CREATE TABLE mc_lines (order_id bigint, line integer, sku text, PRIMARY KEY (order_id, line))",
    "CREATE TABLE mc_docs (id integer PRIMARY KEY, doc jsonb)",
    "CREATE TABLE mc_notes (code text PRIMARY KEY, doc jsonb NOT NULL)",
]
TABLES = ["mc_types", "mc_codes", "mc_lines", "mc_docs", "mc_notes"]


def owner_sql(section: dict[str, Any], statements: list[str]) -> None:
    """Run ``statements`` in the section's database as its own user (who then owns the tables)."""
    host = section.get("endpoint") or section["writerEndpoint"]
    login = {"host": host, "port": section["port"], "user": section["username"]}
    if FAMILIES[section["engine"]] == POSTGRES:
        conn = psycopg2.connect(
            **login, password=section["password"], dbname=section["databaseName"]
        )
        conn.autocommit = True
    else:
        conn = mysql.connector.connect(
            **login,
            password=section["password"],
            database=section["databaseName"],
            autocommit=True,
            use_pure=True,
        )
    with closing(conn), closing(conn.cursor()) as cur:
        for statement in statements:
            cur.execute(statement)


def _stack(sql_stack: Any, tmp_path_factory: Any, **engines: str) -> Iterator[Any]:
    prefix = f"dbtier_m{secrets.token_hex(4)}"
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(prefix, passwords, **engines)
    path = tmp_path_factory.mktemp("mc") / "outputs.json"
    path.write_text(json.dumps(outputs))
    try:
        yield dataclasses.replace(sql_stack, path=path, outputs=outputs, prefix=prefix)
    finally:
        drop_all(prefix)


@pytest.fixture(scope="module")
def mysql_to_pg(sql_stack: Any, tmp_path_factory: Any) -> Iterator[Any]:
    """MariaDB (relational ``mysql``) to PostgreSQL (aurora ``aurora-postgresql``), the four
    tables created on each side with each side's types and the target filled by the full load."""
    for stack in _stack(sql_stack, tmp_path_factory, aurora_engine="aurora-postgresql"):
        owner_sql(stack.outputs["relational"], MYSQL_SOURCE)
        owner_sql(stack.outputs["aurora"], PG_TARGET)
        copied = full_load(stack.outputs, TABLES, TRUNCATE)
        assert copied == {
            "mc_types": 3000,
            "mc_codes": 2000,
            "mc_lines": 2000,
            "mc_docs": 300,
            "mc_notes": 120,
        }
        yield stack


def check(run_workload: Any, stack: Any, *extra: str) -> tuple[Any, dict[str, Any]]:
    done = run_workload(
        "migration-check", "--outputs", str(stack.path), "--json", "--include", "mc_*", *extra
    )
    assert done.stdout.strip(), done.stderr
    return done, json.loads(done.stdout)


def by_table(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["table"]: t for t in result["tables"]}


def test_mysql_to_postgres_identical_copy_with_other_types_matches(run_workload, mysql_to_pg):
    done, result = check(run_workload, mysql_to_pg, "--chunk-size", "500")
    assert done.returncode == 0, done.stdout
    assert (result["sourceEngine"], result["targetEngine"]) == ("mysql", "aurora-postgresql")
    tables = by_table(result)
    assert {t: tables[t]["status"] for t in TABLES} == dict.fromkeys(TABLES, "match")
    assert tables["mc_types"]["sourceRows"] == tables["mc_types"]["targetRows"] == 3000
    assert tables["mc_types"]["chunking"] == "arithmetic"
    assert tables["mc_types"]["chunks"] >= 6
    # The text key orders differently under the two collations: hashed buckets, not ranges.
    assert tables["mc_codes"]["chunking"] == "buckets"
    assert tables["mc_lines"]["chunking"] == "keyset"
    # MariaDB's JSON is text, jsonb normalises it: no SQL text in common, compared in Python.
    assert tables["mc_docs"]["streamedColumns"] == ["doc"]
    assert tables["mc_notes"]["streamedColumns"] == ["doc"]
    assert tables["mc_notes"]["chunking"] == "buckets"


def test_mysql_to_postgres_names_deleted_changed_and_extra_keys(run_workload, mysql_to_pg):
    target = mysql_to_pg.outputs["aurora"]
    owner_sql(
        target,
        [
            "DELETE FROM mc_types WHERE id BETWEEN 100 AND 102",
            "UPDATE mc_types SET amount = amount + 0.01 WHERE id = 2500",
            "INSERT INTO mc_types (id, happened, name) VALUES (9000, now(), 'extra')",
            "DELETE FROM mc_codes WHERE code = 'B00002'",
            "UPDATE mc_codes SET qty = 0 WHERE code = 'a00001'",
            "INSERT INTO mc_codes VALUES ('Zz9', 1)",
            # id 7: b changed; id 8: the same document written another way (no change).
            'UPDATE mc_docs SET doc = \'{"s": "é", "a": [1, 2.50], "b": 70}\' WHERE id = 7',
            'UPDATE mc_docs SET doc = \'{"s": "\\u00e9", "b": 8, "a": [1.0, 2.5]}\' WHERE id = 8',
            "UPDATE mc_notes SET doc = '{\"v\": 0}' WHERE code = 'N2'",
        ],
    )
    try:
        done, result = check(run_workload, mysql_to_pg, "--chunk-size", "500")
        assert done.returncode == 1, done.stderr
        tables = by_table(result)
        assert tables["mc_types"]["targetRows"] == 2998
        assert tables["mc_types"]["ranges"] == [
            {"kind": "missing in target", "from": 100, "to": 102, "rows": 3},
            {"kind": "changed", "from": 2500, "to": 2500, "rows": 1},
            {"kind": "extra in target", "from": 9000, "to": 9000, "rows": 1},
        ]
        assert tables["mc_codes"]["ranges"] == [
            {"kind": "missing in target", "from": "B00002", "to": "B00002", "rows": 1},
            {"kind": "extra in target", "from": "Zz9", "to": "Zz9", "rows": 1},
            {"kind": "changed", "from": "a00001", "to": "a00001", "rows": 1},
        ]
        # Numbers by value and keys in any order: only id 7 changed.
        assert tables["mc_docs"]["ranges"] == [{"kind": "changed", "from": 7, "to": 7, "rows": 1}]
        assert tables["mc_lines"]["status"] == "match"
        assert tables["mc_notes"]["ranges"] == [
            {"kind": "changed", "from": "N2", "to": "N2", "rows": 1}
        ]
        assert tables["mc_notes"]["differingChunks"] == 1
        text = run_workload(
            "migration-check", "--outputs", str(mysql_to_pg.path), "--include", "mc_types"
        )
        assert text.returncode == 1
        assert "mc_types: key 100 .. 102: 3 row(s) missing in target" in text.stdout
        assert "source mysql" in text.stdout and "target aurora-postgresql" in text.stdout
    finally:
        full_load(mysql_to_pg.outputs, TABLES, TRUNCATE)


PG_SOURCE = [
    "CREATE TABLE pg_orders (id bigint PRIMARY KEY, amount numeric(10,2), placed timestamptz, "
    "label text, tags jsonb, ok boolean, raw bytea)",
    "INSERT INTO pg_orders SELECT g, g * 1.25, timestamptz '2024-01-01 00:00:00+02' + "
    "g * interval '1 second', 'label ' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE "
    "jsonb_build_object('g', g, 'even', g % 2 = 0) END, g % 3 = 0, decode(md5(g::text), 'hex') "
    "FROM generate_series(1, 4000) g",
    "CREATE TABLE pg_tags (name text, k integer, v text, PRIMARY KEY (name, k))",
    "INSERT INTO pg_tags SELECT 't' || (g % 10), g, 'x' FROM generate_series(1, 1500) g",
    "CREATE TABLE pg_nokey (a integer)",
    # The full load creates it in the database's default collation (C.UTF-8): keys in buckets.
    'CREATE TABLE pg_words (w text COLLATE "C" PRIMARY KEY, n integer, "off%" numeric(5,2))',
    "INSERT INTO pg_words SELECT 'Word ' || g, g, mod(g, 100) FROM generate_series(1, 1000) g",
]


@pytest.fixture(scope="module")
def pg_migrated(pg_stack: Any) -> Any:
    """PostgreSQL to PostgreSQL: three tables, copied by the full load (created in the target)."""
    owner_sql(pg_stack.outputs["relational"], PG_SOURCE)
    copied = full_load(pg_stack.outputs, ["pg_orders", "pg_tags", "pg_nokey", "pg_words"])
    assert copied == {"pg_orders": 4000, "pg_tags": 1500, "pg_nokey": 0, "pg_words": 1000}
    return pg_stack


def test_postgres_to_postgres_matches_then_names_differences(run_workload, pg_migrated):
    include = ("--include", "pg_*", "--chunk-size", "700")
    done = run_workload("migration-check", "--outputs", str(pg_migrated.path), "--json", *include)
    assert done.returncode == 0, done.stdout
    tables = by_table(json.loads(done.stdout))
    assert tables["pg_orders"]["status"] == tables["pg_tags"]["status"] == "match"
    assert tables["pg_tags"]["chunking"] == "keyset"  # same engine, same collation
    assert (tables["pg_words"]["status"], tables["pg_words"]["chunking"]) == ("match", "buckets")
    assert tables["pg_words"]["chunks"] == 2  # 1,000 rows in chunks of 700
    assert tables["pg_nokey"] == {
        "table": "pg_nokey",
        "status": "skipped",
        "reason": "no primary key: cannot chunk",
        "ranges": [],
    }
    owner_sql(
        pg_migrated.outputs["aurora"],
        [
            "DELETE FROM pg_orders WHERE id IN (10, 11)",
            "UPDATE pg_orders SET placed = placed + interval '1 microsecond' WHERE id = 3999",
            "INSERT INTO pg_tags VALUES ('t3', 99999, 'y')",
            "UPDATE pg_words SET n = 0 WHERE w = 'Word 77'",
        ],
    )
    done = run_workload("migration-check", "--outputs", str(pg_migrated.path), "--json", *include)
    assert done.returncode == 1, done.stderr
    tables = by_table(json.loads(done.stdout))
    assert tables["pg_orders"]["ranges"] == [
        {"kind": "missing in target", "from": 10, "to": 11, "rows": 2},
        {"kind": "changed", "from": 3999, "to": 3999, "rows": 1},
    ]
    assert tables["pg_tags"]["ranges"] == [
        {"kind": "extra in target", "from": ["t3", 99999], "to": ["t3", 99999], "rows": 1}
    ]
    assert tables["pg_words"]["ranges"] == [
        {"kind": "changed", "from": "Word 77", "to": "Word 77", "rows": 1}
    ]


def test_postgres_prepare_source_says_what_to_change(run_workload, pg_stack):
    done = run_workload(
        "migration-check", "--outputs", str(pg_stack.path), "--prepare-source", "--json"
    )
    checks = {c["check"]: c for c in json.loads(done.stdout)["checks"]}
    level = checks["wal_level is logical"]
    assert level["ok"] == (level["value"] == "logical")
    assert "wal_level = logical" in level["fix"]
    assert set(checks) >= {"max_replication_slots >= 1", "max_wal_senders >= 1"}
    assert done.returncode == (0 if all(c["ok"] for c in checks.values()) else 1)


@pytest.fixture(scope="module")
def pg_to_mysql(sql_stack: Any, tmp_path_factory: Any) -> Iterator[Any]:
    """PostgreSQL (relational ``postgres``) to MariaDB (aurora ``aurora-mysql``), the target
    created by the full load with the types DMS would give it."""
    for stack in _stack(sql_stack, tmp_path_factory, relational_engine="postgres"):
        owner_sql(
            stack.outputs["relational"],
            [
                "CREATE TABLE mc_back (code text PRIMARY KEY, price numeric, seen timestamptz, "
                "ok boolean, blob bytea, doc jsonb)",
                "INSERT INTO mc_back SELECT 'Code-' || g, g / 7.0, now() - g * interval '1 hour', "
                "g % 2 = 0, decode(md5(g::text), 'hex'), jsonb_build_object('n', g, 'x', 1.50) "
                "FROM generate_series(1, 800) g",
            ],
        )
        assert full_load(stack.outputs, ["mc_back"]) == {"mc_back": 800}
        yield stack


def test_postgres_to_mysql_copy_matches(run_workload, pg_to_mysql):
    done, result = check(run_workload, pg_to_mysql, "--chunk-size", "300")
    assert done.returncode == 0, done.stdout
    (table,) = result["tables"]
    assert (table["status"], table["sourceRows"], table["targetRows"]) == ("match", 800, 800)
    assert table["chunking"] == "buckets"


@pytest.mark.parametrize("engine", ["sqlserver-se", "oracle-ee"])
@pytest.mark.parametrize("prepare", [(), ("--prepare-source",)])
def test_sqlserver_and_oracle_sources_are_refused(
    engine, prepare, run_workload, assert_clean_error, sql_stack, tmp_path
):
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].update(engine=engine))
    done = run_workload("migration-check", "--outputs", str(path), *prepare)
    assert_clean_error(
        done, sql_stack.passwords, f'"relational.engine" is {engine}: there is no local'
    )
    assert "migration-check does not run on" in done.stderr
    assert done.stdout == ""
