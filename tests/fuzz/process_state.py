"""What an in-process run of a CLI may change in the pytest process, put back or reported.

`tests/fuzz/inprocess.py` calls a CLI's `main(argv)` where `python -m` would start a process; a
process ends and takes its state with it, a call does not. `isolated()` wraps one call:

- put back afterwards, and emptied before (a run must not see the last one's): the workloads'
  registry of secrets (`redaction._secrets`: a secret a previous case registered would be
  scrubbed from this case's output, hiding a leak the real CLI has), the `workloads` logger's
  level (`-v`), boto3's default session;
- reported as leaks, in the words of `Leaks.found()`: threads the call started that still run,
  file descriptors it opened and left open, signal handlers or the wakeup fd it left changed,
  and the flags of a signal received or a line printed left set (workloads.common.interrupts).

A thread or socket that serves other processes (a session's moto server answering the pool's
subprocesses) is not the call's: request threads of a socketserver and connections accepted on
a port this process listens on are left out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.fuzz import fuzz_harness
from workloads.common import interrupts, redaction

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_FUZZ_DIRS = str(Path(tempfile.gettempdir()) / "dbtier-fuzz-")


def _listening_ports() -> set[str]:
    """Local ports (hex, as /proc/net/tcp writes them) of sockets in LISTEN state."""
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/self/net/{table}") as handle:
            for line in list(handle)[1:]:
                cols = line.split()
                if cols[3] == "0A":
                    ports.add(cols[1].rsplit(":", 1)[1])
    return ports


def _sockets() -> dict[str, tuple[str, str]]:
    """inode -> (local port, remote address) of this process's TCP sockets (hex, /proc's)."""
    found = {}
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/self/net/{table}") as handle:
            for line in list(handle)[1:]:
                cols = line.split()
                found[cols[9]] = (cols[1].rsplit(":", 1)[1], cols[2])
    return found


def open_fds(own: str) -> dict[int, str]:
    """This process's file descriptors and what they point at, less those of other runs (files
    in another case's directory, /proc) and connections accepted by a server of this process."""
    fds = {}
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
    # The socket tables list the whole machine's connections (milliseconds to read while the
    # suite runs): read only when a socket is among the fds.
    listening: set[str] = set()
    sockets: dict[str, tuple[str, str]] = {}
    if any(t.startswith("socket:[") for t in fds.values()):
        listening, sockets = _listening_ports(), _sockets()
    kept = {}
    for fd, target in fds.items():
        if target.startswith(_FUZZ_DIRS) and not target.startswith(own):
            continue
        if target == "/proc" or target.startswith("/proc/"):
            continue  # the pool's threads scan /proc for what their runs left running
        if target.startswith("socket:["):
            port, _ = sockets.get(target[8:-1], ("", ""))
            if port in listening and not _is_listener(target, sockets):
                continue  # accepted by a server here: it serves whoever connected
        kept[fd] = target
    return kept


def _is_listener(target: str, sockets: dict[str, tuple[str, str]]) -> bool:
    _, remote = sockets.get(target[8:-1], ("", ""))
    return remote.endswith(":0000")


# Threads a library starts once per process, on first use, and keeps: not a call's leak.
_SINGLETONS = frozenset({"tqdm_monitor"})  # tqdm.std.TMonitor, started by the first bar


def _threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if t.is_alive()
        and not t.name.startswith("fuzz")  # the subprocess pool's
        and "process_request_thread" not in t.name  # a socketserver's, per connection
        and t.name not in _SINGLETONS
    }


@dataclass
class Leaks:
    """What one call left behind (see the module docstring)."""

    threads: list[str] = field(default_factory=list)
    fds: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def found(self) -> list[str]:
        out = []
        if self.threads:
            out.append(f"threads still running: {self.threads}")
        if self.fds:
            out.append(f"file descriptors left open: {self.fds}")
        if self.signals:
            out.append(f"signal handling left changed: {self.signals}")
        if self.flags:
            out.append(f"interrupt state left set: {self.flags}")
        return out


@contextlib.contextmanager
def isolated(work: Path, leaks: Leaks) -> Iterator[None]:
    """Run the block as a fresh process would (see the module docstring); fill `leaks`."""
    own = str(work)
    secrets = set(redaction._secrets)
    level = redaction.log.level
    session = boto3.DEFAULT_SESSION
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    with fuzz_harness._SPAWNING:  # no pool run is between its fork and its pipes' closing
        fds = open_fds(own)
    threads = _threads()
    redaction._secrets.clear()
    boto3.DEFAULT_SESSION = None
    # A fresh process has received no signal and printed no interrupted line; a test that ran
    # before in this worker may have left either (it is not this run's leak).
    interrupts._reset()
    try:
        yield
    finally:
        redaction._secrets.clear()
        redaction._secrets.update(secrets)
        redaction.log.setLevel(level)
        boto3.DEFAULT_SESSION = session
        leaks.threads = sorted(t.name for t in _threads() - threads)
        with fuzz_harness._SPAWNING:
            now = open_fds(own)
        leaks.fds = [f"{fd} {now[fd]}" for fd in sorted(set(now) - set(fds))]
        leaks.signals = [
            signal.Signals(sig).name for sig in SIGNALS if signal.getsignal(sig) != handlers[sig]
        ]
        if signal.set_wakeup_fd(wakeup) != wakeup:
            leaks.signals.append("the wakeup fd")
        if interrupts._received:
            leaks.flags.append(f"signal received {[int(s) for s in interrupts._received]}")
        if interrupts._one_line.locked():
            leaks.flags.append("the interrupted line counted as printed")
        for sig, handler in handlers.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        interrupts._reset()


_connects: list[str] = []
_recording = threading.Event()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Notes each address a call connects to (any thread but the subprocess pool's)."""
    if (
        event == "socket.connect"
        and _recording.is_set()
        and not threading.current_thread().name.startswith("fuzz")
    ):
        _connects.append(str(args[1]))


sys.addaudithook(_audit)  # for the life of the process: a hook cannot be removed


@contextlib.contextmanager
def connections(into: list[str]) -> Iterator[None]:
    """Fill `into` with the addresses (host, port) the block connected to."""
    _connects.clear()
    _recording.set()
    try:
        yield
    finally:
        _recording.clear()
        into.extend(_connects)
