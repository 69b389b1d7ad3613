"""The stack outputs a workload reads: from a file or from the pulumi CLI, read through the
typed contract (``contract.outputs``), every secret in them registered for redaction."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contract import ContractError, read_section
from contract.outputs import describe_value
from workloads.common.errors import WorkloadError
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
            f"{source}: expected a JSON object of stack outputs, got {describe_value(data)}"
        )
    secrets = collect_secrets(data)
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
