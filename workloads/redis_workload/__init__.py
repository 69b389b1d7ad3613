"""``redis``: the seed's ElastiCache practice as a repeatable check, plus a benchmark.

Writes go to the primary endpoint and reads to the reader (TLS and AUTH when the ``redis`` output
says so; ``workloads.redis_workload.client``). Every key lives under a prefix in one logical
database, so the workload can share a server and clean up after itself. Steps: the seed's
operations on strings, hashes, lists, sets and sorted sets, each result checked; sessions with
sliding expiry; cache-aside with a stampede guard and hit/miss counts; pub/sub ending on a stop
message or a timeout; optionally a write soak that rides out a failover or a token rotation
(reconnects and token renewals are counted and reported). ``run_benchmarks``
measures SET and GET like redis-benchmark (``workloads.redis_workload.bench``).

The package is not called ``redis`` so that ``import redis`` always means redis-py.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, replace
from typing import Any

import redis

from workloads.common import EXIT_OK, Endpoint, WorkloadError, check_exit_code, login, one_line
from workloads.common.credentials import describe
from workloads.redis_workload.bench import BenchResult, run_bench
from workloads.redis_workload.client import (
    RETRYABLE,
    CountingRetry,
    ErrorCounter,
    SecretAuth,
    check_connection,
    endpoints_from,
    is_local,
    make_client,
)
from workloads.redis_workload.operations import (
    Checks,
    SoakResult,
    basic_operations,
    cleanup,
    read_until,
    verify_soak,
    write_loop,
)
from workloads.redis_workload.patterns import (
    STOP_MESSAGE,
    CacheAside,
    CacheStats,
    SessionStore,
    Subscription,
    pubsub_roundtrip,
    slow_profile_loader,
    subscribe,
)

__all__ = [
    "RETRYABLE",
    "STOP_MESSAGE",
    "BenchReport",
    "CacheAside",
    "CacheStats",
    "Checks",
    "CountingRetry",
    "Endpoint",
    "ErrorCounter",
    "RedisResult",
    "SecretAuth",
    "SessionStore",
    "SoakResult",
    "SoakSummary",
    "Subscription",
    "basic_operations",
    "check_connection",
    "cleanup",
    "endpoints_from",
    "is_local",
    "make_client",
    "pubsub_roundtrip",
    "read_until",
    "run_benchmarks",
    "run_checks",
    "slow_profile_loader",
    "subscribe",
    "verify_soak",
    "write_loop",
]


@dataclass(frozen=True)
class SoakSummary:
    """The write soak: writes acknowledged, given up after the retries, and lost."""

    acknowledged: int
    given_up: int
    lost: int


@dataclass(frozen=True)
class RedisResult:
    """The outcome of one ``redis`` run."""

    primary: Endpoint
    reader: Endpoint
    checks: Checks
    cache: CacheStats
    pubsub: Subscription
    retried_errors: dict[str, int]
    soak: SoakSummary | None = None
    credentials: str = "outputs"  # where the token in use at the end came from
    renewals: int = 0  # tokens refused, then renewed from the secret

    @property
    def reconnects(self) -> int:
        """Every retried error was retried on a new connection."""
        return sum(self.retried_errors.values())

    @property
    def problems(self) -> list[str]:
        return self.checks.failed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "primary": str(self.primary),
            "reader": str(self.reader),
            "tls": self.primary.tls,
            "checks": self.checks.results,
            "replicaWaits": self.checks.replica_waits,
            "cache": vars(self.cache),
            "pubsub": {"messages": self.pubsub.messages, "reason": self.pubsub.reason},
            "retriedErrors": self.retried_errors,
            "reconnects": self.reconnects,
            "credentials": {"source": self.credentials, "renewals": self.renewals},
            "problems": self.problems,
            "ok": self.ok,
        }
        if self.soak is not None:
            out["soak"] = {
                "acknowledged": self.soak.acknowledged,
                "givenUp": self.soak.given_up,
                "lost": self.soak.lost,
            }
        return out


@dataclass(frozen=True)
class BenchReport:
    """SET on the primary and GET on the reader, each like redis-benchmark."""

    results: list[BenchResult]

    exit_code = EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {"bench": [r.summary() for r in self.results]}


def run_checks(
    primary_ep: Endpoint,
    reader_ep: Endpoint,
    *,
    db: int = 0,
    prefix: str = "dbtier:workload:",
    session_ttl: float = 1800,
    soak_seconds: float = 0,
    keep: bool = False,
) -> RedisResult:
    """Every step against the replication group; the keys are deleted afterwards unless ``keep``."""
    counter = ErrorCounter()
    auth = SecretAuth(primary_ep)  # one token for both endpoints: renewed once for both
    primary = make_client(primary_ep, db, counter=counter, auth=auth)
    reader = make_client(reader_ep, db, counter=counter, auth=auth)
    # Fail fast on a wrong endpoint or token: one attempt each (one renewal from the secret
    # when it is refused), before any work.
    for endpoint, role in ((primary_ep, "primary"), (reader_ep, "reader")):
        probe = make_client(endpoint, db, retries=1, timeout=3, auth=auth)
        check_connection(probe, endpoint, role)
        probe.close()
    try:
        checks = basic_operations(primary, reader, prefix)
        problems = checks.failed  # every later check appends here too

        sessions = SessionStore(primary, prefix, session_ttl)
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
        if soak_seconds > 0:
            stop = threading.Event()
            soak = SoakResult()
            timer = threading.Timer(soak_seconds, stop.set)
            timer.daemon = True  # an interrupted soak must not wait for its timer to expire
            timer.start()
            try:
                write_loop(primary, prefix, stop, soak)
            finally:
                timer.cancel()
            lost = verify_soak(primary, prefix, soak.acknowledged)
            soak_summary = SoakSummary(len(soak.acknowledged), soak.given_up, len(lost))
            if lost:
                problems.append(f"soak: {len(lost)} acknowledged writes lost")
    except redis.RedisError as exc:
        raise WorkloadError(f"redis {primary_ep}: {one_line(exc)}") from None
    finally:
        if not keep:
            with contextlib.suppress(redis.RedisError):
                cleanup(primary, prefix)
    return RedisResult(
        primary=primary_ep,
        reader=reader_ep,
        checks=checks,
        cache=cache.stats,
        pubsub=sub,
        retried_errors=dict(counter.counts),
        soak=soak_summary,
        credentials=describe(primary_ep.credentials),
        renewals=auth.renewals,
    )


def run_benchmarks(
    primary_ep: Endpoint,
    reader_ep: Endpoint,
    *,
    db: int = 0,
    prefix: str = "dbtier:workload:",
    connections: int = 50,
    pipeline: int = 1,
    requests: int = 100_000,
    value_size: int = 3,
    processes: int | None = None,
) -> BenchReport:
    """SET on the primary and GET on the reader, as an application would spread them."""
    probe = make_client(primary_ep, db, retries=1, timeout=3)
    check_connection(probe, primary_ep, "primary")
    # The bench's raw connections authenticate once, with the token in use now.
    token = login(primary_ep).password
    primary_ep, reader_ep = (replace(e, password=token) for e in (primary_ep, reader_ep))
    processes = processes or (
        max(1, (os.cpu_count() or 2) // 2) if is_local(primary_ep.host) else os.cpu_count()
    )
    results = []
    for command, endpoint in (("SET", primary_ep), ("GET", reader_ep)):
        try:
            bench = run_bench(
                endpoint,
                command,
                db=db,
                prefix=prefix,
                connections=connections,
                pipeline=pipeline,
                requests=requests,
                value_size=value_size,
                processes=processes,
            )
        except RuntimeError as exc:
            raise WorkloadError(f"bench {command} on {endpoint}: {one_line(exc)}") from None
        results.append(bench)
    with contextlib.suppress(redis.RedisError):
        cleanup(make_client(primary_ep, db), prefix)
    return BenchReport(results)
