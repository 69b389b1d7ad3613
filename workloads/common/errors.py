"""Exit codes and the one error type a workload raises for its user."""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C)
EXIT_TERMINATED = 143  # SIGTERM (kill, timeout, a CI cancel)


class WorkloadError(Exception):
    """An error a user can act on: printed as one line, then the process exits with ``exit_code``.

    ``exit_code`` is 2 for bad input or an unreachable endpoint, 1 for a check that failed.
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def one_line(exc: BaseException | str) -> str:
    """A message on one line (drivers like to add newlines and hints)."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    return " ".join(text.split())


def check_exit_code(ok: bool) -> int:
    """0 when every check passed, 1 when one failed."""
    return EXIT_OK if ok else EXIT_CHECK_FAILED
