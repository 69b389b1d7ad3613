"""What every drill (``failover``, ``restore-drill``) shares: ``--dry-run`` and ``--yes``, the
guard that a drill does nothing to a prod stack without consent, and ``refused``: AWS refusing a
call, or unreachable, as one line naming the call (exit 2).

A stack is prod when its name says so (``--stack``, or the ``stack`` output's ``name``), when one
of its environment tags does (``stack.tags``: ``Stack``, ``Environment``, ``Env``, ``Stage``), or
when the identifiers in its outputs do: dbtier names its instances, clusters, caches and tables
``<project>-<stack>-<part>...``, so ``dbtier-prod-relational-primary`` says prod even in an
outputs file written before the ``stack`` section existed. A word of a name counts, so ``prod``,
``prod-eu`` and ``acme/dbtier/production`` are prod and ``product-dev`` is not.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from typing import Any

from contract import StackOutputs, echo
from workloads.common.errors import WorkloadError, one_line
from workloads.common.outputs import Outputs
from workloads.common.redaction import redact

PROD_WORDS = frozenset({"prod", "production", "prd", "live"})
ENVIRONMENT_TAGS = frozenset({"stack", "environment", "env", "stage"})
_WORD = re.compile(r"[a-z0-9]+")
# The output fields whose values carry the stack's name (see the module docstring).
IDENTIFIERS = frozenset(
    {"instanceIds", "clusterId", "cacheName", "replicationGroupId", "tableName"}
)


def add_drill_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dry-run`` (print the calls, make none) and ``--yes`` (consent for a prod stack)."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the AWS calls the drill would make, make none of them",
    )
    parser.add_argument(
        "--yes", action="store_true", help="consent to run the drill on a prod stack"
    )


def says_prod(text: str) -> bool:
    """Whether one word of ``text`` (a stack name or a tag value) names production."""
    return any(word in PROD_WORDS for word in _WORD.findall(text.lower()))


def _identifiers(value: Any) -> Iterator[str]:
    """Every string an identifier field holds, anywhere in the outputs."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IDENTIFIERS:
                yield from (v for v in (item if isinstance(item, list) else [item]))
            else:
                yield from _identifiers(item)


def _stack_names(outputs: Outputs, stack: str | None) -> list[str]:
    section = outputs.read_optional(StackOutputs)
    names = [stack] if stack else []
    if section is not None:
        names.append(section.name)
        names += [v for k, v in section.tags.items() if k.lower() in ENVIRONMENT_TAGS]
    names += [v for v in _identifiers(outputs.data) if isinstance(v, str)]
    return names


def stack_is_prod(outputs: Outputs, stack: str | None) -> bool:
    """Whether the stack's name (``--stack`` or the outputs') or an environment tag says prod."""
    return any(says_prod(name) for name in _stack_names(outputs, stack))


def require_consent(outputs: Outputs, stack: str | None, yes: bool, what: str) -> None:
    """Refuse (exit 2) to ``what`` on a prod stack unless the user passed ``--yes``."""
    if yes or not stack_is_prod(outputs, stack):
        return
    section = outputs.read_optional(StackOutputs)
    name = stack or (section.name if section is not None else None)
    shown = f"stack {echo(name, 100)!r}" if name else outputs.source
    raise WorkloadError(f"{shown} is a prod stack: pass --yes to {what}")


@contextlib.contextmanager
def refused(what: str) -> Iterator[None]:
    """AWS refusing ``what`` (a ``ClientError``) or unreachable (a ``BotoCoreError``), as one
    line naming it and AWS's reason: a WorkloadError (exit 2)."""
    from botocore.exceptions import BotoCoreError, ClientError  # botocore: the drills' AWS side

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = str(error.get("Message") or exc)
        raise WorkloadError(
            f"AWS refused {what}: {error.get('Code', '?')}: {echo(redact(one_line(reason)), 300)}"
        ) from None
    except BotoCoreError as exc:
        raise WorkloadError(f"{what} failed: {echo(redact(one_line(exc)), 300)}") from None
