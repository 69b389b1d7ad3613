"""The in-process harness's leak checks (tests/fuzz/process_state.py) find what they look for.

Each test runs a stand-in `main` that leaves one thing behind, as a CLI with a bug would, and
checks that the run reports it and that the process gets back what the harness restores.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

import pytest

from tests.fuzz import inprocess
from tests.fuzz.fuzz_harness import Case, Result
from tests.fuzz.inprocess import run_in_process
from workloads.common import interrupts, redaction

CASE = Case(id="harness/leak", module="workloads", argv=("x",), files={})


def run(monkeypatch: pytest.MonkeyPatch, main: Callable[[list[str]], int]) -> Result:
    monkeypatch.setitem(inprocess.ENTRIES, "workloads", main)
    return run_in_process(CASE)


def harness_lines(result: Result) -> list[str]:
    return [ln for ln in result.stderr.decode().splitlines() if ln.startswith("[harness]")]


def test_a_clean_call_reports_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    done = run(monkeypatch, lambda argv: 0)
    assert (done.returncode, harness_lines(done)) == (0, [])


def test_a_thread_left_running_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()

    def main(argv: list[str]) -> int:
        threading.Thread(target=stop.wait, name="left-behind").start()
        return 0

    try:
        lines = harness_lines(run(monkeypatch, main))
    finally:
        stop.set()
    assert lines == ["[harness] threads still running: ['left-behind']"]


def test_a_file_left_open_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []

    def main(argv: list[str]) -> int:
        opened.append(os.open(os.devnull, os.O_RDONLY))
        return 0

    try:
        lines = harness_lines(run(monkeypatch, main))
    finally:
        os.close(opened[0])
    assert lines == [f"[harness] file descriptors left open: ['{opened[0]} /dev/null']"]


def test_signal_handling_left_changed_is_reported_and_put_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)

    def main(argv: list[str]) -> int:
        interrupts.install_handlers()  # the old way: for the rest of the process
        signal.set_wakeup_fd(write_fd)
        return 0

    try:
        lines = harness_lines(run(monkeypatch, main))
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert lines == [
        "[harness] signal handling left changed: ['SIGINT', 'SIGTERM', 'the wakeup fd']"
    ]
    assert signal.getsignal(signal.SIGTERM) == before
    assert signal.set_wakeup_fd(-1) == -1


def test_interrupt_flags_left_set_are_reported_and_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def main(argv: list[str]) -> int:
        interrupts._received.append(signal.SIGINT)
        interrupts.say_once(lambda: None)
        return 0

    lines = harness_lines(run(monkeypatch, main))
    assert lines == [
        "[harness] interrupt state left set: "
        "['signal received [2]', 'the interrupted line counted as printed']"
    ]
    assert interrupts.received() is None and not interrupts._one_line.locked()


def test_a_secret_registered_by_one_call_is_not_the_next_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A secret left registered would be scrubbed from the next case's output, hiding a leak."""
    before = set(redaction._secrets)
    seen: list[str] = []

    def registers(argv: list[str]) -> int:
        redaction.register_secret("s3cret-of-the-first-case")
        return 0

    def prints(argv: list[str]) -> int:
        seen.append(redaction.redact("s3cret-of-the-first-case"))
        return 0

    run(monkeypatch, registers)
    assert set(redaction._secrets) == before
    run(monkeypatch, prints)
    assert seen == ["s3cret-of-the-first-case"]


def test_the_workloads_cli_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real entry point, through its signal handling: a usage error and a bad file."""
    for argv in (("relational",), ("relational", "--outputs", "/nonexistent/outputs.json")):
        done = run_in_process(Case(id="harness/cli", module="workloads", argv=argv, files={}))
        assert done.returncode == 2
        assert harness_lines(done) == []
