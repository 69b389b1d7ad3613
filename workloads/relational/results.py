"""What a ``relational`` run found, whatever the engine: the users on each endpoint, each
reader's replica lag, and (PostgreSQL) what the engine itself says about replication."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workloads.common import EXIT_BAD_INPUT, check_exit_code


@dataclass(frozen=True)
class UserRow:
    """One row of ``users`` as shown in the report."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class UserCount:
    """The number of users one endpoint sees and the first few of them (by id)."""

    count: int
    sample: tuple[UserRow, ...]


@dataclass(frozen=True)
class Replay:
    """A PostgreSQL reader's own account of its replication, read on the reader right after it
    saw the marker: whether it is a standby (``pg_is_in_recovery()``) and, if so, how far its
    replay is behind (0 when everything received is replayed, else the age of the last replayed
    transaction, ``pg_last_xact_replay_timestamp()``: how RDS computes ``ReplicaLag``)."""

    standby: bool
    lag_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {"standby": self.standby, "replayLagSeconds": self.lag_seconds}


@dataclass(frozen=True)
class Standby:
    """One standby as the PostgreSQL primary sees it (a row of ``pg_stat_replication``). Without
    the ``pg_monitor`` role (RDS's master user has it) PostgreSQL hides all but its name:
    ``state`` and the lag are then None."""

    client: str
    state: str | None
    replay_lag_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "state": self.state,
            "replayLagSeconds": self.replay_lag_seconds,
        }


@dataclass
class ReaderReport:
    """What one reader showed; ``error`` instead when it was unreachable."""

    host: str
    users: UserCount | None = None
    lag_seconds: float | None = None  # None: the marker row did not arrive in time
    error: str | None = None
    replay: Replay | None = None  # PostgreSQL only

    def to_json(self) -> dict[str, Any]:
        if self.users is None:
            return {"host": self.host, "error": self.error}
        out = {"host": self.host, **users_json(self.users), "lagSeconds": self.lag_seconds}
        if self.replay is not None:
            out["replication"] = self.replay.to_json()
        return out


def users_json(users: UserCount) -> dict[str, Any]:
    return {"count": users.count, "sample": [vars(r) for r in users.sample]}


@dataclass
class RelationalResult:
    """The outcome of one ``relational`` run."""

    engine: str
    server: str
    inserted: int
    already_present: int
    primary_host: str
    primary_users: UserCount
    lag_timeout: float
    readers: list[ReaderReport] = field(default_factory=list)
    standbys: list[Standby] | None = None  # PostgreSQL: the primary's pg_stat_replication
    # With --region: the region whose cross-region replica was the reader, and what stood in
    # for it locally.
    region: str | None = None
    region_note: str | None = None

    @property
    def unreachable(self) -> bool:
        return any(r.users is None for r in self.readers)

    @property
    def lagging(self) -> list[str]:
        """Readers that did not see the marker row in time."""
        return [r.host for r in self.readers if r.users is not None and r.lag_seconds is None]

    @property
    def ok(self) -> bool:
        return not self.lagging and not self.unreachable

    @property
    def problem(self) -> str | None:
        if not self.lagging:
            return None
        behind = [
            r.host
            for r in self.readers
            if r.users is not None
            and r.users.count < self.primary_users.count
            and r.lag_seconds is None
        ]
        return (
            f"reader(s) {', '.join(self.lagging)} did not see the marker row within "
            f"{self.lag_timeout:g}s" + (f"; behind on users: {', '.join(behind)}" if behind else "")
        )

    @property
    def exit_code(self) -> int:
        return EXIT_BAD_INPUT if self.unreachable else check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        primary: dict[str, Any] = {"host": self.primary_host, **users_json(self.primary_users)}
        if self.standbys is not None:
            primary["standbys"] = [s.to_json() for s in self.standbys]
        out: dict[str, Any] = {
            "workload": "relational",
            "engine": self.engine,
            "server": self.server,
            "users": {"inserted": self.inserted, "alreadyPresent": self.already_present},
            "primary": primary,
            "readers": [r.to_json() for r in self.readers],
            "ok": self.ok,
        }
        if self.region:
            out["region"] = self.region
        if self.region_note:
            out["regionNote"] = self.region_note
        if self.problem:
            out["problem"] = self.problem
        return out
