"""Connections for the SQL workloads: endpoints read from the stack outputs, TLS verified against
the AWS RDS CA bundle, timeouts, transient-error classification, and identifier quoting.

MySQL-family endpoints (RDS MySQL, Aurora MySQL, MariaDB locally) use mysql-connector-python,
through its C extension when that could load (see ``workloads.mysql_driver``), else pure Python;
PostgreSQL-family endpoints (Redshift, PostgreSQL locally) use psycopg2.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, replace
from typing import Any

import mysql.connector
import psycopg2
import psycopg2.errorcodes
import psycopg2.extensions
from mysql.connector import errorcode

from workloads import mysql_driver
from workloads.common import Outputs, WorkloadError, log, one_line, redact, retrying

CA_BUNDLE_ENV = "DBTIER_CA_BUNDLE"
DEFAULT_CA_BUNDLE = "~/.config/dbtier/rds-global-bundle.pem"
CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"


@dataclass(frozen=True)
class Endpoint:
    """Where and how to connect to one database server."""

    name: str  # the outputs key, e.g. "relational" or "aurora (reader)"
    host: str
    port: int
    database: str
    user: str
    password: str
    tls: bool
    ca_bundle: str | None
    connect_timeout: int = 10
    query_timeout: int = 60

    def at(self, host: str, name: str) -> Endpoint:
        """The same credentials on another host (a reader)."""
        return replace(self, host=host, name=name)


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every SQL workload shares: CA bundle and timeouts."""
    parser.add_argument(
        "--ca-bundle",
        metavar="PEM",
        help=f"AWS RDS CA bundle for TLS (default: ${CA_BUNDLE_ENV} or {DEFAULT_CA_BUNDLE})",
    )
    parser.add_argument(
        "--connect-timeout", type=int, default=10, metavar="S", help="seconds (default 10)"
    )
    parser.add_argument(
        "--query-timeout", type=int, default=60, metavar="S", help="seconds (default 60)"
    )


def resolve_ca_bundle(explicit: str | None) -> str:
    """The CA bundle path from --ca-bundle, the environment or the default; it must exist."""
    path = os.path.expanduser(explicit or os.environ.get(CA_BUNDLE_ENV) or DEFAULT_CA_BUNDLE)
    if not os.path.isfile(path):
        raise WorkloadError(
            f"the stack enforces TLS but the AWS RDS CA bundle {path} does not exist: download "
            f"{CA_BUNDLE_URL} and pass --ca-bundle PATH or set {CA_BUNDLE_ENV}"
        )
    return path


def endpoint_from_outputs(
    outputs: Outputs, section: str, host_key: str, args: argparse.Namespace
) -> Endpoint:
    """Read one endpoint of a section; TLS is on unless the section says ``tls: false``."""
    tls = outputs.field(section, "tls", bool, default=True)
    return Endpoint(
        name=section,
        host=outputs.field(section, host_key, str),
        port=outputs.field(section, "port", int),
        database=outputs.field(section, "databaseName", str),
        user=outputs.field(section, "username", str),
        password=outputs.field(section, "password", str),
        tls=tls,
        ca_bundle=resolve_ca_bundle(getattr(args, "ca_bundle", None)) if tls else None,
        connect_timeout=getattr(args, "connect_timeout", 10),
        query_timeout=getattr(args, "query_timeout", 60),
    )


# --- MySQL family --------------------------------------------------------------------------

# Errors worth another attempt: the server is restarting, failing over, overloaded or chose us as
# a deadlock victim. A read-only error means we reached the old writer after a failover.
MYSQL_TRANSIENT_ERRNOS = frozenset(
    {
        errorcode.CR_CONN_HOST_ERROR,  # 2003 can't connect (refused)
        errorcode.CR_SERVER_GONE_ERROR,  # 2006
        errorcode.CR_SERVER_LOST,  # 2013
        2055,  # lost connection (system error), e.g. reset by peer
        errorcode.CR_CONNECTION_ERROR,  # 2002
        errorcode.CR_UNKNOWN_HOST,  # 2005 DNS flips during failover
        errorcode.ER_CON_COUNT_ERROR,  # 1040 too many connections
        errorcode.ER_LOCK_DEADLOCK,  # 1213
        errorcode.ER_LOCK_WAIT_TIMEOUT,  # 1205
        errorcode.ER_SERVER_SHUTDOWN,  # 1053
        errorcode.ER_OPTION_PREVENTS_STATEMENT,  # 1290 --read-only: old writer after failover
        1836,  # ER_READ_ONLY_MODE
        1927,  # MariaDB: connection was killed
        4031,  # MySQL: disconnected by the server because of inactivity
    }
)

MYSQL_AUTH_ERRNOS = frozenset(
    {errorcode.ER_ACCESS_DENIED_ERROR, errorcode.ER_DBACCESS_DENIED_ERROR}
)


def mysql_is_transient(exc: BaseException) -> bool:
    """True for MySQL errors that a reconnect and retry can cure."""
    if isinstance(exc, mysql.connector.Error):
        if exc.errno in MYSQL_TRANSIENT_ERRNOS:
            return True
        # A dropped socket surfaces as an OperationalError/InterfaceError without a server errno.
        return exc.errno in (None, -1) and isinstance(
            exc, mysql.connector.errors.OperationalError | mysql.connector.errors.InterfaceError
        )
    return isinstance(exc, ConnectionError | TimeoutError)


def mysql_error_kind(exc: BaseException) -> str:
    """A short stable label for counting errors by kind."""
    if isinstance(exc, mysql.connector.Error):
        names = {
            2003: "connection refused",
            2002: "connection refused",
            2006: "server gone away",
            2013: "connection lost",
            2055: "connection lost",
            1040: "too many connections",
            1213: "deadlock",
            1205: "lock wait timeout",
            1053: "server shutdown",
            1290: "read only (failover)",
            1836: "read only (failover)",
            1927: "connection killed",
            4031: "disconnected (idle)",
        }
        return names.get(exc.errno or 0, f"mysql error {exc.errno}")
    return type(exc).__name__


