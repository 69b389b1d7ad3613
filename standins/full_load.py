"""The DMS full load, locally: copy the ``relational`` database into the ``aurora`` database,
between any two of the local engines (MariaDB standing in for MySQL, MariaDB and Aurora MySQL;
PostgreSQL for PostgreSQL and Aurora PostgreSQL).

    .venv/bin/python -m standins.full_load out/local-outputs.json [--table NAME ...]
        [--prep drop-and-create|truncate]

A deployed stack's Migration task does this with DMS. Locally, MySQL family to MySQL family is
``mariadb-dump | mariadb`` (run as the local root: exact and fastest). Any other pair is copied in
Python: each source table is created in the target with the target engine's types the way DMS
maps them (TINYINT(1) and BIT(1) to boolean, DATETIME to timestamp, TIMESTAMP to timestamptz,
DECIMAL(p,s) to numeric(p,s), BLOBs to bytea, JSON to json/jsonb, and back), then its rows are
streamed across in batches. ``--prep truncate`` keeps tables that already exist in the target
(DMS's TRUNCATE_BEFORE_LOAD), so a test can give the target its own column types and collations.

``full_load(outputs, tables, prep)`` and ``copy_tables(source, target, tables, prep)`` are plain
functions for the local run, the tests and the benchmarks.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg2
import psycopg2.extras

from contract import AuroraOutputs, RelationalOutputs, read_section
from workloads.common import WorkloadError
from workloads.migration_check.canonical import BINARY, BOOL, JSON, Column, naive_utc
from workloads.migration_check.catalog import Database, open_database
from workloads.sql import ConnectionOptions, sql_endpoint
from workloads.sql.engines import MYSQL, POSTGRES, engine_family

# The local MariaDB's administrator: root over TCP without a password (scripts/engines.sh).
ADMIN = ["-h127.0.0.1", "-uroot"]
DROP_AND_CREATE, TRUNCATE = "drop-and-create", "truncate"
BATCH = 2_000
_SIZE = re.compile(r"\((\d+)(?:,\s*(\d+))?\)")


def dump_and_load(source_db: str, target_db: str) -> None:
    """MySQL family to MySQL family: ``mariadb-dump`` of ``source_db`` piped into ``target_db``."""
    dump = [shutil.which("mariadb-dump") or "mariadb-dump", *ADMIN, "--single-transaction"]
    load = [shutil.which("mariadb") or "mariadb", *ADMIN, target_db]
    with subprocess.Popen([*dump, "--skip-comments", source_db], stdout=subprocess.PIPE) as src:
        loaded = subprocess.run(load, stdin=src.stdout, check=False)
        assert src.stdout is not None
        src.stdout.close()
    if src.returncode != 0 or loaded.returncode != 0:
        raise RuntimeError(
            f"full load {source_db} -> {target_db} failed "
            f"(mariadb-dump {src.returncode}, mariadb {loaded.returncode})"
        )


def _size(column: Column) -> tuple[int | None, int | None]:
    found = _SIZE.search(column.full_type)
    if not found:
        return None, None
    return int(found.group(1)), (int(found.group(2)) if found.group(2) else None)


def postgres_type(column: Column) -> str:
    """The PostgreSQL type DMS gives a MySQL/MariaDB column."""
    kind, data_type = column.kind(MYSQL), column.data_type
    size, scale = _size(column)
    unsigned = "unsigned" in column.full_type
    if kind == JSON:
        return "json" if column.json_text else "jsonb"
    if kind == BOOL or column.boolish(MYSQL):
        return "boolean"
    simple = {
        "tinyint": "smallint",
        "year": "smallint",
        "smallint": "integer" if unsigned else "smallint",
        "mediumint": "integer",
        "int": "bigint" if unsigned else "integer",
        "bigint": "numeric(20)" if unsigned else "bigint",
        "float": "real",
        "double": "double precision",
        "date": "date",
        "tinytext": "text",
        "text": "text",
        "mediumtext": "text",
        "longtext": "text",
        "enum": "text",
        "set": "text",
    }
    if data_type in simple:
        return simple[data_type]
    if data_type == "decimal":
        return f"numeric({size or 10},{scale or 0})"
    if data_type in {"char", "varchar"}:
        return f"{'character' if data_type == 'char' else 'character varying'}({size})"
    if data_type in {"datetime", "timestamp", "time"}:
        name = {"datetime": "timestamp", "timestamp": "timestamptz", "time": "time"}[data_type]
        return f"{name}({size or 0})"
    return "bytea" if kind == BINARY else "text"


def mysql_type(column: Column, in_key: bool) -> str:
    """The MySQL/MariaDB type DMS gives a PostgreSQL column (a key's text gets a length)."""
    data_type = column.data_type
    size, scale = _size(column)
    simple = {
        "boolean": "tinyint(1)",
        "smallint": "smallint",
        "integer": "int",
        "bigint": "bigint",
        "real": "float",
        "double precision": "double",
        "date": "date",
        "json": "json",
        "jsonb": "json",
        "uuid": "char(36)",
    }
    if data_type in simple:
        return simple[data_type]
    if data_type == "numeric":
        return f"decimal({size},{scale or 0})" if size else "decimal(65,30)"
    if data_type in {"character varying", "character"} and size:
        return f"{'char' if data_type == 'character' else 'varchar'}({size})"
    if data_type.startswith("timestamp"):
        return f"datetime({6 if size is None else size})"
    if data_type.startswith("time"):
        return f"time({6 if size is None else size})"
    if data_type == "bytea":
        return "varbinary(255)" if in_key else "longblob"
    return "varchar(255)" if in_key else "longtext"


def _target_type(source: Database, target: Database, column: Column, in_key: bool) -> str:
    if source.family == target.family:
        return column.full_type  # PostgreSQL to PostgreSQL: format_type() as it is
    return postgres_type(column) if target.family == POSTGRES else mysql_type(column, in_key)


def _time_text(value: timedelta) -> str:
    micros = int(value / timedelta(microseconds=1))
    sign, micros = ("-" if micros < 0 else ""), abs(micros)
    seconds, micros = divmod(micros, 1_000_000)
    return f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{micros:06d}"


def _converter(family: str, target: Column) -> Callable[[Any], Any]:
    """How a value read from the source is bound for a target column of ``family``."""
    to_bool = family == POSTGRES and target.kind(POSTGRES) == BOOL

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, memoryview | bytearray):
            value = bytes(value)
        if isinstance(value, dict | list):  # psycopg2 parses json and jsonb
            return json.dumps(value)
        if isinstance(value, timedelta):  # MySQL's TIME
            return _time_text(value)
        if isinstance(value, UUID):
            return str(value)
        if to_bool:
            return bool(int(value))
        if family == POSTGRES:
            return psycopg2.Binary(value) if isinstance(value, bytes) else value
        return int(value) if isinstance(value, bool) else naive_utc(value)

    return convert


