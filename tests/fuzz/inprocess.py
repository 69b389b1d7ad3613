"""A fuzz case run inside the pytest process: the CLI's `main(argv)` called as `python -m` would.

Most cases only check what a CLI answers to bad input (exit code, one line on stderr, no
traceback, no secret); starting an interpreter for each of them is most of their cost and none
of their point. `run_in_process` makes the call look like the subprocess of `fuzz_harness.run_case`
to the CLI and to `problems()`:

- file descriptors 1 and 2 go to files of the case (so does anything written below Python, by a
  C library or a child that inherits them), and `sys.stdout`/`sys.stderr` are new text streams
  over them with the encodings and error handlers of a fresh interpreter;
- `os.environ` is the subprocess's environment (`child_env`), the working directory is ROOT;
- warnings get a fresh interpreter's default filters and the root logger no handler (so a
  warning reaches stderr through logging's last resort, not pytest's capture);
- SystemExit becomes the exit code as the interpreter computes it, and an exception that escapes
  `main` prints a traceback and gives 1, as `python -m` does;
- processes the call started and left running are found (its own descendants, not those of the
  concurrent subprocess pool) and killed;
- the CLI's own process-wide registries (`preflight.__main__._partial`, the live policy packs of
  `preflight.client`) must be empty afterwards, and modules a case's project directory brought in
  are dropped from `sys.modules` (no case has any today; a run would otherwise see the last one).
- the workloads' process-wide state (secrets to redact, signal handlers, wakeup fd, watchdog,
  interrupt flags) and the threads and file descriptors a call leaves: `process_state.isolated`;
  the addresses a call connects to are recorded (`Result.connected`).

What still needs a process is run by `fuzz_harness.run_case`: see `needs_process`.
`tests/fuzz/test_inprocess.py` runs a sample of cases both ways and compares them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import preflight.__main__ as preflight_cli
import preflight.client
import preflight.policy
import workloads.__main__ as workloads_cli
from tests.fuzz import fuzz_harness
from tests.fuzz.fuzz_harness import (
    CAPTURE_LIMIT,
    POOL_PIDS,
    ROOT,
    WORKERS,
    Case,
    Fifo,
    Result,
    Sparse,
    boot_ticks,
    case_dir,
    child_env,
    descendants,
    kill_group,
    run_case,
)
from tests.fuzz.process_state import Leaks, connections, isolated

ENTRIES: dict[str, Callable[[list[str]], int | None]] = {
    "preflight": preflight_cli.main,
    "workloads": workloads_cli.main,
}
"""The CLIs that can run in process: `python -m <module>` -> its main(argv)."""

LEAK_CHECKED = frozenset({"workloads"})
"""The CLIs whose leftover threads and fds fail a case. Not the preflight yet: a plan in process
leaves the Pulumi runtime's asyncio threads, gRPC sockets and an epoll fd behind."""

# A fresh interpreter's warning filters (Python 3.11, no -W, no PYTHONWARNINGS), first match wins.
_DEFAULT_FILTERS: tuple[tuple[str, type[Warning], str], ...] = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


class _Expired(BaseException):
    """Raised into the call by its watchdog timer (a BaseException: the CLI's last-resort
    `except Exception` must not turn it into an ordinary exit)."""


def needs_process(case: Case) -> bool:
    """What in-process cannot show: memory and time limits (runaway inputs, slow cases), and
    reads that block or never end (named pipes, huge sparse files)."""
    if case.module not in ENTRIES or case.slow or case.cls == "runaway":
        return True
    if callable(case.files):
        return False  # built per session (outputs); none of those builders make pipes
    return any(isinstance(spec, Fifo | Sparse) for spec in case.files.values())


@contextlib.contextmanager
def _streams(work: Path) -> Iterator[tuple[io.BufferedRandom, io.BufferedRandom]]:
    """fds 1 and 2 (and sys.stdout/sys.stderr over them) to two files for the duration."""
    out = open(work / "stdout", "w+b")  # noqa: SIM115 -- closed below, after the fds are restored
    err = open(work / "stderr", "w+b")  # noqa: SIM115
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    # As a fresh interpreter with PYTHONUNBUFFERED=1 (child_env) opens them on files.
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "wb", closefd=False),
        encoding="utf-8",
        errors="strict",
        write_through=True,
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "wb", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )
    try:
        yield out, err
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = saved_streams
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        out.close()
        err.close()


@contextlib.contextmanager
def _fresh_process_state(extra: dict[str, str]) -> Iterator[None]:
    """os.environ (with `extra`), cwd, warning filters and root logging as in the subprocess;
    then restored."""
    environ = dict(os.environ)
    cwd = os.getcwd()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        os.environ.clear()
        os.environ.update(child_env(extra, base=environ))
        os.chdir(ROOT)
        root.handlers[:] = []
        root.setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_DEFAULT_FILTERS):
                warnings.filterwarnings(action, category=category, module=module)  # type: ignore[arg-type]
            yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)


