"""The write load a failover drill runs through the endpoint, and what it proves afterwards.

SQL targets reuse aurora-load's workers (inserts only, paced) and its acknowledged-insert check:
a worker's acknowledged inserts are exactly ``0..acked-1``, so a lost one is named by its
sequence number. The Redis writer is a loop of ``SET {prefix}failover:<n> n`` on one connection
that follows the endpoint (redis-py reconnects to the same host name); ``durable`` acknowledges a
write only after ``WAIT 1`` says a replica has it. Both record every interruption (first failed
write, first acknowledged write after it) on the wall clock: the drill's recovery time is read
from them.
"""

from __future__ import annotations

import bisect
import contextlib
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import redis

from workloads.aurora_load import cleanup, prepare_table, summarize, verify
from workloads.aurora_load.worker import StopFlag, WorkerConfig, WorkerResult, run_workers
from workloads.common import Endpoint, WorkloadError, chunked, one_line
from workloads.redis_workload import RETRYABLE
from workloads.redis_workload import cleanup as redis_cleanup
from workloads.redis_workload.client import make_client

Outage = tuple[float, float]  # (first failed write, first acknowledged write after it)


@dataclass
class WriteOutcome:
    """What the load did and what the check after the failover found."""

    acknowledged: int
    lost: int
    lost_examples: list[str]
    reconnects: int
    errors: dict[str, int]
    outages: list[Outage]
    not_durable: int = 0  # Redis --durable: writes no replica confirmed (never acknowledged)
    # Redis: when each acknowledged write was acknowledged (wall clock, in write order), and when
    # the first write after the last lost one was: the first the promoted node kept.
    ack_times: list[float] = field(default_factory=list)
    resumed: float | None = None
    committed_without_ack: int = 0
    notes: list[str] = field(default_factory=list)


class SqlWriter:
    """aurora-load's workers, inserts only, run until ``finish``; then every acknowledged insert
    is checked (through the endpoint, which now reaches the new primary) and the run's rows
    deleted."""

    def __init__(
        self, endpoint: Endpoint, family: str, table: str, workers: int, rate: float
    ) -> None:
        self.endpoint, self.family, self.table = endpoint, family, table
        self.run_id = secrets.randbits(62)
        self._stop = StopFlag()
        self._configs = [
            WorkerConfig(
                endpoint=endpoint,
                family=family,
                table=table,
                run_id=self.run_id,
                index=i,
                start=time.time(),
                end=None,
                ops=None,
                insert_ratio=1.0,
                interval=workers / rate,
            )
            for i in range(workers)
        ]
        self._results: list[WorkerResult] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="failover-sql-load", daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        try:
            self._results = run_workers(self._configs, "threads", False, stop_flag=self._stop)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the drill's thread by finish()
            self._error = exc

    def start(self) -> None:
        prepare_table(self.endpoint, self.table, self.family)
        self._started = time.time()
        self._thread.start()

    def stop(self) -> None:
        """Stop writing (also what an interrupted drill calls)."""
        self._stop.value = 1
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=10)

    def discard(self) -> None:
        """Delete the run's rows, best effort (an interrupted drill)."""
        with contextlib.suppress(Exception):
            cleanup(self.endpoint, self.table, self.run_id, self.family)

    def finish(self, verify_timeout: float) -> WriteOutcome:
        self.stop()
        if self._error is not None:
            raise self._error
        summary = summarize(self._results, max(time.time() - self._started, 1e-9))
        acked = {r.index: r.acked for r in self._results}
        check = verify(
            self.endpoint, self.table, self.run_id, acked, verify_timeout, family=self.family
        )
        cleanup(self.endpoint, self.table, self.run_id, self.family)
        examples = [
            f"worker {w} seq {seq}"
            for w, lost in check.lost_by_worker.items()
            for seq in lost.first_missing_seq
        ]
        fatal = [f"worker {r.index}: {r.fatal}" for r in self._results if r.fatal]
        return WriteOutcome(
            acknowledged=check.acknowledged,
            lost=check.lost,
            lost_examples=examples[:10],
            reconnects=summary.reconnects,
            errors=summary.errors,
            outages=sorted(o for r in self._results for o in r.outages),
            committed_without_ack=check.committed_without_ack,
            notes=fatal,
        )


