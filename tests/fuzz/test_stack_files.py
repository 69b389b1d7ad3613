"""`python -m preflight` on hostile stack files, project files and arguments (issue 11).

Every case runs once per session, concurrently, in a bounded subprocess (fuzz_harness); each
pytest item checks one case's recorded run. Ids are `<class>/<case>`, e.g.
`crash/yaml-date-tag-value`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fuzz.fuzz_harness import Case, Result, describe, problems, run_all, selected_ids
from tests.fuzz.stack_cases import all_cases

CASES = all_cases()
BY_ID = {c.id: c for c in CASES}


@pytest.fixture(scope="session")
def stack_results(request: pytest.FixtureRequest) -> dict[str, Result]:
    """Run the selected cases of this module (all of them unless -k narrowed it) once."""
    wanted = selected_ids(request, __name__)
    return run_all([c for c in CASES if c.id in wanted])


def check(case: Case, result: Result, record_property: Any) -> None:
    found = problems(case, result)
    record_property(
        "fuzz", {"id": case.id, "class": case.cls, "problems": found, **describe(result)}
    )
    if found:
        pytest.fail(f"{case.id}: {'; '.join(found)}\n  output: {result.summary_line()}", False)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_stack_case(case: Case, stack_results: dict[str, Result], record_property: Any) -> None:
    check(case, stack_results[case.id], record_property)


def test_at_least_330_cases_covering_every_class() -> None:
    classes = {c.cls for c in CASES}
    assert len(CASES) >= 330
    assert classes >= {
        "security-bypass",
        "crash",
        "runaway",
        "silent-acceptance",
        "nonsense",
        "secrets",
        "messages",
    }