HANG_LIMIT = 6
"""An in-process run gets this many times its case's timeout: a case that can run away runs in a
subprocess (`needs_process`), so this only keeps a hang (a regression) from stopping the suite."""


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[threading.Event]:
    """Raise _Expired in the main thread after `seconds` (no limit off the main thread)."""
    expired = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield expired
        return

    def expire(signum: int, frame: Any) -> None:
        expired.set()
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield expired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _exit_code(exc: SystemExit) -> int:
    """The status `python -m` exits with for `exc` (printing a non-integer code, as it does)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


_SPAWN_EVENTS = frozenset(
    {"subprocess.Popen", "os.posix_spawn", "os.fork", "os.system", "pty.spawn"}
)
_spawns: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Notes a process started while a call runs (not by the subprocess pool's threads), so the
    /proc scan for what it left running is made only after the calls that started one."""
    if (
        event in _SPAWN_EVENTS
        and _watching.is_set()
        and not threading.current_thread().name.startswith("fuzz")
    ):
        _spawns.append(event)


sys.addaudithook(_audit)  # for the life of the process: a hook cannot be removed


@contextlib.contextmanager
def _children_left(left: list[tuple[int, str]]) -> Iterator[None]:
    """Fill `left` with the processes the block started and left running, and kill them."""
    since = boot_ticks()
    _spawns.clear()
    _watching.set()
    try:
        yield
    finally:
        _watching.clear()
    if _spawns:
        with fuzz_harness._SPAWNING:
            left.extend(descendants(os.getpid(), skip=POOL_PIDS, since=since))
        for pid, _ in left:
            _kill(pid)


def _kill(pid: int) -> None:
    """A process the call left running, with its group when that is not pytest's own."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        group = os.getpgid(pid)
        if group == os.getpgrp():
            os.kill(pid, signal.SIGKILL)
        else:
            kill_group(group)


def _registered() -> tuple[set[Path], set[int]]:
    """The CLI's own process-wide registries: partial report files and live policy packs (a
    session's shared pack, started by another test, is in the second one too)."""
    return set(preflight_cli._partial), set(preflight.client._LIVE_GROUPS)


def _leaks(before: tuple[set[Path], set[int]]) -> list[str]:
    """What the CLI's registries hold after its main returned that they did not hold before."""
    partial, packs = (now - then for now, then in zip(_registered(), before, strict=True))
    found = []
    if partial:
        found.append(f"partial report files still registered: {sorted(map(str, partial))}")
    if packs:
        found.append(f"policy packs still registered: {sorted(packs)}")
    return found


def in_process_usable() -> bool:
    """The preflight's defaults come from the working directory at import (PROJECT_DIR): only
    when that was ROOT, as for the subprocess (cwd=ROOT), is an in-process run the same run."""
    return preflight.policy.PROJECT_DIR == ROOT


def run_in_process(case: Case, context: Any = None) -> Result:
    """Call the case's CLI `main(argv)` in this process, made to look like `run_case`'s run."""
    entry = ENTRIES[case.module]
    with case_dir(case, context) as (project, argv):
        if isinstance(argv, str):
            return Result(case.id, None, 0.0, 0, False, b"", b"", setup_error=argv)
        modules = set(sys.modules)
        registered = _registered()
        left: list[tuple[int, str]] = []
        leaks, connected = Leaks(), list[str]()
        began = time.monotonic()
        with _streams(project.parent) as (out, err):
            with (
                _children_left(left),
                isolated(project.parent, leaks),
                connections(connected),
                _fresh_process_state(case.extra_env(context)),
                _watchdog(case.timeout * HANG_LIMIT) as expired,
            ):
                try:
                    code = entry(argv)
                    returncode = 0 if code is None else code & 0xFF
                except SystemExit as exc:
                    returncode = _exit_code(exc)
                except _Expired:
                    returncode = -signal.SIGKILL  # what the subprocess's timeout ends with
                except BaseException:  # the interpreter's own last resort
                    traceback.print_exc()
                    returncode = 1
            elapsed = time.monotonic() - began
            problems = _leaks(registered)
            if case.module in LEAK_CHECKED:
                problems += leaks.found()
            for name in set(sys.modules) - modules:
                where = getattr(sys.modules[name], "__file__", None) or ""
                if where.startswith(str(project.parent)):
                    del sys.modules[name]
            stdout, stderr = _head(out), _head(err)
        return Result(
            id=case.id,
            returncode=returncode,
            elapsed=elapsed,
            maxrss_kb=0,
            timed_out=expired.is_set(),
            stdout=stdout,
            stderr=stderr + "".join(f"[harness] {p}\n" for p in problems).encode(),
            left_running=[f"{pid} {cmd[:120]}" for pid, cmd in left],
            project=str(project),
            in_process=True,
            connected=connected,
        )


