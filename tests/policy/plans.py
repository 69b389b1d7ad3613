"""Plans of the repository's stacks, made once per test session and shared by the policy tests.

Many modules plan the same stack (`prod` most of all; each used to keep its own `plan_stack`
cache), and a plan takes seconds. `shared_plan` makes each (stack, overrides) once per process
and hands every caller its own deep copy, so a test that edits a plan cannot change another's.
Under pytest-xdist each worker is a process with its own cache.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from typing import Any

from preflight.plan import Plan, plan_stack

_plans: dict[str, Plan] = {}
_lock = threading.Lock()


def shared_plan(stack: str, overrides: Mapping[str, Any] | None = None) -> Plan:
    """`plan_stack(stack, config_overrides=overrides)`, planned once per session; a copy."""
    key = json.dumps([stack, dict(overrides or {})], sort_keys=True)
    with _lock:  # the SDK's runtime is global: one plan at a time
        if key not in _plans:
            _plans[key] = plan_stack(stack, config_overrides=overrides)
        return copy.deepcopy(_plans[key])
