"""SIGINT and SIGTERM mid-run, for the preflight and every workload (issue 11).

SIGINT goes to the whole process group, as Ctrl-C in a terminal sends it; SIGTERM goes to the
CLI's process only, as `kill PID`, a container stop or a CI runner's cancel sends it. Either way
the CLI must stop promptly with exit 130 (SIGINT, README) or 143 (SIGTERM, 128 + 15), print
exactly one line and no traceback, and leave no process behind: no `pulumi.policy` pack, no
loader, generator or worker process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz.fuzz_harness import (
    MEMORY_LIMIT,
    PYTHON,
    ROOT,
    _limits,
    child_env,
    descendants,
)
from tests.fuzz.inprocess import WORKLOAD_GROUP
from tests.fuzz.stack_cases import PREFIX, PROGRAM, PROJECT, STACK_FILE, stack_text

# One worker runs the module: its batch (and the engines it needs) once, not once per worker.
pytestmark = pytest.mark.xdist_group(WORKLOAD_GROUP)

EXPECTED = {signal.SIGINT: 130, signal.SIGTERM: 143}
SIGNALS = (signal.SIGINT, signal.SIGTERM)
EXIT_WAIT = 15.0  # seconds the CLI has to stop after the signal
REAP_WAIT = 5.0  # seconds its children have to be gone after it exits
SIGNAL_WORKERS = 4  # scenarios at once: they mostly wait, for a server or for their moment


@dataclass
class Run:
    rc: int | None
    stdout: str
    stderr: str
    elapsed: float
    survivors: list[str]
    seen: list[str]
    note: str = ""


def signal_run(
    argv: list[str],
    sig: signal.Signals,
    ready: Callable[[subprocess.Popen[bytes], float], bool],
    *,
    start_timeout: float = 60.0,
) -> Run:
    """Start `python -m ARGV`, wait until `ready(proc, seconds)`, send `sig`, watch it stop."""
    assert MEMORY_LIMIT
    with tempfile.TemporaryDirectory(prefix="dbtier-sig-") as tmp:
        out_path, err_path = Path(tmp, "out"), Path(tmp, "err")
        with open(out_path, "w+b") as out, open(err_path, "w+b") as err:
            began = time.monotonic()
            proc = subprocess.Popen(
                [PYTHON, "-m", *argv],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=child_env(),
                preexec_fn=_limits,  # noqa: PLW1509 -- only setrlimit calls, no locks
                start_new_session=True,
            )
            seen: dict[int, str] = {}
            note = ""
            try:
                while True:
                    for pid, cmd in descendants(proc.pid):
                        seen[pid] = cmd  # the latest: a child is seen before its exec too
                    if proc.poll() is not None:
                        note = "the run ended before it was ready for the signal"
                        break
                    if ready(proc, time.monotonic() - began):
                        break
                    if time.monotonic() - began > start_timeout:
                        note = "never became ready for the signal"
                        break
                    time.sleep(0.02)
                if proc.poll() is None:
                    for pid, cmd in descendants(proc.pid):
                        seen[pid] = cmd  # the latest: a child is seen before its exec too
                    if sig == signal.SIGINT:
                        os.killpg(proc.pid, sig)  # Ctrl-C: the foreground process group
                    else:
                        os.kill(proc.pid, sig)  # kill PID / CI cancel: the process itself
                    sent = time.monotonic()
                    try:
                        proc.wait(timeout=EXIT_WAIT)
                    except subprocess.TimeoutExpired:
                        note = f"still running {EXIT_WAIT:.0f}s after the signal"
                    elapsed = time.monotonic() - sent
                else:
                    elapsed = 0.0
                deadline = time.monotonic() + REAP_WAIT
                alive = _alive(seen)
                while alive and time.monotonic() < deadline:
                    time.sleep(0.1)
                    alive = _alive(seen)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                for pid in _alive(seen):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            out.seek(0)
            err.seek(0)
            return Run(
                rc=proc.returncode,
                stdout=out.read(1 << 20).decode("utf-8", "replace"),
                stderr=err.read(1 << 20).decode("utf-8", "replace"),
                elapsed=elapsed,
                survivors=[f"{pid} {seen[pid][:100]}" for pid in alive],
                seen=[f"{pid} {cmd[:100]}" for pid, cmd in seen.items()],
                note=note,
            )


def _alive(pids: dict[int, str]) -> list[int]:
    alive = []
    for pid, cmd in pids.items():
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                now = handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] != "Z" and now == cmd:  # same process, not a reused pid
            alive.append(pid)
    return alive


def judge(run: Run, sig: signal.Signals, prefix: str) -> list[str]:
    found = []
    if run.note:
        found.append(run.note)
    if run.rc != EXPECTED[sig]:
        found.append(f"exit {run.rc}, expected {EXPECTED[sig]}")
    lines = [ln for ln in run.stderr.split("\n") if ln.strip()]
    if len(lines) != 1:
        found.append(f"{len(lines)} lines on stderr, expected exactly 1")
    elif not lines[0].startswith(prefix):
        found.append(f"the line does not start with {prefix!r}")
    if "Traceback" in run.stderr + run.stdout:
        found.append("a Python traceback was printed")
    if run.survivors:
        found.append(f"left running: {'; '.join(run.survivors)}")
    return found


def report(record_property: Any, cid: str, run: Run, found: list[str], sig: signal.Signals) -> None:
    first = next((ln for ln in run.stderr.splitlines() if ln.strip()), "(no stderr)")
    if "Traceback" in run.stderr:
        first = "Traceback ... " + run.stderr.strip().splitlines()[-1]
    record_property(
        "fuzz",
        {
            "id": cid,
            "class": "signals",
            "problems": found,
            "exit": run.rc,
            "seconds": round(run.elapsed, 2),
            "maxrss_mb": None,
            "line": first.encode("unicode_escape").decode("ascii")[:220],
        },
    )
    if found:
        pytest.fail(f"{cid} ({sig.name}): {'; '.join(found)}\n  stderr: {first}", False)


# --- preflight ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def busy_project() -> Iterator[Path]:
    """The prod stack with 25 more tables: the policy pack runs for a couple of seconds."""
    tables = [
        {
            "name": f"Orders{i:02d}",
            "hashKey": "id",
            "attributes": {"id": "S"},
            "stream": "NEW_AND_OLD_IMAGES",
            "streamProcessor": True,
        }
        for i in range(25)
    ]
    with tempfile.TemporaryDirectory(prefix="dbtier-sig-project-") as tmp:
        path = Path(tmp)
        (path / "Pulumi.yaml").write_bytes(PROJECT)
        (path / "__main__.py").write_bytes(PROGRAM)
        (path / STACK_FILE).write_text(stack_text({"dbtier:dynamo": {"tables": tables}}))
        yield path


def _preflight_scenario(sig: signal.Signals, project: Path) -> Run:
    state: dict[str, float] = {}

    def ready(proc: subprocess.Popen[bytes], _seconds: float) -> bool:
        if any("pulumi.policy" in cmd for _, cmd in descendants(proc.pid)):
            state.setdefault("pack", time.monotonic())
        return "pack" in state and time.monotonic() - state["pack"] > 0.8

    return signal_run(["preflight", "--stack", "prod", "--project-dir", str(project)], sig, ready)


@pytest.fixture(scope="module")
def tarpit() -> Iterator[int]:
    """A local port that accepts TCP connections and never says a word (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])