def _head(handle: io.BufferedRandom) -> bytes:
    handle.seek(0)
    return handle.read(CAPTURE_LIMIT)


GROUP = "fuzz-processes"
"""The xdist group of every preflight case run in a subprocess: one worker runs them all, through
one pool per module (`--dist loadgroup`), while in-process cases spread over the workers."""
WORKLOAD_GROUP = "fuzz-workloads"
"""The xdist group of the tests that use the session's local engines and moto server
(`workload_stack`): one worker makes them once and runs every such test, its subprocess cases
through one pool."""


class CaseRuns:
    """The runs of one module's cases for a session: `runs.result(case)`.

    A case that needs a process (`needs_process`, or listed in `end_to_end`) runs in the
    subprocess pool, which starts on the first such request with every such case selected this
    session (slow ones first), so those runs overlap each other and the tests that follow; any
    other case runs in process when its test asks for it, in that test (under xdist, on that
    worker).
    """

    def __init__(
        self,
        cases: Iterable[Case],
        context: Any = None,
        *,
        end_to_end: Iterable[str] = (),
        selected: Iterable[str] | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.cases = {c.id: c for c in cases}
        self.context = context
        self.end_to_end = set(end_to_end)
        self.selected = set(self.cases) if selected is None else set(selected)
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Result]] = {}
        self._lock = threading.Lock()

    def in_subprocess(self, case: Case) -> bool:
        return in_subprocess(case, self.end_to_end)

    def result(self, case: Case) -> Result:
        if not self.in_subprocess(case):
            return run_in_process(case, self.context)
        with self._lock:
            if self._pool is None:
                self._start()
            future = self._futures.get(case.id)
            if future is None:  # not selected up front (cannot happen through pytest)
                assert self._pool is not None
                future = self._futures[case.id] = self._pool.submit(
                    run_case, case, self.context, child_env()
                )
        return future.result()

    def _start(self) -> None:
        env = child_env()  # read here: the pool's threads never read os.environ
        real = [c for c in self.cases.values() if c.id in self.selected and self.in_subprocess(c)]
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="fuzz")
        for case in sorted(real, key=lambda c: not c.slow):
            self._futures[case.id] = self._pool.submit(run_case, case, self.context, env)

    def close(self) -> None:
        """Wait for the pool's runs (each bounded by its timeout) and stop its threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def in_subprocess(case: Case, end_to_end: Iterable[str] = ()) -> bool:
    """Whether `case` runs in the subprocess pool (else in process)."""
    return not in_process_usable() or case.id in end_to_end or needs_process(case)


def case_params(cases: Iterable[Case], end_to_end: Iterable[str] = ()) -> list[Any]:
    """pytest params of every case: its id, and the xdist group when it runs in a subprocess."""
    listed = set(end_to_end)
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.xdist_group(GROUP)])
        if in_subprocess(c, listed)
        else pytest.param(c, id=c.id)
        for c in cases
    ]


def differences(real: Result, here: Result) -> list[str]:
    """How an in-process run differs from the real run of the same case: exit code, stderr
    exactly and stdout as lines (a plan's report lists resources in the order the program's
    registrations finish, which differs from one real run to the next), the case's directory
    read as one name."""

    def norm(result: Result, data: bytes) -> bytes:
        return data.replace(result.project.encode(), b"{dir}") if result.project else data

    def tree(data: bytes) -> list[bytes]:
        # Which child a plan's tree draws last (└─ rather than ├─) follows that order too.
        return sorted(data.replace("└─".encode(), "├─".encode()).splitlines())

    found = []
    if (real.returncode, real.timed_out) != (here.returncode, here.timed_out):
        found.append(f"exit {real.returncode} in a process, {here.returncode} in process")
    if norm(real, real.stderr) != norm(here, here.stderr):
        found.append(
            f"stderr: {norm(real, real.stderr)[:300]!r} != {norm(here, here.stderr)[:300]!r}"
        )
    if tree(norm(real, real.stdout)) != tree(norm(here, here.stdout)):
        found.append(f"stdout differs ({len(real.stdout)} and {len(here.stdout)} bytes)")
    if real.left_running or here.left_running:
        found.append(f"left running: {real.left_running} / {here.left_running}")
    if real.setup_error or here.setup_error:
        found.append(f"setup: {real.setup_error} / {here.setup_error}")
    return found
