"""How a workload shows its work: progress bars on stderr, then its result once on stdout, as
JSON or as text, with secrets scrubbed; and the exit code that goes with the result."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from tqdm import tqdm

from workloads.common.redaction import redact


class Report(Protocol):
    """A workload's typed result: its JSON document and the exit code it stands for."""

    @property
    def exit_code(self) -> int: ...

    def to_json(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Report)


def finish(report: R, as_json: bool, render: Callable[[R], str]) -> int:
    """Print ``report`` once (JSON for machines, ``render(report)`` for people); its exit code."""
    emit(report.to_json() if as_json else render(report), as_json)
    return report.exit_code


def emit(document: dict[str, Any] | str, as_json: bool) -> None:
    """Write a JSON document or a text report to stdout, secrets scrubbed."""
    text = json.dumps(document, indent=2, default=str) if as_json else str(document)
    sys.stdout.write(redact(text).rstrip("\n") + "\n")
    sys.stdout.flush()


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