# name -> (argv after the workload name, outputs edit, seconds of work before the signal).
# relational and migration-check wait on a server that never answers (default timeouts).
WORKLOAD_RUNS: dict[str, tuple[tuple[str, ...], str, float]] = {
    "relational": ((), "relational-tarpit", 1.5),
    "aurora-load": (("--duration", "60", "--workers", "3"), "", 3.0),
    "warehouse": (("--sales", "3000000", "--customers", "20000", "--reload"), "", 3.0),
    "migration-check": ((), "aurora-tarpit", 1.5),
    "dynamo": (("--users", "200000"), "", 3.0),
    "redis": (("--soak", "60"), "", 2.0),
}


def _workload_scenario(
    workload: str, sig: signal.Signals, engines: dict[str, Any], tarpit: int, where: Path
) -> Run:
    extra, edit, delay = WORKLOAD_RUNS[workload]
    outputs = json.loads(json.dumps(engines))
    if edit == "relational-tarpit":
        outputs["relational"].update(port=tarpit, readerEndpoints=[])
    elif edit == "aurora-tarpit":
        outputs["aurora"].update(port=tarpit)
    path = where / f"outputs-{workload}-{sig.name}.json"
    path.write_text(json.dumps(outputs))
    return signal_run(
        ["workloads", workload, "--outputs", str(path), *extra],
        sig,
        lambda proc, seconds: seconds >= delay and catches_sigterm(proc.pid),
    )


def catches_sigterm(pid: int) -> bool:
    """Whether process `pid` has its own SIGTERM handler yet (the kernel's SigCgt mask).

    A fixed delay alone is not enough on a busy machine: a signal that lands while the CLI is
    still importing meets Python's defaults, which is not what the test is about. Python catches
    SIGINT from its start, SIGTERM only once the workload installs its handlers.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


SCENARIOS = [("preflight", sig) for sig in SIGNALS] + [
    (workload, sig) for workload in WORKLOAD_RUNS for sig in SIGNALS
]


@pytest.fixture(scope="module")
def signal_runs(
    request: pytest.FixtureRequest,
    busy_project: Path,
    tarpit: int,
    tmp_path_factory: Any,
    workload_stack: tuple[dict[str, Any], list[str]],
) -> dict[tuple[str, signal.Signals], Run]:
    """Every selected scenario, run concurrently (they mostly wait), once per session."""
    wanted = {
        (item.callspec.params["target"], item.callspec.params["sig"])
        for item in request.session.items
        if item.module is not None
        and item.module.__name__ == __name__
        and hasattr(item, "callspec")
        and "target" in item.callspec.params
    }
    where = tmp_path_factory.mktemp("signals")

    def one(target: str, sig: signal.Signals, engines: dict[str, Any]) -> Run:
        if target == "preflight":
            return _preflight_scenario(sig, busy_project)
        return _workload_scenario(target, sig, engines, tarpit, where)

    def run_all(engines: dict[str, Any]) -> dict[tuple[str, signal.Signals], Run]:
        chosen = [s for s in SCENARIOS if s in wanted]
        with ThreadPoolExecutor(max_workers=SIGNAL_WORKERS) as pool:
            futures = {s: pool.submit(one, *s, engines) for s in chosen}
            return {s: f.result() for s, f in futures.items()}

    return run_all(workload_stack[0])


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
@pytest.mark.parametrize("target", ["preflight", *WORKLOAD_RUNS])
def test_signal_mid_run(
    target: str,
    sig: signal.Signals,
    signal_runs: dict[tuple[str, signal.Signals], Run],
    record_property: Any,
) -> None:
    run = signal_runs[(target, sig)]
    if target == "preflight":
        found = judge(run, sig, PREFIX)
        if not any("pulumi.policy" in s for s in run.seen):
            found.append("the policy pack was never seen running")
    else:
        found = judge(run, sig, f"python -m workloads {target}: ")
    report(record_property, f"signals/{target}-{sig.name.lower()}", run, found, sig)


def test_signal_helpers_use_this_interpreter() -> None:
    assert Path(PYTHON) == Path(sys.executable)
