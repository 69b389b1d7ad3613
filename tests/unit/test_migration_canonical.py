"""migration-check's decisions without an engine: the canonical form of each pair of column
types, the SQL each engine renders for it, how a key is chunked, and JSON compared in Python."""

from __future__ import annotations

import pytest

from workloads.migration_check.canonical import (
    BOOL,
    CRC32,
    DECIMAL,
    FLOAT,
    INT,
    JSON,
    JSONB,
    MD5,
    MYSQL,
    POSTGRES,
    RAW,
    TEXT,
    TIMESTAMP,
    Column,
    Form,
    hash_sql,
    json_value,
    pair_form,
    render,
    row_text,
)
from workloads.migration_check.compare import diff_rows
from workloads.migration_check.plan import ARITHMETIC, BUCKETS, KEYSET, plan_table
from workloads.migration_check.side import Row


def my(name: str, data_type: str, full_type: str = "", **kw: object) -> Column:
    return Column(name, data_type, full_type or data_type, **kw)  # type: ignore[arg-type]


def pg(name: str, data_type: str, full_type: str = "", **kw: object) -> Column:
    return Column(name, data_type, full_type or data_type, **kw)  # type: ignore[arg-type]


TINYINT1 = my("flag", "tinyint", "tinyint(1)", scale=0)
DEC_10_2 = my("amount", "decimal", "decimal(10,2)", scale=2)
NUM_12_4 = pg("amount", "numeric", "numeric(12,4)", scale=4)
DATETIME3 = my("at", "datetime", "datetime(3)")
MARIADB_JSON = my("doc", "longtext", charset="utf8mb4", json_text=True)


@pytest.mark.parametrize(
    ("source", "target", "form"),
    [
        (TINYINT1, pg("flag", "boolean"), Form(BOOL)),
        (my("n", "int", "int(11)", scale=0), pg("n", "boolean"), Form(BOOL)),
        (TINYINT1, pg("flag", "smallint", scale=0), Form(INT)),  # copied as a number: kept one
        (DEC_10_2, NUM_12_4, Form(DECIMAL, scale=4)),
        (DEC_10_2, pg("amount", "numeric", "numeric"), Form(DECIMAL)),  # no fixed scale: trimmed
        (my("n", "int", "int(11)", scale=0), NUM_12_4, Form(DECIMAL, scale=4)),
        (my("r", "float"), pg("r", "real"), Form(FLOAT)),
        (DATETIME3, pg("at", "timestamp with time zone", "timestamp(6) with time zone"),
         Form(TIMESTAMP)),
        (my("d", "date"), pg("d", "timestamp without time zone"), Form(TIMESTAMP)),
        (my("s", "varchar", "varchar(20)", charset="latin1"), pg("s", "text"), Form(TEXT)),
        (MARIADB_JSON, pg("doc", "jsonb"), Form(JSON, streamed=True)),
        (MARIADB_JSON, pg("doc", "json"), Form(JSON, json=RAW)),
        (my("doc", "json"), pg("doc", "jsonb"), Form(JSON, json=JSONB)),
        (my("doc", "json"), pg("doc", "text"), Form(JSON, json=RAW)),
    ],
)  # fmt: skip
def test_pair_form_across_engines(source: Column, target: Column, form: Form) -> None:
    assert pair_form(MYSQL, source, POSTGRES, target) == form


def test_the_same_type_on_the_same_engine_keeps_its_own_text() -> None:
    assert pair_form(MYSQL, DATETIME3, MYSQL, DATETIME3) == Form(TIMESTAMP, native=True)
    assert pair_form(POSTGRES, NUM_12_4, POSTGRES, NUM_12_4) == Form(DECIMAL, native=True)
    # Another fractional precision on the same engine is rendered canonically.
    other = my("at", "datetime", "datetime(6)")
    assert pair_form(MYSQL, DATETIME3, MYSQL, other) == Form(TIMESTAMP)
    # Text in another character set is converted to UTF-8 bytes.
    latin = my("s", "varchar", "varchar(9)", charset="latin1")
    utf8 = my("s", "varchar", "varchar(9)", charset="utf8mb4")
    assert pair_form(MYSQL, latin, MYSQL, utf8) == Form(TEXT)
    assert render(MYSQL, "`s`", latin, Form(TEXT)) == "CONVERT(`s` USING utf8mb4)"
    # Text columns of several collations in one table: one collation, so MySQL 8 concatenates.
    assert render(MYSQL, "`s`", utf8, Form(TEXT, native=True), recollate=True) == (
        "CONVERT(`s` USING utf8mb4) COLLATE utf8mb4_bin"
    )


