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
import threading
import time
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


def install_handlers() -> None:
    """SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated, in the main thread, once."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)


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
