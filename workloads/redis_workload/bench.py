"""The ``redis`` workload's bench mode: SET/GET throughput and latency, like redis-benchmark.

redis-benchmark drives N connections from one event loop, one request in flight per connection
(or P with ``-P``). This does the same with raw RESP on redis-py connections (hiredis parses the
replies): each worker process owns a share of the connections, sends one request (or a pipeline
of P) on every connection, then reads every reply. The Redis client's per-command machinery
(pool checkout, retry wrapper, response callbacks, one parser call per reply) is skipped because a benchmark must measure
the server and the wire, and it costs more than the round trip on a local server. Processes,
not threads, because the client side is CPU-bound and the GIL would serialise it.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

import hiredis
from redis.connection import Connection, SSLConnection

from workloads.common import Endpoint, percentile, quiet_child

BENCH_KEY = "bench:key:000000000000"  # redis-benchmark's key without -r, under our prefix
SOCKET_TIMEOUT = 10  # seconds a send or a read may wait on the server


@dataclass(frozen=True)
class BenchResult:
    """Throughput and latency of one command at one pipeline depth."""

    command: str
    connections: int
    pipeline: int
    requests: int
    seconds: float
    latencies_us: tuple[int, ...]

    @property
    def ops_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentiles_ms(self, *pcts: float) -> list[float]:
        """Latency percentiles in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies_us)
        return [percentile(ordered, pct) / 1000.0 for pct in pcts]

    def summary(self) -> dict[str, Any]:
        p50, p95, p99 = self.percentiles_ms(50, 95, 99)
        return {
            "command": self.command,
            "connections": self.connections,
            "pipeline": self.pipeline,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "opsPerSecond": round(self.ops_per_second),
            "p50Ms": round(p50, 3),
            "p95Ms": round(p95, 3),
            "p99Ms": round(p99, 3),
        }


def _connect(target: Endpoint, db: int) -> Connection:
    kwargs: dict[str, Any] = {
        "host": target.host,
        "port": target.port,
        "username": target.user or None,
        "password": target.password,
        "db": db,
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": 5,
    }
    if target.tls:
        conn: Connection = SSLConnection(
            ssl_cert_reqs="required", ssl_ca_certs=target.ca_bundle, **kwargs
        )
    else:
        conn = Connection(**kwargs)
    conn.connect()
    return conn


def kernel_timeouts(sock: socket.socket, seconds: int) -> None:
    """Blocking calls bounded by the kernel (SO_RCVTIMEO, SO_SNDTIMEO) instead of Python's socket
    timeout: with a timeout, CPython polls before every send and recv, a second system call per
    call, which at pipeline 16 costs more than the client's own work. A stalled server still
    fails the read after `seconds` (EAGAIN), never hangs the bench."""
    sock.settimeout(None)
    interval = struct.pack("ll", seconds, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, interval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, interval)


def expected_replies(command: str, value_size: int, pipeline: int) -> bytes:
    """What the server answers a pipeline of `pipeline` SETs or GETs of the bench key, when every
    command succeeds (GET: the value the SET bench wrote)."""
    one = b"+OK\r\n" if command == "SET" else b"$%d\r\n%s\r\n" % (value_size, b"x" * value_size)
    return one * pipeline


def read_pipeline(sock: Any, reader: Any, expected: bytes, pipeline: int, command: str) -> None:
    """Read the `pipeline` replies of one round from `sock`, every one checked.

    The usual case is one recv holding exactly the replies of a clean round: comparing it with
    `expected` checks all of them at once (each is the OK or the value it must be). Anything else
    (a reply split across reads, an error, another value) goes through hiredis reply by reply,
    with what was already read.
    """
    data = sock.recv(65536)
    if data == expected:
        return
    replies = 0
    while True:
        if not data:
            raise ConnectionError("server closed the connection")
        reader.feed(data)
        while (reply := reader.gets()) is not False:
            if isinstance(reply, hiredis.ReplyError):
                raise RuntimeError(f"bench {command}: {reply}")
            replies += 1
        if replies >= pipeline:
            return
        data = sock.recv(65536)


