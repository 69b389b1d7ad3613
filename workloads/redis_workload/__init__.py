"""``redis``: the seed's ElastiCache practice as a repeatable check, plus a benchmark.

Writes go to the primary endpoint and reads to the reader (TLS and AUTH when the ``redis`` output
says so: the AUTH token, or a named user with its secret's password or an IAM token;
``workloads.redis_workload.client``). A cache in cluster mode gets a cluster client, and a step
of its own: keys spread over the shards, each read back, with every shard's share of them and
its latency (``workloads.redis_workload.cluster``). Every key lives under a prefix in one logical
database, so the workload can share a server and clean up after itself. Steps: the seed's
operations on strings, hashes, lists, sets and sorted sets, each result checked; sessions with
sliding expiry; cache-aside with a stampede guard and hit/miss counts; pub/sub ending on a stop
message or a timeout; optionally a write soak that rides out a failover or a password rotation
(reconnects and renewals are counted and reported). ``run_benchmarks``
measures SET and GET like redis-benchmark (``workloads.redis_workload.bench``).

The package is not called ``redis`` so that ``import redis`` always means redis-py.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from dataclasses import dataclass, replace
from typing import Any

import redis
from redis.exceptions import RedisClusterException

from workloads.common import EXIT_OK, Endpoint, WorkloadError, check_exit_code, login, one_line
from workloads.common.credentials import describe
from workloads.redis_workload.bench import BenchResult, run_bench
from workloads.redis_workload.client import (
    RETRYABLE,
    CountingRetry,
    ErrorCounter,
    SecretAuth,
    Target,
    check_connection,
    is_local,
    make_client,
    target_from,
)
from workloads.redis_workload.cluster import Shard, ShardStats, shards, spread_keys
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
    "Target",
    "basic_operations",
    "check_connection",
    "cleanup",
    "is_local",
    "make_client",
    "pubsub_roundtrip",
    "read_until",
    "run_benchmarks",
    "run_checks",
    "slow_profile_loader",
    "subscribe",
    "target_from",
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
    credentials: str = "outputs"  # where the password in use at the end came from
    renewals: int = 0  # passwords refused, then renewed from the secret
    user: str = ""  # the named user it logged in as ("": the AUTH token)
    iam_tokens: int = 0  # IAM tokens signed (an IAM user)
    shards: tuple[Shard, ...] = ()  # cluster mode: each primary's share and latency
    redirections: dict[str, int] | None = None  # cluster mode: MOVED and ASK followed

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
            "credentials": {
                "source": "iam" if self.iam_tokens else self.credentials,
                "renewals": self.renewals,
                **({"user": self.user} if self.user else {}),
            },
            "problems": self.problems,
            "ok": self.ok,
        }
        if self.redirections is not None:
            out["cluster"] = {
                "shards": {s.node: s.to_json() for s in self.shards},
                "redirections": self.redirections,
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
    target: Target,
    *,
    db: int = 0,
    prefix: str = "dbtier:workload:",
    session_ttl: float = 1800,
    soak_seconds: float = 0,
    keep: bool = False,
) -> RedisResult:
    """Every step against the cache; the keys are deleted afterwards unless ``keep``."""
    if target.cluster and db != 0:
        raise WorkloadError(f"--db {db}: a Redis Cluster has one database (0)")
    counter, stats = ErrorCounter(), ShardStats()
    auth = SecretAuth(target.primary)  # one password for both endpoints: renewed once for both

    def client(endpoint: Endpoint, **kwargs: Any) -> Any:
        return make_client(
            endpoint, db, auth=auth, iam=target.iam, cluster=target.cluster, stats=stats, **kwargs
        )

    # Fail fast on a wrong endpoint or password: one attempt each (one renewal from the secret
    # when it is refused), before any work.
    for endpoint, role in ((target.primary, "primary"), (target.reader, "reader")):
        probe = check_connection(
            functools.partial(client, endpoint, retries=1, timeout=3), endpoint, role, target.iam
        )
        probe.close()
    primary = client(target.primary, counter=counter)
    reader = client(target.reader, counter=counter, replicas=True)
    spread: dict[str, int] = {}
    try:
        checks = basic_operations(primary, reader, prefix)
        problems = checks.failed  # every later check appends here too
        if target.cluster:
            spread = spread_keys(primary, prefix)
            empty = sorted(str(n.name) for n in primary.get_primaries() if not spread.get(n.name))
            checks.expect("cluster.everyShardHoldsKeys", empty, [])

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

        soak_summary = _soak(primary, prefix, soak_seconds, problems) if soak_seconds > 0 else None
    except (redis.RedisError, RedisClusterException) as exc:
        raise WorkloadError(f"redis {target.primary}: {one_line(exc)}") from None
    finally:
        if not keep:
            with contextlib.suppress(redis.RedisError):
                cleanup(primary, prefix)
    return RedisResult(
        primary=target.primary,
        reader=target.reader,
        checks=checks,
        cache=cache.stats,
        pubsub=sub,
        retried_errors=dict(counter.counts),
        soak=soak_summary,
        credentials=describe(target.primary.credentials),
        renewals=auth.renewals,
        user=target.user,
        iam_tokens=target.iam.tokens if target.iam else 0,
        shards=tuple(shards(primary, spread)) if target.cluster else (),
        redirections=dict(stats.redirections) if target.cluster else None,
    )


def _soak(primary: Any, prefix: str, seconds: float, problems: list[str]) -> SoakSummary:
    """Write for `seconds`, then check every acknowledged write is there."""
    stop = threading.Event()
    soak = SoakResult()
    timer = threading.Timer(seconds, stop.set)
    timer.daemon = True  # an interrupted soak must not wait for its timer to expire
    timer.start()
    try:
        write_loop(primary, prefix, stop, soak)
    finally:
        timer.cancel()
    lost = verify_soak(primary, prefix, soak.acknowledged)
    if lost:
        problems.append(f"soak: {len(lost)} acknowledged writes lost")
    return SoakSummary(len(soak.acknowledged), soak.given_up, len(lost))


def run_benchmarks(
    target: Target,
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
    if target.cluster:
        raise WorkloadError(
            "--bench measures one node like redis-benchmark; this cache is a cluster (run"
            " redis-benchmark --cluster, or the checks without --bench)"
        )
    primary_ep = target.primary
    probe = check_connection(
        lambda: make_client(primary_ep, db, retries=1, timeout=3, iam=target.iam),
        primary_ep,
        "primary",
        target.iam,
    )
    probe.close()
    # The bench's raw connections authenticate once, with the password in use now.
    login_now = login(primary_ep)
    password = target.iam.token() if target.iam else login_now.password
    user = target.iam.user_id if target.iam else login_now.username
    primary_ep, reader_ep = (
        replace(e, password=password, user=user, credentials=None)
        for e in (primary_ep, target.reader)
    )
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
