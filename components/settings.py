"""Reading one `dbtier:` config object: typed getters, ranges, unknown-field detection, messages.

Every component's parser reads its key through `Fields`, so each bad value is reported the same
way: one `ConfigError` whose message names the full key, what is wrong and the value given. The
identifier rules several engines share (database and user names, log retention) live here too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

# CloudWatch Logs accepts only these retention periods (days).
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)
# fmt: on

# MySQL/Aurora/Redshift master user names: a letter, then letters, digits, underscores; and not
# a reserved word the engines reject.
RESERVED_USERS = {"admin", "root", "rdsadmin", "postgres", "rdsrepladmin", "mysql", "system"}
DB_NAME = r"[A-Za-z][A-Za-z0-9_]{0,63}"
USER_NAME = r"[A-Za-z][A-Za-z0-9_]{0,15}"


class ConfigError(ValueError):
    """A stack config value is missing, malformed or out of range; the message names the key."""


class Fields:
    """Reads the fields of one config object, remembering which were used."""

    def __init__(self, key: str, raw: Any) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{key} must be an object (got {show(raw)})")
        self.key = key
        self.raw = raw
        self.used: set[str] = set()

    def _name(self, name: str) -> str:
        return f"{self.key}.{name}"

    def get(self, name: str) -> Any:
        """The raw value of `name` (None when absent), marked as used."""
        self.used.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        return name in self.raw

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ConfigError(f"{self._name(name)} must be true or false (got {show(value)})")
        return value

    def integer(
        self, name: str, default: T, lo: int | None = None, hi: int | None = None
    ) -> int | T:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self._name(name)} must be an integer (got {show(value)})")
        check_range(self._name(name), value, lo, hi)
        return value

    def number(
        self, name: str, default: T, lo: float | None = None, hi: float | None = None
    ) -> float | T:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(
                    f"{self._name(name)} must be a number (got {show(value)})"
                ) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self._name(name)} must be a number (got {show(value)})")
        check_range(self._name(name), value, lo, hi)
        return float(value)

    def text(self, name: str, default: T, pattern: str | None = None, hint: str = "") -> str | T:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self._name(name)} must be a non-empty string (got {show(value)})")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ConfigError(f"{self._name(name)} must be {hint or pattern} (got {show(value)})")
        return value

    def choice(self, name: str, default: Any, choices: Iterable[str]) -> Any:
        """One of `choices` (typed Any so it fills the Literal fields it was validated for)."""
        value = self.get(name)
        options = tuple(choices)
        if value is None:
            return default
        if value not in options:
            listed = ", ".join(options)
            raise ConfigError(f"{self._name(name)} must be one of {listed} (got {show(value)})")
        return str(value)

    def strings(
        self,
        name: str,
        check: Callable[[str, str], None] | None = None,
    ) -> tuple[str, ...] | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self._name(name)} must be a list of strings (got {show(value)})")
        if check is not None:
            for i, item in enumerate(value):
                check(f"{self._name(name)}[{i}]", item)
        return tuple(value)

    def obj(self, name: str) -> Fields:
        return Fields(self._name(name), self.get(name))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.used)
        if unknown:
            raise ConfigError(
                f"{self._name(unknown[0])} is not a known setting"
                f" (known: {', '.join(sorted(self.used))})"
            )


def offered(key: str, *problems: Callable[[], str | None]) -> None:
    """Refuse a value the catalog says AWS does not offer: the first problem found, named by key.

    Each problem is a thunk of ``policy.dbtier_policy.catalog`` (the source the policy pack also
    asks), evaluated in order so the cheapest and most basic check speaks first.
    ``DBTIER_DEPLOYABILITY=off`` skips them: only the benchmark sets it, to measure their cost.
    """
    if os.environ.get("DBTIER_DEPLOYABILITY") == "off":
        return
    for problem in problems:
        found = problem()
        if found:
            raise ConfigError(f"{key}: {found}")


def show(value: Any) -> str:
    """A config value as a message quotes it: JSON, strings in quotes, cut at 60 characters."""
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_range(name: str, value: float, lo: float | None, hi: float | None) -> None:
    """Refuse `value` outside lo..hi (either bound may be open), naming `name`."""
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {num(lo)} and {num(hi)} (got {num(value)})")
    if lo is not None and value < lo:
        raise ConfigError(f"{name} must be >= {num(lo)} (got {num(value)})")
    if hi is not None and value > hi:
        raise ConfigError(f"{name} must be <= {num(hi)} (got {num(value)})")


def num(value: float) -> str:
    """A number as a message shows it: 1 rather than 1.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def username(fields: Fields, default: str, engine_label: str) -> str:
    """The `username` field: a valid master user name that `engine_label` does not reserve."""
    name = fields.text(
        "username", default, USER_NAME, "1-16 letters, digits or _, starting with a letter"
    )
    if name.lower() in RESERVED_USERS:
        raise ConfigError(
            f"{fields.key}.username {name!r} is reserved by {engine_label}; choose another name"
        )
    return name


def log_retention(fields: Fields, default: int) -> int:
    """The `logRetentionDays` field: one of the periods CloudWatch Logs accepts."""
    days = fields.integer("logRetentionDays", default)
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            f"{fields.key}.logRetentionDays must be a CloudWatch Logs retention period"
            f" ({', '.join(map(str, LOG_RETENTION_DAYS[:12]))}, ... 3653; got {days})"
        )
    return days