class RedisWriter:
    """SET ``{prefix}failover:<n>`` = n, one write at a time, until ``finish``; with ``durable``
    each write is acknowledged only once ``WAIT 1`` confirms a replica has it."""

    def __init__(
        self,
        endpoint: Endpoint,
        prefix: str,
        rate: float,
        durable: bool,
        *,
        wait_ms: int = 1000,
        iam: Any = None,
    ) -> None:
        self.endpoint, self.durable, self.wait_ms = endpoint, durable, wait_ms
        self.prefix = f"{prefix}failover:{secrets.token_hex(4)}:"
        self.interval = 1.0 / rate
        self.acked: list[int] = []
        self.ack_times: list[float] = []
        self.errors: Counter[str] = Counter()
        self.outages: list[Outage] = []
        self.reconnects = self.not_durable = 0
        # No retries inside the client: the loop sees every failure, so it can time the outage.
        self._client = make_client(endpoint, retries=0, timeout=2.0, max_connections=4, iam=iam)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="failover-redis-load", daemon=True)

    def _write(self, n: int) -> bool:
        key = f"{self.prefix}{n}"
        if not self.durable:
            self._client.set(key, n)
            return True
        pipe = self._client.pipeline(transaction=False)
        pipe.set(key, n)
        pipe.execute_command("WAIT", 1, self.wait_ms)
        _, replicas = pipe.execute()
        return int(replicas) >= 1

    def _run(self) -> None:
        n, since, delay = 0, None, 0.01
        next_at = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    confirmed = self._write(n)
                except RETRYABLE as exc:
                    self.errors[type(exc).__name__] += 1
                    if since is None:
                        since = time.time()
                        self.reconnects += 1
                    self._stop.wait(delay)
                    delay = min(delay * 2, 0.2)
                    n += 1  # an unacknowledged write keeps its number: never counted as lost
                    continue
                if since is not None:
                    self.outages.append((since, time.time()))
                    since, delay = None, 0.01
                if confirmed:
                    self.acked.append(n)
                    self.ack_times.append(time.time())
                else:
                    self.not_durable += 1
                n += 1
                next_at += self.interval
                pause = next_at - time.monotonic()
                if pause > 0:
                    self._stop.wait(pause)
                else:
                    next_at = time.monotonic()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the drill's thread by finish()
            self._error = exc

    def start(self) -> None:
        try:
            self._client.ping()
        except redis.RedisError as exc:  # RETRYABLE are RedisErrors too
            raise WorkloadError(
                f"redis: cannot reach the primary endpoint: {one_line(exc)}"
            ) from None
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=10)

    def discard(self) -> None:
        """Delete the run's keys, best effort (an interrupted drill)."""
        with contextlib.suppress(Exception):
            redis_cleanup(self._client, self.prefix)

    def finish(self, verify_timeout: float) -> WriteOutcome:
        self.stop()
        if self._error is not None:
            raise self._error
        lost = self._missing(verify_timeout)
        redis_cleanup(self._client, self.prefix)
        self._client.close()
        resumed = None
        if lost:
            after = bisect.bisect_right(self.acked, lost[-1])
            resumed = self.ack_times[after] if after < len(self.acked) else None
        return WriteOutcome(
            acknowledged=len(self.acked),
            lost=len(lost),
            lost_examples=[f"{self.prefix}{n}" for n in lost[:10]],
            reconnects=self.reconnects,
            errors=dict(self.errors),
            outages=list(self.outages),
            not_durable=self.not_durable,
            ack_times=self.ack_times,
            resumed=resumed,
        )

    def _missing(self, timeout: float) -> list[int]:
        """The acknowledged writes the primary (the promoted node, by now) does not have."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                lost: list[int] = []
                for chunk in chunked(self.acked, 500):
                    values = self._client.mget([f"{self.prefix}{n}" for n in chunk])
                    lost.extend(n for n, v in zip(chunk, values, strict=True) if v != str(n))
                return lost
            except RETRYABLE:
                if time.monotonic() > deadline:
                    raise WorkloadError(
                        "redis: the primary endpoint did not answer after the failover"
                    ) from None
                time.sleep(0.1)


Writer = SqlWriter | RedisWriter
