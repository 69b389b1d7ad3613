"""DynamoDB: tables, with a stream ARN and label when the stream is on, and their global table
replicas (declared on the table, or as TableReplica resources of a replica region's provider),
each with the ARN DynamoDB gives it in its own region."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import ACCOUNT_ID, Account, Builder, ident

STREAM_LABEL = "2026-11-25T00:00:00.000"


def _replica(table: str, replica: dict[str, Any]) -> dict[str, Any]:
    """A replica block as DynamoDB reports it: the table's name in the replica's region."""
    region = replica.get("regionName", "")
    arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{table}"
    return {**replica, "arn": arn, "streamArn": f"{arn}/stream/{STREAM_LABEL}",
            "streamLabel": STREAM_LABEL}  # fmt: skip


def _table(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    table = i.get("name") or ident(name)
    arn = m.arn("dynamodb", f"table/{table}")
    out: dict[str, Any] = {"name": table, "arn": arn}
    if i.get("streamEnabled"):
        out["streamArn"] = f"{arn}/stream/{STREAM_LABEL}"
        out["streamLabel"] = STREAM_LABEL
    if i.get("replicas"):
        out["replicas"] = [_replica(table, r) for r in i["replicas"]]
    return table, out


def _table_replica(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    """A replica as its own resource: created by the replica region's provider from the
    table's ARN; its id is `<table>:<region>` (the provider's import id)."""
    table = str(i.get("globalTableArn", "")).rsplit("/", 1)[-1] or ident(name)
    return f"{table}:{m.region}", {"arn": m.arn("dynamodb", f"table/{table}")}


BUILDERS: dict[str, Builder] = {
    "aws:dynamodb/table:Table": _table,
    "aws:dynamodb/tableReplica:TableReplica": _table_replica,
}
