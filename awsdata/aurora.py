"""What Aurora offers beyond versions and classes (those are in ``rds``): Serverless v2 capacity
and auto-pause, and backtrack.

Not in cfn-lint; the tables are our own, from AWS's pages:

- auto-pause (minCapacity 0) and its minimum versions:
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html;
- the memory of an ACU:
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html;
- backtrack: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html
"""

from __future__ import annotations

import re
from typing import Any

from ._cfnlint import version_key
from .support import LABELS

# Aurora Serverless v2: "Each ACU is a combination of approximately 2 gibibytes (GiB) of memory".
ACU_GIB = 2

# Minimum versions for Serverless v2 auto-pause (minCapacity 0): Aurora MySQL 3.08.0 and higher;
# Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 and higher (and 17+).
AUTO_PAUSE_MINIMUM: dict[str, dict[str, str]] = {
    "aurora-mysql": {"8.0.mysql_aurora.3": "3.08.0", "8.4.mysql_aurora": "8.4.0"},
    "aurora-postgresql": {"13": "13.15", "14": "14.12", "15": "15.7", "16": "16.3"},
}
AUTO_PAUSE_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html"


def _aurora_release(engine: str, version: str) -> tuple[str, tuple[Any, ...]] | None:
    """(line, comparable release) of an Aurora version: ('8.0.mysql_aurora.3', (3, 10, 0))."""
    if engine == "aurora-mysql":
        m = re.fullmatch(r"(\d+\.\d+\.mysql_aurora)\.(\d+)((?:\.\d+)*)", version)
        if not m:
            return None
        major = m.group(2)
        line = f"{m.group(1)}.{major}" if m.group(1) == "8.0.mysql_aurora" else m.group(1)
        return line, version_key(major + m.group(3))
    m = re.fullmatch(r"(\d+)(\.\d+)?", version)
    if not m:
        return None
    return m.group(1), version_key(version)


def auto_pause_problem(engine: str, version: str) -> str | None:
    """Why ``version`` cannot pause at 0 ACU, or None (unknown versions: None)."""
    release = _aurora_release(engine, version)
    if release is None:
        return None
    line, key = release
    minimums = AUTO_PAUSE_MINIMUM.get(engine, {})
    if engine == "aurora-postgresql" and int(line) >= 17:
        return None
    minimum = minimums.get(line)
    if minimum is None:
        if engine == "aurora-postgresql" and int(line) < 13:
            minimum = "13.15"
        else:
            return None
    elif key >= version_key(minimum):
        return None
    needs = ", ".join(f"{m}+" for m in minimums.values())
    return (
        f"{LABELS[engine]} {version} cannot auto-pause (minCapacity 0 needs {needs})"
        if engine == "aurora-postgresql"
        else f"{LABELS[engine]} {version} cannot auto-pause (minCapacity 0 needs 3.08.0 or later)"
    )


BACKTRACK_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html"


def backtrack_problem(engine: str) -> str | None:
    """Backtrack exists only for Aurora MySQL (``BACKTRACK_DOCS``)."""
    if engine in ("aurora-mysql", "aurora"):
        return None
    return f"backtrack is offered only by Aurora MySQL, not {LABELS.get(engine, engine)}"
