"""What to compare in one table, decided from the two catalogs alone (no data read): which
columns match, each column's canonical form (``canonical.pair_form``), the hash, and how the
primary key is cut into chunks.

Chunking follows what the key allows on both engines:

- ``arithmetic``: one integer key, cut into equal key ranges between the two sides' MIN and MAX;
- ``keyset``: keys whose order is the same on both sides (numbers, dates and times, or text and
  binary under the same collation on the same engine), cut at the source's keyset boundaries;
- ``buckets``: any other key (text under different collations: MySQL's ``utf8mb4_general_ci``
  against PostgreSQL's ``C.UTF-8``, where a key range would select different rows), grouped by a
  hash of its canonical text, one grouped scan per side. The differing keys are then named one by
  one (a run of keys cannot be called consecutive when the two sides order them differently).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from workloads.migration_check.canonical import (
    CRC32,
    INT,
    MD5,
    MYSQL,
    ORDERED_ALIKE,
    Column,
    Form,
    pair_form,
)

ARITHMETIC, KEYSET, BUCKETS = "arithmetic", "keyset", "buckets"


@dataclass(frozen=True)
class ColumnPlan:
    """A source column, the target column it maps to, and the form both are compared in."""

    source: Column
    target: Column
    form: Form

    @property
    def nullable(self) -> bool:
        return self.source.nullable or self.target.nullable


@dataclass(frozen=True)
class TablePlan:
    """How one table is compared: the columns hashed in SQL, those streamed, the key and how it
    is chunked, and the hash both sides compute."""

    table: str
    target_table: str
    columns: list[ColumnPlan]
    key: list[ColumnPlan]
    strategy: str
    algorithm: str
    streamed: list[ColumnPlan] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # source columns the target lacks


def match_name(name: str, names: list[str]) -> str | None:
    """``name`` in ``names``: exactly, else the one name equal ignoring case (PostgreSQL folds
    unquoted names to lower case, MySQL keeps them)."""
    if name in names:
        return name
    folded = [n for n in names if n.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def plan_table(
    table: str,
    target_table: str,
    source: tuple[str, list[Column], list[str]],
    target: tuple[str, list[Column]],
) -> TablePlan | str:
    """The plan for ``table``, from each side's (family, columns[, key]); a string says why the
    table cannot be compared (a key column the target lacks)."""
    s_family, s_columns, key = source
    t_family, t_columns = target
    by_name = {c.name: c for c in t_columns}
    plans: dict[str, ColumnPlan] = {}
    missing = []
    for column in s_columns:
        matched = match_name(column.name, list(by_name))
        if matched is None:
            missing.append(column.name)
            continue
        other = by_name[matched]
        plans[column.name] = ColumnPlan(column, other, pair_form(s_family, column, t_family, other))
    absent = [k for k in key if k not in plans]
    if absent:
        return f"primary key column(s) missing in target: {', '.join(absent)}"
    key_plans = [plans[k] for k in key]
    return TablePlan(
        table=table,
        target_table=target_table,
        columns=[p for p in plans.values() if not p.form.streamed],
        key=key_plans,
        strategy=choose_strategy(s_family, t_family, key_plans),
        algorithm=CRC32 if s_family == t_family == MYSQL else MD5,
        streamed=[p for p in plans.values() if p.form.streamed],
        missing=missing,
    )


def choose_strategy(s_family: str, t_family: str, key: list[ColumnPlan]) -> str:
    """``arithmetic``, ``keyset`` or ``buckets`` (see the module's docstring)."""
    if len(key) == 1 and all(
        c.kind(f) == INT for c, f in ((key[0].source, s_family), (key[0].target, t_family))
    ):
        return ARITHMETIC
    if all(_ordered_alike(s_family, t_family, k) for k in key):
        return KEYSET
    return BUCKETS


def _ordered_alike(s_family: str, t_family: str, column: ColumnPlan) -> bool:
    """Whether a key range of this column selects the same values on both sides."""
    s_kind, t_kind = column.source.kind(s_family), column.target.kind(t_family)
    if s_family == t_family and s_kind == t_kind:
        # Same engine: text and binary order alike under the same collation and character set.
        return (column.source.collation, column.source.charset) == (
            column.target.collation,
            column.target.charset,
        )
    return column.form.kind in ORDERED_ALIKE and {s_kind, t_kind} <= ORDERED_ALIKE


@dataclass(frozen=True)
class RowFilter:
    """Which rows to compare: those whose time column is not after ``before`` (NULL counts as
    before), the rows a copy taken at ``before`` must hold. ``column`` applies to every table
    that has it, ``columns`` names a table's own (the restore drill's marker table); a table
    without its column is compared whole."""

    before: datetime
    column: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)

    def column_for(self, table: str, names: list[str]) -> str | None:
        """The filter's column among ``names`` (the table's columns), or None."""
        wanted = self.columns.get(table, self.column)
        return None if wanted is None else match_name(wanted, names)
