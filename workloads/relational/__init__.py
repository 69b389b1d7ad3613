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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    def is_missing_table(self, exc: BaseException) -> bool: ...
    def replay(self, conn: Any) -> Replay | None: ...
    def standbys(self, conn: Any) -> list[Standby] | None: ...


DIALECTS: dict[str, Dialect] = {MYSQL: MySqlDialect(), POSTGRES: PgDialect()}


def measure_lag(
    dialect: Dialect, primary: Any, readers: list[tuple[str, Any]], timeout: float
) -> dict[str, float | None]:
    """Write one marker on the primary; seconds until each reader sees it (None: not in time).
    A reader that has not even replayed the marker table yet has not seen it."""
    token = secrets.token_hex(16)
    dialect.write_marker(primary, token)
    written = time.monotonic()
    lag: dict[str, float | None] = {}
    pending = dict(readers)
    delay = 0.005
    while pending:
        for host, conn in list(pending.items()):
            if _sees_marker(dialect, conn, token):
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


def _sees_marker(dialect: Dialect, conn: Any, token: str) -> bool:
    try:
        return dialect.sees_marker(conn, token)
    except dialect.error as exc:
        if dialect.is_missing_table(exc):
            return False
        raise


@contextmanager
def _on(dialect: Dialect, endpoint: Endpoint) -> Iterator[None]:
    """A driver error in the block, as one line naming ``endpoint``."""
    try:
        yield
    except dialect.error as exc:
        raise query_failed(endpoint, exc) from None


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
    """The whole check: schema and users on the primary, lag per reader, reads everywhere.

    ``family`` is ``mysql`` or ``postgres`` (``workloads.sql.engines``). A reader is read once it
    has seen the marker (so once it has replayed the schema and the users before it); one that
    never did shows what it has. ``on_step()`` is called after each step (for a progress bar).
    An unreachable reader is reported in the result; an unreachable primary raises a
    WorkloadError, as does a query failing on any server (naming it).
    """
    step = on_step or (lambda: None)
    dialect = DIALECTS[family]
    primary = dialect.connect(primary_ep)
    connected: list[tuple[ReaderReport, Endpoint, Any]] = []
    try:
        with _on(dialect, primary_ep):
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
            endpoint = primary_ep.at(host, f"relational reader {i + 1}")
            report = ReaderReport(host)
            result.readers.append(report)
            try:
                connected.append((report, endpoint, dialect.connect(endpoint)))
            except WorkloadError as exc:
                report.error = str(exc)
            step()
        with _on(dialect, primary_ep):
            readers = [(report.host, conn) for report, _, conn in connected]
            lag = measure_lag(dialect, primary, readers, lag_timeout) if readers else {}
            result.standbys = dialect.standbys(primary)
        step()
        for report, endpoint, conn in connected:
            with _on(dialect, endpoint):
                report.users = _reader_users(dialect, conn, sample)
                report.lag_seconds = lag.get(report.host)
                report.replay = dialect.replay(conn)
    finally:
        for _, _, conn in connected:
            conn.close()
        primary.close()
    return result


def _reader_users(dialect: Dialect, conn: Any, sample: int) -> UserCount:
    """The reader's users; none when it has not replayed the table yet (a reader far behind)."""
    try:
        return dialect.read_users(conn, sample)
    except dialect.error as exc:
        if dialect.is_missing_table(exc):
            return UserCount(0, ())
        raise
