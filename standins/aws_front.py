"""The local AWS endpoint of a failover drill: moto's server behind a small HTTP front that makes
the failover happen for real on the local engines.

The drill's boto3 clients are pointed here (``AWS_ENDPOINT_URL``). Every request is forwarded to
moto (started in this process, so the front can also update moto's state), except the calls moto
lacks, which the front answers itself. A failover call also starts its local effect in the
background, as AWS returns before the failover is done: the MariaDB restart, the PostgreSQL
``pg_ctl promote`` or the Redis ``REPLICAOF NO ONE``, and the endpoint's move. Each response
says who answered in the ``x-dbtier-standin`` header, which the drill reports.

moto 5 has ``RebootDBInstance`` (it ignores ``ForceFailover``: the front swaps the instance's
zone as a Multi-AZ failover does) and ``FailoverDBCluster``; it lacks ElastiCache's
``TestFailover``: the front answers it and swaps the node group's roles in moto's state.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.core import DEFAULT_ACCOUNT_ID
from moto.elasticache.models import elasticache_backends
from moto.rds.models import rds_backends
from moto.server import ThreadedMotoServer

STANDIN_HEADER = "x-dbtier-standin"
Effect = Callable[[dict[str, str]], None]  # the call's parameters -> the failover, done
_REGION = re.compile(r"Credential=[^/]+/[0-9]+/([a-z0-9-]+)/")
ELASTICACHE_NS = "http://elasticache.amazonaws.com/doc/2015-02-02/"


class AwsFront:
    """moto on a free port and the front on another; ``url`` is what clients use."""

    def __init__(self, effects: Mapping[str, Effect]) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.effects = dict(effects)
        self.effect_threads: list[threading.Thread] = []
        self.effect_errors: list[str] = []
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def start_effect(self, action: str, params: dict[str, str]) -> None:
        def run() -> None:
            try:
                self.effects[action](params)
            except Exception as exc:  # noqa: BLE001 - reported by the test or the local run
                self.effect_errors.append(f"{action}: {type(exc).__name__}: {exc}")

        thread = threading.Thread(target=run, name=f"standin-{action}", daemon=True)
        self.effect_threads.append(thread)
        thread.start()

    def wait_effects(self, timeout: float = 60) -> None:
        for thread in self.effect_threads:
            thread.join(timeout)

    def close(self) -> None:
        """Stop the front and moto, and forget moto's state: its backends are this process's,
        so the next front would otherwise find these resources already there."""
        self.wait_effects()
        self._server.shutdown()
        self._server.server_close()
        reset = urllib.request.Request(f"{self.moto_url}/moto-api/reset", method="POST")  # noqa: S310
        with contextlib.suppress(OSError), urllib.request.urlopen(reset, timeout=30):  # noqa: S310
            pass
        self._moto.stop()


def _handler(front: AwsFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet: the drill's output is the report
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            action = params.get("Action", "")
            region = _region(self.headers.get("Authorization", ""))
            if action == "TestFailover":
                status, answer = test_failover(params, region)
                if status == 200:
                    front.start_effect(action, params)
                self._reply(status, {"Content-Type": "text/xml"}, answer, _LACKS.format(action))
                return
            status, headers, answer = _forward(front.moto_url, self.path, dict(self.headers), body)
            note = "moto"
            if action in front.effects and status == 200:
                if action == "RebootDBInstance" and params.get("ForceFailover") == "true":
                    swap_zone(params["DBInstanceIdentifier"], region)
                front.start_effect(action, params)
                note = "moto; the local stand-in fails the local engine over"
            self._reply(status, headers, answer, note)

        def _reply(self, status: int, headers: dict[str, str], body: bytes, note: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header(STANDIN_HEADER, note)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


_LACKS = "the local stand-in (moto lacks {})"


def _region(authorization: str) -> str:
    found = _REGION.search(authorization)
    return found.group(1) if found else "us-east-1"


def _forward(
    base: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    headers.pop("Host", None)
    # moto's own http:// URL on loopback, never a user's.
    request = urllib.request.Request(base + path, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def swap_zone(instance_id: str, region: str) -> None:
    """A Multi-AZ failover moves the primary to the standby's zone: moto's reboot does not."""
    instance = rds_backends[DEFAULT_ACCOUNT_ID][region].databases.get(instance_id)
    if instance is not None:
        zone = instance.availability_zone
        instance.availability_zone = zone[:-1] + ("b" if zone.endswith("a") else "a")


def test_failover(params: dict[str, str], region: str) -> tuple[int, bytes]:
    """ElastiCache's TestFailover on moto's state: the node group's first replica becomes its
    primary. AWS's refusals for an unknown group or node group, as AWS words them."""
    backend = elasticache_backends[DEFAULT_ACCOUNT_ID][region]
    group_id = params.get("ReplicationGroupId", "")
    group = backend.replication_groups.get(group_id)
    if group is None:
        return 404, _error("ReplicationGroupNotFoundFault", f"{group_id} not found")
    node_group = next(
        (g for g in group.node_groups if g["node_group_id"] == params.get("NodeGroupId")), None
    )
    if node_group is None:
        return 400, _error("NodeGroupNotFoundFault", f"{params.get('NodeGroupId')} not found")
    members = node_group["node_group_members"]
    replicas = [m for m in members if m.get("current_role") != "primary"]
    if not replicas:
        return 400, _error("InvalidReplicationGroupState", "no replica to fail over to")
    for member in members:
        member["current_role"] = "replica"
    replicas[0]["current_role"] = "primary"
    answer = (
        f'<TestFailoverResponse xmlns="{ELASTICACHE_NS}"><TestFailoverResult><ReplicationGroup>'
        f"<ReplicationGroupId>{escape(group_id)}</ReplicationGroupId><Status>available</Status>"
        f"</ReplicationGroup></TestFailoverResult><ResponseMetadata><RequestId>{uuid.uuid4()}"
        "</RequestId></ResponseMetadata></TestFailoverResponse>"
    )
    return 200, answer.encode()


def _error(code: str, message: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{ELASTICACHE_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
        "</ErrorResponse>"
    ).encode()
