"""``failover``: a drill that fails the target over under write load and proves what survived.

Order: read the identifier from the outputs and plan the call from AWS's description (a target
that cannot fail over is refused, ``workloads.failover.control``); start the write load
(``writers``) and the endpoint watch (``watch``); after a warm-up, make the call; wait for the
endpoint to move to another server; write on for a few seconds; stop, check every acknowledged
write through the endpoint (the new primary by now) and ask AWS who is primary. Whatever happens,
the load and the watch are stopped before the drill returns.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import time
from dataclasses import dataclass
from typing import Any

from workloads.common import log
from workloads.failover.control import Plan, aws_call, primary_now
from workloads.failover.results import FailoverResult, recovery, render
from workloads.failover.watch import EndpointWatch
from workloads.failover.writers import RedisWriter, SqlWriter, WriteOutcome

__all__ = ["DrillTiming", "FailoverResult", "recovery", "render", "run_drill"]


@dataclass(frozen=True)
class DrillTiming:
    """Seconds: writes before the call, the longest wait for the endpoint to move, writes after
    it moved, and how long the final check waits for the new primary."""

    warmup: float = 2.0
    timeout: float = 300.0
    settle: float = 2.0
    verify_timeout: float = 60.0


def run_drill(
    plan: Plan,
    client: Any,
    writer: SqlWriter | RedisWriter,
    watch: EndpointWatch,
    *,
    engine: str,
    timing: DrillTiming,
    durable: bool = False,
) -> FailoverResult:
    """Fail over under load; stops the writer and the watch whatever happens."""
    problems: list[str] = []
    outcome: WriteOutcome | None = None
    try:
        writer.start()
        watch.start()
        time.sleep(timing.warmup)  # writes that the old primary acknowledges
        trigger = time.time()
        log.info("failover: %s", plan.call)
        _, note = aws_call(client, plan.operation, **plan.params)
        move = watch.wait(timing.timeout)
        if move is None:
            problems.append(f"no move within {timing.timeout:g}s")
        else:
            log.info("endpoint moved: %s -> %s", move.before.name, move.after.name)
        time.sleep(timing.settle)
        outcome = writer.finish(timing.verify_timeout)
    finally:
        writer.stop()
        watch.stop()
        if outcome is None:  # interrupted or failed: the load's rows or keys go too
            writer.discard()
    if outcome.outages and recovery(outcome.outages, trigger)[0] is None:
        problems.append("the writes did not recover after the failover")
    return FailoverResult(
        target=plan.target,
        engine=engine,
        call=plan.call,
        primary_before=plan.primary,
        primary_after=primary_now(plan, client),
        answered_by=note or "AWS",
        writes=outcome,
        trigger=trigger,
        move=move,
        durable=durable,
        problems=problems,
    )
