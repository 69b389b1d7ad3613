"""`dbtier:backup`: AWS Backup's vault, daily and weekly rules, vault lock, copy and restore tests.

Every limit checked here is AWS Backup's own, from its API reference (cited where checked), so
a value AWS would refuse, or a plan whose jobs would all fail, stops at config time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from components.backup.schedule import CRON_DOCS, check_cron
from components.fieldcheck import check_object
from components.partitions import partition_of
from components.settings import ConfigError, Fields, NameRule
from contract.fielddoc import doc

# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html: a recovery point
# kept in cold storage must stay there at least 90 days; retention up to 100 years.
LIFECYCLE_DOCS = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html"
COLD_STORAGE_MIN_DAYS = 90
RETENTION_MAX_DAYS = 36500
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html: a start
# window, when given, "must be at least 60 minutes to avoid errors" and has "a maximum value of
# 100 years (52,560,000 minutes)". The completion window has no bound there (and no relation to
# the start window: one counts from the scheduled time, the other from the job's start); dbtier
# asks only that it be at least a minute, a window of nothing cancelling every job.
START_WINDOW_MIN = 60
START_WINDOW_MAX = 52_560_000
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html:
# ChangeableForDays at least 3 (the grace time before a compliance lock becomes immutable);
# retention bounds up to 36500 days; jobs whose retention is outside them fail.
LOCK_DOCS = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html"
CHANGEABLE_MIN_DAYS = 3
# Restore testing's selection window (1-365 days) and start window (1-168 hours):
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateRestoreTestingPlan.html
_VAULT_ARN = re.compile(
    r"arn:(aws(?:-[a-z]+)*):backup:([a-z]{2}(?:-[a-z]+)+-[0-9]):([0-9]{12}):backup-vault:"
    r"[A-Za-z0-9_-]{2,50}",
    re.ASCII,
)
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html
BACKUP_VAULT = NameRule(
    "an AWS Backup vault name", 2, 50, r"[A-Za-z0-9_-]", "letters, digits, _ and -",
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html",
)  # fmt: skip


@dataclass(frozen=True)
class BackupRuleConfig:
    schedule: str = field(
        metadata=doc(
            "When the rule starts a job: an AWS Backup cron expression, UTC.",
            rule="cron(minutes hours day-of-month month day-of-week year): one minute value (at"
            " most a job an hour), exactly one day field ?, and a date that can still come",
            aws=(
                CRON_DOCS,
                "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions",
            ),
        )
    )
    retention_days: int = field(
        metadata=doc(
            "Days a recovery point is kept (in the vault and in the copy).",
            lo=1,
            hi=RETENTION_MAX_DAYS,
            rule="within vaultLock's bounds when it is enabled",
            aws=LIFECYCLE_DOCS,
        )
    )
    cold_storage_after_days: int | None = field(
        default=None,
        metadata=doc(
            "Days until a recovery point moves to cold storage (types that support it); unset:"
            " never.",
            lo=1,
            hi=RETENTION_MAX_DAYS,
            rule="retentionDays at least 90 more",
            aws=LIFECYCLE_DOCS,
        ),
    )
    start_window_minutes: int = field(
        default=60,
        metadata=doc(
            "How long after the scheduled time a job may start before it is cancelled.",
            lo=START_WINDOW_MIN,
            hi=START_WINDOW_MAX,
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html",
        ),
    )
    completion_window_minutes: int = field(
        default=480,
        metadata=doc(
            "How long a started job may run before it is cancelled (counted from its start).",
            lo=1,
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html",
        ),
    )


@dataclass(frozen=True)
class VaultLockConfig:
    enabled: bool = field(
        default=False,
        metadata=doc(
            "Lock the vault: no recovery point is deleted before its retention ends.",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
        ),
    )
    mode: Literal["governance", "compliance"] = field(
        default="governance",
        metadata=doc(
            "governance: users with the IAM permission may remove the lock; compliance: after"
            " changeableForDays nobody can (not AWS, not the root user): irreversible.",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
        ),
    )
    min_retention_days: int = field(
        default=7,
        metadata=doc(
            "The shortest retention a job in the vault may have.",
            lo=1,
            hi=RETENTION_MAX_DAYS,
            rule="<= maxRetentionDays",
            aws=LOCK_DOCS,
        ),
    )
    max_retention_days: int = field(
        default=3650,
        metadata=doc(
            "The longest retention a job in the vault may have.",
            lo=1,
            hi=RETENTION_MAX_DAYS,
            aws=LOCK_DOCS,
        ),
    )
    changeable_for_days: int = field(
        default=CHANGEABLE_MIN_DAYS,
        metadata=doc(
            "Compliance mode: the grace time in which the lock can still be removed.",
            lo=CHANGEABLE_MIN_DAYS,
            hi=RETENTION_MAX_DAYS,
            rule="compliance mode only",
            aws=LOCK_DOCS,
        ),
    )


@dataclass(frozen=True)
class RestoreTestingConfig:
    enabled: bool = field(
        default=False,
        metadata=doc(
            "Restore the latest recovery point of the RDS primary, the Aurora cluster and each"
            " table on a schedule, and delete the restored copy afterwards.",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html",
        ),
    )
    schedule: str = field(
        default="cron(0 8 ? * SAT *)",
        metadata=doc(
            "When a restore test starts (weekly, after the weekly backup).",
            rule="as a rule's schedule",
            aws=CRON_DOCS,
        ),
    )
    selection_window_days: int = field(
        default=7,
        metadata=doc(
            "The test restores the latest recovery point of this many days.",
            lo=1,
            hi=365,
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateRestoreTestingPlan.html",
        ),
    )
    start_window_hours: int = field(
        default=24,
        metadata=doc(
            "How long after the scheduled time a restore test may start.",
            lo=1,
            hi=168,
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateRestoreTestingPlan.html",
        ),
    )


# Defaults: after RDS's automated backup window (03:00-04:00 UTC) and outside the Sunday
# maintenance window (04:30-05:30 UTC), which AWS Backup asks not to coincide with:
# https://docs.aws.amazon.com/aws-backup/latest/devguide/rds-backup.html
DAILY = BackupRuleConfig("cron(0 6 ? * * *)", 35)
WEEKLY = BackupRuleConfig("cron(0 7 ? * SUN *)", 90)


@dataclass(frozen=True)
class BackupConfig:
    enabled: bool = field(
        default=False,
        metadata=doc(
            "Create an AWS Backup vault (stack key) and plan selecting every database the stack"
            " creates; with dbtier:alarms on, failed jobs are emailed to the alarm address.",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
        ),
    )
    daily: BackupRuleConfig = field(
        default=DAILY,
        metadata=doc(
            "The daily rule (after RDS's backup window, outside the maintenance window).",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/rds-backup.html",
        ),
    )
    weekly: BackupRuleConfig = field(default=WEEKLY, metadata=doc("The weekly rule."))
    vault_lock: VaultLockConfig = field(
        default_factory=VaultLockConfig, metadata=doc("The vault's lock.")
    )
    copy_to: str | None = field(
        default=None,
        metadata=doc(
            "A backup vault in another region that gets a copy of every recovery point, kept"
            " as long; unset: backups stay in the stack's region.",
            rule="an AWS Backup vault ARN in another region of the stack's partition",
            aws="https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html",
        ),
    )
    restore_testing: RestoreTestingConfig = field(
        default_factory=RestoreTestingConfig, metadata=doc("Scheduled restore tests.")
    )


def parse_rule(f: Fields, name: str, default: BackupRuleConfig) -> BackupRuleConfig:
    r = f.obj(name)
    schedule = r.text("schedule", default.schedule)
    check_cron(f"{r.key}.schedule", schedule)
    rule = BackupRuleConfig(
        schedule=schedule,
        retention_days=r.integer("retentionDays", default.retention_days, 1, RETENTION_MAX_DAYS),
        cold_storage_after_days=r.integer("coldStorageAfterDays", None, 1, RETENTION_MAX_DAYS),
        start_window_minutes=r.integer(
            "startWindowMinutes", default.start_window_minutes, START_WINDOW_MIN, START_WINDOW_MAX
        ),
        completion_window_minutes=r.integer(
            "completionWindowMinutes", default.completion_window_minutes, 1
        ),
    )
    r.done()
    cold = rule.cold_storage_after_days
    if cold is not None and rule.retention_days < cold + COLD_STORAGE_MIN_DAYS:
        raise ConfigError(
            f"{r.key}.retentionDays must be at least coldStorageAfterDays +"
            f" {COLD_STORAGE_MIN_DAYS} (got {rule.retention_days} with cold storage after"
            f" {cold}): cold storage keeps a recovery point 90 days at least ({LIFECYCLE_DOCS})"
        )
    return rule


def parse_vault_lock(f: Fields) -> VaultLockConfig:
    d = VaultLockConfig()
    v = f.obj("vaultLock")
    lock = VaultLockConfig(
        enabled=v.flag("enabled", d.enabled),
        mode=v.choice("mode", d.mode, ("governance", "compliance")),
        min_retention_days=v.integer(
            "minRetentionDays", d.min_retention_days, 1, RETENTION_MAX_DAYS
        ),
        max_retention_days=v.integer(
            "maxRetentionDays", d.max_retention_days, 1, RETENTION_MAX_DAYS
        ),
        changeable_for_days=v.integer(
            "changeableForDays", d.changeable_for_days, CHANGEABLE_MIN_DAYS, RETENTION_MAX_DAYS
        ),
    )
    v.done()
    if lock.mode == "governance" and v.has("changeableForDays"):
        raise ConfigError(
            f"{v.key}.changeableForDays applies to mode compliance only; remove it (a"
            f" governance lock can be removed by anyone with the IAM permission) ({LOCK_DOCS})"
        )
    if lock.min_retention_days > lock.max_retention_days:
        raise ConfigError(
            f"{v.key}.minRetentionDays must be <= maxRetentionDays (got"
            f" {lock.min_retention_days} > {lock.max_retention_days})"
        )
    return lock


def parse_copy_to(f: Fields, region: str | None) -> str | None:
    arn = f.text(
        "copyTo",
        None,
        _VAULT_ARN.pattern,
        "an AWS Backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)",
    )
    if arn is None or region is None:
        return arn
    match = _VAULT_ARN.fullmatch(arn)
    assert match is not None
    partition, vault_region = match.group(1), match.group(2)
    if partition != partition_of(region):
        raise ConfigError(
            f"dbtier:backup.copyTo must be a vault in the stack's partition"
            f" {partition_of(region)} (got {partition}): AWS Backup copies within a partition"
            " (https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html)"
        )
    if vault_region == region:
        raise ConfigError(
            f"dbtier:backup.copyTo must be a vault in another region than the stack's"
            f" {region}: a copy in the same region does not survive the loss of the region"
        )
    return arn


def parse_restore_testing(f: Fields) -> RestoreTestingConfig:
    d = RestoreTestingConfig()
    t = f.obj("restoreTesting")
    schedule = t.text("schedule", d.schedule)
    check_cron(f"{t.key}.schedule", schedule)
    cfg = RestoreTestingConfig(
        enabled=t.flag("enabled", d.enabled),
        schedule=schedule,
        selection_window_days=t.integer("selectionWindowDays", d.selection_window_days, 1, 365),
        start_window_hours=t.integer("startWindowHours", d.start_window_hours, 1, 168),
    )
    t.done()
    return cfg


def parse_backup(raw: Any, region: str | None = None) -> BackupConfig:
    """Parse `dbtier:backup`; `copyTo` is checked against the stack's region when known."""
    d = BackupConfig()
    check_object("dbtier:backup", raw, BackupConfig)
    f = Fields("dbtier:backup", raw)
    cfg = BackupConfig(
        enabled=f.flag("enabled", d.enabled),
        daily=parse_rule(f, "daily", d.daily),
        weekly=parse_rule(f, "weekly", d.weekly),
        vault_lock=parse_vault_lock(f),
        copy_to=parse_copy_to(f, region),
        restore_testing=parse_restore_testing(f),
    )
    f.done()
    lock = cfg.vault_lock
    if lock.enabled:
        for name, rule in (("daily", cfg.daily), ("weekly", cfg.weekly)):
            if not lock.min_retention_days <= rule.retention_days <= lock.max_retention_days:
                raise ConfigError(
                    f"dbtier:backup.{name}.retentionDays must be within dbtier:backup.vaultLock's"
                    f" {lock.min_retention_days}-{lock.max_retention_days} days (got"
                    f" {rule.retention_days}): the lock fails every job outside it ({LOCK_DOCS})"
                )
    return cfg


def vault_name(project: str, stack: str) -> str:
    """The backup vault's name (also the plan's); config validation checks it."""
    return f"{project}-{stack}"
