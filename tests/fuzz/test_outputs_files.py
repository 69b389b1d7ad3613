"""`python -m workloads <name> --outputs FILE` on hostile outputs files (issue 11).

The valid outputs point at throw-away databases on the local engines and a moto server, made
once per session; every case runs once, concurrently, in a bounded subprocess; each pytest item
checks one case: exit 2, one line naming the key or file, no traceback, no password printed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.fuzz.fuzz_harness import Case, Result, describe, problems, run_all, selected_ids
from tests.fuzz.inprocess import WORKLOAD_GROUP
from tests.fuzz.outputs_cases import OutputsContext, all_cases
from tests.fuzz.workload_engines import closed_port

# One worker runs the module: its batch (and the engines it needs) once, not once per worker.
pytestmark = pytest.mark.xdist_group(WORKLOAD_GROUP)

CASES = all_cases()


@pytest.fixture(scope="session")
def outputs_context(
    workload_stack: tuple[dict[str, Any], list[str]],
) -> OutputsContext:
    outputs, passwords = workload_stack
    return OutputsContext(base=outputs, secrets=passwords, closed_port=closed_port())


@pytest.fixture(scope="session")
def outputs_results(
    request: pytest.FixtureRequest, outputs_context: OutputsContext
) -> dict[str, Result]:
    wanted = selected_ids(request, __name__)
    return run_all([c for c in CASES if c.id in wanted], outputs_context)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outputs_case(
    case: Case,
    outputs_results: dict[str, Result],
    outputs_context: OutputsContext,
    record_property: Any,
) -> None:
    case = dataclasses.replace(case, secrets=(*case.secrets, *outputs_context.secrets))
    result = outputs_results[case.id]
    found = problems(case, result)
    record_property(
        "fuzz", {"id": case.id, "class": case.cls, "problems": found, **describe(result)}
    )
    if found:
        pytest.fail(f"{case.id}: {'; '.join(found)}\n  output: {result.summary_line()}", False)


def test_at_least_110_cases_over_every_workload() -> None:
    assert len(CASES) >= 110
    assert {c.argv[0] for c in CASES} == {
        "relational",
        "aurora-load",
        "warehouse",
        "migration-check",
        "dynamo",
        "redis",
    }
