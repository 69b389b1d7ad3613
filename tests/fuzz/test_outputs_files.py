"""`python -m workloads <name> --outputs FILE` on hostile outputs files (issue 11).

The valid outputs point at throw-away databases on the local engines and a moto server, made
once per session; each pytest item checks one case: exit 2, one line naming the key or file, no
traceback, no password printed. A case calls the CLI's `main(argv)` in process
(tests/fuzz/inprocess.py) unless it needs a process of its own (a sparse 1 GiB file, /dev/zero,
a named pipe: reads that must be bounded by a timeout) or is in the `END_TO_END` sample, which
`test_in_process_equals_a_real_run` also runs in process and compares.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fuzz.fuzz_harness import Case, Result, describe, problems, selected_ids
from tests.fuzz.inprocess import WORKLOAD_GROUP, CaseRuns, differences, run_in_process
from tests.fuzz.outputs_cases import AWS_FIRST, INSTANCE_ID, OutputsContext, all_cases
from tests.fuzz.workload_engines import closed_port

# One worker runs the module: its engines are made once, not once per worker.
pytestmark = pytest.mark.xdist_group(WORKLOAD_GROUP)

CASES = all_cases()
BY_ID = {c.id: c for c in CASES}
# Run as a user runs them as well, and compared with an in-process run: each kind of answer
# (the file, a section, a value, the server saying no, an unreachable port) and each workload.
END_TO_END = (
    "outputs/relational/truncated-json",
    "outputs/relational/relational-password-wrong",
    "outputs/aurora-load/port-3306x",
    "outputs/warehouse/unreachable-closed-port",
    "outputs/migration-check/aurora-missing",
    "outputs/dynamo/region-made-up",
    "outputs/redis/port-nan",
    "outputs/binlog-retention/deep-nesting",
    "outputs/failover/host-with-nul",
    "outputs/restore-drill/relational-password-masked",
)


@pytest.fixture(scope="session")
def outputs_context(
    workload_stack: tuple[dict[str, Any], list[str]],
) -> OutputsContext:
    outputs, passwords = workload_stack
    base = copy.deepcopy(outputs)
    # As a deployed stack exports it: the drills name the instance to AWS.
    base["relational"]["instanceIds"] = [INSTANCE_ID]
    return OutputsContext(
        base=base,
        secrets=passwords,
        closed_port=closed_port(),
        aws_endpoint=outputs["dynamo"]["endpointUrl"],
    )


@pytest.fixture(scope="session")
def outputs_runs(
    request: pytest.FixtureRequest, outputs_context: OutputsContext
) -> Iterator[CaseRuns]:
    """This module's runs: in process where that is the CLI's answer, else end to end."""
    runs = CaseRuns(
        CASES,
        outputs_context,
        end_to_end=END_TO_END,
        selected=selected_ids(request, __name__),
    )
    yield runs
    runs.close()


def check(case: Case, result: Result, context: OutputsContext, record_property: Any) -> None:
    case = dataclasses.replace(case, secrets=(*case.secrets, *context.secrets))
    found = problems(case, result)
    if case.argv[0] in AWS_FIRST and result.in_process:
        aws = context.aws_endpoint.rsplit(":", 1)[1]
        if any(address.endswith(f", {aws})") for address in result.connected):
            found.append("an AWS call was made before the outputs were validated")
    record_property(
        "fuzz", {"id": case.id, "class": case.cls, "problems": found, **describe(result)}
    )
    if found:
        harness = [
            ln for ln in result.stderr.decode(errors="replace").splitlines() if "[harness]" in ln
        ]
        shown = "\n  ".join([result.summary_line(), *harness])
        pytest.fail(f"{case.id}: {'; '.join(found)}\n  output: {shown}", False)


# No per-case xdist group: every case stays in the module's (the engines are made once).
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_outputs_case(
    case: Case,
    outputs_runs: CaseRuns,
    outputs_context: OutputsContext,
    record_property: Any,
) -> None:
    check(case, outputs_runs.result(case), outputs_context, record_property)


@pytest.mark.parametrize("cid", END_TO_END)
def test_in_process_equals_a_real_run(
    cid: str, outputs_runs: CaseRuns, outputs_context: OutputsContext
) -> None:
    case = BY_ID[cid]
    real, here = outputs_runs.result(case), run_in_process(case, outputs_context)
    assert (real.in_process, here.in_process) == (False, True)
    assert differences(real, here) == []


def test_the_drills_reach_aws_with_the_valid_outputs(outputs_context: OutputsContext) -> None:
    """The AWS check above can fail: with the session's outputs as they are, each drill gets
    past the outputs and calls AWS (moto, which knows no such instance: exit 2)."""
    port = outputs_context.aws_endpoint.rsplit(":", 1)[1]
    for workload in sorted(AWS_FIRST):
        case = next(c for c in CASES if c.argv[0] == workload)
        valid = dataclasses.replace(case, files=lambda ctx: {"outputs.json": ctx.base_json()})
        done = run_in_process(valid, outputs_context)
        assert any(a.endswith(f", {port})") for a in done.connected), done.summary_line()
        assert done.returncode == 2, done.summary_line()


def test_at_least_110_cases_over_every_workload() -> None:
    assert len(CASES) >= 110
    assert {c.argv[0] for c in CASES} == {
        "relational",
        "aurora-load",
        "warehouse",
        "migration-check",
        "binlog-retention",
        "dynamo",
        "redis",
        "failover",
        "restore-drill",
    }