def _execute(db: Database, statement: str) -> None:
    try:
        with closing(db.conn.cursor()) as cur:
            cur.execute(statement, ())  # () for psycopg2: a %% in a quoted name becomes %
    except db.driver_error as exc:
        raise db.failed(exc) from None


def _create(source: Database, target: Database, table: str, prep: str) -> str:
    """Create (or truncate) ``table`` in the target; the target table's name."""
    existing = {t.lower(): t for t in target.tables()}
    name = existing.get(table.lower(), table)
    if prep == TRUNCATE and table.lower() in existing:
        _execute(target, f"TRUNCATE TABLE {target.relation(name)}")
        return name
    shape = source.shape(table)
    columns = [
        f"{target.quote(c.name)} {_target_type(source, target, c, c.name in shape.key)}"
        + ("" if c.nullable else " NOT NULL")
        for c in shape.columns
    ]
    if shape.key:
        columns.append(f"PRIMARY KEY ({', '.join(target.quote(k) for k in shape.key)})")
    _execute(target, f"DROP TABLE IF EXISTS {target.relation(name)}")
    _execute(target, f"CREATE TABLE {target.relation(name)} ({', '.join(columns)})")
    return name


def _rows(source: Database, table: str, names: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    """The source table's rows in batches, streamed (a server-side cursor on PostgreSQL)."""
    select = f"SELECT {', '.join(source.quote(n) for n in names)} FROM {source.relation(table)}"
    # PostgreSQL streams through a server-side cursor (WITH HOLD: the session is autocommit).
    streaming = source.family == POSTGRES
    cursor = source.conn.cursor("dbtier_full_load", withhold=True) if streaming else None
    try:
        with closing(cursor or source.conn.cursor()) as cur:
            cur.execute(select, ())
            while batch := cur.fetchmany(BATCH):
                yield [tuple(r) for r in batch]
    except source.driver_error as exc:
        raise source.failed(exc) from None


def copy_table(source: Database, target: Database, table: str, prep: str = DROP_AND_CREATE) -> int:
    """Copy one table's rows (creating or truncating it first); the rows copied."""
    name = _create(source, target, table, prep)
    by_name = {c.name.lower(): c for c in target.shape(name).columns}
    columns = [c.name for c in source.shape(table).columns if c.name.lower() in by_name]
    convert = [_converter(target.family, by_name[c.lower()]) for c in columns]
    insert = f"INSERT INTO {target.relation(name)} ({', '.join(target.quote(c) for c in columns)})"
    copied = 0
    for batch in _rows(source, table, columns):
        values = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in batch]
        try:
            with closing(target.conn.cursor()) as cur:
                if target.family == POSTGRES:
                    psycopg2.extras.execute_values(cur, f"{insert} VALUES %s", values)
                else:
                    cur.executemany(f"{insert} VALUES ({', '.join(['%s'] * len(columns))})", values)
        except target.driver_error as exc:
            raise target.failed(exc) from None
        copied += len(values)
    return copied