def _worker(  # noqa: PLR0917 -- a Process target takes positional args
    target: Endpoint,
    db: int,
    prefix: str,
    command: str,
    connections: int,
    pipeline: int,
    requests: int,
    value_size: int,
    barrier: Any,
    results: Any,
) -> None:
    # redis-py does the handshake (AUTH, SELECT, TLS); then the socket is driven directly: each
    # connection has one pipeline in flight, like redis-benchmark's event loop. Its next one is
    # sent as soon as its replies are read, so the server always has work while this process
    # reads the others (a round where every connection waits for the slowest idles the server).
    quiet_child()  # Ctrl-C is the parent's to handle; die with the parent
    conns = [_connect(target, db) for _ in range(connections)]
    socks: list[Any] = [conn._sock for conn in conns]
    for sock in socks:
        kernel_timeouts(sock, SOCKET_TIMEOUT)
    readers = [hiredis.Reader() for _ in conns]
    key = prefix + BENCH_KEY
    args = ("SET", key, "x" * value_size) if command == "SET" else ("GET", key)
    packed = b"".join(conns[0].pack_command(*args)) * pipeline
    expected = expected_replies(command, value_size, pipeline)
    rounds = -(-requests // (connections * pipeline))  # ceiling
    latencies: list[int] = []
    clock = time.perf_counter_ns
    barrier.wait(timeout=60)  # everyone connected: start together
    started = time.monotonic()
    sent = [0] * connections
    for i, sock in enumerate(socks):
        sent[i] = clock()
        sock.sendall(packed)
    for left in range(rounds - 1, -1, -1):
        for i, sock in enumerate(socks):
            read_pipeline(sock, readers[i], expected, pipeline, command)
            now = clock()
            latencies.append((now - sent[i]) // 1000)
            if left:
                sent[i] = now
                sock.sendall(packed)
    finished = time.monotonic()
    for conn in conns:
        conn.disconnect()
    results.put((started, finished, rounds * connections * pipeline, latencies))


def run_bench(
    target: Endpoint,
    command: str,
    *,
    db: int = 0,
    prefix: str = "",
    connections: int = 50,
    pipeline: int = 1,
    requests: int = 100_000,
    value_size: int = 3,
    processes: int | None = None,
) -> BenchResult:
    """Run one command (SET or GET) on keys under ``prefix`` in database ``db``, over
    ``connections`` connections split across processes."""
    command = command.upper()
    if command not in ("SET", "GET"):
        raise ValueError(f"bench command must be SET or GET (got {command})")
    processes = max(1, min(processes or multiprocessing.cpu_count(), connections))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    queue = ctx.Queue()
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    workers = []
    for share in shares:
        worker_requests = requests * share // connections
        proc = ctx.Process(
            target=_worker,
            args=(
                target,
                db,
                prefix,
                command,
                share,
                pipeline,
                worker_requests,
                value_size,
                barrier,
                queue,
            ),
            daemon=True,
        )
        proc.start()
        workers.append(proc)
    outcomes: list[tuple[float, float, int, list[int]]] = []
    grace = 10.0
    try:
        while len(outcomes) < len(workers):
            try:
                outcomes.append(queue.get(timeout=0.5))
            except queue_module.Empty:
                # A worker that died (refused connection, auth) never reports: stop waiting.
                if any(p.exitcode not in (None, 0) for p in workers):
                    break
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the measurements are not wanted any more
        grace = 0.0
        raise
    finally:
        deadline = time.monotonic() + grace
        for proc in workers:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
    failed = [p.exitcode for p in workers if p.exitcode]
    if failed or len(outcomes) < len(workers):
        raise RuntimeError(f"{len(failed)} bench worker(s) failed")
    start = min(o[0] for o in outcomes)
    end = max(o[1] for o in outcomes)
    done = sum(o[2] for o in outcomes)
    latencies = tuple(lat for o in outcomes for lat in o[3])
    return BenchResult(command, connections, pipeline, done, end - start, latencies)
