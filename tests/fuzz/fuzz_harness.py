"""The fuzz suite's engine: a case, the files it writes, and one bounded run of a CLI.

Every case runs `python -m <module> ARGV` in a fresh temporary directory, in a subprocess of its
own session with an address-space limit (RLIMIT_AS), no core dumps, an output-size limit and a
wall-clock timeout after which the whole process group is killed. Its exit status, peak resident
memory (from wait4), output and any process of its group left running are recorded, and
`problems()` checks them against the documented contract (README: exit 2 and one line naming the
key or file for bad input, no traceback, no secret, nothing left running).

Runs are made concurrently, once per session, by `run_all()`; the pytest items only read the
cached results, so one item per case stays cheap.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

MEMORY_LIMIT = int(os.environ.get("DBTIER_FUZZ_MEMORY_MB", "1536")) << 20
TIMEOUT = float(os.environ.get("DBTIER_FUZZ_TIMEOUT", "20"))
WORKERS = int(os.environ.get("DBTIER_FUZZ_WORKERS", "3"))
FILE_SIZE_LIMIT = 256 << 20  # what a run may write (reports, logs): a runaway writer is killed
CAPTURE_LIMIT = 1 << 20  # bytes of stdout/stderr kept per run
MAX_LINE = 1000  # the longest acceptable one-line error, in characters

# C0 controls (tab excepted), DEL and C1 controls: nothing a CLI should pass through to a terminal.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


# --- what a case writes ----------------------------------------------------------------------


class Dir:
    """A directory where a file is expected."""


class Fifo:
    """A named pipe where a file is expected (a reader blocks forever)."""


@dataclass(frozen=True)
class Symlink:
    """A symbolic link to `target` (absolute, or relative to the link)."""

    target: str


@dataclass(frozen=True)
class Sparse:
    """A sparse file of `size` bytes that starts with `head` (cheap to make, huge to read)."""

    size: int
    head: bytes = b""


FileSpec = bytes | str | Dir | Fifo | Symlink | Sparse | None
Files = Mapping[str, FileSpec]


def materialize(files: Files, where: Path) -> None:
    """Write `files` (relative path -> content) under `where`; None means "no such file"."""
    for rel, spec in files.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if spec is None:
            continue
        if isinstance(spec, Dir):
            path.mkdir(exist_ok=True)
        elif isinstance(spec, Fifo):
            os.mkfifo(path)
        elif isinstance(spec, Symlink):
            os.symlink(spec.target, path)
        elif isinstance(spec, Sparse):
            with open(path, "wb") as handle:
                handle.write(spec.head)
                handle.truncate(spec.size)
        elif isinstance(spec, bytes):
            path.write_bytes(spec)
        else:
            path.write_bytes(spec.encode("utf-8"))


# --- a case ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One malformed input and what the CLI must answer.

    `argv` and the file names may use "{dir}" for the case's project directory. `files` is a
    mapping or a function of the session context (for outputs built from live local engines).
    `codes`: acceptable exit codes (2 bad input; 1 only where a mandatory policy violation is an
    equally right answer). `expect`: regexes the error line (or, on exit 1, the report) must all
    match. `secrets`: strings that must appear nowhere in the output.
    """

    id: str
    module: str
    argv: tuple[str, ...]
    files: Files | Callable[[Any], Files]
    codes: tuple[int, ...] = (2,)
    expect: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    prefix: str = ""
    timeout: float = TIMEOUT
    slow: bool = False  # scheduled first so the pool's tail stays short
    note: str = ""
    env: Mapping[str, str] | Callable[[Any], Mapping[str, str]] | None = None  # added to the run's

    def extra_env(self, context: Any) -> dict[str, str]:
        return dict(self.env(context) if callable(self.env) else self.env or {})

    @property
    def cls(self) -> str:
        return self.id.split("/", 1)[0]


@dataclass
class Result:
    id: str
    returncode: int | None
    elapsed: float
    maxrss_kb: int
    timed_out: bool
    stdout: bytes
    stderr: bytes
    left_running: list[str] = field(default_factory=list)
    setup_error: str | None = None
    project: str = ""  # the case's directory while it ran (to compare runs made in two places)
    in_process: bool = False
    connected: list[str] = field(default_factory=list)  # in process: the addresses it connected to

    def summary_line(self) -> str:
        """The first line of stderr, or a traceback's last line, shown safely."""
        if self.setup_error:
            return f"(setup failed: {self.setup_error})"
        text = self.stderr.decode("utf-8", "replace")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if not lines:
            out = [ln for ln in self.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]
            line = f"(stderr empty; stdout: {out[-1]})" if out else "(no output)"
        elif "Traceback" in text:
            line = f"Traceback ... {lines[-1]}"
        else:
            line = lines[0]
        shown = line.encode("unicode_escape").decode("ascii")
        return shown if len(shown) <= 220 else shown[:217] + "..."


