"""``relational`` on RDS MySQL and MariaDB (mysql-connector): the seed's ``users`` table with
``AUTO_INCREMENT``, an upsert that a re-run turns into no-ops, and the lag marker; the replica
lag is the marker's alone (MySQL's own ``Seconds_Behind_Source`` needs the REPLICATION CLIENT
privilege and whole seconds; the marker needs neither)."""

from __future__ import annotations

from typing import Any

import mysql.connector

from workloads.common import Endpoint, retrying
from workloads.relational.results import Replay, Standby, UserCount, UserRow
from workloads.sql.mysqldb import mysql_connect, mysql_is_transient, server_flavor

SCHEMA = [
    """
    CREATE TABLE IF NOT EXISTS users (
        id INT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(100) NOT NULL,
        email VARCHAR(100) NOT NULL UNIQUE,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dbtier_lag_marker (
        token CHAR(32) PRIMARY KEY,
        written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    )
    """,
]

# The no-op update makes a re-run harmless: MySQL reports 1 affected row per inserted user and
# 0 per user already present and unchanged.
UPSERT_USER = "INSERT INTO users (name, email) VALUES (%s, %s) ON DUPLICATE KEY UPDATE id = id"


NO_SUCH_TABLE = 1146  # ER_NO_SUCH_TABLE: a replica that has not replayed the CREATE yet


class MySqlDialect:
    """The MySQL-family statements of ``relational`` (see ``workloads.relational.Dialect``)."""

    error: type[Exception] = mysql.connector.Error

    def connect(self, endpoint: Endpoint) -> Any:
        return mysql_connect(endpoint)

    def server(self, conn: Any) -> str:
        return server_flavor(conn.cursor(buffered=True))

    def prepare(self, conn: Any, users: list[tuple[str, str]]) -> int:
        return int(
            retrying(mysql_is_transient, attempts=4, max_seconds=20, describe="create schema")(
                _prepare, conn, users
            )
        )

    def read_users(self, conn: Any, sample: int) -> UserCount:
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM users")
        (count,) = cur.fetchone()
        cur.execute("SELECT id, name, email FROM users ORDER BY id LIMIT %s", (sample,))
        rows = tuple(UserRow(r[0], r[1], r[2]) for r in cur.fetchall())
        cur.close()
        return UserCount(int(count), rows)

    def write_marker(self, conn: Any, token: str) -> None:
        cur = conn.cursor()
        cur.execute("INSERT INTO dbtier_lag_marker (token) VALUES (%s)", (token,))
        cur.close()

    def sees_marker(self, conn: Any, token: str) -> bool:
        cur = conn.cursor()
        cur.execute("SELECT 1 FROM dbtier_lag_marker WHERE token = %s", (token,))
        seen = cur.fetchone() is not None
        cur.close()
        return seen

    def delete_marker(self, conn: Any, token: str) -> None:
        cur = conn.cursor()
        # Old markers are noise: keep the table small (and this run's row gone) on every run.
        cur.execute(
            "DELETE FROM dbtier_lag_marker WHERE token = %s OR written_at < NOW(6) - INTERVAL 1 DAY",
            (token,),
        )
        cur.close()

    def is_missing_table(self, exc: BaseException) -> bool:
        return isinstance(exc, mysql.connector.Error) and exc.errno == NO_SUCH_TABLE

    def replay(self, conn: Any) -> Replay | None:
        return None

    def standbys(self, conn: Any) -> list[Standby] | None:
        return None


def _prepare(conn: Any, users: list[tuple[str, str]]) -> int:
    """Create the schema and upsert ``users``; how many were inserted."""
    cur = conn.cursor()
    for statement in SCHEMA:
        cur.execute(statement)
    inserted = 0
    for name, email in users:
        cur.execute(UPSERT_USER, (name, email))
        inserted += max(cur.rowcount, 0)
    cur.close()
    return inserted
