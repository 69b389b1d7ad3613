"""Backup and maintenance windows: parsing AWS's two formats, their lengths, and overlap.

RDS, Aurora, ElastiCache and Redshift share two window formats, both in UTC: a daily window
``hh24:mi-hh24:mi`` (RDS/Aurora backups, ElastiCache snapshots) and a weekly one
``ddd:hh24:mi-ddd:hh24:mi`` (maintenance). Each part reads its windows through `daily` and
`weekly` and checks them against each other with `check_apart`, so every part reports a bad
window the same way. The formats are the ones the Terraform provider validates
(terraform-provider-aws ``verify.ValidOnceADayWindowFormat`` / ``ValidOnceAWeekWindowFormat``);
days are lower-case because that is how AWS returns them (an upper-case day would show as a
change on every refresh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.settings import ConfigError, Fields, describe

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = r"([01][0-9]|2[0-3]):([0-5][0-9])"
_DAILY = re.compile(f"{_TIME}-{_TIME}", re.ASCII)
_WEEKLY = re.compile(f"({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}", re.ASCII)
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES

# The shortest window each service takes, in minutes, and the pages that say so.
RDS_WINDOW_MINUTES = 30  # RDS instances and Aurora clusters, backup and maintenance
ELASTICACHE_WINDOW_MINUTES = 60  # ElastiCache snapshot and maintenance windows
REDSHIFT_WINDOW_MINUTES = 30  # Redshift maintenance
RDS_WINDOWS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Maintenance.html"
)
RDS_BACKUP_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupWindow.html"
AURORA_WINDOWS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
)
ELASTICACHE_WINDOWS_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
REDSHIFT_WINDOWS_DOCS = (
    "https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html"
)


@dataclass(frozen=True)
class Window:
    """A window as AWS takes it (`text`), and where it lies in minutes."""

    text: str
    start: int
    """Minutes from Monday 00:00 UTC (weekly) or from 00:00 UTC (daily)."""
    minutes: int
    """Its length; a window that ends before it starts runs over midnight (or Sunday night)."""
    weekly: bool

    def spans(self) -> list[tuple[int, int]]:
        """The half-open minute ranges it covers in one week, split where the week wraps."""
        starts = [self.start] if self.weekly else [d * DAY_MINUTES + self.start for d in range(7)]
        out: list[tuple[int, int]] = []
        for s in starts:
            end = s + self.minutes
            out.append((s, min(end, WEEK_MINUTES)))
            if end > WEEK_MINUTES:
                out.append((0, end - WEEK_MINUTES))
        return out


def _minutes(hh: str, mi: str) -> int:
    return int(hh) * 60 + int(mi)


def daily(fields: Fields, name: str, default: str, least: int, docs: str) -> Window:
    """The daily window `name` (``hh24:mi-hh24:mi`` UTC), at least `least` minutes long."""
    text = _read(fields, name, default, _DAILY, "hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00")
    window = daily_window(text)
    _check_length(fields, name, window, least, docs)
    return window


def daily_window(text: str) -> Window:
    """Where the daily window `text` lies; `text` is one `daily` accepted."""
    m = _DAILY.fullmatch(text)
    assert m is not None
    start, end = _minutes(m[1], m[2]), _minutes(m[3], m[4])
    return Window(text, start, (end - start) % DAY_MINUTES, weekly=False)


def weekly(fields: Fields, name: str, default: str, least: int, docs: str) -> Window:
    """The weekly window `name` (``ddd:hh24:mi-ddd:hh24:mi`` UTC), at least `least` minutes."""
    text = _read(
        fields,
        name,
        default,
        _WEEKLY,
        "ddd:hh24:mi-ddd:hh24:mi in UTC with a lower-case day (mon ... sun),"
        " e.g. sun:04:30-sun:05:30",
    )
    window = weekly_window(text)
    _check_length(fields, name, window, least, docs)
    return window


def weekly_window(text: str) -> Window:
    """Where the weekly window `text` lies; `text` is one `weekly` accepted."""
    m = _WEEKLY.fullmatch(text)
    assert m is not None
    start = DAYS.index(m[1]) * DAY_MINUTES + _minutes(m[2], m[3])
    end = DAYS.index(m[4]) * DAY_MINUTES + _minutes(m[5], m[6])
    return Window(text, start, (end - start) % WEEK_MINUTES, weekly=True)


def _read(fields: Fields, name: str, default: str, pattern: re.Pattern[str], hint: str) -> str:
    value = fields.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or not pattern.fullmatch(value):
        # A window is no secret, but free text is never echoed (settings.describe).
        raise ConfigError(f"{fields.key}.{name} must be {hint} (got {describe(value)})")
    return value


def _check_length(fields: Fields, name: str, window: Window, least: int, docs: str) -> None:
    if window.minutes < least:
        raise ConfigError(
            f"{fields.key}.{name} {window.text} is {window.minutes} minutes; AWS needs at least"
            f" {least} ({docs})"
        )


def overlap(a: Window, b: Window) -> bool:
    """Whether two windows share a minute in any week (a daily window recurs every day)."""
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.spans() for s2, e2 in b.spans())


def check_apart(key: str, backup_name: str, backup: Window, maintenance: Window, why: str) -> None:
    """Refuse a backup (or snapshot) window that overlaps the maintenance window; `why` says
    who requires it (AWS for RDS and Aurora, with the page that says so)."""
    if overlap(backup, maintenance):
        raise ConfigError(
            f"{key}.{backup_name} {backup.text} overlaps {key}.maintenanceWindow"
            f" {maintenance.text}; move one of them ({why})"
        )
