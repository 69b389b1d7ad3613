"""``relational``: check a fresh RDS MySQL tier.

Creates the seed's ``users`` table and a replica-lag marker table (idempotent), upserts the sample
users (a second run inserts nothing and fails nothing), reads from the primary and from every
reader endpoint, and measures each reader's replica lag: a marker row is written on the primary
and each reader is polled until it sees it. Works on MySQL 8.4 and on MariaDB.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mysql.connector

from workloads.common import (
    EXIT_BAD_INPUT,
    Endpoint,
    WorkloadError,
    check_exit_code,
    retrying,
)
from workloads.sql import query_failed
from workloads.sql.mysqldb import mysql_connect, mysql_is_transient, server_flavor

SAMPLE_USERS = [
    ("John Doe", "john@example.com"),
    ("Jane Smith", "jane@example.com"),
    ("Bob Johnson", "bob@example.com"),
    ("Alice Brown", "alice@example.com"),
]

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


@dataclass(frozen=True)
class UserRow:
    """One row of ``users`` as shown in the report."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class UserCount:
    """The number of users one endpoint sees and the first few of them (by id)."""

    count: int
    sample: tuple[UserRow, ...]


@dataclass
class ReaderReport:
    """What one reader showed; ``error`` instead when it was unreachable."""

    host: str
    users: UserCount | None = None
    lag_seconds: float | None = None  # None: the marker row did not arrive in time
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.users is None:
            return {"host": self.host, "error": self.error}
        return {"host": self.host, **_users_json(self.users), "lagSeconds": self.lag_seconds}


def _users_json(users: UserCount) -> dict[str, Any]:
    return {"count": users.count, "sample": [vars(r) for r in users.sample]}


@dataclass
class RelationalResult:
    """The outcome of one ``relational`` run."""

    engine: str
    server: str
    inserted: int
    already_present: int
    primary_host: str
    primary_users: UserCount
    lag_timeout: float
    readers: list[ReaderReport] = field(default_factory=list)

    @property
    def unreachable(self) -> bool:
        return any(r.users is None for r in self.readers)

    @property
    def lagging(self) -> list[str]:
        """Readers that did not see the marker row in time."""
        return [r.host for r in self.readers if r.users is not None and r.lag_seconds is None]

    @property
    def ok(self) -> bool:
        return not self.lagging and not self.unreachable

    @property
    def problem(self) -> str | None:
        if not self.lagging:
            return None
        behind = [
            r.host
            for r in self.readers
            if r.users is not None
            and r.users.count < self.primary_users.count
            and r.lag_seconds is None
        ]
        return (
            f"reader(s) {', '.join(self.lagging)} did not see the marker row within "
            f"{self.lag_timeout:g}s" + (f"; behind on users: {', '.join(behind)}" if behind else "")
        )

    @property
    def exit_code(self) -> int:
        return EXIT_BAD_INPUT if self.unreachable else check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "workload": "relational",
            "engine": self.engine,
            "server": self.server,
            "users": {"inserted": self.inserted, "alreadyPresent": self.already_present},
            "primary": {"host": self.primary_host, **_users_json(self.primary_users)},
            "readers": [r.to_json() for r in self.readers],
            "ok": self.ok,
        }
        if self.problem:
            out["problem"] = self.problem
        return out


def prepare(conn: Any) -> tuple[int, int]:
    """Create the schema and upsert the sample users: (inserted, already present)."""
    cur = conn.cursor()
    for statement in SCHEMA:
        cur.execute(statement)
    inserted = 0
    for name, email in SAMPLE_USERS:
        cur.execute(UPSERT_USER, (name, email))
        inserted += max(cur.rowcount, 0)
    cur.close()
    return inserted, len(SAMPLE_USERS) - inserted


def read_users(conn: Any, sample: int) -> UserCount:
    """Count the users and show the first few (by id)."""
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM users")
    (count,) = cur.fetchone()
    cur.execute("SELECT id, name, email FROM users ORDER BY id LIMIT %s", (sample,))
    rows = tuple(UserRow(r[0], r[1], r[2]) for r in cur.fetchall())
    cur.close()
    return UserCount(int(count), rows)


def measure_lag(
    primary: Any, readers: list[tuple[str, Any]], timeout: float
) -> dict[str, float | None]:
    """Write one marker on the primary; seconds until each reader sees it (None: not in time)."""
    token = secrets.token_hex(16)
    cur = primary.cursor()
    cur.execute("INSERT INTO dbtier_lag_marker (token) VALUES (%s)", (token,))
    written = time.monotonic()
    cur.close()
    lag: dict[str, float | None] = {}
    pending = dict(readers)
    delay = 0.005
    while pending:
        for host, conn in list(pending.items()):
            rcur = conn.cursor()
            rcur.execute("SELECT 1 FROM dbtier_lag_marker WHERE token = %s", (token,))
            seen = rcur.fetchone() is not None
            rcur.close()
            if seen:
                lag[host] = round(time.monotonic() - written, 4)
                del pending[host]
        if pending and time.monotonic() - written > timeout:
            lag.update(dict.fromkeys(pending))
            break
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    cur = primary.cursor()
    # Old markers are noise: keep the table small (and this run's row gone) on every run.
    cur.execute(
        "DELETE FROM dbtier_lag_marker WHERE token = %s OR written_at < NOW(6) - INTERVAL 1 DAY",
        (token,),
    )
    cur.close()
    return lag


def check(
    primary_ep: Endpoint,
    reader_hosts: tuple[str, ...],
    *,
    engine: str,
    sample: int,
    lag_timeout: float,
    on_step: Callable[[], object] | None = None,
) -> RelationalResult:
    """The whole check: schema and users on the primary, reads everywhere, lag per reader.

    ``on_step()`` is called after each step (for a progress bar). An unreachable reader is
    reported in the result; an unreachable primary raises a WorkloadError.
    """
    step = on_step or (lambda: None)
    primary = mysql_connect(primary_ep)
    try:
        server = server_flavor(primary.cursor(buffered=True))
        inserted, present = retrying(
            mysql_is_transient, attempts=4, max_seconds=20, describe="create schema"
        )(prepare, primary)
        step()
        result = RelationalResult(
            engine=engine,
            server=server,
            inserted=inserted,
            already_present=present,
            primary_host=primary_ep.host,
            primary_users=read_users(primary, sample),
            lag_timeout=lag_timeout,
        )
        step()
        readers: list[tuple[str, Any]] = []
        for i, host in enumerate(reader_hosts):
            try:
                conn = mysql_connect(primary_ep.at(host, f"relational reader {i + 1}"))
            except WorkloadError as exc:
                result.readers.append(ReaderReport(host, error=str(exc)))
                continue
            readers.append((host, conn))
            result.readers.append(ReaderReport(host, read_users(conn, sample)))
            step()
        lag = measure_lag(primary, readers, lag_timeout) if readers else {}
        step()
        for report in result.readers:
            if report.users is not None:
                report.lag_seconds = lag.get(report.host)
        for _, conn in readers:
            conn.close()
    except mysql.connector.Error as exc:
        raise query_failed(primary_ep, exc) from None
    finally:
        primary.close()
    return result
