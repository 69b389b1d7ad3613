"""PostgreSQL-family connections (Redshift, PostgreSQL locally) with psycopg2; credentials
refused are renewed from the secret once (``workloads.common.credentials``)."""

from __future__ import annotations

from typing import Any

import psycopg2
import psycopg2.errorcodes
import psycopg2.extensions

from workloads.common import Endpoint, WorkloadError, log, login, retrying, with_renewal
from workloads.sql import describe_connect_error

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
_PG_AUTH_CODES = frozenset(
    {psycopg2.errorcodes.INVALID_PASSWORD, psycopg2.errorcodes.INVALID_AUTHORIZATION_SPECIFICATION}
)


def pg_is_auth_error(exc: BaseException) -> bool:
    """True when the server refused the credentials (a rotation may have changed them)."""
    if not isinstance(exc, psycopg2.Error):
        return False
    if exc.pgcode in _PG_AUTH_CODES:
        return True
    message = str(exc).lower()
    return "password authentication failed" in message or (
        "role" in message and "does not exist" in message
    )


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


def pg_config(endpoint: Endpoint, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``psycopg2.connect`` with the credentials in use now: TLS
    ``verify-full`` against the CA bundle when the endpoint requires it, plain text otherwise."""
    credentials = login(endpoint)  # renewed ones after a rotation
    kwargs: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "dbname": endpoint.database,
        "user": credentials.username,
        "password": credentials.password,
        "connect_timeout": endpoint.connect_timeout,
        "application_name": "dbtier-workloads",
    }
    if endpoint.tls:
        kwargs.update(sslmode="verify-full", sslrootcert=endpoint.ca_bundle)
    else:
        kwargs["sslmode"] = "disable"
    kwargs.update(extra)
    return kwargs


def pg_timeouts(endpoint: Endpoint) -> dict[str, Any]:
    """Connection settings that bound a statement on PostgreSQL (not Redshift): the server's
    ``statement_timeout`` and the socket's ``tcp_user_timeout`` (a writer that vanished in a
    failover stops acknowledging), both the endpoint's query timeout."""
    millis = endpoint.query_timeout * 1000
    return {"options": f"-c statement_timeout={millis}", "tcp_user_timeout": millis}


def pg_open(endpoint: Endpoint, **extra: Any) -> Any:
    """One connection; refused for its credentials, once more with ones renewed from the secret
    (``workloads.common.credentials``)."""
    return with_renewal(
        endpoint, lambda: psycopg2.connect(**pg_config(endpoint, **extra)), pg_is_auth_error
    )


def pg_connect(
    endpoint: Endpoint, *, attempts: int = 4, max_seconds: float = 20.0, **extra: Any
) -> Any:
    """A psycopg2 connection (TLS verify-full when required) with retries on transient errors;
    ``extra`` goes to ``psycopg2.connect`` (e.g. ``pg_timeouts``)."""

    def connect() -> Any:
        log.info("connecting to %s at %s:%s", endpoint.name, endpoint.host, endpoint.port)
        return pg_open(endpoint, **extra)

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
