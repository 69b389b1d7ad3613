"""The seed's operations on every data type, each result checked; a write soak that must keep
every acknowledged write; and the cleanup of every key under the prefix."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.cluster import RedisCluster

from workloads.common import chunked
from workloads.redis_workload.client import RETRYABLE


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


def basic_operations(
    primary: redis.Redis, reader: redis.Redis, prefix: str, replica_timeout: float = 2.0
) -> Checks:
    """The seed's strings, hash, list, set and sorted set, each written then read back; a read
    from the reader that does not show the write within ``replica_timeout`` s is a failure."""
    checks = Checks()
    k = prefix.__add__

    def check_read(name: str, read: Callable[[], Any], expected: Any) -> None:
        value, waits = read_until(read, expected, replica_timeout)
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


def verify_soak(client: Any, prefix: str, acknowledged: list[int]) -> list[int]:
    """The acknowledged writes that are missing or wrong (should be none). A cluster's keys
    live in many slots: one MGET per slot (RedisCluster's mget_nonatomic)."""
    lost: list[int] = []
    mget = client.mget_nonatomic if isinstance(client, RedisCluster) else client.mget
    for chunk in chunked(acknowledged, 500):
        values = mget([f"{prefix}soak:{n}" for n in chunk])
        lost.extend(n for n, v in zip(chunk, values, strict=True) if v != str(n))
    return lost


def cleanup(primary: redis.Redis, prefix: str) -> int:
    """Delete every key under ``prefix`` (SCAN, never KEYS); the number deleted."""
    deleted = 0
    for batch in chunked(primary.scan_iter(match=f"{prefix}*", count=1000), 500):
        deleted += int(primary.unlink(*batch))
    return deleted
