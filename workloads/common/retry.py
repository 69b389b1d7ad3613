"""Retries for transient errors: bounded by attempts and time, exponential backoff, full jitter."""

from __future__ import annotations

from collections.abc import Callable

import tenacity

from workloads.common.errors import one_line
from workloads.common.redaction import log, redact


def retrying(
    retry_if: Callable[[BaseException], bool],
    *,
    attempts: int = 5,
    max_seconds: float = 30.0,
    initial_wait: float = 0.1,
    max_wait: float = 5.0,
    describe: str = "operation",
) -> tenacity.Retrying:
    """A tenacity ``Retrying`` for transient errors: bounded by attempts and elapsed time,
    exponential backoff with full jitter, the last error re-raised as itself.

    Use as ``retrying(pred)(fn, *args)`` or ``for attempt in retrying(pred): with attempt: ...``.
    """

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info(
            "%s: attempt %d failed (%s); retrying in %.2fs",
            describe,
            state.attempt_number,
            redact(one_line(exc)) if exc else "?",
            state.next_action.sleep if state.next_action else 0.0,
        )

    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts) | tenacity.stop_after_delay(max_seconds),
        wait=tenacity.wait_random_exponential(multiplier=initial_wait, max=max_wait),
        retry=tenacity.retry_if_exception(retry_if),
        reraise=True,
        before_sleep=before_sleep,
    )


def is_transient_network_error(exc: BaseException) -> bool:
    """Refused, reset or timed-out connections: worth another attempt."""
    return isinstance(exc, ConnectionError | TimeoutError)
