"""The stack outputs a workload reads: from a file or from the pulumi CLI, read through the
typed contract (``contract.outputs``), every secret in them registered for redaction."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contract import ContractError, echo, read_section
from contract.values import describe_value
from workloads.common.errors import WorkloadError, one_line
from workloads.common.redaction import collect_secrets, redact, register_secret

S = TypeVar("S")


@dataclass(frozen=True)
class Outputs:
    """The stack outputs (``pulumi stack output --json --show-secrets``) and their source."""

    data: dict[str, Any]
    source: str = "outputs"
    secrets: list[str] = field(default_factory=list)

    def read(self, section: type[S]) -> S:
        """One section, validated; a WorkloadError names the missing or malformed key."""
        try:
            return read_section(self.data, section, self.source)
        except ContractError as exc:
            raise WorkloadError(str(exc)) from None

    def read_optional(self, section: type[S]) -> S | None:
        """A section of an optional component: None when it is not exported (disabled)."""
        if not isinstance(self.data.get(section.KEY), dict):  # type: ignore[attr-defined]
            return None
        return self.read(section)


MAX_BYTES = 16 << 20  # far more than any stack's outputs (a few KB), far less than RLIMIT
MAX_DEPTH = 32  # the contract nests 4 deep (dynamo.tables.<name>.indexes[i])
# A JSON string, a bracket, or a quote that opens a string never closed (the rest is inside it).
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|"', re.DOTALL)


def _too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON ``text`` nests arrays and objects more than ``limit`` deep.

    Checked before parsing: the parser recurses, so 100,000 brackets would end in a
    RecursionError. Brackets inside strings do not count.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # every real outputs file: no scan needed
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
        elif token == '"':
            return False  # unterminated: stop here, linear time; the parser reports it
    return False


def outputs_from_json(text: str, source: str) -> Outputs:
    """Parse stack-output JSON (bounded in size and depth), register its secrets, and wrap it."""
    if len(text) > MAX_BYTES:
        raise WorkloadError(
            f"{source}: too large ({len(text):,} characters, at most {MAX_BYTES:,})"
        )
    if _too_deep(text):
        raise WorkloadError(
            f"{source}: nested more than {MAX_DEPTH} levels deep; not stack outputs"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkloadError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. a number of more than 4,300 digits
        raise WorkloadError(f"{source}: not valid JSON ({echo(one_line(exc), 120)})") from None
    if not isinstance(data, dict):
        raise WorkloadError(
            f"{source}: expected a JSON object of stack outputs, got {describe_value(data)}"
        )
    secrets = collect_secrets(data)
    for secret in secrets:
        register_secret(secret)
    return Outputs(data=data, source=source, secrets=secrets)


def _read_bounded(path: str, source: str) -> bytes:
    """The bytes of the regular file ``path``, refusing anything else before reading it.

    Opened without blocking (a FIFO would wait forever for a writer) and checked with fstat: a
    directory, a device such as /dev/zero, a socket or a file over ``MAX_BYTES`` is refused
    without reading a byte, and at most ``MAX_BYTES + 1`` bytes are ever read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise WorkloadError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise WorkloadError(f"{source}: is a directory, not a file") from None
    except PermissionError:
        raise WorkloadError(f"{source}: permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise WorkloadError(f"{source}: cannot open it ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise WorkloadError(f"{source}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise WorkloadError(f"{source}: not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > MAX_BYTES:
            raise WorkloadError(
                f"{source}: too large ({info.st_size:,} bytes, at most {MAX_BYTES:,})"
            )
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb", buffering=0) as handle:
        os.set_blocking(fd, True)
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise WorkloadError(f"{source}: cannot read it ({_reason(exc)})") from None
    if data is None or len(data) > MAX_BYTES:
        raise WorkloadError(f"{source}: too large (more than {MAX_BYTES:,} bytes)")
    return data


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def load_outputs(path: str) -> Outputs:
    """Read the JSON of ``pulumi stack output --json --show-secrets`` from ``path``."""
    source = f"outputs file {echo(path, 160)}"
    data = _read_bounded(path, source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkloadError(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return outputs_from_json(text, source)


def outputs_from_stack(stack: str, timeout: float = 120.0) -> Outputs:
    """Run ``pulumi stack output --json --show-secrets --stack NAME`` and parse its output."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise WorkloadError(
            "the pulumi CLI is not on PATH: install it, or pass --outputs FILE with the JSON of "
            "`pulumi stack output --json --show-secrets`"
        )
    shown = echo(stack, 100)
    command = [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise WorkloadError(
            f"pulumi stack output --stack {shown} took over {timeout:.0f}s"
        ) from None
    except (OSError, ValueError) as exc:  # a NUL in the name, output that is not UTF-8
        raise WorkloadError(
            f"pulumi stack output --stack {shown} failed: {echo(one_line(exc), 200)}"
        ) from None
    if done.returncode != 0:
        first = next((ln for ln in done.stderr.splitlines() if ln.strip()), "no message")
        raise WorkloadError(
            f"pulumi stack output --stack {shown} failed: {echo(redact(first.strip()), 300)}"
        )
    return outputs_from_json(done.stdout, f"stack {shown} outputs")
