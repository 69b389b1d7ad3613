"""The dev and prod plans equal their stored snapshots, resource for resource, input for input."""

from __future__ import annotations

import pytest

from tests.plan_snapshot import STACKS, current, stored


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_snapshot(stack: str) -> None:
    plan, snapshot = current(stack), stored(stack)
    assert [r["urn"] for r in plan["resources"]] == [r["urn"] for r in snapshot["resources"]]
    for got, want in zip(plan["resources"], snapshot["resources"], strict=True):
        assert got == want, (
            f"{got['urn']} changed; refresh with python -m tests.plan_snapshot --update if intended"
        )
    assert plan == snapshot
