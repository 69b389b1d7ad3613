"""The local stand-in for a restore's data: a copy of the local database taken at the restore
point, standing in for the instance or cluster RDS would restore.

moto answers the RDS calls (the restored instance exists there, with an endpoint nothing listens
on), so a local run gets its real data from here: on MariaDB a new database with every table
copied inside one consistent snapshot (``START TRANSACTION WITH CONSISTENT SNAPSHOT``, as
``mysqldump --single-transaction`` reads), on PostgreSQL ``CREATE DATABASE ... TEMPLATE`` of
the source (an exact file-level copy). Each copy has its own generated name and is given to the
stack's user, as a restored instance keeps its master user. DynamoDB needs no stand-in: moto's
``restore_table_to_point_in_time`` copies the items itself.

The local engines' administrators are the ones ``scripts/engines.sh`` sets up (MariaDB ``root``
over TCP without a password, PostgreSQL ``postgres`` trusted), as ``standins.local_outputs``
uses them.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import mysql.connector
import psycopg2
from psycopg2 import sql

from standins.local_outputs import ANY_HOST, mysql_admin, pg_admin
from workloads.common import Endpoint, WorkloadError, login
from workloads.sql import driver_message
from workloads.sql.engines import MYSQL
from workloads.sql.mysqldb import mysql_ident


@dataclass(frozen=True)
class LocalCopy:
    """A copy of ``source`` named ``database`` on the same server, made at ``taken_at``."""

    family: str
    source: Endpoint
    database: str
    taken_at: datetime

    @property
    def endpoint(self) -> Endpoint:
        """Where the copy is read, with the source's credentials."""
        return Endpoint(
            host=self.source.host,
            port=self.source.port,
            name="restored copy",
            database=self.database,
            user=login(self.source).username,
            password=login(self.source).password,
            tls=False,
            connect_timeout=self.source.connect_timeout,
            query_timeout=self.source.query_timeout,
        )

    def describe(self) -> str:
        return (
            f"local stand-in: database {self.database} on {self.source.host}:{self.source.port}, "
            f"a copy of {self.source.database} taken at {self.taken_at.isoformat()} (the "
            "restored instance exists only in moto)"
        )


def copy_name(throwaway: str) -> str:
    """The copy's database name: the throwaway's, as a plain SQL identifier."""
    return re.sub(r"[^a-z0-9_]", "_", throwaway.lower())[:63]


def _failed(what: str, source: Endpoint, exc: BaseException) -> WorkloadError:
    return WorkloadError(
        f"local stand-in: {what} on {source.host}:{source.port}: {driver_message(exc)}"
    )


def make_copy(family: str, source: Endpoint, throwaway: str) -> LocalCopy:
    """Copy ``source``'s database into a new one named after ``throwaway``; nothing is left
    behind when the copy fails."""
    database = copy_name(throwaway)
    taken_at = datetime.now(UTC)
    try:
        if family == MYSQL:
            _copy_mysql(source, database)
        else:
            _copy_postgres(source, database)
    except (mysql.connector.Error, psycopg2.Error, OSError) as exc:
        with contextlib.suppress(WorkloadError):
            drop_copy(family, source, database)
        raise _failed(f"copying {source.database} into {database}", source, exc) from None
    except BaseException:  # Ctrl-C in the middle: the half-made copy goes too
        with contextlib.suppress(WorkloadError):
            drop_copy(family, source, database)
        raise
    return LocalCopy(family, source, database, taken_at)


def _copy_mysql(source: Endpoint, database: str) -> None:
    admin = mysql_admin(source.host, source.port)
    try:
        cur = admin.cursor()
        cur.execute(f"CREATE DATABASE {mysql_ident(database)}")
        cur.execute(
            f"GRANT ALL PRIVILEGES ON {mysql_ident(database)}.* TO %s@%s",
            (login(source).username, ANY_HOST),
        )
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            (source.database,),
        )
        tables = [str(row[0]) for row in cur.fetchall()]
        # Every table read in one snapshot: the copy is the database at one instant.
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        for table in tables:
            into = f"{mysql_ident(database)}.{mysql_ident(table)}"
            src = f"{mysql_ident(source.database)}.{mysql_ident(table)}"
            cur.execute(f"CREATE TABLE {into} LIKE {src}")
            cur.execute(f"INSERT INTO {into} SELECT * FROM {src}")
        cur.execute("COMMIT")
        cur.close()
    finally:
        admin.close()


def _copy_postgres(source: Endpoint, database: str) -> None:
    admin = pg_admin(source.host, source.port)
    try:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                    sql.Identifier(database),
                    sql.Identifier(source.database),
                    sql.Identifier(login(source).username),
                )
            )
    finally:
        admin.close()


def drop_copy(family: str, source: Endpoint, database: str) -> None:
    """Drop the copy (gone already is fine)."""
    try:
        if family == MYSQL:
            admin: Any = mysql_admin(source.host, source.port)
            try:
                cur = admin.cursor()
                cur.execute(f"DROP DATABASE IF EXISTS {mysql_ident(database)}")
                cur.close()
            finally:
                admin.close()
            return
        admin = pg_admin(source.host, source.port)
        try:
            with admin.cursor() as cur:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(database)
                    )
                )
        finally:
            admin.close()
    except (mysql.connector.Error, psycopg2.Error, OSError) as exc:
        raise _failed(f"dropping {database}", source, exc) from None


def copy_exists(family: str, source: Endpoint, database: str) -> bool:
    """Whether the copy ``database`` is on the source's server (tests, and ``--keep``)."""
    if family == MYSQL:
        admin: Any = mysql_admin(source.host, source.port)
        try:
            cur = admin.cursor()
            cur.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (database,)
            )
            return cur.fetchone() is not None
        finally:
            admin.close()
    admin = pg_admin(source.host, source.port)
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            return cur.fetchone() is not None
    finally:
        admin.close()