def test_each_engine_renders_the_canonical_text() -> None:
    boolean = pg("flag", "boolean")
    assert render(MYSQL, "`flag`", TINYINT1, Form(BOOL)) == "(`flag` <> 0)"
    assert render(POSTGRES, '"flag"', boolean, Form(BOOL)) == '"flag"::int::text'
    four = Form(DECIMAL, scale=4)
    assert render(MYSQL, "`amount`", DEC_10_2, four) == "CAST(`amount` AS DECIMAL(65, 4))"
    assert render(POSTGRES, '"amount"', NUM_12_4, four) == '"amount"::text'
    assert render(MYSQL, "`at`", DATETIME3, Form(TIMESTAMP)) == (
        "CAST(CAST(`at` AS DATETIME(6)) AS CHAR)"
    )
    stamp = pg("at", "timestamp with time zone")
    assert render(POSTGRES, '"at"', stamp, Form(TIMESTAMP)) == (
        "to_char(\"at\", 'YYYY-MM-DD HH24:MI:SS.US')"
    )
    trimmed = Form(DECIMAL)
    assert render(MYSQL, "`amount`", DEC_10_2, trimmed) == (
        "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM `amount`))"
    )
    assert render(POSTGRES, '"amount"', NUM_12_4, trimmed) == 'trim_scale("amount")::text'
    # A MySQL FLOAT compared as itself still shows every digit it holds.
    assert render(MYSQL, "`r`", my("r", "float"), Form(FLOAT, native=True)) == "(`r` + 0E0)"


def test_rows_join_with_a_separator_and_mark_null() -> None:
    assert row_text(MYSQL, ["`a`", "`b`"], [False, True]) == (
        "CONCAT_WS(_utf8mb4 X'1f', `a`, COALESCE(`b`, _utf8mb4 X'1e'))"
    )
    assert row_text(POSTGRES, ['"a"'], [True]) == 'concat_ws(chr(31), COALESCE("a", chr(30)))'


def test_hashes_are_60_bits_of_md5_on_both_engines_or_crc32_between_mysqls() -> None:
    assert hash_sql(MYSQL, "x", MD5) == "CAST(CONV(SUBSTRING(MD5(x), 1, 15), 16, 10) AS UNSIGNED)"
    assert hash_sql(POSTGRES, "x", MD5) == "('x' || substr(md5(x), 1, 15))::bit(60)::bigint"
    assert "convert_to(x, 'UTF8')" in hash_sql(POSTGRES, "x", MD5, utf8=False)
    assert hash_sql(MYSQL, "x", CRC32) == "CRC32(x)"
    with pytest.raises(ValueError, match="no CRC32"):
        hash_sql(POSTGRES, "x", CRC32)


def _plan(s_family: str, s_cols: list[Column], key: list[str], t_family: str, t_cols: list[Column]):
    return plan_table("t", "t", (s_family, s_cols, key), (t_family, t_cols))


def test_chunking_follows_what_the_key_allows() -> None:
    int_key = my("id", "int", "int(11)", scale=0)
    plan = _plan(MYSQL, [int_key, DEC_10_2], ["id"], POSTGRES, [pg("id", "bigint"), NUM_12_4])
    assert not isinstance(plan, str)
    assert (plan.strategy, plan.algorithm) == (ARITHMETIC, MD5)
    ci = my("code", "varchar", "varchar(9)", charset="utf8mb4", collation="utf8mb4_general_ci")
    c_utf8 = pg("code", "character varying", "character varying(9)", collation="C.UTF-8")
    assert _plan(MYSQL, [ci], ["code"], POSTGRES, [c_utf8]).strategy == BUCKETS  # type: ignore[union-attr]
    same = _plan(MYSQL, [ci, int_key], ["code", "id"], MYSQL, [ci, int_key])
    assert not isinstance(same, str)
    assert (same.strategy, same.algorithm) == (KEYSET, CRC32)
    stamps = _plan(MYSQL, [DATETIME3], ["at"], POSTGRES, [pg("at", "timestamp without time zone")])
    assert stamps.strategy == KEYSET  # type: ignore[union-attr]


def test_a_plan_matches_names_ignoring_case_and_names_what_is_missing() -> None:
    plan = _plan(
        MYSQL,
        [my("Id", "int", scale=0), MARIADB_JSON, my("gone", "int", scale=0)],
        ["Id"],
        POSTGRES,
        [pg("id", "integer"), pg("doc", "jsonb")],
    )
    assert not isinstance(plan, str)
    assert plan.missing == ["gone"]
    assert [p.source.name for p in plan.streamed] == ["doc"]
    assert [p.target.name for p in plan.columns] == ["id"]
    refused = _plan(MYSQL, [my("k", "int", scale=0)], ["k"], POSTGRES, [pg("other", "integer")])
    assert refused == "primary key column(s) missing in target: k"


def test_json_compares_by_value_in_python() -> None:
    assert json_value('{"b": 1, "a": [1, 2.50]}') == json_value('{"a":[1.0,2.5],"b":1}')
    assert json_value('{"s": "\\u00e9"}') == json_value('{"s": "é"}')
    assert json_value("[true]") != json_value("[1]")
    assert json_value('{"a": 1}') != json_value('{"a": 2}')
    assert json_value(None) is None


def test_diff_rows_names_keys_by_the_drivers_values_and_can_leave_runs_unmerged() -> None:
    source = {("1",): Row((1,), 10), ("2",): Row((2,), 20)}
    target = {("1",): Row((True,), 11), ("3",): Row((3,), 30)}
    assert [r.to_json() for r in diff_rows(source, target, merge=False)] == [
        {"kind": "changed", "from": 1, "to": 1, "rows": 1},
        {"kind": "missing in target", "from": 2, "to": 2, "rows": 1},
        {"kind": "extra in target", "from": 3, "to": 3, "rows": 1},
    ]
