"""Session-wide stand-ins for the workload fuzz and signal tests: throw-away databases and users
on the local MariaDB and PostgreSQL, the local Redis, and a moto server for DynamoDB.

The moto server runs in a process of its own: moto keeps its state per process, and other tests
in the same pytest worker (the failover drill's AWS front) reset that state when they finish,
which would drop this session's tables mid-run.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
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
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        outputs = provision_all(prefix, passwords)
        try:
            outputs.update(redis_outputs())
            outputs.update(dynamo_outputs(f"http://127.0.0.1:{port}"))
            yield outputs, list(passwords.values())
        finally:
            drop_all(prefix)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    """Until the moto server accepts connections (polling), or fail the session naming why."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the moto server exited with {server.returncode} before it answered")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the moto server did not answer on port {port} within {seconds:g} s")
