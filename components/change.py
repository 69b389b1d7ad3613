"""Change management of RDS instances and Aurora clusters: windows, upgrades, user parameters.

`dbtier:relational` and `dbtier:aurora` take the same change-management fields (backupWindow,
maintenanceWindow, applyImmediately, allowMajorVersionUpgrade, autoMinorVersionUpgrade,
engineLifecycleSupport, parameters), flat in their own key. Both parse them here into one
`ChangeConfig`, so the two parts accept, default and report them the same way. ElastiCache and
Redshift keep their own (a snapshot window instead of a backup window, no major-version or
Extended Support settings, and Redshift Serverless takes none of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.parameters import Parameter, parse_parameters
from components.settings import Fields
from components.windows import (
    RDS_WINDOW_MINUTES,
    RDS_WINDOWS_DOCS,
    check_apart,
    daily,
    daily_window,
    weekly,
    weekly_window,
)
from contract.fielddoc import doc

# Backups daily, then weekly maintenance after them; RDS needs each window >= 30 minutes and the
# two apart (RDS_WINDOWS_DOCS, RDS_BACKUP_DOCS, AURORA_WINDOWS_DOCS).
BACKUP_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:04:30-sun:05:30"
# RDS Extended Support enrolment (AWS's default) or not: with it disabled, RDS refuses to create
# a major version past its end of standard support instead of charging for extended support.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html
LIFECYCLE_SUPPORT = (
    "open-source-rds-extended-support",
    "open-source-rds-extended-support-disabled",
)


@dataclass(frozen=True)
class ChangeConfig:
    """When and how RDS applies changes to a database, and the user's engine parameters."""

    backup_window: str = field(
        default=BACKUP_WINDOW,
        metadata=doc(
            "Daily automated-backup window, UTC.",
            rule="hh24:mi-hh24:mi, at least 30 minutes, not overlapping maintenanceWindow",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupWindow.html",
        ),
    )
    maintenance_window: str = field(
        default=MAINTENANCE_WINDOW,
        metadata=doc(
            "Weekly maintenance window, UTC (on Aurora the cluster's and every instance's).",
            rule="ddd:hh24:mi-ddd:hh24:mi with a lower-case day, at least 30 minutes",
            aws=RDS_WINDOWS_DOCS,
        ),
    )
    apply_immediately: bool = field(
        default=False,
        metadata=doc("Apply modifications now instead of in the maintenance window."),
    )
    allow_major_version_upgrade: bool = field(
        default=False,
        metadata=doc(
            "Let a changed engineVersion cross a major version (on Aurora, a cluster setting)."
        ),
    )
    auto_minor_version_upgrade: bool = field(
        default=True,
        metadata=doc(
            "Take minor engine upgrades in the maintenance window (on Aurora, every instance)."
        ),
    )
    engine_lifecycle_support: str | None = field(
        default=None,
        metadata=doc(
            "RDS Extended Support enrolment; unset: AWS's default (enrolled). Disabled, RDS"
            " refuses a major version past its end of standard support instead of charging.",
            allowed=LIFECYCLE_SUPPORT,
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html",
        ),
    )
    parameters: tuple[Parameter, ...] = field(
        default=(),
        metadata=doc(
            "Engine parameters (Aurora: cluster parameters) merged over dbtier's; the ones"
            " dbtier enforces (TLS, logging, binlogs for DMS) cannot be changed.",
            rule="at most 100; names of letters, digits, _ . -; values printable ASCII up to"
            " 4096, a number or true/false; applyMethod immediate or pending-reboot (default)",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html",
            type="map: name to value or {value, applyMethod}",
        ),
    )


def parse_change(f: Fields, backup_docs: str, maintenance_docs: str) -> ChangeConfig:
    """The change-management fields of `f` (``dbtier:relational`` or ``dbtier:aurora``); each
    window's length error cites `backup_docs` / `maintenance_docs`."""
    d = ChangeConfig()
    return ChangeConfig(
        backup_window=daily(
            f, "backupWindow", d.backup_window, RDS_WINDOW_MINUTES, backup_docs
        ).text,
        maintenance_window=weekly(
            f, "maintenanceWindow", d.maintenance_window, RDS_WINDOW_MINUTES, maintenance_docs
        ).text,
        apply_immediately=f.flag("applyImmediately", d.apply_immediately),
        allow_major_version_upgrade=f.flag(
            "allowMajorVersionUpgrade", d.allow_major_version_upgrade
        ),
        auto_minor_version_upgrade=f.flag("autoMinorVersionUpgrade", d.auto_minor_version_upgrade),
        engine_lifecycle_support=f.choice(
            "engineLifecycleSupport", d.engine_lifecycle_support, LIFECYCLE_SUPPORT
        ),
        parameters=parse_parameters(f"{f.key}.parameters", f.get("parameters"), "rds"),
    )


def check_change(key: str, change: ChangeConfig) -> None:
    """What spans fields, checked once the key has no unknown field (a misspelt window is
    reported as such, not as the overlap it leaves): RDS refuses a backup window that overlaps
    the maintenance window."""
    check_apart(
        key,
        "backupWindow",
        daily_window(change.backup_window),
        weekly_window(change.maintenance_window),
        f"RDS requires it: {RDS_WINDOWS_DOCS}",
    )
