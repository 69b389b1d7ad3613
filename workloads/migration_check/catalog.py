"""One side of a migration as migration-check sees it, on MySQL/MariaDB or PostgreSQL: a
connection whose session renders values alike (UTC, ISO dates, hex bytea, shortest floats), the
tables of one schema, their columns and primary keys (``canonical.Column``), row estimates,
quoting, and queries whose driver errors become one line naming the server.

For MySQL the schema is the database (``DATABASE()`` unless another is named); for PostgreSQL it
is ``current_schema()`` (normally ``public``) unless another is named: DMS puts a MySQL source's
tables in a PostgreSQL schema named after the source database unless a rule renames it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mysql.connector
import psycopg2
import psycopg2.extensions

from workloads.common import Endpoint, WorkloadError
from workloads.migration_check.canonical import Column, naive_utc
from workloads.sql import query_failed
from workloads.sql.engines import MYSQL, POSTGRES
from workloads.sql.mysqldb import mysql_connect, mysql_ident, server_flavor
from workloads.sql.postgres import pg_connect, pg_timeouts


@dataclass(frozen=True)
class TableShape:
    """A table's columns in order and its primary key columns in key order (empty: none)."""

    columns: list[Column]
    key: list[str]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)


class Database:
    """A connection to one side, for one schema; subclasses speak each engine's catalog."""

    family: str
    driver_error: type[BaseException]

    def __init__(self, endpoint: Endpoint, conn: Any, schema: str | None) -> None:
        self.endpoint = endpoint
        self.conn = conn
        self.utf8 = True
        self.schema = schema or ""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of one statement; a driver error is one line naming the server."""
        try:
            cur = self.conn.cursor()
            try:
                cur.execute(sql, tuple(params))
                return [tuple(row) for row in cur.fetchall()]
            finally:
                cur.close()
        except self.driver_error as exc:
            raise self.failed(exc) from None

    def failed(self, exc: BaseException) -> WorkloadError:
        """A driver error as one line naming this side's server."""
        return query_failed(self.endpoint, exc)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        rows = self.query(sql, params)
        return rows[0] if rows else ()

    def close(self) -> None:
        with contextlib.suppress(self.driver_error):
            self.conn.close()

    def quote(self, name: str) -> str:
        raise NotImplementedError

    def relation(self, table: str) -> str:
        """The table's name, schema-qualified and quoted."""
        return f"{self.quote(self.schema)}.{self.quote(table)}"

    def param(self, value: Any) -> Any:
        """A key value read from the other side, as this driver binds it."""
        return value

    def tables(self) -> list[str]:
        rows = self.query(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            (self.schema,),
        )
        return [_text(r[0]) for r in rows]

    def shape(self, table: str) -> TableShape:
        raise NotImplementedError

    def estimate(self, table: str) -> int:
        """The server's estimate of the table's rows (no scan); 0 when it has none."""
        raise NotImplementedError


class MysqlDatabase(Database):
    """MySQL or MariaDB (RDS MySQL, RDS MariaDB, Aurora MySQL)."""

    family = MYSQL
    driver_error = mysql.connector.Error

    def __init__(self, endpoint: Endpoint, schema: str | None = None) -> None:
        conn = mysql_connect(endpoint)
        super().__init__(endpoint, conn, schema)
        try:
            cur = conn.cursor(buffered=True)
            self.flavor = server_flavor(cur)
            # TIMESTAMP columns are read in the session's zone: UTC, as PostgreSQL's side is.
            cur.execute("SET time_zone = '+00:00'")
            cur.close()
        except mysql.connector.Error as exc:
            conn.close()
            raise query_failed(endpoint, exc) from None
        if not self.schema:
            self.schema = _text(self.one("SELECT DATABASE()")[0])

    def quote(self, name: str) -> str:
        return mysql_ident(name)

    def param(self, value: Any) -> Any:
        return naive_utc(value)

    def shape(self, table: str) -> TableShape:
        rows = self.query(
            "SELECT column_name, data_type, column_type, is_nullable, numeric_scale, "
            "character_set_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (self.schema, table),
        )
        json_columns = self._json_checked(table) if self.flavor == "mariadb" else set()
        columns = [
            Column(
                name=_text(r[0]),
                data_type=_text(r[1]).lower(),
                full_type=_text(r[2]).lower(),
                nullable=_text(r[3]).upper() == "YES",
                scale=None if r[4] is None else int(r[4]),
                charset=None if r[5] is None else _text(r[5]).lower(),
                collation=None if r[6] is None else _text(r[6]).lower(),
                json_text=_text(r[0]) in json_columns,
            )
            for r in rows
        ]
        key = self.query(
            "SELECT column_name FROM information_schema.key_column_usage "
            "WHERE table_schema = %s AND table_name = %s AND constraint_name = 'PRIMARY' "
            "ORDER BY ordinal_position",
            (self.schema, table),
        )
        return TableShape(columns, [_text(r[0]) for r in key])

    def _json_checked(self, table: str) -> set[str]:
        """MariaDB's JSON columns: LONGTEXT with the CHECK (json_valid(`col`)) it adds."""
        rows = self.query(
            "SELECT check_clause FROM information_schema.check_constraints "
            "WHERE constraint_schema = %s AND table_name = %s",
            (self.schema, table),
        )
        found = set()
        for (clause,) in rows:
            text = _text(clause).strip()
            if text.lower().startswith("json_valid(`") and text.endswith("`)"):
                found.add(text[len("json_valid(`") : -2].replace("``", "`"))
        return found

    def estimate(self, table: str) -> int:
        row = self.one(
            "SELECT COALESCE(table_rows, 0) FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = %s",
            (self.schema, table),
        )
        return int(row[0]) if row else 0