def mysql_config(endpoint: Endpoint, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``mysql.connector.connect``."""
    config: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "user": endpoint.user,
        "password": endpoint.password,
        "database": endpoint.database,
        "connection_timeout": endpoint.connect_timeout,
        "read_timeout": endpoint.query_timeout,
        "write_timeout": endpoint.query_timeout,
        "autocommit": True,
        "charset": "utf8mb4",
        # The C extension when it loaded (see workloads/mysql_driver.py), else pure Python.
        "use_pure": not mysql_driver.use_c_extension(),
    }
    if endpoint.tls:
        config.update(ssl_ca=endpoint.ca_bundle, ssl_verify_cert=True, ssl_verify_identity=True)
    else:
        config["ssl_disabled"] = True
    config.update(extra)
    return config


def describe_connect_error(endpoint: Endpoint, exc: BaseException) -> str:
    """One line saying which endpoint failed and why, without secrets."""
    return redact(
        f"cannot connect to {endpoint.name} at {endpoint.host}:{endpoint.port} "
        f"as {endpoint.user}: {one_line(exc)}"
    )


def mysql_connect(
    endpoint: Endpoint, *, attempts: int = 4, max_seconds: float = 20.0, **extra: Any
) -> Any:
    """Connect with retries on transient errors; bad credentials fail at once (exit 2)."""

    def connect() -> Any:
        log.info("connecting to %s at %s:%s", endpoint.name, endpoint.host, endpoint.port)
        return mysql.connector.connect(**mysql_config(endpoint, **extra))

    try:
        return retrying(
            mysql_is_transient,
            attempts=attempts,
            max_seconds=max_seconds,
            describe=f"connect to {endpoint.name}",
        )(connect)
    except mysql.connector.Error as exc:
        raise WorkloadError(describe_connect_error(endpoint, exc)) from None
    except OSError as exc:
        raise WorkloadError(describe_connect_error(endpoint, exc)) from None


_MAX_IDENTIFIER = 64


def mysql_ident(name: str) -> str:
    """Backtick-quote a validated MySQL identifier (table or column name)."""
    if not name or len(name) > _MAX_IDENTIFIER or "\x00" in name or name != name.rstrip():
        raise WorkloadError(f"invalid MySQL identifier {name!r}")
    return "`" + name.replace("`", "``") + "`"


def server_flavor(cursor: Any) -> str:
    """'mariadb' or 'mysql', from the server's version string."""
    cursor.execute("SELECT VERSION()")
    (version,) = cursor.fetchone()
    return "mariadb" if "mariadb" in str(version).lower() else "mysql"


# --- PostgreSQL family ---------------------------------------------------------------------

PG_TRANSIENT_CODES = frozenset(
    {
        psycopg2.errorcodes.SERIALIZATION_FAILURE,
        psycopg2.errorcodes.DEADLOCK_DETECTED,
        psycopg2.errorcodes.TOO_MANY_CONNECTIONS,
        psycopg2.errorcodes.ADMIN_SHUTDOWN,
        psycopg2.errorcodes.CRASH_SHUTDOWN,
        psycopg2.errorcodes.CANNOT_CONNECT_NOW,
        psycopg2.errorcodes.CONNECTION_FAILURE,
        psycopg2.errorcodes.CONNECTION_EXCEPTION,
    }
)

_PG_AUTH_HINTS = ("password authentication failed", "no pg_hba.conf entry", "does not exist")


def pg_is_transient(exc: BaseException) -> bool:
    """True for PostgreSQL/Redshift errors that a reconnect and retry can cure."""
    if isinstance(exc, psycopg2.Error):
        if exc.pgcode in PG_TRANSIENT_CODES:
            return True
        if isinstance(exc, psycopg2.OperationalError) and exc.pgcode is None:
            message = str(exc).lower()
            return not any(hint in message for hint in _PG_AUTH_HINTS)
        return False
    return isinstance(exc, ConnectionError | TimeoutError)


def pg_connect(endpoint: Endpoint, *, attempts: int = 4, max_seconds: float = 20.0) -> Any:
    """A psycopg2 connection (TLS verify-full when required) with retries on transient errors."""
    kwargs: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "dbname": endpoint.database,
        "user": endpoint.user,
        "password": endpoint.password,
        "connect_timeout": endpoint.connect_timeout,
        "application_name": "dbtier-workloads",
    }
    if endpoint.tls:
        kwargs.update(sslmode="verify-full", sslrootcert=endpoint.ca_bundle)
    else:
        kwargs["sslmode"] = "disable"

    def connect() -> Any:
        log.info("connecting to %s at %s:%s", endpoint.name, endpoint.host, endpoint.port)
        return psycopg2.connect(**kwargs)

    try:
        conn = retrying(
            pg_is_transient,
            attempts=attempts,
            max_seconds=max_seconds,
            describe=f"connect to {endpoint.name}",
        )(connect)
    except psycopg2.Error as exc:
        raise WorkloadError(describe_connect_error(endpoint, exc)) from None
    return conn


def pg_set_statement_timeout(conn: Any, seconds: int) -> None:
    """Bound every statement (PostgreSQL only; Redshift uses WLM timeouts instead)."""
    with conn.cursor() as cur:
        cur.execute("SET statement_timeout = %s", (seconds * 1000,))


_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def is_plain_identifier(name: str) -> bool:
    """A name that needs no quoting anywhere (used to validate user-given table names)."""
    return bool(_SAFE.match(name))
