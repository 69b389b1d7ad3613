"""The fuzz suite of issue 11: hostile stack files, outputs files and signals for both CLIs.

Run it alone with `.venv/bin/python -m pytest tests/fuzz`; the README's test command runs it too. Set DBTIER_FUZZ_REPORT=PATH
to also write a per-class summary (PATH.md) and every run's details (PATH.json).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CLASSES = (
    "security-bypass",
    "crash",
    "runaway",
    "silent-acceptance",
    "nonsense",
    "secrets",
    "messages",
    "outputs",
    "signals",
)


@pytest.fixture(scope="session")
def workload_stack() -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Outputs of throw-away local databases and a moto server, shared by the session (moto's
    state is per process: one server, one set of tables)."""
    from tests.fuzz.workload_engines import local_stack

    with local_stack() as pair:
        yield pair


_records: list[dict[str, Any]] = []
_clock = {"started": time.monotonic()}


def pytest_sessionstart(session: pytest.Session) -> None:
    _clock["started"] = time.monotonic()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/fuzz/" not in report.nodeid:
        return
    props = dict(report.user_properties)
    info = props.get("fuzz")
    if not isinstance(info, dict):
        if report.passed or "[" not in report.nodeid:
            return  # a test of the suite itself, not a case
        cid = report.nodeid.split("[", 1)[1].rstrip("]")
        cls = cid.split("/", 1)[0] if "/" in cid else "signals"
        info = {"id": cid, "class": cls, "line": str(report.longrepr).splitlines()[-1][:200]}
    if report.when == "call" or report.outcome != "passed":
        _records.append(
            {
                "outcome": report.outcome,
                "problems": info.get("problems") or ([] if report.passed else ["error"]),
                **info,
            }
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("DBTIER_FUZZ_REPORT")
    if not target or not _records or os.environ.get("PYTEST_XDIST_WORKER"):
        return  # under xdist the controller, which gets every worker's reports, writes it
    wall = time.monotonic() - _clock["started"]
    base = Path(target)
    base.parent.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".json").write_text(
        json.dumps({"wall_seconds": round(wall, 1), "cases": _records}, indent=1)
    )
    base.with_suffix(".md").write_text(markdown(_records, wall))


def markdown(records: list[dict[str, Any]], wall: float) -> str:
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_class[r.get("class", "?")].append(r)
    order = [c for c in CLASSES if c in by_class] + sorted(set(by_class) - set(CLASSES))
    lines = [
        "# Issue 11 fuzz suite: results",
        "",
        f"Wall time of the pytest session: {wall:.0f} s. "
        f"Cases: {len(records)}, passing: {sum(r['outcome'] == 'passed' for r in records)}, "
        f"failing: {sum(r['outcome'] != 'passed' for r in records)}.",
        "",
        "| class | cases | passing | failing |",
        "|---|---:|---:|---:|",
    ]
    for cls in order:
        group = by_class[cls]
        ok = sum(r["outcome"] == "passed" for r in group)
        lines.append(f"| {cls} | {len(group)} | {ok} | {len(group) - ok} |")
    lines.append("")
    for cls in order:
        failing = [r for r in by_class[cls] if r["outcome"] != "passed"]
        if not failing:
            continue
        lines += [f"## {cls}: {len(failing)} failing", ""]
        for r in failing:
            mem = f", {r['maxrss_mb']} MB peak" if r.get("maxrss_mb") is not None else ""
            took = f"{r['seconds']} s" if r.get("seconds") is not None else "?"
            why = "; ".join(r.get("problems") or [])
            line = str(r.get("line", "")).replace("|", "\\|")
            lines.append(f"- `{r['id']}` exit {r.get('exit')} ({took}{mem}): {line}  \n  _{why}_")
        lines.append("")
    return "\n".join(lines) + "\n"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers it when installed; without it, --strict-markers would refuse it.
    config.addinivalue_line(
        "markers", "xdist_group(name): run in the same xdist worker as the group's other tests"
    )
