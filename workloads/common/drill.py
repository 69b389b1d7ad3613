"""What the drills (``failover``, ``restore-drill``) share: ``--dry-run`` and ``--yes``, and the
guard that a drill changes a prod stack only when told to.

A stack is prod when its name says so (``--stack prod``, ``prod-eu``, ``payments_production``) or
when the identifiers in its outputs do: dbtier names its instances and clusters
``<project>-<stack>-<part>-...``, so ``dbtier-prod-relational-primary`` is prod even when the
outputs came from a file.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from workloads.common.errors import WorkloadError
from workloads.common.outputs import Outputs

# "prod" or "production" as a word of a name: prod, prod-eu, payments_production, not "product".
_PROD = re.compile(r"(?:^|[-_.:/ ])prod(?:uction)?(?:$|[-_.:/ ])", re.IGNORECASE)
# The outputs' identifiers that carry the stack's name (see the module docstring).
_NAMED = ("instanceIds", "clusterId", "cacheName", "tableName")


def add_drill_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dry-run`` (print the API calls, change nothing) and ``--yes`` (consent for prod)."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the AWS API calls the drill would make and change nothing",
    )
    parser.add_argument(
        "--yes", action="store_true", help="run the drill on a prod stack (refused without it)"
    )


def _names(value: Any, out: list[str]) -> list[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _NAMED:
                out.extend(item if isinstance(item, list) else [item])
            else:
                _names(item, out)
    return out


def stack_is_prod(outputs: Outputs, stack: str | None) -> bool:
    """Whether the stack's name (``--stack``) or the names in its outputs say prod."""
    names = [stack] if stack else []
    names += _names(outputs.data, [])
    return any(isinstance(name, str) and _PROD.search(name) for name in names)


def require_consent(outputs: Outputs, stack: str | None, yes: bool, what: str) -> None:
    """Refuse (exit 2) to ``what`` on a prod stack unless ``yes`` (``--yes``) was given."""
    if yes or not stack_is_prod(outputs, stack):
        return
    shown = f"stack {stack!r}" if stack else outputs.source
    raise WorkloadError(f"{shown} is a prod stack: pass --yes to {what}")
