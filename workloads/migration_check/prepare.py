"""``--prepare-source``: what DMS change data capture needs from a MySQL source, each check
with the exact change to make when it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mysql.connector

from workloads.common import check_exit_code
from workloads.sql.mysqldb import server_flavor

RETENTION_HOURS = 24


@dataclass(frozen=True)
class SourceCheck:
    """One requirement, the value found, and the change that would satisfy it."""

    check: str
    value: str | None
    ok: bool
    fix: str


@dataclass(frozen=True)
class PrepareReport:
    """Every check of the source; ready when all pass."""

    checks: list[SourceCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "workload": "migration-check",
            "mode": "prepare-source",
            "checks": [vars(c) for c in self.checks],
            "ok": self.ok,
        }


def prepare_source_checks(conn: Any) -> list[SourceCheck]:
    """What DMS CDC needs from a MySQL source, each with the exact change when it is wrong."""
    cur = conn.cursor(buffered=True)
    flavor = server_flavor(cur)

    def variable(name: str) -> str | None:
        cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (name,))
        row = cur.fetchone()
        return None if row is None else str(row[1])

    checks = []
    log_bin = variable("log_bin")
    checks.append(
        SourceCheck(
            check="binary log enabled",
            value=log_bin,
            ok=(log_bin or "").upper() == "ON",
            fix="RDS: binary logging follows automated backups, set "
            "dbtier:relational.backupRetentionDays >= 1; self-managed: start the server with "
            "log_bin (log-bin=mysql-bin in my.cnf) and restart it",
        )
    )
    fmt = variable("binlog_format")
    checks.append(
        SourceCheck(
            check="binlog_format is ROW",
            value=fmt,
            ok=(fmt or "").upper() == "ROW",
            fix="RDS: binlog_format=ROW in the DB parameter group (dbtier sets it when "
            "dbtier:migration.enabled is true); self-managed: SET GLOBAL binlog_format = 'ROW' "
            "and binlog_format=ROW in my.cnf",
        )
    )
    image = variable("binlog_row_image")
    checks.append(
        SourceCheck(
            check="binlog_row_image is FULL",
            value=image,
            ok=(image or "FULL").upper() == "FULL",
            fix="binlog_row_image=FULL in the DB parameter group (self-managed: "
            "SET GLOBAL binlog_row_image = 'FULL' and in my.cnf)",
        )
    )
    on_rds, hours = _rds_retention_hours(cur) if flavor == "mysql" else (False, None)
    if on_rds:
        checks.append(
            SourceCheck(
                check=f"binlog retention >= {RETENTION_HOURS} hours (RDS)",
                value="NULL (purged as soon as possible)" if hours is None else f"{hours} hours",
                ok=hours is not None and hours >= RETENTION_HOURS,
                fix="CALL mysql.rds_set_configuration('binlog retention hours', "
                f"{RETENTION_HOURS});",
            )
        )
    else:
        seconds_text = variable("binlog_expire_logs_seconds")
        days_text = variable("expire_logs_days")
        seconds = int(float(seconds_text)) if seconds_text else 0
        if not seconds and days_text:
            seconds = int(float(days_text) * 86400)
        checks.append(
            SourceCheck(
                check=f"binlog retention >= {RETENTION_HOURS} hours",
                value="never purged" if seconds == 0 else f"{seconds / 3600:g} hours",
                ok=seconds == 0 or seconds >= RETENTION_HOURS * 3600,
                fix=f"SET GLOBAL binlog_expire_logs_seconds = {RETENTION_HOURS * 3600} "
                "(and in my.cnf)",
            )
        )
    cur.close()
    return checks


def _rds_retention_hours(cur: Any) -> tuple[bool, int | None]:
    """(running on RDS, its 'binlog retention hours' or None when unset)."""
    try:
        cur.execute("CALL mysql.rds_show_configuration")
    except mysql.connector.Error:
        return False, None
    hours = None
    for row in cur.fetchall():
        if str(row[0]) == "binlog retention hours" and row[1] not in (None, "NULL"):
            hours = int(row[1])
    while cur.nextset() if hasattr(cur, "nextset") else False:
        pass
    return True, hours
