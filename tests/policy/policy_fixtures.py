"""Helpers for the policy and preflight tests: synthetic resources and plans, the session's
running pack, and the preflight run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from preflight.client import PolicyPackProcess, analyze_plan, pack_environment
from preflight.plan import Plan, PlannedResource
from preflight.policy import DEFAULT_PACK_DIR, PolicyReport
from tests.fuzz.fuzz_harness import Case
from tests.fuzz.inprocess import run_in_process

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "dbtier"
STACK = "test"
ALL_MANDATORY: dict[str, Any] = {"all": "mandatory"}


def run_preflight(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m preflight ARGS`` from the repository root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def preflight_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m preflight ARGS`` as `run_preflight` gives it, but its ``main(argv)`` called
    in this process (tests/fuzz/inprocess.py: output, exit code, environment and children as a
    subprocess would have them), for tests about what the preflight answers, not how it starts."""
    done = run_in_process(
        Case(id="preflight", module="preflight", argv=args, files={}, timeout=300)
    )
    return subprocess.CompletedProcess(
        ["python", "-m", "preflight", *args],
        done.returncode if done.returncode is not None else -1,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def urn(type_: str, name: str, stack: str = STACK) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def resource(
    type_: str,
    name: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    protect: bool = False,
    deps: Mapping[str, Sequence[PlannedResource]] | None = None,
    ignore_changes: Sequence[str] = (),
) -> PlannedResource:
    """A PlannedResource; ``deps`` maps an input name to the resources its value came from."""
    property_dependencies = {k: [d.urn for d in v] for k, v in (deps or {}).items()}
    dependencies = sorted({u for urns in property_dependencies.values() for u in urns})
    return PlannedResource(
        urn=urn(type_, name),
        type=type_,
        name=name,
        parent="",
        inputs=dict(inputs or {}),
        protect=protect,
        custom=True,
        provider="",
        dependencies=dependencies,
        property_dependencies=property_dependencies,
        ignore_changes=list(ignore_changes),
    )


def with_inputs(r: PlannedResource, **changes: Any) -> PlannedResource:
    """A copy of ``r`` with inputs changed; a value of ``None`` removes the input."""
    inputs = dict(r.inputs)
    for key, value in changes.items():
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value
    return replace(r, inputs=inputs)


def make_plan(resources: Sequence[PlannedResource], stack: str = STACK) -> Plan:
    return Plan(stack=stack, project=PROJECT, config={}, resources=list(resources), outputs={})


class Pack:
    """The session's running pack: ``pack.run(resources, config)`` -> PolicyReport."""

    def __init__(self, process: PolicyPackProcess) -> None:
        self.process = process

    def run(
        self, resources: Sequence[PlannedResource] | Plan, config: Mapping[str, Any] | None = None
    ) -> PolicyReport:
        plan = resources if isinstance(resources, Plan) else make_plan(resources)
        return analyze_plan(self.process, plan, ALL_MANDATORY if config is None else config)


@pytest.fixture(scope="session")
def pack() -> Iterator[Pack]:
    env = pack_environment(make_plan([]))
    with PolicyPackProcess(DEFAULT_PACK_DIR, env, remember_answers=True) as process:
        yield Pack(process)
