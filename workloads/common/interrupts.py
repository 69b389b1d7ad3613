"""Stopping on a signal: SIGINT (Ctrl-C) exits 130 and SIGTERM (``kill``, ``timeout``, a CI
cancel) exits 143, each with one line and no traceback, and no child process left behind.

SIGTERM is turned into ``Terminated``, a ``KeyboardInterrupt``, so every ``finally`` and every
``except KeyboardInterrupt`` that cleans up after Ctrl-C cleans up after SIGTERM too, and the
entry point handles both in one place. Worker and generator processes call ``quiet_child`` first:
they ignore SIGINT (the parent stops them), and the kernel kills them if the parent dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from workloads.common.errors import EXIT_INTERRUPTED, EXIT_TERMINATED

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop like Ctrl-C, then exit 143."""


def exit_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


_received: list[int] = []


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    # Once is enough: cleanup is under way, so a second signal stops the process at once
    # (the system's default action) instead of raising again in the middle of a `finally`.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    _received.append(signum)
    if signum == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


def received() -> KeyboardInterrupt | None:
    """The interrupt raised by a signal that arrived, if one did.

    A driver that calls back into Python (psycopg2's COPY reading a file object, a C client's
    callbacks) turns the KeyboardInterrupt raised there into its own error; the entry point asks
    this to still report the run as interrupted (130) or terminated (143), not as failed.
    """
    if not _received:
        return None
    return Terminated() if _received[0] == signal.SIGTERM else KeyboardInterrupt()


HANDLER_WAIT = 1.0  # seconds for the main thread to run the handler before it counts as stuck
CLEANUP_LIMIT = 10.0  # seconds the main thread's cleanup may take after the handler ran

_one_line = threading.Lock()  # held by whoever prints the interrupted line: it is printed once


def say_once(write: Callable[[], None]) -> None:
    """Run ``write`` (print the interrupted line) unless it already ran, in any thread."""
    if _one_line.acquire(blocking=False):
        write()


def install_handlers(announce: Callable[[int], None] | None = None) -> None:
    """SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated, in the main thread, once,
    for the rest of the process (``handling`` does the same for the length of a block)."""
    if threading.current_thread() is threading.main_thread():
        _install(announce)


@contextlib.contextmanager
def handling(announce: Callable[[int], None] | None = None) -> Iterator[None]:
    """For the block: SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated, in the main
    thread, once; afterwards the previous handlers and wakeup fd are back, the watchdog has ended
    and no signal or printed line is remembered, so a caller in a long-lived process (a test run)
    gets its process back as it was. The CLI's ``main`` runs in it.

    Python runs a signal handler only between bytecodes, so a main thread blocked in a C call
    (a MySQL C client waiting on a silent server for its 10 s timeout) would not stop until the
    call returns. A watchdog thread woken by the signal itself (``signal.set_wakeup_fd``) bounds
    that: if the handler has not run within ``HANDLER_WAIT`` seconds, or the cleanup it started
    still runs after ``CLEANUP_LIMIT``, it stops the children, calls ``announce(exit code)``
    (through ``say_once``) and ends the process with that code.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: nothing to install
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    watch = _install(announce)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if watch is not None:
            thread, done, write_fd, previous_fd = watch
            signal.set_wakeup_fd(previous_fd)
            done.set()
            with contextlib.suppress(OSError):
                os.write(write_fd, b"\0")  # wakes a watchdog waiting for a signal
            os.close(write_fd)
            thread.join(HANDLER_WAIT)
        _reset()


def _install(
    announce: Callable[[int], None] | None,
) -> tuple[threading.Thread, threading.Event, int, int] | None:
    """The handlers, and with ``announce`` the watchdog: (its thread, the event that ends it, the
    wakeup fd, the wakeup fd it replaced)."""
    _reset()
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if announce is None:
        return None
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    done = threading.Event()
    thread = threading.Thread(
        target=_watchdog, args=(read_fd, announce, done), name="signal-watchdog", daemon=True
    )
    thread.start()
    return thread, done, write_fd, previous_fd


def _reset() -> None:
    """Forget a signal received and the interrupted line printed (a new run starts)."""
    _received.clear()
    with contextlib.suppress(RuntimeError):  # not held: nothing was printed
        _one_line.release()


def _watchdog(read_fd: int, announce: Callable[[int], None], done: threading.Event) -> None:
    """Wait for SIGINT or SIGTERM on the wakeup fd; end the process if the main thread does not
    stop in time. Returns, doing nothing, once ``done`` is set (the run is over)."""
    wanted = {int(signal.SIGINT), int(signal.SIGTERM)}
    first = None
    with contextlib.closing(os.fdopen(read_fd, "rb", buffering=0)) as wakeups:
        while first is None:
            data = wakeups.read(64)
            if not data or done.is_set():
                return
            first = next((b for b in data if b in wanted), None)
    code = EXIT_TERMINATED if first == signal.SIGTERM else EXIT_INTERRUPTED
    deadline = time.monotonic() + HANDLER_WAIT
    while not _received and time.monotonic() < deadline:
        if done.wait(0.05):
            return
    if _received and done.wait(CLEANUP_LIMIT):  # the main thread cleans up in its bounded time
        return
    stop_children(grace=1.0)
    say_once(lambda: announce(code))
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent exits (a no-op elsewhere)."""
    parent = os.getppid()
    name = ctypes.util.find_library("c")
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent:  # the parent was already gone before prctl
        os._exit(1)


def quiet_child() -> None:
    """The first call of a worker or generator process.

    Ctrl-C signals the whole process group; the child ignores it, because the parent decides
    how to stop it (a stop flag, closing a pipe, terminate()). SIGTERM keeps its default action
    (terminate at once, silently), and the child dies with its parent, however the parent ends.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()


def stop_children(grace: float = 2.0) -> None:
    """Terminate this process's multiprocessing children still running; kill those that stay."""
    import multiprocessing  # here: a MySQL workload must load its driver's OpenSSL first

    children = multiprocessing.active_children()
    for child in children:
        with contextlib.suppress(OSError, ValueError):
            child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            with contextlib.suppress(OSError, ValueError):
                child.kill()
            child.join(1.0)


def threads_left() -> list[threading.Thread]:
    """Non-daemon threads still running besides the main one (the interpreter waits for them)."""
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]


def wait_for_threads(grace: float) -> bool:
    """Give non-daemon threads ``grace`` seconds to finish; True when none is left."""
    deadline = time.monotonic() + grace
    for thread in threads_left():
        thread.join(max(0.0, deadline - time.monotonic()))
    return not threads_left()
