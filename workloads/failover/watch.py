"""Watching the endpoint move: which server answers behind the endpoint's name, polled on a fresh
connection each time (a pooled one would stay on the old server).

A server is named by what it says about itself: MySQL/MariaDB ``@@hostname:@@port``, PostgreSQL
``inet_server_addr():inet_server_port()``, Redis its ``run_id`` and port. A restart of the same
server (the MariaDB stand-in of a Multi-AZ reboot) is a move too: its start time changes. The
addresses the endpoint's DNS name resolves to are recorded beside it (on AWS the name is moved to
the new primary; locally the stand-in's proxy is).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from workloads.aurora_load.worker import FAMILIES
from workloads.common import Endpoint, WorkloadError, one_line
from workloads.redis_workload.client import make_client
from workloads.sql.engines import MYSQL

RESTART_SLACK = 2.0  # seconds: start times computed from an uptime wobble by about one


@dataclass(frozen=True)
class Server:
    """One server behind the endpoint: its name and when it started (epoch seconds)."""

    name: str
    started: float

    def same_as(self, other: Server) -> bool:
        return self.name == other.name and abs(self.started - other.started) < RESTART_SLACK


def sql_server(endpoint: Endpoint, family: str) -> Server:
    """The SQL server that answers at ``endpoint`` now (a new connection, no retries)."""
    load = FAMILIES[family]
    conn = load.open(endpoint, retries=False)
    try:
        cur = conn.cursor()
        if family == MYSQL:
            cur.execute("SELECT @@hostname, @@port")
            host, port = cur.fetchone()
            cur.execute("SHOW GLOBAL STATUS LIKE 'Uptime'")
            uptime = float(cur.fetchone()[1])
            started = time.time() - uptime
        else:
            cur.execute(
                "SELECT coalesce(host(inet_server_addr()), 'socket'), inet_server_port(), "
                "extract(epoch from pg_postmaster_start_time())"
            )
            host, port, epoch = cur.fetchone()
            started = float(epoch)
        cur.close()
    finally:
        load.close(conn)
    return Server(f"{host}:{port}", started)


def redis_server(endpoint: Endpoint, iam: Any = None) -> Server:
    """The Redis node that answers at ``endpoint`` now (a new connection, no retries)."""
    client = make_client(endpoint, retries=0, timeout=1.0, max_connections=1, iam=iam)
    try:
        info: dict[str, Any] = client.info("server")
    finally:
        client.close()
    started = time.time() - float(info.get("uptime_in_seconds", 0))
    return Server(f"port {info.get('tcp_port')} run {str(info.get('run_id', '?'))[:8]}", started)


def addresses(host: str) -> list[str]:
    """What the endpoint's name resolves to now (empty when it does not)."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except OSError:
        return []


@dataclass
class Move:
    """The endpoint's first move after the watch began."""

    at: float
    before: Server
    after: Server
    addresses_before: list[str]
    addresses_after: list[str]


class EndpointWatch:
    """Polls ``identify`` until ``stop``; ``move`` is the first change of server it saw."""

    def __init__(self, host: str, identify: Callable[[], Server], interval: float = 0.1) -> None:
        self.host, self.identify, self.interval = host, identify, interval
        try:  # the endpoint must answer before the drill begins
            self.before = identify()
        except Exception as exc:  # noqa: BLE001 - each driver's errors: one line, exit 2
            raise WorkloadError(f"the endpoint {host} does not answer: {one_line(exc)}") from None
        self.addresses_before = addresses(host)
        self.move: Move | None = None
        self.failed_polls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="failover-watch", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set() and self.move is None:
            try:
                now = self.identify()
            except (OSError, redis.RedisError, Exception):  # noqa: BLE001 - down mid-failover
                self.failed_polls += 1
            else:
                if not now.same_as(self.before):
                    self.move = Move(
                        time.time(), self.before, now, self.addresses_before, addresses(self.host)
                    )
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float) -> Move | None:
        """Until the endpoint moved or ``timeout`` seconds passed (polling, not sleeping blind)."""
        deadline = time.monotonic() + timeout
        while self.move is None and time.monotonic() < deadline and self._thread.is_alive():
            self._stop.wait(0.05)
        return self.move

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5)