class PostgresDatabase(Database):
    """PostgreSQL (RDS PostgreSQL, Aurora PostgreSQL)."""

    family = POSTGRES
    driver_error = psycopg2.Error

    def __init__(self, endpoint: Endpoint, schema: str | None = None) -> None:
        conn = pg_connect(endpoint, **pg_timeouts(endpoint))
        super().__init__(endpoint, conn, schema)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                # The session renders values the canonical way whatever the server's defaults.
                cur.execute(
                    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
                    "SET bytea_output = 'hex'; SET extra_float_digits = 1"
                )
        except psycopg2.Error as exc:
            conn.close()
            raise query_failed(endpoint, exc) from None
        self.utf8 = _text(self.one("SHOW server_encoding")[0]).upper() in {"UTF8", "UTF-8"}
        if not self.schema:
            current = self.one("SELECT current_schema()")
            if not current or current[0] is None:
                raise WorkloadError(
                    f"{endpoint.name}: no schema of the search_path exists; name one with "
                    "--source-schema or --target-schema"
                )
            self.schema = _text(current[0])
        self.default_collation = _text(
            self.one("SELECT datcollate FROM pg_database WHERE datname = current_database()")[0]
        )

    def quote(self, name: str) -> str:
        # Statements go through psycopg2's %-formatting (``query`` always passes parameters),
        # so a % in a name is doubled.
        return str(psycopg2.extensions.quote_ident(name, self.conn)).replace("%", "%%")

    def shape(self, table: str) -> TableShape:
        rows = self.query(
            "SELECT c.column_name, lower(c.data_type), format_type(a.atttypid, a.atttypmod), "
            "c.is_nullable, c.numeric_scale, c.collation_name "
            "FROM information_schema.columns c "
            "JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(c.table_schema) || '.' "
            "|| quote_ident(c.table_name)) AND a.attname = c.column_name "
            "WHERE c.table_schema = %s AND c.table_name = %s ORDER BY c.ordinal_position",
            (self.schema, table),
        )
        columns = [
            Column(
                name=_text(r[0]),
                data_type=_text(r[1]),
                full_type=_text(r[2]).lower(),
                nullable=_text(r[3]).upper() == "YES",
                scale=None if r[4] is None else int(r[4]),
                collation=_text(r[5]) if r[5] is not None else self.default_collation,
            )
            for r in rows
        ]
        key = self.query(
            "SELECT k.column_name FROM information_schema.table_constraints t "
            "JOIN information_schema.key_column_usage k ON k.constraint_schema = "
            "t.constraint_schema AND k.constraint_name = t.constraint_name "
            "AND k.table_name = t.table_name "
            "WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = %s "
            "AND t.table_name = %s ORDER BY k.ordinal_position",
            (self.schema, table),
        )
        return TableShape(columns, [_text(r[0]) for r in key])

    def estimate(self, table: str) -> int:
        row = self.one(
            "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
            (self.schema, table),
        )
        return max(0, int(row[0])) if row else 0


def open_database(family: str, endpoint: Endpoint, schema: str | None = None) -> Database:
    """A connected side of ``family`` (``mysql`` or ``postgres``) reading ``schema``."""
    if family == MYSQL:
        return MysqlDatabase(endpoint, schema)
    return PostgresDatabase(endpoint, schema)
