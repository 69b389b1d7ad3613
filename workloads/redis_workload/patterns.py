"""Application patterns on Redis: sessions with sliding expiry, cache-aside with a stampede guard,
and pub/sub that ends on a stop message or a timeout."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from workloads.common import WorkloadError

STOP_MESSAGE = "STOP"


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
