"""Backup's decisions from `dbtier:backup`, without a plan: the vault and its lock, the plan's
rules and copies, the role's policies, the selection, and restore testing."""

from __future__ import annotations

from components.backup.config import parse_backup
from components.backup.shape import (
    FAILURE_EVENTS,
    plan_rule,
    plan_rules,
    restore_testing_name,
    restore_testing_plan_args,
    restore_testing_selections,
    role_policies,
    selected,
    vault_args,
    vault_lock_args,
)

COPY_TO = "arn:aws:backup:us-west-2:123456789012:backup-vault:dr"
DEFAULTS = parse_backup({"enabled": True})


def test_vault_is_named_per_stack_and_never_force_destroyed() -> None:
    assert vault_args("dbtier", "prod") == {"name": "dbtier-prod", "force_destroy": False}


def test_no_lock_unless_enabled() -> None:
    assert vault_lock_args(DEFAULTS.vault_lock) is None


def test_governance_lock_has_no_grace_time() -> None:
    cfg = parse_backup({"vaultLock": {"enabled": True, "minRetentionDays": 30}})
    assert vault_lock_args(cfg.vault_lock) == {
        "min_retention_days": 30,
        "max_retention_days": 3650,
        "changeable_for_days": None,
    }


def test_compliance_lock_keeps_its_grace_time() -> None:
    cfg = parse_backup(
        {"vaultLock": {"enabled": True, "mode": "compliance", "changeableForDays": 5}}
    )
    assert vault_lock_args(cfg.vault_lock) == {
        "min_retention_days": 7,
        "max_retention_days": 3650,
        "changeable_for_days": 5,
    }


def test_default_rules_are_daily_and_weekly_into_the_vault_without_copies() -> None:
    daily, weekly = plan_rules(DEFAULTS, "vault-name")
    assert daily == {
        "rule_name": "daily",
        "target_vault_name": "vault-name",
        "schedule": "cron(0 6 ? * * *)",
        "start_window": 60,
        "completion_window": 480,
        "lifecycle": {"delete_after": 35},
        "recovery_point_tags": {"BackupRule": "daily"},
    }
    assert weekly["rule_name"] == "weekly"
    assert weekly["schedule"] == "cron(0 7 ? * SUN *)"
    assert weekly["lifecycle"] == {"delete_after": 90}
    assert "copy_actions" not in daily and "copy_actions" not in weekly


def test_copies_last_as_long_as_the_original_and_never_go_cold() -> None:
    cfg = parse_backup(
        {"daily": {"coldStorageAfterDays": 30, "retentionDays": 150}, "copyTo": COPY_TO},
        "us-east-1",
    )
    daily, weekly = plan_rules(cfg, "v")
    assert daily["lifecycle"] == {"delete_after": 150, "cold_storage_after": 30}
    assert daily["copy_actions"] == [
        {"destination_vault_arn": COPY_TO, "lifecycle": {"delete_after": 150}}
    ]
    assert weekly["copy_actions"] == [
        {"destination_vault_arn": COPY_TO, "lifecycle": {"delete_after": 90}}
    ]


def test_a_rule_takes_its_windows_from_config() -> None:
    cfg = parse_backup({"weekly": {"startWindowMinutes": 120, "completionWindowMinutes": 600}})
    rule = plan_rule("weekly", cfg.weekly, "v", None)
    assert (rule["start_window"], rule["completion_window"]) == (120, 600)


def test_role_has_the_backup_and_restore_managed_policies() -> None:
    assert role_policies("backup") == {
        "backup-role-backup": "service-role/AWSBackupServiceRolePolicyForBackup",
        "backup-role-restores": "service-role/AWSBackupServiceRolePolicyForRestores",
    }


def test_selection_names_every_resource_of_every_type_in_order() -> None:
    resources = {"RDS": ["rds-1", "rds-2"], "DynamoDB": ["table"], "Redshift": []}
    assert selected(resources) == ["rds-1", "rds-2", "table"]


def test_job_failures_come_from_events_aws_still_sends() -> None:
    # BACKUP_JOB_FAILED and RESTORE_JOB_FAILED are deprecated: a failure arrives as a completed
    # job whose State says so (the alarm subscription filters on it).
    assert FAILURE_EVENTS == ("BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED")


def test_no_restore_testing_unless_enabled() -> None:
    assert restore_testing_plan_args(DEFAULTS.restore_testing, "dbtier", "prod", "arn") is None


def test_restore_testing_takes_the_latest_snapshot_of_the_stack_vault() -> None:
    cfg = parse_backup({"restoreTesting": {"enabled": True, "selectionWindowDays": 3}})
    assert restore_testing_plan_args(cfg.restore_testing, "dbtier", "prod", "vault-arn") == {
        "name": "dbtier_prod",
        "schedule_expression": "cron(0 8 ? * SAT *)",
        "start_window_hours": 24,
        "recovery_point_selection": {
            "algorithm": "LATEST_WITHIN_WINDOW",
            "include_vaults": ["vault-arn"],
            "recovery_point_types": ["SNAPSHOT"],
            "selection_window_days": 3,
        },
    }


def test_restore_testing_names_keep_to_letters_digits_and_underscores() -> None:
    assert restore_testing_name("my-proj", "prod.eu") == "my_proj_prod_eu"
    assert len(restore_testing_name("p" * 40, "s" * 40)) == 50


def test_restore_tests_select_only_tested_types_the_stack_holds() -> None:
    resources = {"Redshift": ["wh"], "DynamoDB": ["t1", "t2"], "RDS": ["db"], "Aurora": []}
    assert restore_testing_selections(resources) == {
        "restore-testing-rds": {
            "name": "rds",
            "protected_resource_type": "RDS",
            "protected_resource_arns": ["db"],
        },
        "restore-testing-dynamodb": {
            "name": "dynamodb",
            "protected_resource_type": "DynamoDB",
            "protected_resource_arns": ["t1", "t2"],
        },
    }
