"""The ``redis`` workload end to end against real redis-server processes.

The shared local Redis (127.0.0.1:6379) is used in a database of its own with a per-test key
prefix, cleaned up afterwards. The failover and AUTH tests start their own redis-server processes
on free ports and stop them even when a test fails.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from standins.local_dynamo import free_port
from workloads import redis_workload as rw
from workloads.redis_workload.bench import run_bench

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TEST_DB = 13
LOCAL = rw.Endpoint("127.0.0.1", 6379, None, False)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            if predicate():
                return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def redis_server(tmp: Path, *extra: str, port: int | None = None) -> Iterator[int]:
    """A throwaway redis-server on `port` (default: a free one), stopped on exit."""
    port = port or free_port()
    workdir = tmp / f"redis-{port}"
    workdir.mkdir()
    proc = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: socket.create_connection(("127.0.0.1", port), 0.2).close() is None,
            what=f"redis-server on {port}",
        )
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class TcpProxy:
    """A TCP proxy standing in for the primary endpoint's DNS name; ``repoint`` moves it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), 2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def repoint(self, target_port: int) -> None:
        """New connections go to ``target_port``; existing ones are dropped (DNS flip)."""
        self.target_port = target_port
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        self.repoint(self.target_port)


@pytest.fixture
def prefix() -> Iterator[str]:
    value = f"dbtier:test:{uuid.uuid4().hex[:8]}:"
    yield value
    client = redis.Redis(port=6379, db=TEST_DB)
    keys = list(client.scan_iter(match=f"{value}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def clients():
    counter = rw.ErrorCounter()
    primary = rw.make_client(LOCAL, TEST_DB, counter=counter)
    reader = rw.make_client(LOCAL, TEST_DB, counter=counter)
    yield primary, reader
    primary.close()
    reader.close()


def test_basic_operations_are_checked_and_cleaned_up(clients, prefix):
    primary, reader = clients
    checks = rw.basic_operations(primary, reader, prefix)
    assert checks.failed == []
    assert checks.results["list"] == ["user:1003", "user:1002", "user:1001"]
    assert checks.results["sortedSet"][0] == ("user:1003", 1800.0)
    # Idempotent: a second run gives the same results (the list does not grow).
    assert rw.basic_operations(primary, reader, prefix).results == checks.results
    keys = set(primary.scan_iter(match=f"{prefix}*"))
    assert len(keys) == 6
    assert not set(
        redis.Redis(port=6379, db=0, decode_responses=True).scan_iter(match=f"{prefix}*")
    )
    assert rw.cleanup(primary, prefix) == 6
    assert not list(primary.scan_iter(match=f"{prefix}*"))


def test_a_wrong_result_is_reported(clients, prefix):
    primary, _ = clients

    class StaleReader:  # a replica that never catches up
        def __getattr__(self, name):
            return lambda *a, **k: None

    checks = rw.basic_operations(primary, StaleReader(), prefix, replica_timeout=0.2)
    assert any(f.startswith("string:") for f in checks.failed)
    assert len(checks.failed) == 5


def test_session_expiry_slides_on_activity(clients, prefix):
    primary, _ = clients
    sessions = rw.SessionStore(primary, prefix, ttl=1.0)
    sid = sessions.create("user:1001", ["read"])
    assert sessions.get(sid)["user_id"] == "user:1001"
    time.sleep(0.6)
    assert sessions.touch(sid)
    time.sleep(0.6)  # 1.2 s after creation: alive only because the touch slid the expiry
    assert sessions.get(sid) is not None
    time.sleep(1.3)
    assert sessions.get(sid) is None
    assert sessions.touch(sid) is False
    assert not primary.exists(sessions.key(sid))  # the touch did not resurrect it


def test_cache_aside_counts_hits_and_misses_exactly(clients, prefix):
    primary, reader = clients
    calls: list[str] = []

    def loader(item_id: str) -> dict[str, Any]:
        calls.append(item_id)
        return {"id": item_id}

    cache = rw.CacheAside(primary, reader, prefix, loader)
    results = [cache.get(i) for i in ["1001", "1002", "1001", "1003", "1001"]]
    assert results[2] == {"id": "1001"}
    assert (cache.stats.hits, cache.stats.misses, cache.stats.loads) == (2, 3, 3)
    assert calls == ["1001", "1002", "1003"]


def test_cache_stampede_loads_once(clients, prefix):
    primary, reader = clients
    loads = []

    def slow_loader(item_id: str) -> dict[str, Any]:
        loads.append(item_id)
        time.sleep(0.3)
        return {"id": item_id}

    cache = rw.CacheAside(primary, reader, prefix, slow_loader)
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(cache.get("hot"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [{"id": "hot"}] * 8
    assert loads == ["hot"]
    assert (cache.stats.misses, cache.stats.loads, cache.stats.hits) == (8, 1, 0)
    assert cache.stats.waited == 7


def test_pubsub_receives_every_message_in_order_then_stops(clients, prefix):
    primary, _ = clients
    sent = [f"message {i}" for i in range(200)]
    sub = rw.pubsub_roundtrip(primary, primary, f"{prefix}chan", sent, timeout=10)
    assert sub.reason == "stop"
    assert sub.messages == sent


def test_pubsub_subscriber_ends_on_timeout_without_stop(clients, prefix):
    primary, _ = clients
    started = time.monotonic()
    sub = rw.pubsub_roundtrip(
        primary, primary, f"{prefix}chan", ["a", "b"], timeout=1.0, send_stop=False
    )
    assert sub.reason == "timeout"
    assert sub.messages == ["a", "b"]
    assert time.monotonic() - started < 5


def test_failover_costs_counted_errors_and_loses_no_acknowledged_write(tmp_path, prefix):
    with (
        redis_server(tmp_path) as primary_port,
        redis_server(tmp_path) as replica_port,
    ):
        old = redis.Redis(port=primary_port, decode_responses=True)
        new = redis.Redis(port=replica_port, decode_responses=True)
        new.replicaof("127.0.0.1", primary_port)
        wait_for(
            lambda: new.info("replication")["master_link_status"] == "up", what="replica in sync"
        )
        proxy = TcpProxy(primary_port)
        counter = rw.ErrorCounter()
        client = rw.make_client(
            rw.Endpoint("127.0.0.1", proxy.port, None, False),
            counter=counter,
            retries=12,
            backoff_base=0.02,
            backoff_cap=0.5,
        )
        stop = threading.Event()
        soak = rw.SoakResult()
        errors: list[BaseException] = []

        def loop():
            try:
                rw.write_loop(client, prefix, stop, soak, pause=0.001)
            except BaseException as exc:  # the test fails below if the loop crashed
                errors.append(exc)

        writer = threading.Thread(target=loop)
        writer.start()
        try:
            wait_for(lambda: len(soak.acknowledged) > 200, what="writes before failover")
            old.execute_command("FAILOVER", "TIMEOUT", "5000")
            wait_for(lambda: new.info("replication")["role"] == "master", what="promotion")
            before = len(soak.acknowledged)
            proxy.repoint(replica_port)  # the primary endpoint now resolves to the new primary
            wait_for(lambda: len(soak.acknowledged) > before + 200, what="writes after failover")
        finally:
            stop.set()
            writer.join(30)
            proxy.close()
        assert not writer.is_alive()
        assert errors == []
        assert soak.given_up == 0
        assert counter.total > 0, "the failover must show as retried errors"
        assert set(counter.counts) <= {"ConnectionError", "ReadOnlyError", "TimeoutError"}
        lost = rw.verify_soak(new, prefix, soak.acknowledged)
        assert lost == []
        assert new.info("replication")["role"] == "master"
        client.close()


# --- the command line ----------------------------------------------------------------------


def run_cli(outputs: dict[str, Any] | str, tmp_path: Path, *args: str):
    path = tmp_path / "outputs.json"
    path.write_text(outputs if isinstance(outputs, str) else json.dumps(outputs))
    return subprocess.run(
        [sys.executable, "-m", "workloads", "redis", "--outputs", str(path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def redis_outputs(port: int, token: str | None = None, **extra: Any) -> dict[str, Any]:
    section = {
        "primaryEndpoint": "127.0.0.1",
        "readerEndpoint": "127.0.0.1",
        "port": port,
        "authToken": token,
        "tls": False,
        **extra,
    }
    return {"redis": section}


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory) -> Iterator[tuple[int, str]]:
    token = "correct-horse-" + uuid.uuid4().hex
    with redis_server(tmp_path_factory.mktemp("auth"), "--requirepass", token) as port:
        yield port, token


def test_cli_runs_every_step_with_auth_and_never_prints_the_token(tmp_path, auth_server):
    port, token = auth_server
    done = run_cli(redis_outputs(port, token), tmp_path, "--json", "--db", "1", "--soak", "0.5")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True
    assert result["soak"]["acknowledged"] > 0
    assert (result["soak"]["lost"], result["soak"]["givenUp"]) == (0, 0)
    assert result["cache"]["hits"] == 2
    assert result["pubsub"]["reason"] == "stop"
    assert token not in done.stdout + done.stderr
    # Cleaned up: nothing of the run is left behind.
    assert redis.Redis(port=port, password=token, db=1).dbsize() == 0


def test_cli_wrong_auth_exits_2_with_one_line_and_no_secret(tmp_path, auth_server):
    port, _ = auth_server
    wrong = "wrong-token-" + uuid.uuid4().hex
    done = run_cli(redis_outputs(port, wrong), tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "authentication failed" in done.stderr
    assert wrong not in done.stderr


def test_cli_closed_port_exits_2_with_one_line(tmp_path):
    token = "some-token-" + uuid.uuid4().hex
    done = run_cli(redis_outputs(free_port(), token), tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot reach redis primary" in done.stderr
    assert token not in done.stderr


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        pytest.param("{not json", "not valid JSON", id="not-json"),
        pytest.param({"relational": {}}, 'missing key "redis"', id="no-redis-section"),
        pytest.param(
            {"redis": {"port": 6379, "tls": False}},
            'missing key "redis.primaryEndpoint"',
            id="primaryEndpoint-missing",
        ),
        pytest.param(
            {"redis": {**redis_outputs(6379, "tok-s3cr3t-value")["redis"], "port": "six"}},
            'malformed key "redis.port" (expected a port number 1-65535, got a string)',
            id="port-not-a-number",
        ),
        pytest.param(
            redis_outputs(70000, "tok-s3cr3t-value"),
            'malformed key "redis.port" (expected a port number 1-65535, got 70000)',
            id="port-out-of-range",
        ),
        pytest.param(
            redis_outputs(6379, "tok-" + "s3cr3t-value", tls="yes"),
            'malformed key "redis.tls" (expected true or false, got a string)',
            id="tls-not-a-boolean",
        ),
    ],
)
def test_cli_malformed_outputs_exit_2_with_one_line(tmp_path, outputs, message):
    done = run_cli(outputs, tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert "s3cr3t-value" not in done.stderr


def test_bench_reports_throughput_and_ordered_percentiles(prefix):
    for pipeline in (1, 16):
        result = run_bench(
            LOCAL,
            "SET",
            db=TEST_DB,
            prefix=prefix,
            connections=4,
            pipeline=pipeline,
            requests=4000,
            processes=2,
        )
        assert result.requests >= 4000
        assert result.ops_per_second > 0
        summary = result.summary()
        assert 0 < summary["p50Ms"] <= summary["p95Ms"] <= summary["p99Ms"]
    got = run_bench(
        LOCAL,
        "GET",
        db=TEST_DB,
        prefix=prefix,
        connections=2,
        pipeline=4,
        requests=800,
        processes=1,
    )
    assert got.requests == 800
    assert redis.Redis(db=TEST_DB).get(prefix + "bench:key:000000000000") == b"xxx"


def test_cli_bench_mode(tmp_path, prefix):
    done = run_cli(
        redis_outputs(6379),
        tmp_path,
        "--bench",
        "--json",
        "--db",
        str(TEST_DB),
        "--prefix",
        prefix,
        "--connections",
        "4",
        "--requests",
        "2000",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["bench"]
    assert [r["command"] for r in rows] == ["SET", "GET"]
    assert all(r["opsPerSecond"] > 0 for r in rows)


# --- TLS -----------------------------------------------------------------------------------


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1, signed by it."""
    ca_key, ca_crt = directory / "ca.key", directory / "ca.pem"
    key, csr, crt = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    commands = [
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            ca_key,
            "-out",
            ca_crt,
            "-days",
            "1",
            "-subj",
            "/CN=dbtier test CA",
        ],
        [
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            csr,
            "-subj",
            "/CN=127.0.0.1",
        ],
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca_crt,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            crt,
            "-days",
            "1",
            "-extfile",
            ext,
        ],
    ]
    for command in commands:
        subprocess.run([str(c) for c in command], check=True, capture_output=True)
    return ca_crt, crt, key


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory) -> Iterator[tuple[int, str, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    directory = tmp_path_factory.mktemp("tls")
    ca, crt, key = make_certificates(directory)
    token = "tls-token-" + uuid.uuid4().hex
    port = free_port()
    proc = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            str(crt),
            "--tls-key-file",
            str(key),
            "--tls-ca-cert-file",
            str(ca),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            token,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: socket.create_connection(("127.0.0.1", port), 0.2).close() is None,
            what="TLS redis-server",
        )
        if proc.poll() is not None:
            pytest.skip("this redis-server was built without TLS")
        yield port, token, ca
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_over_tls_verifies_the_server_certificate(tmp_path, tls_server):
    port, token, ca = tls_server
    outputs = redis_outputs(port, token, tls=True)
    done = run_cli(outputs, tmp_path, "--json", "--ca-bundle", str(ca))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tls"] is True
    # Not trusted by the system store: refused, never downgraded to plain text.
    untrusted = run_cli(outputs, tmp_path)
    assert untrusted.returncode == 2
    assert untrusted.stderr.count("\n") == 1, untrusted.stderr
    assert "certificate" in untrusted.stderr.lower()
    assert token not in untrusted.stderr
    # Plain text against the TLS port fails cleanly too.
    plain = run_cli(redis_outputs(port, token, tls=False), tmp_path)
    assert plain.returncode == 2
    assert plain.stderr.count("\n") == 1, plain.stderr
