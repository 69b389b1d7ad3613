"""Populating a table with generated users: concurrent BatchWriteItem calls, a bounded number in
flight, UnprocessedItems re-sent with backoff."""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from workloads.common import chunked, progress, retrying
from workloads.dynamo.data import generate_users

BATCH_SIZE = 25  # BatchWriteItem's limit


class UnprocessedItemsError(Exception):
    """BatchWriteItem left items unprocessed (throttling or a partition at its limit)."""

    def __init__(self, remaining: int) -> None:
        super().__init__(f"{remaining} items unprocessed")
        self.remaining = remaining


@dataclass
class PopulateStats:
    """What a populate did: items written, requests sent, items re-sent after UnprocessedItems."""

    items: int = 0
    requests: int = 0
    resent_items: int = 0
    seconds: float = 0.0

    def add(self, other: PopulateStats) -> None:
        self.items += other.items
        self.requests += other.requests
        self.resent_items += other.resent_items

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


def write_batch(
    client: Any,
    table: str,
    items: list[dict[str, Any]],
    attempts: int = 10,
    max_seconds: float = 120.0,
) -> PopulateStats:
    """One BatchWriteItem of at most 25 items, re-sending UnprocessedItems with backoff.

    boto3's ``batch_writer`` re-sends unprocessed items at once, which under throttling just
    earns more throttling; exponential backoff with full jitter lets the partition recover.
    """
    stats = PopulateStats(items=len(items))
    request: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for attempt in retrying(
        lambda exc: isinstance(exc, UnprocessedItemsError),
        attempts=attempts,
        max_seconds=max_seconds,
        initial_wait=0.05,
        max_wait=5.0,
        describe=f"BatchWriteItem on {table}",
    ):
        with attempt:
            stats.requests += 1
            response = client.batch_write_item(RequestItems=request)
            unprocessed = response.get("UnprocessedItems") or {}
            remaining = sum(len(reqs) for reqs in unprocessed.values())
            if remaining:
                stats.resent_items += remaining
                request = unprocessed
                raise UnprocessedItemsError(remaining)
    return stats


def populate(
    client: Any,
    table: str,
    count: int,
    *,
    seed: int,
    workers: int = 16,
    show_progress: bool = False,
) -> PopulateStats:
    """Write users 1..count, ``workers`` batches in flight at a time; idempotent (plain puts)."""
    total = PopulateStats()
    started = time.perf_counter()
    batches = chunked((user.ddb_item() for user in generate_users(seed, count)), BATCH_SIZE)
    # Bounded in flight so that a million users never sit in memory as queued batches.
    max_pending = workers * 2
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="populate") as pool,
        progress(count, f"populate {table}", disable=not show_progress, unit="item") as bar,
    ):
        pending: set[Future[PopulateStats]] = set()

        def collect(done: Iterable[Future[PopulateStats]]) -> None:
            for future in done:
                stats = future.result()  # re-raises a batch's error here, in the caller
                total.add(stats)
                bar.update(stats.items)

        try:
            for batch in batches:
                if len(pending) >= max_pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    collect(done)
                pending.add(pool.submit(write_batch, client, table, batch))
            done, pending = wait(pending)
            collect(done)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    total.seconds = time.perf_counter() - started
    return total
