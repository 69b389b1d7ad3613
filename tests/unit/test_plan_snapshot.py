"""The dev and prod plans equal their stored snapshots, resource for resource, input for input; a
mismatch names what changed (a resource added or removed, an input's path with its old and new
value) instead of two whole plans."""

from __future__ import annotations

import copy

import pytest

from tests.plan_snapshot import STACKS, current, diff, stored


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_snapshot(stack: str) -> None:
    plan, snapshot = current(stack), stored(stack)
    changes = diff(snapshot, plan)
    assert not changes, (
        f"the {stack} plan differs from tests/fixtures/plans/{stack}.json"
        " (refresh with python -m tests.plan_snapshot --update if intended):\n"
        + "\n".join(changes[:40])
        + (f"\n... and {len(changes) - 40} more" if len(changes) > 40 else "")
    )
    assert plan == snapshot


def test_a_snapshot_mismatch_names_each_change() -> None:
    snapshot = stored("dev")
    plan = copy.deepcopy(snapshot)
    changed = next(
        r for r in plan["resources"] if any(isinstance(v, str) for v in r["inputs"].values())
    )
    gone = next(r for r in plan["resources"] if r is not changed)
    plan["resources"].remove(gone)
    plan["resources"].append({**changed, "urn": changed["urn"] + "-new"})
    changed["inputs"]["added"] = {"deep": [1, 2]}
    key, old = next((k, v) for k, v in changed["inputs"].items() if isinstance(v, str))
    changed["inputs"][key] = "other"
    plan["outputs"]["extra"] = "x"
    changes = diff(snapshot, plan)
    assert changes == [
        f"+ {changed['urn']}-new",
        f"- {gone['urn']}",
        '~ outputs.extra: added "x"',
        f'~ {changed["urn"]}: inputs.added: added {{"deep": [1, 2]}}',
        f'~ {changed["urn"]}: inputs.{key}: "{old}" -> "other"',
    ]
    assert diff(snapshot, copy.deepcopy(snapshot)) == []
