"""aurora-load on Aurora PostgreSQL (and PostgreSQL locally) with psycopg2: the load table, the
two statements the workers run, and how PostgreSQL's errors are read.

Each worker connection runs in autocommit (an insert is acknowledged when its own transaction
has committed: one round trip, no separate COMMIT) and prepares both statements once on the
server (``PREPARE``). An operation then runs that statement through libpq's extended protocol
(``workloads.sql.libpq``: only the name and the values go out, nothing is parsed again), or,
where psycopg2's libpq cannot be identified, as psycopg2's ``EXECUTE name (values)``.
Identifiers go through ``psycopg2.sql.Identifier``, values always as parameters.
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg2
import psycopg2.errorcodes as codes
from psycopg2 import sql

from workloads.common import Endpoint
from workloads.sql import libpq
from workloads.sql.postgres import (
    pg_config,
    pg_connect,
    pg_is_auth_error,
    pg_is_transient,
    pg_open,
    pg_timeouts,
)

DRIVER = "psycopg2"
DIRECT = "psycopg2+libpq"  # statements executed with PQexecPrepared

# Beyond what any PostgreSQL client retries (workloads.sql.postgres): after an Aurora failover
# the old writer answers read-only until the endpoint moves; a statement cut by
# statement_timeout was rolled back, so its retry is safe.
_LOAD_TRANSIENT = frozenset({codes.READ_ONLY_SQL_TRANSACTION, codes.QUERY_CANCELED})

_KINDS = {
    codes.ADMIN_SHUTDOWN: "connection terminated",  # a fast shutdown, or pg_terminate_backend
    codes.CRASH_SHUTDOWN: "server crashed",
    codes.CANNOT_CONNECT_NOW: "server starting or stopping",
    codes.TOO_MANY_CONNECTIONS: "too many connections",
    codes.DEADLOCK_DETECTED: "deadlock",
    codes.SERIALIZATION_FAILURE: "serialization failure",
    codes.READ_ONLY_SQL_TRANSACTION: "read only (failover)",
    codes.QUERY_CANCELED: "statement timeout",
}


class Statement:
    """A statement prepared on the server, executed with ``EXECUTE name (params)`` (psycopg2's
    simple queries: the fallback when libpq cannot be called directly)."""

    def __init__(self, cursor: Any, name: str, arity: int, fetch: bool) -> None:
        self.cursor = cursor
        self.fetch = fetch
        # bytes: psycopg2 would encode a str query again on every execution
        self.text = f"EXECUTE {name} ({', '.join(['%s'] * arity)})".encode()

    def execute(self, params: tuple[Any, ...]) -> list[Any]:
        """Execute with ``params``; the rows of a result set, or [] for an insert."""
        self.cursor.execute(self.text, params)
        return self.cursor.fetchall() if self.fetch else []


class PgLoad:
    """The PostgreSQL family of aurora-load (see ``workloads.aurora_load.worker.Family``)."""

    error: type[Exception] = psycopg2.Error

    def driver(self) -> str:
        return DRIVER if libpq.load() is None else DIRECT

    def describe(self) -> str:
        version = psycopg2.__version__.split()[0]
        if libpq.load() is None:
            return f"PostgreSQL driver: psycopg2 {version}, EXECUTE of prepared statements"
        return f"PostgreSQL driver: psycopg2 {version}, prepared statements through libpq"

    def connect(self, endpoint: Endpoint) -> Any:
        conn = psycopg2.connect(**pg_config(endpoint, **pg_timeouts(endpoint)))
        conn.autocommit = True
        return conn

    def statements(
        self, conn: Any, table: str
    ) -> tuple[Statement | libpq.PreparedStatement, Statement | libpq.PreparedStatement]:
        quoted = sql.Identifier(table)
        cur = conn.cursor()
        cur.execute(
            sql.SQL(
                "PREPARE dbtier_insert (bigint, smallint, integer, varchar, integer) AS "
                "INSERT INTO {} (run_id, worker, seq, data, random_number) "
                "VALUES ($1, $2, $3, $4, $5)"
            ).format(quoted)
        )
        cur.execute(
            sql.SQL(
                "PREPARE dbtier_count (integer, integer) AS "
                "SELECT COUNT(*) FROM {} WHERE random_number BETWEEN $1 AND $2"
            ).format(quoted)
        )
        lib = libpq.load()
        if lib is not None:
            return (
                libpq.PreparedStatement(lib, conn, "dbtier_insert", 5),
                libpq.PreparedStatement(lib, conn, "dbtier_count", 2),
            )
        return Statement(cur, "dbtier_insert", 5, False), Statement(cur, "dbtier_count", 2, True)

    def close(self, conn: Any) -> None:
        with contextlib.suppress(psycopg2.Error, OSError):
            conn.close()

    def is_transient(self, exc: BaseException) -> bool:
        if isinstance(exc, psycopg2.InterfaceError):  # the connection is already closed
            return True
        return pg_is_transient(exc) or getattr(exc, "pgcode", None) in _LOAD_TRANSIENT

    def is_auth_error(self, exc: BaseException) -> bool:
        return pg_is_auth_error(exc)

    def is_duplicate(self, exc: BaseException) -> bool:
        return getattr(exc, "pgcode", None) == codes.UNIQUE_VIOLATION

    def error_kind(self, exc: BaseException) -> str:
        if not isinstance(exc, psycopg2.Error):
            return type(exc).__name__
        if exc.pgcode is not None:
            return _KINDS.get(exc.pgcode, f"postgres error {exc.pgcode}")
        if isinstance(exc, psycopg2.InterfaceError):
            return "connection closed"
        return "connection refused" if "refused" in str(exc).lower() else "connection lost"

    # The parent's side: the table, the final check, the cleanup.

    def open(self, endpoint: Endpoint, *, retries: bool = True) -> Any:
        """A connection for the parent (autocommit): with retries, or one attempt."""
        timeouts = pg_timeouts(endpoint)
        conn = pg_connect(endpoint, **timeouts) if retries else pg_open(endpoint, **timeouts)
        conn.autocommit = True
        return conn

    def create_table(self, conn: Any, table: str) -> set[str]:
        """Create the load table and its index if needed; the columns it has (lower case)."""
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL(
                    """
                    CREATE TABLE IF NOT EXISTS {} (
                        run_id BIGINT NOT NULL,
                        worker SMALLINT NOT NULL,
                        seq INTEGER NOT NULL,
                        data VARCHAR(1000) NOT NULL,
                        random_number INTEGER NOT NULL,
                        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                        PRIMARY KEY (run_id, worker, seq)
                    )
                    """
                ).format(sql.Identifier(table))
            )
            cur.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (random_number)").format(
                    sql.Identifier(f"{table}_random_number_idx"[:63]), sql.Identifier(table)
                )
            )
            cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s",
                (table,),
            )
            return {str(row[0]).lower() for row in cur.fetchall()}

    def verify_sql(self, table: str) -> tuple[sql.Composed, sql.Composed]:
        """(acked and total rows of one worker: count, run_id, worker; its seqs below count:
        run_id, worker, count)."""
        quoted = sql.Identifier(table)
        return (
            sql.SQL(
                "SELECT COUNT(*) FILTER (WHERE seq < %s), COUNT(*) FROM {} "
                "WHERE run_id = %s AND worker = %s"
            ).format(quoted),
            sql.SQL(
                "SELECT seq FROM {} WHERE run_id = %s AND worker = %s AND seq < %s ORDER BY seq"
            ).format(quoted),
        )

    def delete_sql(self, table: str) -> sql.Composed:
        """A statement deleting up to ``%(chunk)s`` rows of run ``%(run_id)s`` (PostgreSQL's
        DELETE has no LIMIT: the keys come from a limited select on the primary key)."""
        return sql.SQL(
            "DELETE FROM {0} WHERE (run_id, worker, seq) IN "
            "(SELECT run_id, worker, seq FROM {0} WHERE run_id = %(run_id)s LIMIT %(chunk)s)"
        ).format(sql.Identifier(table))
