"""How long a MySQL or MariaDB source keeps its binary logs, and setting it, for DMS change data
capture: DMS reads the changes from the binlogs, and a binlog purged before DMS has read it
(the task stopped, lagging, or resuming from a checkpoint) breaks CDC for good.

On RDS the retention is ``binlog retention hours``, set with ``mysql.rds_set_configuration`` and
read with ``mysql.rds_show_configuration``; unset (NULL), RDS purges binlogs as soon as it can.
AWS DMS's MySQL source page asks for at least 24 hours
(``call mysql.rds_set_configuration('binlog retention hours', 24);``,
https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.AmazonManaged);
RDS takes at most 168 (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-stored-proc-configuring.html).
A server that is not RDS has no such procedure: its retention is ``binlog_expire_logs_seconds``
(``expire_logs_days`` before it; 0 in both: never purged), what the same step sets there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mysql.connector

# The documented minimum (the DMS page above), and RDS's maximum.
RETENTION_HOURS = 24
MAX_RDS_HOURS = 168
SETTING = "binlog retention hours"


@dataclass(frozen=True)
class Retention:
    """What the server keeps: on RDS its ``binlog retention hours`` (None: unset, purged as soon
    as possible); elsewhere its expiry in hours (None: never purged)."""

    on_rds: bool
    hours: float | None

    def keeps(self, hours: float) -> bool:
        """Whether binlogs stay at least ``hours``."""
        if self.hours is None:
            return not self.on_rds
        return self.hours >= hours

    def describe(self) -> str:
        if self.on_rds:
            unset = "unset (RDS purges binlogs as soon as it can)"
            return f"{SETTING}: " + (unset if self.hours is None else f"{self.hours:g}")
        if self.hours is None:
            return "binlog_expire_logs_seconds 0: never purged (not RDS)"
        return f"binlog_expire_logs_seconds: {self.hours:g} hours (not RDS)"


def read_retention(cur: Any) -> Retention:
    """The retention of the server `cur` is connected to (a buffered MySQL cursor)."""
    on_rds, hours = _rds_hours(cur)
    if on_rds:
        return Retention(True, hours)
    seconds = _variable(cur, "binlog_expire_logs_seconds")
    days = _variable(cur, "expire_logs_days")
    expiry = float(seconds) if seconds else 0.0
    if not expiry and days:
        expiry = float(days) * 86400
    return Retention(False, expiry / 3600 if expiry else None)


def set_retention(cur: Any, hours: int) -> Retention:
    """Keep binlogs at least `hours` and return what the server then reports: only when the
    server keeps them for less (a longer retention, set for a replica or another consumer, and a
    server that never purges are left alone). On RDS, through ``mysql.rds_set_configuration``;
    elsewhere ``SET GLOBAL binlog_expire_logs_seconds``."""
    current = read_retention(cur)
    if current.keeps(hours):
        return current
    if current.on_rds:
        cur.execute("CALL mysql.rds_set_configuration(%s, %s)", (SETTING, hours))
        _drain(cur)
    else:
        cur.execute("SET GLOBAL binlog_expire_logs_seconds = %s", (hours * 3600,))
    return read_retention(cur)


def _rds_hours(cur: Any) -> tuple[bool, float | None]:
    """(the server has RDS's procedure, its binlog retention hours or None when unset)."""
    try:
        cur.execute("CALL mysql.rds_show_configuration")
    except mysql.connector.Error:
        return False, None
    hours = None
    for row in cur.fetchall():
        if str(row[0]) == SETTING and row[1] not in (None, "NULL"):
            hours = float(row[1])
    _drain(cur)
    return True, hours


def _drain(cur: Any) -> None:
    """Read past the extra result a CALL returns, so the connection takes the next statement."""
    while cur.nextset() if hasattr(cur, "nextset") else False:
        pass


def _variable(cur: Any, name: str) -> str | None:
    cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (name,))
    row = cur.fetchone()
    return None if row is None else str(row[1])
