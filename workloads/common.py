"""Pieces every workload shares: the stack outputs, errors and exit codes, secret redaction,
retries with backoff, progress bars and result output.

A workload module imports what it needs from here and never prints a secret, a traceback or a
multi-line error: the entrypoint (``workloads.__main__``) turns a ``WorkloadError`` into one line
on stderr and its ``exit_code``.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import tenacity
from tqdm import tqdm

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

log = logging.getLogger("workloads")

T = TypeVar("T")


class WorkloadError(Exception):
    """An error a user can act on: printed as one line, then the process exits with ``exit_code``.

    ``exit_code`` is 2 for bad input or an unreachable endpoint, 1 for a check that failed.
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --- secrets -------------------------------------------------------------------------------

SECRET_KEYS = frozenset({"password", "authtoken", "auth_token", "secret", "token"})
REDACTED = "***"
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret so that ``redact`` scrubs it (and its URL-encoded form) everywhere."""
    if isinstance(value, str) and len(value) >= 4:
        _secrets.add(value)
        _secrets.add(quote(value, safe=""))


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace every registered secret, plus any in ``secrets``, by ``***`` in ``text``."""
    candidates = set(_secrets)
    if secrets is not None:
        candidates.update(s for s in secrets if s)
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted(candidates, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _collect_secrets(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and str(key).lower() in SECRET_KEYS:
                out.append(item)
            else:
                _collect_secrets(item, out)
    elif isinstance(value, list):
        for item in value:
            _collect_secrets(item, out)


class RedactingFormatter(logging.Formatter):
    """A log formatter that scrubs registered secrets from every record it formats."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# --- stack outputs -------------------------------------------------------------------------

_MISSING: Any = object()
_MASKED = "[secret]"


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        list: "a list",
        dict: "an object",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


@dataclass(frozen=True)
class Outputs:
    """The stack outputs (``pulumi stack output --json --show-secrets``) and their source."""

    data: dict[str, Any]
    source: str = "outputs"
    secrets: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """True when the section ``name`` is present (an optional component may be disabled)."""
        return isinstance(self.data.get(name), dict)

    def section(self, name: str) -> dict[str, Any]:
        """The object exported by one component, or a WorkloadError naming the missing key."""
        if name not in self.data:
            raise WorkloadError(f'{self.source}: missing key "{name}"')
        value = self.data[name]
        if not isinstance(value, dict):
            got = _describe(value)
            raise WorkloadError(
                f'{self.source}: malformed key "{name}" (expected an object, got {got})'
            )
        return value

    def field(
        self,
        section: str,
        key: str,
        kind: type | tuple[type, ...] = str,
        default: Any = _MISSING,
    ) -> Any:
        """One typed value of a section; a missing or mistyped value names its dotted key."""
        values = self.section(section)
        dotted = f"{section}.{key}"
        if key not in values or values[key] is None:
            if default is not _MISSING:
                return default
            raise WorkloadError(f'{self.source}: missing key "{dotted}"')
        value = values[key]
        if value == _MASKED:
            raise WorkloadError(
                f'{self.source}: "{dotted}" is masked; export the outputs with '
                "`pulumi stack output --json --show-secrets`"
            )
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # JSON has one number type: accept "5432" and 5432 for a port, never True for an int.
        if int in kinds and isinstance(value, str) and value.isdigit():
            value = int(value)
        ok = isinstance(value, kinds) and not (
            isinstance(value, bool) and bool not in kinds and int in kinds
        )
        if not ok or (isinstance(value, str) and not value and str in kinds):
            raise WorkloadError(
                f'{self.source}: malformed key "{dotted}" '
                f"(expected {_type_name(kind)}, got {_describe(value)})"
            )
        return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "an object"


def outputs_from_json(text: str, source: str) -> Outputs:
    """Parse stack-output JSON, register its secrets, and wrap it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkloadError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise WorkloadError(
            f"{source}: expected a JSON object of stack outputs, got {_describe(data)}"
        )
    secrets: list[str] = []
    _collect_secrets(data, secrets)
    for secret in secrets:
        register_secret(secret)
    return Outputs(data=data, source=source, secrets=secrets)


def load_outputs(path: str) -> Outputs:
    """Read the JSON of ``pulumi stack output --json --show-secrets`` from ``path``."""
    source = f"outputs file {path}"
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise WorkloadError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkloadError(f"{source}: cannot read it ({type(exc).__name__})") from None
    return outputs_from_json(text, source)


def outputs_from_stack(stack: str, timeout: float = 120.0) -> Outputs:
    """Run ``pulumi stack output --json --show-secrets --stack NAME`` and parse its output."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise WorkloadError(
            "the pulumi CLI is not on PATH: install it, or pass --outputs FILE with the JSON of "
            "`pulumi stack output --json --show-secrets`"
        )
    command = [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise WorkloadError(
            f"pulumi stack output --stack {stack} took over {timeout:.0f}s"
        ) from None
    if done.returncode != 0:
        first = next((ln for ln in done.stderr.splitlines() if ln.strip()), "no message")
        raise WorkloadError(f"pulumi stack output --stack {stack} failed: {redact(first.strip())}")
    return outputs_from_json(done.stdout, f"stack {stack} outputs")


# --- retries -------------------------------------------------------------------------------


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


# --- output --------------------------------------------------------------------------------


def one_line(exc: BaseException | str) -> str:
    """A message on one line (drivers like to add newlines and hints)."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    return " ".join(text.split())


def progress(total: float | None, desc: str, disable: bool = False, unit: str = "it") -> tqdm:
    """A tqdm bar on stderr; off with --json (``disable``) or when stderr is not a terminal."""
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        disable=disable or not sys.stderr.isatty(),
    )


def emit(
    result: dict[str, Any], as_json: bool, text_renderer: Callable[[dict[str, Any]], str]
) -> None:
    """Print the result once: JSON for machines, ``text_renderer(result)`` for people."""
    text = json.dumps(result, indent=2, default=str) if as_json else text_renderer(result)
    sys.stdout.write(redact(text).rstrip("\n") + "\n")
    sys.stdout.flush()


def render_table(headers: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A plain aligned text table (numbers right-aligned)."""
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(_is_number(r[i]) for r in cells) if cells else False for i in range(len(headers))
    ]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
