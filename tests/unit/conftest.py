"""Fixtures for the unit tests: plans of the real stacks on the shared mocks (preflight.mocks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from preflight.plan import SECRET_SIG, Plan, PlannedResource, RecordingMonitor, plan_stack
from tests.policy.plans import shared_plan


@pytest.fixture(scope="session")
def dev_plan() -> Plan:
    return shared_plan("dev")  # planned once per worker, with the policy tests' plans


@pytest.fixture(scope="session")
def prod_plan() -> Plan:
    return shared_plan("prod")


@pytest.fixture
def plan_with() -> Callable[..., Plan]:
    """Plan a stack with whole config keys replaced: plan_with("dev", relational={...})."""

    def run(stack: str = "dev", **keys: Mapping[str, Any] | bool | None) -> Plan:
        return plan_stack(stack, config_overrides={f"dbtier:{k}": v for k, v in keys.items()})

    return run


@pytest.fixture
def ignore_changes(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Each registration's ignoreChanges by resource name, for plans made while it is active
    (by name; each PlannedResource also keeps its own, `ignore_changes`)."""
    seen: dict[str, list[str]] = {}
    original = RecordingMonitor.RegisterResource

    def register(self: Any, request: Any) -> Any:
        seen[request.name] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", register)
    yield seen


def of_type(plan: Plan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


def one(plan: Plan, type_: str, name: str | None = None) -> PlannedResource:
    found = [r for r in of_type(plan, type_) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
    return found[0]


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value
