"""DynamoDB: tables, with a stream ARN and label when the stream is on."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import Account, Builder, ident


def _table(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    table = i.get("name") or ident(name)
    arn = m.arn("dynamodb", f"table/{table}")
    out: dict[str, Any] = {"name": table, "arn": arn}
    if i.get("streamEnabled"):
        out["streamArn"] = f"{arn}/stream/2026-11-25T00:00:00.000"
        out["streamLabel"] = "2026-11-25T00:00:00.000"
    return table, out


BUILDERS: dict[str, Builder] = {
    "aws:dynamodb/table:Table": _table,
}
