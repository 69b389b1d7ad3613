"""aurora-load on Aurora MySQL (and MariaDB locally) with mysql-connector: the load table, the
two server-side prepared statements the workers run, and how MySQL's errors are read.

Through the C extension when it loaded (``workloads.mysql_driver``), else pure Python.
"""

from __future__ import annotations

import contextlib
from typing import Any

import mysql.connector
from mysql.connector.connection import MySQLConnection

from workloads import mysql_driver
from workloads.common import Endpoint
from workloads.sql.mysqldb import (
    mysql_config,
    mysql_connect,
    mysql_error_kind,
    mysql_ident,
    mysql_is_auth_error,
    mysql_is_transient,
    mysql_open,
)

DUPLICATE_KEY = 1062


class Prepared:
    """A server-side prepared statement run in one round trip per execution.

    mysql-connector's prepared cursors reset the statement before every execution (the
    pure-Python one sends COM_STMT_RESET: a second round trip per insert that matters over a
    network). These statements never send long data, so they need no reset. Works with both
    connection classes, through their public statement API: the pure-Python ``MySQLConnection``
    (statement id and parameters) and the C extension's ``CMySQLConnection`` (a statement object
    that libmysqlclient re-executes without a reset round trip).
    """

    def __init__(self, conn: Any, statement: str) -> None:
        self.conn = conn
        self.pure = isinstance(conn, MySQLConnection)
        prepared = conn.cmd_stmt_prepare(statement.encode())
        if self.pure:
            self.statement = prepared["statement_id"]
            self.parameters = prepared["parameters"]
        else:
            self.statement = prepared

    def execute(self, params: tuple[Any, ...]) -> list[Any]:
        """Execute with ``params``; the rows of a result set, or [] for an OK."""
        if self.pure:
            result = self.conn.cmd_stmt_execute(
                self.statement, data=params, parameters=self.parameters
            )
            if isinstance(result, tuple):
                self.conn.unread_result = True
                rows, _ = self.conn.get_rows(binary=True, columns=result[1])
                return list(rows)
            return []
        self.conn.cmd_stmt_execute(self.statement, *params)
        if self.statement.have_result_set:
            rows, _ = self.conn.get_rows(prep_stmt=self.statement)
            return list(rows)
        return []


class MySqlLoad:
    """The MySQL family of aurora-load (see ``workloads.aurora_load.worker.Family``)."""

    error: type[Exception] = mysql.connector.Error

    def driver(self) -> str:
        return mysql_driver.driver()

    def describe(self) -> str:
        return mysql_driver.describe()

    def connect(self, endpoint: Endpoint) -> Any:
        return mysql.connector.connect(**mysql_config(endpoint))

    def statements(self, conn: Any, table: str) -> tuple[Prepared, Prepared]:
        quoted = mysql_ident(table)
        insert = Prepared(
            conn,
            f"INSERT INTO {quoted} (run_id, worker, seq, data, random_number) "
            "VALUES (?, ?, ?, ?, ?)",
        )
        read = Prepared(conn, f"SELECT COUNT(*) FROM {quoted} WHERE random_number BETWEEN ? AND ?")
        return insert, read

    def close(self, conn: Any) -> None:
        with contextlib.suppress(mysql.connector.Error, OSError):
            conn.close()

    def is_transient(self, exc: BaseException) -> bool:
        return mysql_is_transient(exc)

    def is_auth_error(self, exc: BaseException) -> bool:
        return mysql_is_auth_error(exc)

    def is_duplicate(self, exc: BaseException) -> bool:
        return isinstance(exc, mysql.connector.Error) and exc.errno == DUPLICATE_KEY

    def error_kind(self, exc: BaseException) -> str:
        return mysql_error_kind(exc)

    # The parent's side: the table, the final check, the cleanup.

    def open(self, endpoint: Endpoint, *, retries: bool = True) -> Any:
        """A connection for the parent (autocommit): with retries, or one attempt."""
        return mysql_connect(endpoint) if retries else mysql_open(endpoint)

    def create_table(self, conn: Any, table: str) -> set[str]:
        """Create the load table if needed; the columns it has (lower case)."""
        cur = conn.cursor()
        cur.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {mysql_ident(table)} (
                run_id BIGINT NOT NULL,
                worker SMALLINT NOT NULL,
                seq INT NOT NULL,
                data VARCHAR(1000) NOT NULL,
                random_number INT NOT NULL,
                created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                PRIMARY KEY (run_id, worker, seq),
                KEY idx_random_number (random_number)
            )
            """
        )
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s",
            (table,),
        )
        have = {str(row[0]).lower() for row in cur.fetchall()}
        cur.close()
        return have

    def verify_sql(self, table: str) -> tuple[str, str]:
        """(acked and total rows of one worker: count, run_id, worker; its seqs below count:
        run_id, worker, count)."""
        quoted = mysql_ident(table)
        return (
            f"SELECT COALESCE(SUM(seq < %s), 0), COUNT(*) FROM {quoted} "
            "WHERE run_id = %s AND worker = %s",
            f"SELECT seq FROM {quoted} WHERE run_id = %s AND worker = %s AND seq < %s ORDER BY seq",
        )

    def delete_sql(self, table: str) -> str:
        """A statement deleting up to ``%(chunk)s`` rows of run ``%(run_id)s``."""
        return f"DELETE FROM {mysql_ident(table)} WHERE run_id = %(run_id)s LIMIT %(chunk)s"
