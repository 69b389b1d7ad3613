"""The ``redis`` workload: the seed's ElastiCache practice as a repeatable check, plus a bench.

Writes go to ``primaryEndpoint`` and reads to ``readerEndpoint`` (TLS and AUTH when the ``redis``
output says so). Every key lives under ``--prefix`` in database ``--db``, so the workload can share
a server and clean up after itself. Steps: the seed's operations on strings, hashes, lists, sets
and sorted sets, each result checked; sessions with sliding expiry; cache-aside with a stampede
guard and hit/miss counts; pub/sub ending on a stop message or a timeout; optionally a write soak
(``--soak SECONDS``) that rides out a failover; and ``--bench`` (see ``workloads._redis_bench``).

Every client retries ConnectionError, TimeoutError and ReadOnlyError with exponential backoff and
jitter: after a failover the old primary answers writes with READONLY, or drops the connection,
until the endpoint's DNS points at the promoted replica; a retry on a fresh connection gets there.
The retries are counted and reported, so a failover shows as errors, not as a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ipaddress
import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from workloads._redis_bench import BenchTarget, run_bench
from workloads.common import (
    EXIT_CHECK_FAILED,
    Outputs,
    WorkloadError,
    emit,
    one_line,
    register_secret,
    render_table,
)

HELP = """Redis/Valkey: the seed's operations on every data type, sessions, cache-aside, pub/sub, bench.

Writes to primaryEndpoint, reads from readerEndpoint, TLS and AUTH as the `redis` output says.
Every key is under --prefix in --db and removed at the end. --bench measures SET and GET like
redis-benchmark (ops/s, latency percentiles); --soak SECONDS runs a write loop that must survive
a failover with every acknowledged write kept."""

log = logging.getLogger("workloads.redis")

RETRYABLE: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.ReadOnlyError,
)
STOP_MESSAGE = "STOP"


# --- connections ---------------------------------------------------------------------------


class ErrorCounter:
    """Retried errors by type, shared by every connection of a client (thread-safe)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, error: BaseException) -> None:
        with self._lock:
            self.counts[type(error).__name__] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __deepcopy__(self, memo: dict[int, Any]) -> ErrorCounter:
        # redis-py deep-copies the Retry into every connection; the count must stay shared.
        return self


