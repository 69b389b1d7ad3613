"""``relational``: check a fresh RDS tier (MySQL, MariaDB or PostgreSQL, from the outputs'
``engine``).

Creates the seed's ``users`` table and a replica-lag marker table (idempotent), upserts the sample
users (a second run inserts nothing and fails nothing), reads from the primary and from every
reader endpoint, and measures each reader's replica lag: a marker row is written on the primary
and each reader is polled until it sees it. On PostgreSQL each reader also reports the engine's
own replay lag and the primary its ``pg_stat_replication``. The statements of each engine family
are a ``Dialect`` (``mysql_dialect``, ``pg_dialect``); what the run found is ``results``.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from workloads.common import Endpoint, WorkloadError
from workloads.relational.mysql_dialect import MySqlDialect
from workloads.relational.pg_dialect import PgDialect
from workloads.relational.results import (
    ReaderReport,
    RelationalResult,
    Replay,
    Standby,
    UserCount,
    UserRow,
)
from workloads.sql import query_failed
from workloads.sql.engines import MYSQL, POSTGRES

__all__ = [
    "DIALECTS",
    "SAMPLE_USERS",
    "Dialect",
    "ReaderReport",
    "RelationalResult",
    "Replay",
    "Standby",
    "UserCount",
    "UserRow",
    "check",
    "measure_lag",
]

SAMPLE_USERS = [
    ("John Doe", "john@example.com"),
    ("Jane Smith", "jane@example.com"),
    ("Bob Johnson", "bob@example.com"),
    ("Alice Brown", "alice@example.com"),
]


class Dialect(Protocol):
    """One engine family's statements for ``relational``; ``error`` is its driver's base error."""

    error: type[Exception]

    def connect(self, endpoint: Endpoint) -> Any: ...
    def server(self, conn: Any) -> str: ...
    def prepare(self, conn: Any, users: list[tuple[str, str]]) -> int: ...
    def read_users(self, conn: Any, sample: int) -> UserCount: ...
    def write_marker(self, conn: Any, token: str) -> None: ...
    def sees_marker(self, conn: Any, token: str) -> bool: ...
    def delete_marker(self, conn: Any, token: str) -> None: ...
    def replay(self, conn: Any) -> Replay | None: ...
    def standbys(self, conn: Any) -> list[Standby] | None: ...


DIALECTS: dict[str, Dialect] = {MYSQL: MySqlDialect(), POSTGRES: PgDialect()}


def measure_lag(
    dialect: Dialect, primary: Any, readers: list[tuple[str, Any]], timeout: float
) -> dict[str, float | None]:
    """Write one marker on the primary; seconds until each reader sees it (None: not in time)."""
    token = secrets.token_hex(16)
    dialect.write_marker(primary, token)
    written = time.monotonic()
    lag: dict[str, float | None] = {}
    pending = dict(readers)
    delay = 0.005
    while pending:
        for host, conn in list(pending.items()):
            if dialect.sees_marker(conn, token):
                lag[host] = round(time.monotonic() - written, 4)
                del pending[host]
        if pending and time.monotonic() - written > timeout:
            lag.update(dict.fromkeys(pending))
            break
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    dialect.delete_marker(primary, token)
    return lag


def check(
    primary_ep: Endpoint,
    reader_hosts: tuple[str, ...],
    *,
    engine: str,
    family: str,
    sample: int,
    lag_timeout: float,
    on_step: Callable[[], object] | None = None,
) -> RelationalResult:
    """The whole check: schema and users on the primary, reads everywhere, lag per reader.

    ``family`` is ``mysql`` or ``postgres`` (``workloads.sql.engines``). ``on_step()`` is called
    after each step (for a progress bar). An unreachable reader is reported in the result; an
    unreachable primary raises a WorkloadError.
    """
    step = on_step or (lambda: None)
    dialect = DIALECTS[family]
    primary = dialect.connect(primary_ep)
    readers: list[tuple[str, Any]] = []
    try:
        server = dialect.server(primary)
        inserted = dialect.prepare(primary, SAMPLE_USERS)
        step()
        result = RelationalResult(
            engine=engine,
            server=server,
            inserted=inserted,
            already_present=len(SAMPLE_USERS) - inserted,
            primary_host=primary_ep.host,
            primary_users=dialect.read_users(primary, sample),
            lag_timeout=lag_timeout,
        )
        step()
        for i, host in enumerate(reader_hosts):
            try:
                conn = dialect.connect(primary_ep.at(host, f"relational reader {i + 1}"))
            except WorkloadError as exc:
                result.readers.append(ReaderReport(host, error=str(exc)))
                continue
            readers.append((host, conn))
            result.readers.append(ReaderReport(host, dialect.read_users(conn, sample)))
            step()
        lag = measure_lag(dialect, primary, readers, lag_timeout) if readers else {}
        step()
        replay = {host: dialect.replay(conn) for host, conn in readers}
        for report in result.readers:
            if report.users is not None:
                report.lag_seconds = lag.get(report.host)
                report.replay = replay.get(report.host)
        result.standbys = dialect.standbys(primary)
    except dialect.error as exc:
        raise query_failed(primary_ep, exc) from None
    finally:
        for _, conn in readers:
            conn.close()
        primary.close()
    return result
