"""What a failover drill measured and proved, as text and JSON, and how its recovery is timed.

RTO is the time from the failover call to the first write acknowledged after the interruption it
caused (the earliest recovery of any writer); ``allWritersBackSeconds`` is when the last writer
was back. A drill whose writers never failed reports no RTO and says so: the failover did not
interrupt them (or did not happen).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from workloads.common import check_exit_code
from workloads.failover.watch import Move
from workloads.failover.writers import Outage, WriteOutcome


def recovery(outages: list[Outage], trigger: float) -> tuple[float | None, float | None]:
    """(first writer back, last writer back) in seconds after ``trigger``; None without an
    interruption that ended after it."""
    ends = [end for _, end in outages if end > trigger]
    if not ends:
        return None, None
    return round(min(ends) - trigger, 3), round(max(ends) - trigger, 3)


def first_write_on_new_primary(
    writes: WriteOutcome, trigger: float, moved: float | None
) -> float | None:
    """Seconds from ``trigger`` to the first write the new primary kept, for a writer that saw no
    failure (a Redis client reconnects a cut connection silently): the first acknowledged after
    the last lost write, else the first acknowledged after the watch saw the endpoint move."""
    if writes.resumed is not None:
        return round(writes.resumed - trigger, 3)
    if moved is None:
        return None
    after = bisect.bisect_left(writes.ack_times, moved)
    return round(writes.ack_times[after] - trigger, 3) if after < len(writes.ack_times) else None


@dataclass
class FailoverResult:
    """One drill: the call, who was primary before and after, the move, recovery and losses."""

    target: str
    engine: str
    call: str
    primary_before: str
    primary_after: str
    answered_by: str
    writes: WriteOutcome
    trigger: float
    move: Move | None
    durable: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def rto(self) -> float | None:
        first = recovery(self.writes.outages, self.trigger)[0]
        if first is not None:
            return first
        moved = None if self.move is None else self.move.at
        return first_write_on_new_primary(self.writes, self.trigger, moved)

    @property
    def all_back(self) -> float | None:
        return recovery(self.writes.outages, self.trigger)[1]

    @property
    def zero_loss_required(self) -> bool:
        """RDS Multi-AZ and Aurora must keep every acknowledged write; Redis only in --durable."""
        return self.target != "redis" or self.durable

    @property
    def failures(self) -> list[str]:
        found = list(self.problems) + list(self.writes.notes)
        if self.move is None:
            found.append("the endpoint did not move to another server")
        if self.writes.lost and self.zero_loss_required:
            found.append(f"{self.writes.lost} acknowledged writes lost")
        if not self.writes.acknowledged:
            # Nothing acknowledged, nothing to lose: "0 lost" would prove nothing (the load never
            # reached the primary, or in --durable no replica confirmed a write).
            found.append("no write was acknowledged, so the drill shows nothing about losses")
        return found

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        w, move = self.writes, self.move
        return {
            "workload": "failover",
            "target": self.target,
            "engine": self.engine,
            "call": self.call,
            "answeredBy": self.answered_by,
            "primary": {"before": self.primary_before, "after": self.primary_after},
            "endpoint": None
            if move is None
            else {
                "before": move.before.name,
                "after": move.after.name,
                "movedAfterSeconds": round(move.at - self.trigger, 3),
                "addressesBefore": move.addresses_before,
                "addressesAfter": move.addresses_after,
            },
            "rtoSeconds": self.rto,
            "allWritersBackSeconds": self.all_back,
            "reconnects": w.reconnects,
            "errors": w.errors,
            "durable": self.durable,
            "writes": {
                "acknowledged": w.acknowledged,
                "lost": w.lost,
                "lostExamples": w.lost_examples,
                "notConfirmedByReplica": w.not_durable,
                "committedWithoutAck": w.committed_without_ack,
            },
            "failures": self.failures,
            "ok": self.ok,
        }


def render(result: FailoverResult) -> str:
    """The text report."""
    w, move = result.writes, result.move
    lines = [
        f"failover drill: {result.target} ({result.engine})",
        f"call         {result.call}",
        f"answered by  {result.answered_by}",
        f"primary      {result.primary_before} -> {result.primary_after}",
    ]
    if move is not None:
        lines.append(
            f"endpoint     moved {move.at - result.trigger:.2f}s after the call: "
            + (
                f"{move.after.name} restarted"
                if move.after.name == move.before.name
                else f"{move.before.name} -> {move.after.name}"
            )
        )
    rto = "not measured (no write failed or moved)" if result.rto is None else f"{result.rto:.2f}s"
    lines.append(
        f"RTO          {rto} from the call to the first write the new primary acknowledged"
        + (f"; all writers back after {result.all_back:.2f}s" if result.all_back else "")
    )
    errors = ", ".join(f"{k}: {n}" for k, n in sorted(w.errors.items())) or "none"
    lines.append(f"reconnects   {w.reconnects} (errors {errors})")
    kept = "kept" if not w.lost else f"LOST {w.lost} (e.g. {', '.join(w.lost_examples[:3])})"
    lines.append(f"writes       {w.acknowledged:,} acknowledged, {kept}")
    if result.target == "redis":
        lines.append(
            "             durable mode: acknowledged after WAIT 1"
            + (f"; {w.not_durable} not confirmed by a replica" if w.not_durable else "")
            if result.durable
            else "             (asynchronous replication: --durable acknowledges after WAIT 1)"
        )
    lines += [f"FAILED: {f}" for f in result.failures] or ["passed"]
    return "\n".join(lines)
