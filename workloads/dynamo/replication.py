"""Replication between the regions of a global table, as a client sees it: write probe items in
one region, poll every other region until each item is there, and report the lag observed.

The lag is measured from the acknowledged write to the first read that returns the item
(eventually consistent, as an application in that region reads), so it includes one poll
interval at most. Against AWS it is DynamoDB's replication (typically about a second); against
the local stand-in it is whatever the stand-in's replicator does, and the report says so.
The probe items are deleted at the end (the deletes replicate too), so a run leaves nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workloads.common import percentile

PROBE_PREFIX = "dbtier-replication-probe"
# A stand-in value of each key type, for a table whose sort key is part of the probe's key.
_KEY_VALUES = {"S": {"S": "probe"}, "N": {"N": "0"}, "B": {"B": b"probe"}}


@dataclass(frozen=True)
class RegionLag:
    """What one receiving region showed: how many probes arrived and after how long."""

    region: str
    sent: int
    lags: tuple[float, ...]

    @property
    def ok(self) -> bool:
        return len(self.lags) == self.sent

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region": self.region, "sent": self.sent, "seen": len(self.lags)}
        if self.lags:
            out["lagSeconds"] = {
                "min": round(min(self.lags), 3),
                "median": round(percentile(sorted(self.lags), 50), 3),
                "max": round(max(self.lags), 3),
            }
        return out


@dataclass(frozen=True)
class ReplicationResult:
    """The lag from the region written to each other region of one table."""

    table: str
    source: str
    regions: tuple[RegionLag, ...]
    timeout: float
    stand_in: str | None = None  # who replicates when it is not DynamoDB (a local run)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "source": self.source,
            "replicatedBy": self.stand_in or "DynamoDB global tables",
            "timeoutSeconds": self.timeout,
            "regions": [r.to_json() for r in self.regions],
            "ok": self.ok,
            "problems": self.problems,
        }


def probe_key(describe: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The key of one probe item in a table described by DescribeTable: the hash key (a
    string) carries `name`, a sort key takes a fixed value of its type."""
    types = {a["AttributeName"]: a["AttributeType"] for a in describe["AttributeDefinitions"]}
    key: dict[str, Any] = {}
    for part in describe["KeySchema"]:
        attribute = part["AttributeName"]
        if part["KeyType"] == "HASH":
            if types[attribute] != "S":
                raise ValueError(f"hash key {attribute} is {types[attribute]}, probes need S")
            key[attribute] = {"S": name}
        else:
            key[attribute] = _KEY_VALUES[types[attribute]]
    return key


def check_replication(
    source: Any,
    replicas: Mapping[str, Any],
    table: str,
    *,
    source_region: str,
    items: int = 5,
    timeout: float = 30.0,
    poll: float = 0.05,
    stand_in: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ReplicationResult:
    """Write `items` probes through `source` (a DynamoDB client of `source_region`) and poll
    each client of `replicas` (region -> client) until it has read every one, or `timeout`
    seconds after the last write."""
    describe = source.describe_table(TableName=table)["Table"]
    run = uuid.uuid4().hex[:12]
    keys = [probe_key(describe, f"{PROBE_PREFIX}-{run}-{i}") for i in range(items)]
    written: list[float] = []
    try:
        for i, key in enumerate(keys):
            source.put_item(TableName=table, Item={**key, "probe": {"N": str(i)}})
            written.append(clock())
        seen: dict[str, dict[int, float]] = {region: {} for region in replicas}
        deadline = clock() + timeout
        while clock() < deadline and any(len(s) < items for s in seen.values()):
            for region, client in replicas.items():
                for i, key in enumerate(keys):
                    if i in seen[region]:
                        continue
                    if "Item" in client.get_item(TableName=table, Key=key):
                        seen[region][i] = clock() - written[i]
            if any(len(s) < items for s in seen.values()):
                time.sleep(poll)
    finally:
        for key in keys[: len(written)]:
            source.delete_item(TableName=table, Key=key)
    lags = tuple(
        RegionLag(region, items, tuple(seen[region][i] for i in sorted(seen[region])))
        for region in replicas
    )
    problems = [
        f"{lag.region}: {items - len(lag.lags)} of {items} probes not replicated after {timeout:g} s"
        for lag in lags
        if not lag.ok
    ]
    return ReplicationResult(table, source_region, lags, timeout, stand_in, problems)
