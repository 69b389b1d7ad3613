"""Redis Cluster (ElastiCache cluster mode, ElastiCache Serverless): redis-py's RedisCluster, with
the workload's retries around it, and what it saw of each shard.

RedisCluster routes each key to the primary of its slot and follows MOVED and ASK redirections
itself (refreshing its slot map). Around that, `ClusterClient` adds the workload's bounded,
counted retries with backoff: a connection refused for its password (AuthenticationError, which
RedisCluster does not retry) renews the credentials from the secret and tries again, as the
single-node client does (`workloads.redis_workload.client.CountingRetry`). `ShardStats` keeps,
per node, each command's latency and the redirections it answered with, from the hook
RedisCluster reports every command to (`_record_command_metric`).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import redis
from redis.cluster import RedisCluster

from workloads.common import chunked, percentile

REDIRECTIONS = (redis.exceptions.MovedError, redis.exceptions.AskError)


class ShardStats:
    """Per node (host:port): command latencies in microseconds; redirections by kind."""

    def __init__(self) -> None:
        self.latencies: defaultdict[str, list[int]] = defaultdict(list)
        self.redirections: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, node: str, seconds: float, error: BaseException | None) -> None:
        with self._lock:
            if error is None:
                self.latencies[node].append(int(seconds * 1_000_000))
            elif isinstance(error, REDIRECTIONS):
                self.redirections[type(error).__name__] += 1

    def __deepcopy__(self, memo: dict[int, Any]) -> ShardStats:
        return self


class ClusterClient(RedisCluster):
    """RedisCluster whose commands go through `outer_retry` (counted, with backoff, renewing
    refused credentials) and report to `stats`."""

    def __init__(self, *args: Any, outer_retry: Any, stats: ShardStats, **kwargs: Any) -> None:
        self.outer_retry = outer_retry
        self.stats = stats
        super().__init__(*args, **kwargs)

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        return self.outer_retry.call_with_retry(
            lambda: RedisCluster.execute_command(self, *args, **kwargs), lambda _error: None
        )

    def _record_command_metric(
        self, command_name: str, duration_seconds: float, connection: Any, error: Any = None
    ) -> None:
        super()._record_command_metric(command_name, duration_seconds, connection, error)
        if connection is not None and getattr(connection, "host", None):
            self.stats.record(f"{connection.host}:{connection.port}", duration_seconds, error)

    def node_of(self, key: str) -> str:
        """The primary that holds `key` (host:port), from the client's slot map."""
        node = self.nodes_manager.get_node_from_slot(self.keyslot(key))
        return str(node.name)


@dataclass(frozen=True)
class Shard:
    """What one primary held of the workload's keys and how fast it answered."""

    node: str
    keys: int
    commands: int
    p50_ms: float
    p99_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "keys": self.keys,
            "commands": self.commands,
            "p50Ms": round(self.p50_ms, 3),
            "p99Ms": round(self.p99_ms, 3),
        }


def spread_keys(client: ClusterClient, prefix: str, count: int = 600) -> dict[str, int]:
    """Write `count` keys, read each back (pipelines that RedisCluster splits per shard), and
    count them per primary; a key read back wrong raises."""
    keys = [f"{prefix}shard:{n}" for n in range(count)]
    for chunk in chunked(keys, 200):
        with client.pipeline(transaction=False) as pipe:
            for key in chunk:
                pipe.set(key, key)
            pipe.execute()
        with client.pipeline(transaction=False) as pipe:
            for key in chunk:
                pipe.get(key)
            got = pipe.execute()
        wrong = [k for k, v in zip(chunk, got, strict=True) if v != k]
        if wrong:
            raise redis.RedisError(f"{len(wrong)} keys read back wrong from the cluster")
    return dict(Counter(client.node_of(key) for key in keys))


def shards(client: ClusterClient, keys: dict[str, int]) -> list[Shard]:
    """Every primary's share of the keys and its latency percentiles, sorted by node."""
    primaries = sorted(str(node.name) for node in client.get_primaries())
    out = []
    for node in primaries:
        ordered = sorted(client.stats.latencies.get(node, []))
        p50, p99 = (percentile(ordered, p) / 1000.0 if ordered else 0.0 for p in (50, 99))
        out.append(Shard(node, keys.get(node, 0), len(ordered), p50, p99))
    return out
