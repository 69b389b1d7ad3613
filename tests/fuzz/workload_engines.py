"""Session-wide stand-ins for the workload fuzz and signal tests: throw-away databases and users
on the local MariaDB and PostgreSQL, the local Redis, and an in-process moto server for DynamoDB.
"""

from __future__ import annotations

import logging
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_stack() -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Outputs for every workload pointing at fresh local databases; dropped afterwards."""
    try:
        from moto.server import ThreadedMotoServer

        from standins.local_dynamo import free_port
        from standins.local_dynamo import local_outputs as dynamo_outputs
        from standins.local_outputs import (
            drop_all,
            mysql_admin,
            new_password,
            provision_all,
            redis_outputs,
        )
    except ImportError as exc:
        pytest.fail(f"the local stand-ins cannot be imported: {exc}")
    try:
        mysql_admin().close()
    except Exception as exc:
        pytest.fail(f"local MariaDB not reachable (scripts/engines.sh starts it): {exc}")
    prefix = f"dbtier_fz{secrets.token_hex(4)}"
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        outputs = provision_all(prefix, passwords)
        try:
            outputs.update(redis_outputs())
            outputs.update(dynamo_outputs(f"http://127.0.0.1:{port}"))
            yield outputs, list(passwords.values())
        finally:
            drop_all(prefix)
    finally:
        server.stop()
