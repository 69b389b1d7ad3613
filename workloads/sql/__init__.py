"""What the SQL workloads share, whatever the driver: the endpoint read from a stack-output
section, TLS verified against the AWS RDS CA bundle, timeouts, and identifier checks.

The drivers live beside it: ``workloads.sql.mysqldb`` (mysql-connector, for RDS MySQL, Aurora
MySQL and MariaDB locally) and ``workloads.sql.postgres`` (psycopg2, for Redshift and PostgreSQL
locally). This module imports neither, so that importing it loads no OpenSSL.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from typing import Protocol

from contract import echo
from workloads.common import (
    Endpoint,
    WorkloadError,
    add_credentials_argument,
    login,
    one_line,
    redact,
    resolve_credentials,
)

CA_BUNDLE_ENV = "DBTIER_CA_BUNDLE"
DEFAULT_CA_BUNDLE = "~/.config/dbtier/rds-global-bundle.pem"
CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"


class SqlSection(Protocol):
    """The fields every SQL section of the stack outputs has (relational, aurora, warehouse)."""

    @property
    def port(self) -> int: ...
    @property
    def database_name(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str | None: ...
    @property
    def secret_arn(self) -> str | None: ...
    @property
    def tls(self) -> bool: ...


@dataclass(frozen=True)
class ConnectionOptions:
    """The command line's connection settings: CA bundle, timeouts in seconds, and where the
    credentials come from (``auto``, ``secret`` or ``outputs``)."""

    ca_bundle: str | None = None
    connect_timeout: int = 10
    query_timeout: int = 60
    credentials: str = "auto"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ConnectionOptions:
        return cls(args.ca_bundle, args.connect_timeout, args.query_timeout, args.credentials)


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every SQL workload shares: CA bundle, timeouts and the credentials' source."""
    add_credentials_argument(parser)
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


def sql_endpoint(
    name: str, host: str, section: SqlSection, options: ConnectionOptions | None = None
) -> Endpoint:
    """The endpoint ``host`` of a SQL section; TLS is on unless the section says ``tls: false``.

    The credentials are resolved here (``workloads.common.credentials``: the secret behind
    ``secretArn``, else ``password``), so a wrong or unreadable secret fails before any work.
    """
    options = options or ConnectionOptions()
    ca_bundle = resolve_ca_bundle(options.ca_bundle) if section.tls else None
    source = resolve_credentials(
        getattr(section, "KEY", name),
        secret_arn=section.secret_arn,
        username=section.username,
        password=section.password,
        mode=options.credentials,
        timeout=options.connect_timeout,
    )
    return Endpoint(
        name=name,
        host=host,
        port=section.port,
        database=section.database_name,
        user=source.initial.username,
        password=source.initial.password,
        tls=section.tls,
        ca_bundle=ca_bundle,
        connect_timeout=options.connect_timeout,
        query_timeout=options.query_timeout,
        credentials=source,
    )


def driver_message(exc: BaseException, limit: int = 300) -> str:
    """A driver's error as one short printable line, secrets removed (drivers quote inputs)."""
    return echo(redact(one_line(exc)), limit)


def describe_connect_error(endpoint: Endpoint, exc: BaseException) -> str:
    """One line saying which endpoint failed and why, without secrets."""
    return (
        f"cannot connect to {endpoint.name} at {echo(endpoint.host)}:{endpoint.port} "
        f"as {echo(redact(login(endpoint).username), 60)}: {driver_message(exc)}"
    )


def query_failed(endpoint: Endpoint, exc: BaseException) -> WorkloadError:
    """A driver error in the middle of a workload, as one line naming the server."""
    return WorkloadError(
        f"{endpoint.name} at {echo(endpoint.host)}:{endpoint.port}: {driver_message(exc)}"
    )


_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def is_plain_identifier(name: str) -> bool:
    """A name that needs no quoting anywhere (used to validate user-given table names)."""
    return bool(_SAFE.match(name))
