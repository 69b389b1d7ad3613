"""DMS: replication instances, endpoints and tasks, each with the ARN DMS gives it."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import Account, Builder, hexdigits, ident


def _instance(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("replicationInstanceId") or ident(name)
    arn = m.arn("dms", f"rep:{hexdigits(name, 26).upper()}")
    return identifier, {
        "replicationInstanceArn": arn,
        "replicationInstancePrivateIps": ["10.0.1.25"],
    }


def _endpoint(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("endpointId") or ident(name)
    return identifier, {"endpointArn": m.arn("dms", f"endpoint:{hexdigits(name, 26).upper()}")}


def _task(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("replicationTaskId") or ident(name)
    return identifier, {
        "replicationTaskArn": m.arn("dms", f"task:{hexdigits(name, 26).upper()}"),
        "status": "ready",
    }


BUILDERS: dict[str, Builder] = {
    "aws:dms/replicationInstance:ReplicationInstance": _instance,
    "aws:dms/endpoint:Endpoint": _endpoint,
    "aws:dms/replicationTask:ReplicationTask": _task,
}
