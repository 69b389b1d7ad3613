"""`python -m preflight` on hostile stack files, project files and arguments (issue 11).

Each pytest item checks one case. A case that needs a process of its own (runaway inputs under a
memory and time limit, named pipes, the `END_TO_END` sample) runs in a bounded subprocess of the
session's pool (fuzz_harness); every other case calls the CLI's `main(argv)` in process
(tests/fuzz/inprocess.py), and `test_in_process_equals_a_real_run` shows, on the sample, that
both ways give the same answer. Ids are `<class>/<case>`, e.g. `crash/yaml-date-tag-value`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fuzz.fuzz_harness import Case, Result, describe, problems, selected_ids
from tests.fuzz.inprocess import GROUP, CaseRuns, case_params, differences, run_in_process
from tests.fuzz.stack_cases import all_cases

CASES = all_cases()
BY_ID = {c.id: c for c in CASES}
# Run as a user runs them as well: one case of each class that in-process runs answer, a stack
# that plans and passes (exit 0), one a deployability rule may refuse (exit 1 or 2), and argument
# errors; test_in_process_equals_a_real_run compares them with an in-process run (the commit that
# made the in-process runs compared every one of them so).
END_TO_END = (
    "security-bypass/two-ipv4-halves",
    "crash/yaml-date-tag-value",
    "crash/stack-file-symlink-loop",
    "crash/output-is-a-directory",
    "crash/policy-config-invalid-json",
    "silent-acceptance/yaml-1-1-multi-az-off",
    "nonsense/relational-instance-class-made-up",
    "nonsense/stack-name-underscore",
    "secrets/password-as-cidr",
    "messages/value-100000-chars",
)


@pytest.fixture(scope="session")
def stack_runs(request: pytest.FixtureRequest) -> Iterator[CaseRuns]:
    """This module's runs; the pool runs the selected cases that need a process (all of them
    unless -k narrowed it), started when the first of them is checked."""
    runs = CaseRuns(CASES, end_to_end=END_TO_END, selected=selected_ids(request, __name__))
    yield runs
    runs.close()


def check(case: Case, result: Result, record_property: Any) -> None:
    found = problems(case, result)
    record_property(
        "fuzz", {"id": case.id, "class": case.cls, "problems": found, **describe(result)}
    )
    if found:
        pytest.fail(f"{case.id}: {'; '.join(found)}\n  output: {result.summary_line()}", False)


@pytest.mark.parametrize("case", case_params(CASES, END_TO_END))
def test_stack_case(case: Case, stack_runs: CaseRuns, record_property: Any) -> None:
    check(case, stack_runs.result(case), record_property)


@pytest.mark.xdist_group(GROUP)
@pytest.mark.parametrize("cid", END_TO_END)
def test_in_process_equals_a_real_run(cid: str, stack_runs: CaseRuns) -> None:
    case = BY_ID[cid]
    real = stack_runs.result(case)
    assert not real.in_process
    here = run_in_process(case)
    assert here.in_process
    assert differences(real, here) == []
    assert problems(case, here) == problems(case, real)


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