# --- running ------------------------------------------------------------------------------


def _limits() -> None:  # runs in the child between fork and exec: no locks, no allocation games
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def child_env(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a run: `base` (default os.environ) less what would change a CLI's
    behaviour, with dummy AWS credentials, and `extra`."""
    env = dict(os.environ if base is None else base)
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT", "PULUMI_CONFIG", "PULUMI_CONFIG_PASSPHRASE"):
        env.pop(name, None)
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # moto's dummy
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        TERM="dumb",
    )
    env.update(extra or {})
    return env


@dataclass(frozen=True, order=True)
class Proc:
    pid: int
    parent: int
    group: int
    started: int  # clock ticks after boot (/proc/PID/stat field 22)


def _live_processes() -> list[Proc]:
    """Every live (non-zombie) process, from its /proc/PID/stat alone (cheap)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] == "Z":
                continue
            found.append(Proc(int(entry), int(fields[1]), int(fields[2]), int(fields[19])))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return "?"


def boot_ticks() -> int:
    """Now, in the unit of `Proc.started`."""
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK"))


def process_group(pgid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of a process group, with their command lines."""
    return [(p.pid, _cmdline(p.pid)) for p in _live_processes() if p.group == pgid]


def descendants(
    pid: int, skip: Iterable[int] = (), since: int | None = None
) -> list[tuple[int, str]]:
    """Live descendants of `pid` (children, grandchildren, ...), with their command lines; not
    those of `skip` (nor their own descendants); with `since`, only those started from then on
    (in `boot_ticks()`)."""
    live = _live_processes()
    skipped = set(skip)
    out, frontier = [], {pid}
    while frontier:
        kids = sorted(p for p in live if p.parent in frontier and p.pid not in skipped)
        out.extend(p for p in kids if since is None or p.started >= since)
        frontier = {p.pid for p in kids}
    return [(p.pid, _cmdline(p.pid)) for p in out]


def selected_ids(request: Any, module: str) -> set[str]:
    """The ids of `module`'s parametrized `case` tests this session runs (all of them unless
    -k or a node id narrowed it), so a session fixture runs only those cases."""
    return {
        item.callspec.params["case"].id
        for item in request.session.items
        if item.module is not None
        and item.module.__name__ == module
        and hasattr(item, "callspec")
        and "case" in item.callspec.params
    }


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _read_head(handle: Any) -> bytes:
    handle.seek(0)
    return bytes(handle.read(CAPTURE_LIMIT))


@contextlib.contextmanager
def case_dir(case: Case, context: Any = None) -> Iterator[tuple[Path, list[str] | str]]:
    """A fresh temporary directory holding the case's files: (project, argv with "{dir}"
    replaced), or (project, the reason the case could not be built). Removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="dbtier-fuzz-"))
    project = work / "project"
    project.mkdir()
    try:
        try:
            files = case.files(context) if callable(case.files) else case.files
            materialize(
                {k.replace("{dir}", str(project)): v for k, v in files.items()},
                project,
            )
        except Exception as exc:  # a case that cannot be built is reported, not fatal
            yield project, repr(exc)
            return
        yield project, [a.replace("{dir}", str(project)) for a in case.argv]
    finally:
        for path in work.rglob("*"):
            if path.is_fifo():
                path.unlink()
        shutil.rmtree(work, ignore_errors=True)


_SPAWNING = threading.Lock()
POOL_PIDS: set[int] = set()
"""The runs `run_case` has going now, so an in-process run in the same pytest process can tell
its own children from theirs (`descendants(..., skip=POOL_PIDS)` under `_SPAWNING`)."""


