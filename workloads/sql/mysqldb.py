"""MySQL-family connections (RDS MySQL, Aurora MySQL, MariaDB locally) with mysql-connector:
through its C extension when that could load (see ``workloads.mysql_driver``), else pure Python.
"""

from __future__ import annotations

from typing import Any

import mysql.connector
from mysql.connector import errorcode

from workloads import mysql_driver
from workloads.common import Endpoint, WorkloadError, log, login, retrying, with_renewal
from workloads.sql import describe_connect_error

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
    {
        errorcode.ER_ACCESS_DENIED_ERROR,  # 1045 wrong password or no such user
        errorcode.ER_DBACCESS_DENIED_ERROR,  # 1044 a user without access to the database
        1698,  # ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    }
)

_ERROR_KINDS = {
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


def mysql_is_auth_error(exc: BaseException) -> bool:
    """True when the server refused the credentials (a rotation may have changed them)."""
    return isinstance(exc, mysql.connector.Error) and exc.errno in MYSQL_AUTH_ERRNOS


def mysql_error_kind(exc: BaseException) -> str:
    """A short stable label for counting errors by kind."""
    if isinstance(exc, mysql.connector.Error):
        return _ERROR_KINDS.get(exc.errno or 0, f"mysql error {exc.errno}")
    return type(exc).__name__


def mysql_config(endpoint: Endpoint, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``mysql.connector.connect``, with the credentials in use now."""
    credentials = login(endpoint)
    config: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "user": credentials.username,
        "password": credentials.password,
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


def mysql_open(endpoint: Endpoint, **extra: Any) -> Any:
    """One connection; refused for its credentials, once more with ones renewed from the secret
    (``workloads.common.credentials``)."""
    return with_renewal(
        endpoint,
        lambda: mysql.connector.connect(**mysql_config(endpoint, **extra)),
        mysql_is_auth_error,
    )


def mysql_connect(
    endpoint: Endpoint, *, attempts: int = 4, max_seconds: float = 20.0, **extra: Any
) -> Any:
    """Connect with retries on transient errors; credentials refused even after renewing them
    from the secret fail at once (exit 2)."""

    def connect() -> Any:
        log.info("connecting to %s at %s:%s", endpoint.name, endpoint.host, endpoint.port)
        return mysql_open(endpoint, **extra)

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