def copy_tables(
    source: Database, target: Database, tables: list[str] | None = None, prep: str = DROP_AND_CREATE
) -> dict[str, int]:
    """Copy ``tables`` (default: every base table of the source); rows copied per table."""
    return {t: copy_table(source, target, t, prep) for t in tables or source.tables()}


def full_load(
    outputs: dict[str, Any], tables: list[str] | None = None, prep: str = DROP_AND_CREATE
) -> dict[str, int] | None:
    """The outputs' ``relational`` database copied into its ``aurora`` database; rows copied per
    table (None for the MySQL-family dump, which copies every table)."""
    relational = read_section(outputs, RelationalOutputs, "outputs")
    aurora = read_section(outputs, AuroraOutputs, "outputs")
    s_family = engine_family(relational.engine, key="relational", workload="full-load")
    t_family = engine_family(aurora.engine, key="aurora", workload="full-load")
    if s_family == t_family == MYSQL and tables is None and prep == DROP_AND_CREATE:
        dump_and_load(relational.database_name, aurora.database_name)
        return None
    options = ConnectionOptions(credentials="outputs")
    source = open_database(
        s_family, sql_endpoint("relational", relational.endpoint, relational, options)
    )
    try:
        target = open_database(
            t_family, sql_endpoint("aurora", aurora.writer_endpoint, aurora, options)
        )
        try:
            return copy_tables(source, target, tables, prep)
        finally:
            target.close()
    finally:
        source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", help="the local outputs file (standins.local_outputs)")
    parser.add_argument("--table", action="append", help="copy only this table (repeatable)")
    parser.add_argument("--prep", choices=[DROP_AND_CREATE, TRUNCATE], default=DROP_AND_CREATE)
    args = parser.parse_args()
    try:
        with open(args.outputs, encoding="utf-8") as handle:
            data = json.load(handle)
        copied = full_load(data, args.table, args.prep)
    except (OSError, ValueError, RuntimeError, WorkloadError) as exc:
        print(f"full-load: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    rows = "" if copied is None else f" ({sum(copied.values())} rows, {len(copied)} tables)"
    print(
        f"full-load: {data['relational']['databaseName']} -> "
        f"{data['aurora']['databaseName']} copied{rows}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
