"""Stack files that AWS would refuse, or that would deploy and silently not work.

Each fixture in tests/fixtures/undeployable/ is a whole `Pulumi.<stack>.yaml` whose first line
reads `# expect: <text>`, the text (usually the `dbtier:` key that fixes it) the preflight must
name. The preflight runs as a user runs it, on a project directory holding that stack file next
to the repository's program, and must exit non-zero: 2 when config validation refuses the
value, 1 when the policy pack's deployability rules do.

The CLI's `main(argv)` is called in process (tests/fuzz/inprocess.py: its output, exit code,
environment and children as a subprocess would have them); `test_in_process_equals_a_real_run`
runs one fixture both ways and compares them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.fuzz_harness import Case, Symlink, run_case
from tests.fuzz.inprocess import differences, run_in_process
from tests.policy.policy_fixtures import Pack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "undeployable"
# What a project directory needs besides the stack file: the program and what it imports.
PROGRAM = ("__main__.py", "components", "contract", "lambdas", "policy")
CASES = sorted(p.stem for p in FIXTURES.glob("*.yaml"))


def expectation(name: str) -> str:
    first = (FIXTURES / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{name}.yaml must start with '# expect: <text>'"
    return first.removeprefix("# expect: ").strip()


def case(name: str) -> Case:
    """The preflight of fixture `name` in a project directory of its own."""
    files: dict[str, bytes | Symlink] = {
        "Pulumi.yaml": (ROOT / "Pulumi.yaml").read_bytes(),
        f"Pulumi.{name}.yaml": (FIXTURES / f"{name}.yaml").read_bytes(),
    }
    files.update({entry: Symlink(str(ROOT / entry)) for entry in PROGRAM})
    return Case(
        id=name,
        module="preflight",
        argv=(
            "--stack",
            name,
            "--project-dir",
            "{dir}",
            "--policy-pack",
            str(ROOT / "policy"),
            "--policy-config",
            str(ROOT / "policy/config/dev.json"),
        ),
        files=files,
        timeout=120,
    )


def test_there_are_at_least_thirty_fixtures() -> None:
    assert len(CASES) >= 30, CASES


@pytest.mark.parametrize("name", CASES)
def test_preflight_refuses_and_names_the_fix(name: str) -> None:
    done = run_in_process(case(name))
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode in (1, 2), f"exit {done.returncode}: {output[-2000:]}"
    assert "Traceback" not in output
    assert expectation(name) in output, output[-2000:]


def test_in_process_equals_a_real_run() -> None:
    one = case(CASES[0])
    real, here = run_case(one), run_in_process(one)
    assert (real.in_process, here.in_process) == (False, True)
    assert differences(real, here) == []


def test_a_pack_running_beside_the_run_is_not_counted_as_its_leak(pack: Pack) -> None:
    """The session's shared pack is registered as a live pack while an in-process run happens:
    only what the run itself registered and left is a leak (seen once as a false failure)."""
    done = run_in_process(case(CASES[0]))
    assert done.returncode == 2
    assert b"[harness]" not in done.stderr, done.stderr
    assert done.left_running == []
