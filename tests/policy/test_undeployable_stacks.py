"""Stack files that AWS would refuse, or that would deploy and silently not work.

Each fixture in tests/fixtures/undeployable/ is a whole `Pulumi.<stack>.yaml` whose first line
reads `# expect: <text>`, the text (usually the `dbtier:` key that fixes it) the preflight must
name. The preflight runs as a user runs it, on a project directory holding that stack file next
to the repository's program, and must exit non-zero: 2 when config validation refuses the
value, 1 when the policy pack's deployability rules do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "undeployable"
# What a project directory needs besides the stack file: the program and what it imports.
PROGRAM = ("__main__.py", "components", "contract", "lambdas", "policy")
CASES = sorted(p.stem for p in FIXTURES.glob("*.yaml"))


def expectation(name: str) -> str:
    first = (FIXTURES / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{name}.yaml must start with '# expect: <text>'"
    return first.removeprefix("# expect: ").strip()


def run_case(name: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    project = workdir / name
    project.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    for entry in PROGRAM:
        (project / entry).symlink_to(ROOT / entry)
    shutil.copy(FIXTURES / f"{name}.yaml", project / f"Pulumi.{name}.yaml")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "--stack",
            name,
            "--project-dir",
            str(project),
            "--policy-pack",
            str(ROOT / "policy"),
            "--policy-config",
            str(ROOT / "policy/config/dev.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@cache
def results(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every fixture's preflight, two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(lambda n: run_case(n, workdir), CASES), strict=True))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("undeployable")


def test_there_are_at_least_thirty_fixtures() -> None:
    assert len(CASES) >= 30, CASES


@pytest.mark.parametrize("name", CASES)
def test_preflight_refuses_and_names_the_fix(name: str, workdir: Path) -> None:
    done = results(workdir)[name]
    output = done.stdout + done.stderr
    assert done.returncode in (1, 2), f"exit {done.returncode}: {output[-2000:]}"
    assert "Traceback" not in output
    assert expectation(name) in output, output[-2000:]
