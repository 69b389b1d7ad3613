"""``--prepare-source``: what DMS change data capture needs from the source, each check with the
exact change to make when it fails: the binary log on MySQL and MariaDB, logical decoding on
PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workloads.common import check_exit_code
from workloads.migration_check.binlog import RETENTION_HOURS, read_retention

# DMS CDC from PostgreSQL: wal_level logical (on RDS: rds.logical_replication = 1), a replication
# slot and a WAL sender for the task, and wal_sender_timeout 0 or at least 10 seconds.
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
WAL_SENDER_TIMEOUT_MIN_MS = 10_000


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
    retention = read_retention(cur)
    # On RDS, MySQL and MariaDB alike, through its procedure; elsewhere the expiry variable.
    fix = (
        f"python -m workloads binlog-retention --hours {RETENTION_HOURS} (CALL "
        f"mysql.rds_set_configuration('binlog retention hours', {RETENTION_HOURS});)"
        if retention.on_rds
        else f"SET GLOBAL binlog_expire_logs_seconds = {RETENTION_HOURS * 3600} (and in my.cnf)"
    )
    checks.append(
        SourceCheck(
            check=f"binlog retention >= {RETENTION_HOURS} hours"
            + (" (RDS)" if retention.on_rds else ""),
            value=retention.describe(),
            ok=retention.keeps(RETENTION_HOURS),
            fix=fix,
        )
    )
    cur.close()
    return checks


def postgres_source_checks(conn: Any) -> list[SourceCheck]:
    """What DMS CDC needs from a PostgreSQL source, each with the exact change when it is wrong."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', "
            "'max_replication_slots', 'max_wal_senders', 'wal_sender_timeout', "
            "'rds.logical_replication')"
        )
        settings = {str(name): str(value) for name, value in cur.fetchall()}
    on_rds = "rds.logical_replication" in settings
    level = settings.get("wal_level")
    slots = int(settings.get("max_replication_slots") or 0)
    senders = int(settings.get("max_wal_senders") or 0)
    timeout = int(settings.get("wal_sender_timeout") or 0)
    where = "in the DB parameter group (RDS, Aurora)" if on_rds else "in postgresql.conf"
    return [
        SourceCheck(
            check="wal_level is logical",
            value=level,
            ok=level == "logical",
            fix="rds.logical_replication = 1 in the DB parameter group, then reboot (dbtier sets "
            "it when dbtier:migration.enabled is true)"
            if on_rds
            else "wal_level = logical in postgresql.conf, then restart the server",
        ),
        SourceCheck(
            check="max_replication_slots >= 1",
            value=str(slots),
            ok=slots >= 1,
            fix=f"max_replication_slots = 10 {where} (one slot per DMS task), then restart",
        ),
        SourceCheck(
            check="max_wal_senders >= 1",
            value=str(senders),
            ok=senders >= 1,
            fix=f"max_wal_senders = 10 {where} (one sender per DMS task), then restart",
        ),
        SourceCheck(
            check=f"wal_sender_timeout is 0 or >= {WAL_SENDER_TIMEOUT_MIN_MS} ms",
            value=f"{timeout} ms",
            ok=timeout == 0 or timeout >= WAL_SENDER_TIMEOUT_MIN_MS,
            fix=f"wal_sender_timeout = {WAL_SENDER_TIMEOUT_MIN_MS} (or 0) {where}",
        ),
    ]