def run_case(case: Case, context: Any = None, env: Mapping[str, str] | None = None) -> Result:
    """Run one case to completion (or to its timeout) in a subprocess and record what happened."""
    with case_dir(case, context) as (project, argv):
        if isinstance(argv, str):
            return Result(case.id, None, 0.0, 0, False, b"", b"", setup_error=argv)
        work = project.parent
        with (
            open(work / "stdout", "w+b") as out,
            open(work / "stderr", "w+b") as err,
        ):
            began = time.monotonic()
            with _SPAWNING:
                proc = subprocess.Popen(
                    [PYTHON, "-m", case.module, *argv],
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    env={**(child_env() if env is None else env), **case.extra_env(context)},
                    preexec_fn=_limits,  # noqa: PLW1509 -- only setrlimit calls, no locks
                    start_new_session=True,
                )
                POOL_PIDS.add(proc.pid)
            timed_out = threading.Event()

            def expire() -> None:
                timed_out.set()
                kill_group(proc.pid)

            timer = threading.Timer(case.timeout, expire)
            timer.name = "fuzz-timeout"  # the pool's: an in-process run's leak check skips it
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            elapsed = time.monotonic() - began
            proc.returncode = os.waitstatus_to_exitcode(status)
            left = process_group(proc.pid)
            if left:
                kill_group(proc.pid)
            with _SPAWNING:
                POOL_PIDS.discard(proc.pid)
            return Result(
                id=case.id,
                returncode=proc.returncode,
                elapsed=elapsed,
                maxrss_kb=int(usage.ru_maxrss),
                timed_out=timed_out.is_set(),
                stdout=_read_head(out),
                stderr=_read_head(err),
                left_running=[f"{pid} {cmd[:120]}" for pid, cmd in left],
                project=str(project),
            )


def run_all(
    cases: Iterable[Case],
    context: Any = None,
    workers: int = WORKERS,
    env: Mapping[str, str] | None = None,
) -> dict[str, Result]:
    """Run every case concurrently in subprocesses (slow ones first); results by case id. `env`
    (default: `child_env()` now) is read once here, so the pool never reads os.environ."""
    env = child_env() if env is None else env
    ordered = sorted(cases, key=lambda c: not c.slow)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fuzz") as pool:
        futures = {c.id: pool.submit(run_case, c, context, env) for c in ordered}
        return {cid: f.result() for cid, f in futures.items()}


# --- checking -----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def problems(case: Case, result: Result) -> list[str]:
    """Every way the run broke the contract; empty when it kept it."""
    if result.setup_error:
        return [f"case could not be set up: {result.setup_error}"]
    found: list[str] = []
    rc = result.returncode
    out, err = _decode(result.stdout), _decode(result.stderr)
    if result.timed_out:
        found.append(f"still running after {case.timeout:.0f}s (killed)")
    elif rc is not None and rc < 0:
        found.append(f"killed by signal {-rc} ({signal.Signals(-rc).name})")
    elif rc not in case.codes:
        found.append(f"exit {rc}, expected {' or '.join(map(str, case.codes))}")
    if "Traceback (most recent call last)" in out + err:
        found.append("a Python traceback was printed")
    for secret in case.secrets:
        if secret and (secret in out or secret in err):
            found.append(f"a secret was printed ({secret[:4]}...)")
    if result.left_running:
        found.append(f"left running: {'; '.join(result.left_running)}")
    if rc == 2 and 2 in case.codes and not result.timed_out:
        lines = err.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) != 1:
            found.append(f"{len(lines)} lines on stderr, expected exactly 1")
        if out.strip():
            found.append(f"unexpected stdout ({len(out)} characters)")
        line = lines[0] if lines else ""
        if case.prefix and not line.startswith(case.prefix):
            found.append(f"the error line does not start with {case.prefix!r}")
        if len(line) > MAX_LINE:
            found.append(f"the error line is {len(line)} characters long (> {MAX_LINE})")
        if CONTROL.search(err.rstrip("\n")):
            found.append("raw control characters (escapes, CR, NUL...) reach the terminal")
        for pattern in case.expect:
            if not re.search(pattern, line):
                found.append(f"the error line does not name {pattern!r}")
    elif rc == 1 and 1 in case.codes and not result.timed_out:
        if "mandatory" not in out:
            found.append("exit 1 without a mandatory policy violation in the report")
        for pattern in case.expect:
            if not re.search(pattern, out + err):
                found.append(f"the report does not name {pattern!r}")
    return found


def describe(result: Result) -> dict[str, Any]:
    """What a report needs to know about one run."""
    return {
        "exit": result.returncode,
        "seconds": round(result.elapsed, 2),
        # An in-process run has no peak of its own (the pytest process's is not its).
        "maxrss_mb": None if result.in_process else round(result.maxrss_kb / 1024, 1),
        "in_process": result.in_process,
        "timed_out": result.timed_out,
        "line": result.summary_line(),
    }
