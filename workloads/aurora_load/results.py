"""What an aurora-load run did and proved: its settings, the merged throughput and latency, the
per-second series, and the final check that every acknowledged insert is in the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workloads.common import check_exit_code


@dataclass(frozen=True)
class LoadSettings:
    """How to load: workers and their kind, how long or how much, the mix and the pace."""

    table: str = "dbtier_load"
    workers: int = 5
    mode: str = "threads"  # or "processes"
    duration: float | None = None  # seconds; neither this nor ops: 30 seconds
    ops: int | None = None  # operations in total, split across the workers
    mix: int = 50  # percent of operations that are inserts
    rate: float | None = None  # target operations/s across the workers


@dataclass(frozen=True)
class Latency:
    """Operation latency in milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Second:
    """What all workers did in one second of the run."""

    second: int
    inserts: int
    reads: int
    errors: int


@dataclass(frozen=True)
class Summary:
    """The workers' results merged: totals, throughput, latency, errors and a per-second series."""

    seconds: float
    inserts: int
    reads: int
    latency_ms: Latency
    errors: dict[str, int]
    reconnects: int
    credential_renewals: int
    confirmed_by_duplicate: int
    per_second: list[Second]

    @property
    def operations(self) -> int:
        return self.inserts + self.reads

    def per_second_rate(self, count: int) -> float:
        return round(count / self.seconds, 1) if self.seconds else 0.0


@dataclass(frozen=True)
class LostInserts:
    """Acknowledged inserts of one worker that are not in the table."""

    missing: int
    first_missing_seq: list[int]


@dataclass(frozen=True)
class Verification:
    """The final check: every acknowledged insert must be in the table."""

    acked_by_worker: dict[int, int]
    lost_by_worker: dict[int, LostInserts]
    committed_without_ack: int

    @property
    def acknowledged(self) -> int:
        return sum(self.acked_by_worker.values())

    @property
    def lost(self) -> int:
        return sum(v.missing for v in self.lost_by_worker.values())


@dataclass
class LoadResult:
    """The outcome of one aurora-load run."""

    engine: str
    run_id: int
    settings: LoadSettings
    driver: str
    summary: Summary
    verification: Verification
    fatal_errors: list[str]
    deleted_rows: int | None = None
    credentials: str = "outputs"  # where the credentials in use at the end came from
    # With --region: the secondary region read from, and what stood in for it locally.
    region: str | None = None
    region_note: str | None = None

    @property
    def ok(self) -> bool:
        return self.verification.lost == 0 and not self.fatal_errors

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        s, v = self.summary, self.verification
        out: dict[str, Any] = {
            "workload": "aurora-load",
            "engine": self.engine,
            "runId": self.run_id,
            "table": self.settings.table,
            "workers": self.settings.workers,
            "mode": self.settings.mode,
            "driver": self.driver,
            "mixInsertPercent": self.settings.mix,
            **({"region": self.region} if self.region else {}),
            **({"regionNote": self.region_note} if self.region_note else {}),
            "targetRate": self.settings.rate,
            "seconds": round(s.seconds, 3),
            "operations": s.operations,
            "inserts": s.inserts,
            "reads": s.reads,
            "throughput": {
                "opsPerSecond": s.per_second_rate(s.operations),
                "insertsPerSecond": s.per_second_rate(s.inserts),
                "readsPerSecond": s.per_second_rate(s.reads),
            },
            "latencyMs": vars(s.latency_ms),
            "errors": s.errors,
            "reconnects": s.reconnects,
            "credentials": {"source": self.credentials, "renewals": s.credential_renewals},
            "confirmedByDuplicate": s.confirmed_by_duplicate,
            "perSecond": [vars(p) for p in s.per_second],
            "verification": {
                "acknowledged": v.acknowledged,
                "ackedByWorker": {str(k): n for k, n in v.acked_by_worker.items()},
                "lost": v.lost,
                "lostByWorker": {
                    str(k): {"missing": x.missing, "firstMissingSeq": x.first_missing_seq}
                    for k, x in v.lost_by_worker.items()
                },
                "committedWithoutAck": v.committed_without_ack,
            },
            "fatalErrors": self.fatal_errors,
        }
        if self.deleted_rows is not None:
            out["deletedRows"] = self.deleted_rows
        out["ok"] = self.ok
        return out