class CountingRetry(Retry):
    """redis-py's Retry that also counts each error it retries."""

    def __init__(self, counter: ErrorCounter, retries: int, base: float, cap: float) -> None:
        super().__init__(
            ExponentialWithJitterBackoff(base=base, cap=cap), retries, supported_errors=RETRYABLE
        )
        self.counter = counter

    def __deepcopy__(self, memo: dict[int, Any]) -> CountingRetry:
        clone = copy.copy(self)
        clone._backoff = copy.deepcopy(self._backoff, memo)
        return clone

    def call_with_retry(
        self,
        do: Callable[[], Any],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> Any:
        def counted(error: Exception, *rest: Any) -> Any:
            self.counter.record(error)
            return fail(error, *rest)

        return super().call_with_retry(do, counted, is_retryable, with_failure_count)


@dataclass(frozen=True)
class Endpoint:
    """One side of the replication group, as the ``redis`` output describes it."""

    host: str
    port: int
    password: str | None
    tls: bool
    ca_bundle: str | None = None  # None: the system trust store (ElastiCache's certificates)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def is_local(host: str) -> bool:
    """True for a loopback host (the server then shares this machine's CPUs)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_client(
    endpoint: Endpoint,
    db: int = 0,
    *,
    counter: ErrorCounter | None = None,
    retries: int = 6,
    backoff_base: float = 0.05,
    backoff_cap: float = 2.0,
    timeout: float = 5.0,
    max_connections: int = 32,
) -> redis.Redis:
    """A pooled client with bounded, counted retries; TLS verifies the server certificate."""
    retry = CountingRetry(counter or ErrorCounter(), retries, backoff_base, backoff_cap)
    return redis.Redis(
        host=endpoint.host,
        port=endpoint.port,
        db=db,
        password=endpoint.password or None,
        ssl=endpoint.tls,
        ssl_cert_reqs="required",
        ssl_ca_certs=endpoint.ca_bundle,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=retry,
        retry_on_error=list(RETRYABLE),
        health_check_interval=30,
        max_connections=max_connections,
        decode_responses=True,
        client_name="dbtier-workload",
    )


def endpoints_from(outputs: Outputs, ca_bundle: str | None = None) -> tuple[Endpoint, Endpoint]:
    """Primary and reader endpoints from the ``redis`` output, validated."""
    if ca_bundle is not None and not os.path.isfile(ca_bundle):
        raise WorkloadError(f"--ca-bundle {ca_bundle}: no such file")
    primary = outputs.field("redis", "primaryEndpoint")
    reader = outputs.field("redis", "readerEndpoint", default=primary)
    port = outputs.field("redis", "port", int)
    if not 0 < port < 65536:
        raise WorkloadError(f'{outputs.source}: malformed key "redis.port" (got {port})')
    token = outputs.field("redis", "authToken", str, default=None) or None
    if token:
        register_secret(token)
    tls = outputs.field("redis", "tls", bool, default=False)
    return (
        Endpoint(primary, port, token, tls, ca_bundle),
        Endpoint(reader, port, token, tls, ca_bundle),
    )


def check_connection(client: redis.Redis, endpoint: Endpoint, role: str) -> None:
    """PING, turning the driver's errors into one line that names the endpoint (no secret)."""
    try:
        client.ping()
    except redis.AuthenticationError:
        raise WorkloadError(f"redis {role} {endpoint}: authentication failed (authToken)") from None
    except redis.ResponseError as exc:
        text = str(exc)
        if text.startswith(("NOAUTH", "WRONGPASS", "ERR AUTH", "invalid password")):
            raise WorkloadError(
                f"redis {role} {endpoint}: authentication failed (authToken)"
            ) from None
        raise WorkloadError(f"redis {role} {endpoint}: {one_line(exc)}") from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise WorkloadError(f"cannot reach redis {role} {endpoint}: {one_line(exc)}") from None


# --- the seed's operations -----------------------------------------------------------------


@dataclass
class Checks:
    """Named results, each with what was expected; ``failed`` lists the mismatches."""

    results: dict[str, Any] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    replica_waits: int = 0

    def expect(self, name: str, got: Any, expected: Any) -> None:
        self.results[name] = got
        if got != expected:
            self.failed.append(f"{name}: got {got!r}, expected {expected!r}")


def read_until(read: Callable[[], Any], expected: Any, timeout: float = 2.0) -> tuple[Any, int]:
    """Read from the reader endpoint until it shows ``expected`` (replication is asynchronous)."""
    deadline = time.monotonic() + timeout
    waits = 0
    while True:
        value = read()
        if value == expected or time.monotonic() >= deadline:
            return value, waits
        waits += 1
        time.sleep(0.02)


def basic_operations(primary: redis.Redis, reader: redis.Redis, prefix: str) -> Checks:
    """The seed's strings, hash, list, set and sorted set, each written then read back."""
    checks = Checks()
    k = prefix.__add__

    def check_read(name: str, read: Callable[[], Any], expected: Any) -> None:
        value, waits = read_until(read, expected)
        checks.replica_waits += waits
        checks.expect(name, value, expected)

    primary.set(k("user:1001:name"), "John Doe", ex=3600)
    primary.set(k("user:1001:email"), "john@example.com")
    check_read(
        "string",
        lambda: [reader.get(k("user:1001:name")), reader.get(k("user:1001:email"))],
        ["John Doe", "john@example.com"],
    )
    ttl = primary.ttl(k("user:1001:name"))
    checks.expect("string.ttl", 0 < ttl <= 3600, True)

    user: dict[Any, Any] = {
        "name": "Jane Smith",
        "email": "jane@example.com",
        "department": "Engineering",
        "salary": "95000",
    }
    primary.hset(k("user:1002"), mapping=user)
    check_read("hash", lambda: reader.hgetall(k("user:1002")), user)

    # Delete first, so a second run pushes onto an empty list (idempotent).
    with primary.pipeline(transaction=True) as pipe:
        pipe.delete(k("recent_logins"))
        pipe.lpush(k("recent_logins"), "user:1001", "user:1002", "user:1003")
        pipe.execute()
    check_read(
        "list",
        lambda: reader.lrange(k("recent_logins"), 0, 4),
        ["user:1003", "user:1002", "user:1001"],
    )

    primary.sadd(k("active_users"), "user:1001", "user:1002", "user:1003")
    check_read("set", lambda: reader.scard(k("active_users")), 3)

    primary.zadd(k("leaderboard"), {"user:1001": 1500, "user:1002": 1200, "user:1003": 1800})
    check_read(
        "sortedSet",
        lambda: reader.zrevrange(k("leaderboard"), 0, 2, withscores=True),
        [("user:1003", 1800.0), ("user:1001", 1500.0), ("user:1002", 1200.0)],
    )
    return checks


# --- sessions ------------------------------------------------------------------------------


class SessionStore:
    """Sessions as hashes with sliding expiry: every touch pushes the expiry out by ``ttl``."""

    def __init__(self, primary: redis.Redis, prefix: str, ttl: float) -> None:
        self.primary = primary
        self.prefix = prefix
        self.ttl_ms = int(ttl * 1000)

    def key(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}"

    def create(self, user_id: str, permissions: list[str]) -> str:
        session_id = uuid.uuid4().hex
        now = datetime.now(UTC).isoformat()
        data: dict[Any, Any] = {
            "user_id": user_id,
            "login_time": now,
            "last_activity": now,
            "permissions": json.dumps(permissions),
        }
        # One transaction: a session never exists without its expiry.
        with self.primary.pipeline(transaction=True) as pipe:
            pipe.hset(self.key(session_id), mapping=data)
            pipe.pexpire(self.key(session_id), self.ttl_ms)
            pipe.execute()
        return session_id

    def touch(self, session_id: str) -> bool:
        """Record activity and slide the expiry; False if the session already expired."""
        key = self.key(session_id)
        # Reads go to the primary: an expiry decision must not depend on replica lag.
        with self.primary.pipeline(transaction=True) as pipe:
            pipe.exists(key)
            pipe.hset(key, "last_activity", datetime.now(UTC).isoformat())
            pipe.pexpire(key, self.ttl_ms)
            existed, _, _ = pipe.execute()
        if not existed:
            # HSET just re-created an empty shell of an expired session: remove it.
            self.primary.delete(key)
            return False
        return True

    def get(self, session_id: str) -> dict[str, str] | None:
        data = self.primary.hgetall(self.key(session_id))
        return {str(k): str(v) for k, v in data.items()} or None


# --- cache-aside ---------------------------------------------------------------------------

_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass
class CacheStats:
    """Cache-aside counters: a miss is a request that did not find the value at first look."""

    hits: int = 0
    misses: int = 0
    loads: int = 0
    waited: int = 0


class CacheAside:
    """Cache-aside with a stampede guard: on a miss, one caller loads and the others wait.

    The loader runs under a short lock (SET NX PX): the other callers poll the primary for the
    value the lock holder writes, instead of all hitting the database at once. If the holder dies,
    the lock expires and the next caller loads.
    """

    def __init__(
        self,
        primary: redis.Redis,
        reader: redis.Redis,
        prefix: str,
        loader: Callable[[str], dict[str, Any]],
        *,
        ttl: int = 300,
        lock_ttl: float = 5.0,
    ) -> None:
        self.primary = primary
        self.reader = reader
        self.prefix = prefix
        self.loader = loader
        self.ttl = ttl
        self.lock_ms = int(lock_ttl * 1000)
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._release = primary.register_script(_RELEASE_LOCK)

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def get(self, item_id: str) -> dict[str, Any]:
        key = f"{self.prefix}profile:{item_id}"
        cached = self.reader.get(key)
        if cached is not None:
            self._count("hits")
            return dict(json.loads(cached))
        self._count("misses")
        lock_key = f"{key}:lock"
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.lock_ms / 1000
        while True:
            if self.primary.set(lock_key, token, nx=True, px=self.lock_ms):
                try:
                    # Someone may have filled it between our miss and our lock.
                    cached = self.primary.get(key)
                    if cached is not None:
                        return dict(json.loads(cached))
                    self._count("loads")
                    value = self.loader(item_id)
                    self.primary.set(key, json.dumps(value), ex=self.ttl)
                    return value
                finally:
                    self._release(keys=[lock_key], args=[token])
            self._count("waited")
            while time.monotonic() < deadline:
                time.sleep(0.01)
                cached = self.primary.get(key)
                if cached is not None:
                    return dict(json.loads(cached))
                if not self.primary.exists(lock_key):
                    break  # the holder gave up without a value: try to take the lock
            if time.monotonic() >= deadline:
                deadline = time.monotonic() + self.lock_ms / 1000


def slow_profile_loader(delay: float = 0.05) -> Callable[[str], dict[str, Any]]:
    """The seed's simulated database fetch."""

    def load(item_id: str) -> dict[str, Any]:
        time.sleep(delay)
        return {
            "user_id": item_id,
            "name": f"User {item_id}",
            "email": f"user{item_id}@example.com",
            "preferences": {"theme": "dark", "language": "en"},
        }

    return load


# --- pub/sub -------------------------------------------------------------------------------


@dataclass
class Subscription:
    """What a subscriber received and why it stopped (``stop`` or ``timeout``)."""

    messages: list[str] = field(default_factory=list)
    reason: str = ""
    ready: threading.Event = field(default_factory=threading.Event)


def subscribe(
    client: redis.Redis, channel: str, timeout: float, sub: Subscription | None = None
) -> Subscription:
    """Collect messages on ``channel`` until the stop message or ``timeout`` seconds of total time."""
    sub = sub or Subscription()
    deadline = time.monotonic() + timeout
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(channel)
        # Ready only once the server confirmed: a message published before that would be lost.
        while True:
            if time.monotonic() >= deadline:
                sub.reason = "timeout"
                return sub
            message = pubsub.get_message(timeout=0.5)
            if message is not None and message.get("type") == "subscribe":
                break
        sub.ready.set()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                sub.reason = "timeout"
                return sub
            message = pubsub.get_message(timeout=min(left, 0.5))
            if message is None or message.get("type") != "message":
                continue
            if message["data"] == STOP_MESSAGE:
                sub.reason = "stop"
                return sub
            sub.messages.append(message["data"])
    finally:
        sub.ready.set()
        with contextlib.suppress(redis.RedisError):
            pubsub.unsubscribe()
        pubsub.close()


def pubsub_roundtrip(
    publisher: redis.Redis,
    subscriber: redis.Redis,
    channel: str,
    messages: list[str],
    *,
    timeout: float = 10.0,
    send_stop: bool = True,
) -> Subscription:
    """Subscribe in a thread, publish ``messages`` (then the stop message), return what arrived."""
    sub = Subscription()
    thread = threading.Thread(
        target=subscribe, args=(subscriber, channel, timeout, sub), name="subscriber", daemon=True
    )
    thread.start()
    if not sub.ready.wait(timeout):
        raise WorkloadError(f"pub/sub: subscriber not ready after {timeout:.0f}s")
    for message in messages:
        publisher.publish(channel, message)
    if send_stop:
        publisher.publish(channel, STOP_MESSAGE)
    thread.join(timeout + 1)
    return sub


# --- soak (write loop that rides out a failover) ---------------------------------------------


@dataclass
class SoakResult:
    """Writes acknowledged, writes given up after retries, retried errors by type."""

    acknowledged: list[int] = field(default_factory=list)
    given_up: int = 0
    errors: Counter[str] = field(default_factory=Counter)


def write_loop(
    primary: redis.Redis,
    prefix: str,
    stop: threading.Event,
    result: SoakResult,
    *,
    pause: float = 0.0,
    limit: int | None = None,
) -> SoakResult:
    """SET ``{prefix}soak:<n>`` = n for n = 0, 1, ... until ``stop``; a failed write is counted."""
    n = 0
    while not stop.is_set() and (limit is None or n < limit):
        try:
            primary.set(f"{prefix}soak:{n}", n)
            result.acknowledged.append(n)
        except RETRYABLE as exc:  # retries exhausted: count it and carry on
            result.given_up += 1
            result.errors[f"gaveUp:{type(exc).__name__}"] += 1
        n += 1
        if pause:
            time.sleep(pause)
    return result


def verify_soak(client: redis.Redis, prefix: str, acknowledged: list[int]) -> list[int]:
    """The acknowledged writes that are missing or wrong (should be none)."""
    lost: list[int] = []
    for chunk_start in range(0, len(acknowledged), 500):
        chunk = acknowledged[chunk_start : chunk_start + 500]
        values = client.mget([f"{prefix}soak:{n}" for n in chunk])
        lost.extend(n for n, v in zip(chunk, values, strict=True) if v != str(n))
    return lost


# --- cleanup -------------------------------------------------------------------------------


def cleanup(primary: redis.Redis, prefix: str) -> int:
    """Delete every key under ``prefix`` (SCAN, never KEYS); the number deleted."""
    deleted = 0
    batch: list[str] = []
    for key in primary.scan_iter(match=f"{prefix}*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += int(primary.unlink(*batch))
            batch = []
    if batch:
        deleted += int(primary.unlink(*batch))
    return deleted


# --- CLI -----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``redis`` workload's options."""
    parser.add_argument("--db", type=int, default=0, help="logical database (default 0)")
    parser.add_argument(
        "--prefix", default="dbtier:workload:", help="key prefix (default dbtier:workload:)"
    )
    parser.add_argument(
        "--session-ttl", type=float, default=1800, help="session expiry in seconds (default 1800)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the keys (no cleanup)")
    parser.add_argument(
        "--ca-bundle", help="CA certificates for TLS (default: the system trust store)"
    )
    parser.add_argument(
        "--soak", type=float, default=0, metavar="SECONDS", help="run a write loop this long"
    )
    parser.add_argument("--bench", action="store_true", help="run SET/GET benchmarks instead")
    parser.add_argument("--connections", type=int, default=50, help="bench connections (50)")
    parser.add_argument("--pipeline", type=int, default=1, help="bench pipeline depth (1)")
    parser.add_argument("--requests", type=int, default=100_000, help="bench requests (100000)")
    parser.add_argument("--value-size", type=int, default=3, help="bench value bytes (3)")
    parser.add_argument(
        "--processes", type=int, help="bench client processes (default: CPUs; half on loopback)"
    )


def _render(result: dict[str, Any]) -> str:
    if "bench" in result:
        rows = [
            [
                b["command"],
                b["connections"],
                b["pipeline"],
                b["opsPerSecond"],
                b["p50Ms"],
                b["p95Ms"],
                b["p99Ms"],
            ]
            for b in result["bench"]
        ]
        return render_table(
            ["cmd", "conns", "pipeline", "ops/s", "p50 ms", "p95 ms", "p99 ms"], rows
        )
    rows = [[name, json.dumps(value)] for name, value in result["checks"].items()]
    cache = result["cache"]
    rows.append(
        ["cache", f"{cache['hits']} hits, {cache['misses']} misses, {cache['loads']} loads"]
    )
    rows.append(
        ["pubsub", f"{len(result['pubsub']['messages'])} messages, {result['pubsub']['reason']}"]
    )
    if "soak" in result:
        soak = result["soak"]
        rows.append(
            [
                "soak",
                f"{soak['acknowledged']} acked, {soak['lost']} lost, {soak['givenUp']} given up",
            ]
        )
    rows.append(["retried errors", json.dumps(result["retriedErrors"])])
    status = "ok" if result["ok"] else "FAILED: " + "; ".join(result["problems"])
    return f"redis {result['primary']} (reads {result['reader']}): {status}\n" + render_table(
        ["step", "result"], rows
    )


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    """The ``redis`` workload."""
    primary_ep, reader_ep = endpoints_from(outputs, args.ca_bundle)
    counter = ErrorCounter()
    if args.bench:
        return _run_bench(args, primary_ep, reader_ep)
    primary = make_client(primary_ep, args.db, counter=counter)
    reader = make_client(reader_ep, args.db, counter=counter)
    # Fail fast on a wrong endpoint or token: one attempt each, before any work.
    probe = make_client(primary_ep, args.db, retries=1, timeout=3)
    check_connection(probe, primary_ep, "primary")
    check_connection(make_client(reader_ep, args.db, retries=1, timeout=3), reader_ep, "reader")
    prefix = args.prefix
    try:
        checks = basic_operations(primary, reader, prefix)
        problems = checks.failed  # every later check appends here too

        sessions = SessionStore(primary, prefix, args.session_ttl)
        session_id = sessions.create("user:1001", ["read", "write"])
        touched = sessions.touch(session_id)
        session = sessions.get(session_id)
        checks.expect(
            "session", bool(touched and session and session["user_id"] == "user:1001"), True
        )

        cache = CacheAside(primary, reader, prefix, slow_profile_loader())
        for item_id in ["1001", "1002", "1001", "1003", "1001"]:
            cache.get(item_id)
        checks.expect("cache.hitsMisses", [cache.stats.hits, cache.stats.misses], [2, 3])

        sent = ["User logged in", "New order received", "System maintenance scheduled"]
        sub = pubsub_roundtrip(primary, primary, f"{prefix}notifications", sent)
        checks.expect("pubsub", [sub.messages, sub.reason], [sent, "stop"])

        soak_summary = None
        if args.soak > 0:
            stop = threading.Event()
            soak = SoakResult()
            timer = threading.Timer(args.soak, stop.set)
            timer.start()
            write_loop(primary, prefix, stop, soak)
            lost = verify_soak(primary, prefix, soak.acknowledged)
            soak_summary = {
                "acknowledged": len(soak.acknowledged),
                "givenUp": soak.given_up,
                "lost": len(lost),
            }
            if lost:
                problems.append(f"soak: {len(lost)} acknowledged writes lost")
    except redis.RedisError as exc:
        raise WorkloadError(f"redis {primary_ep}: {one_line(exc)}") from None
    finally:
        if not args.keep:
            with contextlib.suppress(redis.RedisError):
                cleanup(primary, prefix)
    result: dict[str, Any] = {
        "primary": str(primary_ep),
        "reader": str(reader_ep),
        "tls": primary_ep.tls,
        "checks": checks.results,
        "replicaWaits": checks.replica_waits,
        "cache": cache.stats.__dict__,
        "pubsub": {"messages": sub.messages, "reason": sub.reason},
        "retriedErrors": dict(counter.counts),
        "problems": problems,
        "ok": not problems,
    }
    if soak_summary is not None:
        result["soak"] = soak_summary
    emit(result, args.json, _render)
    return 0 if result["ok"] else EXIT_CHECK_FAILED


def _run_bench(args: argparse.Namespace, primary_ep: Endpoint, reader_ep: Endpoint) -> int:
    if args.connections < 1 or args.pipeline < 1 or args.requests < 1 or args.value_size < 0:
        raise WorkloadError("--connections, --pipeline and --requests must be >= 1")
    probe = make_client(primary_ep, args.db, retries=1, timeout=3)
    check_connection(probe, primary_ep, "primary")
    processes = args.processes or (
        max(1, (os.cpu_count() or 2) // 2) if is_local(primary_ep.host) else os.cpu_count()
    )
    results = []
    # SET on the primary; GET on the reader, as an application would spread them.
    for command, endpoint in (("SET", primary_ep), ("GET", reader_ep)):
        target = BenchTarget(
            endpoint.host,
            endpoint.port,
            endpoint.password,
            endpoint.tls,
            args.db,
            args.prefix,
            endpoint.ca_bundle,
        )
        try:
            bench = run_bench(
                target,
                command,
                connections=args.connections,
                pipeline=args.pipeline,
                requests=args.requests,
                value_size=args.value_size,
                processes=processes,
            )
        except RuntimeError as exc:
            raise WorkloadError(f"bench {command} on {endpoint}: {one_line(exc)}") from None
        results.append(bench.summary())
    with contextlib.suppress(redis.RedisError):
        cleanup(make_client(primary_ep, args.db), args.prefix)
    emit({"bench": results}, args.json, _render)
    return 0
