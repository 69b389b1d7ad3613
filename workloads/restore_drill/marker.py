"""The marker a restore drill writes into the source before it restores: a row (SQL) or an item
(DynamoDB) with the drill's id and the time it was written, so the restored copy proves it holds
data written right before the restore point.

SQL: table ``dbtier_restore_drill`` (created when missing and dropped again when the drill
created it and no other drill's row remains). DynamoDB: an item in the table itself whose key
attributes hold ``dbtier-restore-drill#<id>`` (a number key: a negative number no application
writes), with ``dbtierDrillWrittenAt`` (ISO 8601). Either is removed from the source at the end.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import mysql.connector
import psycopg2

from workloads.common import Endpoint, WorkloadError
from workloads.sql import query_failed
from workloads.sql.engines import MYSQL
from workloads.sql.mysqldb import mysql_connect
from workloads.sql.postgres import pg_connect

MARKER_TABLE = "dbtier_restore_drill"
MARKER_TIME = "written_at"
MARKER_ATTRIBUTE = "dbtierDrillWrittenAt"
MARKER_PREFIX = "dbtier-restore-drill#"

_CREATE = {
    MYSQL: f"CREATE TABLE {MARKER_TABLE} (drill_id VARCHAR(64) PRIMARY KEY, "
    f"{MARKER_TIME} TIMESTAMP(6) NOT NULL)",
    "postgres": f"CREATE TABLE {MARKER_TABLE} (drill_id VARCHAR(64) PRIMARY KEY, "
    f"{MARKER_TIME} TIMESTAMPTZ NOT NULL)",
}


@dataclass(frozen=True)
class Marker:
    """The drill's marker: its id, when it was written, and whether the drill made its table."""

    drill_id: str
    written_at: datetime
    created_table: bool = False
    key: dict[str, Any] = field(default_factory=dict)  # DynamoDB: the item's key

    def to_json(self) -> dict[str, Any]:
        return {"id": self.drill_id, "writtenAt": self.written_at.isoformat()}


def new_drill_id() -> str:
    """A drill id: time of day and random, sortable and unique enough to run drills side by side."""
    return f"{datetime.now(UTC):%Y%m%d%H%M%S}{secrets.token_hex(3)}"


class _Sql:
    """One short-lived connection to a SQL side, its errors as one line."""

    def __init__(self, family: str, endpoint: Endpoint) -> None:
        self.family = family
        self.endpoint = endpoint
        self.conn: Any = mysql_connect(endpoint) if family == MYSQL else pg_connect(endpoint)
        if family != MYSQL:
            self.conn.autocommit = True
        self.error = mysql.connector.Error if family == MYSQL else psycopg2.Error

    def run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self.conn.cursor()
            try:
                if self.family == MYSQL:  # the marker's time is written and read in UTC
                    cur.execute("SET time_zone = '+00:00'")
                cur.execute(statement, params)
                return list(cur.fetchall()) if cur.description else []
            finally:
                cur.close()
        except self.error as exc:
            raise query_failed(self.endpoint, exc) from None

    def close(self) -> None:
        with contextlib.suppress(self.error):
            self.conn.close()


def _table_exists(db: _Sql) -> bool:
    return bool(
        db.run(
            "SELECT 1 FROM information_schema.tables WHERE table_name = %s AND table_schema = "
            + ("DATABASE()" if db.family == MYSQL else "current_schema()"),
            (MARKER_TABLE,),
        )
    )


def write_sql_marker(family: str, endpoint: Endpoint, drill_id: str) -> Marker:
    """Write the marker row into the source (its table first, when missing)."""
    db = _Sql(family, endpoint)
    try:
        created = not _table_exists(db)
        if created:
            db.run(_CREATE[family])
        written_at = datetime.now(UTC)
        db.run(
            f"INSERT INTO {MARKER_TABLE} (drill_id, {MARKER_TIME}) VALUES (%s, %s)",
            (drill_id, written_at.replace(tzinfo=None) if family == MYSQL else written_at),
        )
        return Marker(drill_id, written_at, created)
    finally:
        db.close()


def sql_marker_present(family: str, endpoint: Endpoint, marker: Marker) -> bool:
    """Whether the restored copy at ``endpoint`` holds the marker row."""
    db = _Sql(family, endpoint)
    try:
        if not _table_exists(db):
            return False
        return bool(db.run(f"SELECT 1 FROM {MARKER_TABLE} WHERE drill_id = %s", (marker.drill_id,)))
    finally:
        db.close()


def remove_sql_marker(family: str, endpoint: Endpoint, marker: Marker) -> None:
    """Delete the marker row; drop the table when this drill made it and it is empty now."""
    db = _Sql(family, endpoint)
    try:
        db.run(f"DELETE FROM {MARKER_TABLE} WHERE drill_id = %s", (marker.drill_id,))
        if marker.created_table and not db.run(f"SELECT 1 FROM {MARKER_TABLE} LIMIT 1"):
            db.run(f"DROP TABLE {MARKER_TABLE}")
    finally:
        db.close()


def dynamo_marker_key(table: dict[str, Any], drill_id: str) -> dict[str, Any]:
    """The marker item's key for a table described by ``describe_table``."""
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    key: dict[str, Any] = {}
    for part in table["KeySchema"]:
        name = part["AttributeName"]
        kind = types[name]
        if kind == "S":
            key[name] = {"S": f"{MARKER_PREFIX}{drill_id}"}
        elif kind == "N":
            key[name] = {"N": f"-{int(drill_id[:14])}{int(drill_id[14:], 16)}"}
        elif kind == "B":
            key[name] = {"B": f"{MARKER_PREFIX}{drill_id}".encode()}
        else:
            raise WorkloadError(f"table key attribute {name} has an unknown type {kind!r}")
    return key


def write_dynamo_marker(client: Any, table: str, drill_id: str) -> Marker:
    """Put the marker item into the source table."""
    described = client.describe_table(TableName=table)["Table"]
    key = dynamo_marker_key(described, drill_id)
    written_at = datetime.now(UTC)
    client.put_item(TableName=table, Item={**key, MARKER_ATTRIBUTE: {"S": written_at.isoformat()}})
    return Marker(drill_id, written_at, key=key)


def dynamo_marker_present(client: Any, table: str, marker: Marker) -> bool:
    """Whether ``table`` (the restored one) holds the marker item."""
    found = client.get_item(TableName=table, Key=marker.key, ConsistentRead=True)
    return "Item" in found


def remove_dynamo_marker(client: Any, table: str, marker: Marker) -> None:
    client.delete_item(TableName=table, Key=marker.key)
