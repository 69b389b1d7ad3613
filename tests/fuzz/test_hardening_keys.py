"""`python -m preflight` on hostile values of the keys issue 13 added (fuzz classes of issue 11).

Backup rules and vault lock, log retention, windows, change management, engine parameters,
Database Insights, replica placement, IAM and COPY access, stream-processor tuning and the new
alarm thresholds, each made hostile one at a time in the prod stack (`stack_cases.stack_text`).

Most cases only exercise config parsing, so they call the CLI's `main(argv)` in process
(tests/fuzz/inprocess.py); runaway inputs and the `END_TO_END` sample (a few secrets and
messages) run as the CLI runs, in a bounded subprocess, and the sample is compared with an
in-process run of the same case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fuzz.fuzz_harness import Case, selected_ids
from tests.fuzz.inprocess import (
    GROUP,
    CaseRuns,
    case_params,
    differences,
    needs_process,
    run_in_process,
)
from tests.fuzz.stack_cases import BASE, CIPHERTEXT, SECRET, Builder, K
from tests.fuzz.test_stack_files import check

REL, AUR, RED, WH = "dbtier:relational", "dbtier:aurora", "dbtier:redis", "dbtier:warehouse"
BAK, LOGS, DYN, ALARMS = "dbtier:backup", "dbtier:logs", "dbtier:dynamo", "dbtier:alarms"
# A password of letters and digits only: it fits a cron field or a parameter name's alphabet.
PLAIN_SECRET = "Hunter2s3cr3tW0rdQz"


def part(key: str, **fields: Any) -> dict[str, Any]:
    """The prod stack's `key` with `fields` replaced."""
    return {key: {**BASE.get(key, {}), **fields}}


def processor(**fields: Any) -> dict[str, Any]:
    """The prod stack's one DynamoDB table with its stream processor's `fields` replaced."""
    table = dict(BASE[DYN]["tables"][0])
    table["streamProcessor"] = {**table["streamProcessor"], **fields}
    return {DYN: {**BASE[DYN], "tables": [table]}}


def backup(**fields: Any) -> dict[str, Any]:
    return part(BAK, **fields)


def params(key: str, parameters: Any) -> dict[str, Any]:
    return part(key, parameters=parameters)


def security_bypass(b: Builder) -> None:
    """An enforced parameter overridden under another spelling or shape."""
    tls = K(f"{REL}.parameters")
    rel = {
        "upper-case-name": {"REQUIRE_SECURE_TRANSPORT": 0},
        "mixed-case-name": {"Require_Secure_Transport": "OFF"},
        "hyphen-spelling": {"require-secure-transport": 0},
        "hyphen-and-case": {"Require-Secure-Transport": "0"},
        "greek-omicron": {"require_secure_transp\u03bfrt": 0},
        "cyrillic-e": {"requir\u0435_secure_transport": 0},
        "fullwidth-name": {"\uff52equire_secure_transport": 0},
        "trailing-space-name": {"require_secure_transport ": 0},
        "zero-width-space-name": {"require_secure_transport\u200b": 0},
        "object-immediate": {"require_secure_transport": {"value": 0, "applyMethod": "immediate"}},
        "object-string-off": {"require_secure_transport": {"value": "OFF"}},
        "false-bool": {"require_secure_transport": False},
        "word-no": {"require_secure_transport": "no"},
        "float-zero": {"require_secure_transport": 0.0},
        "padded-value": {"require_secure_transport": " 1 "},
        "duplicate-case": {"require_secure_transport": 1, "REQUIRE_SECURE_TRANSPORT": 0},
        "duplicate-hyphen": {"require_secure_transport": 1, "require-secure-transport": 0},
        "slow-log-off": {"slow_query_log": "OFF"},
        "log-output-none": {"LOG_OUTPUT": "NONE"},
        "general-log-hyphen": {"log-output": "NONE"},
        "binlog-format-mixed": {"binlog_format": "MIXED"},
        "binlog-row-image-minimal": {"Binlog_Row_Image": {"value": "minimal"}},
        "binlog-checksum-hyphen": {"binlog-checksum": "CRC32"},
    }
    for name, value in rel.items():
        b.over(f"security-bypass/relational-{name}", params(REL, value), [tls])
    aur = K(f"{AUR}.parameters")
    b.over("security-bypass/aurora-audit-off", params(AUR, {"server_audit_logging": 0}), [aur])
    b.over(
        "security-bypass/aurora-audit-hyphen", params(AUR, {"server-audit-logging": "OFF"}), [aur]
    )
    b.over(
        "security-bypass/aurora-tls-case", params(AUR, {"REQUIRE_SECURE_TRANSPORT": "OFF"}), [aur]
    )
    wh = K(f"{WH}.parameters")
    b.over("security-bypass/warehouse-ssl-false", params(WH, {"require_ssl": False}), [wh])
    b.over("security-bypass/warehouse-ssl-hyphen", params(WH, {"require-ssl": "false"}), [wh])
    b.over(
        "security-bypass/warehouse-activity-log-case",
        params(WH, {"Enable_User_Activity_Logging": "FALSE"}),
        [wh],
    )
    red = K(f"{RED}.parameters")
    b.over("security-bypass/redis-cluster-on", params(RED, {"cluster-enabled": "yes"}), [red])
    b.over(
        "security-bypass/redis-cluster-underscore", params(RED, {"cluster_enabled": "yes"}), [red]
    )


def crash(b: Builder) -> None:
    """Wrong types, huge and non-finite numbers, nested junk in every new key."""
    bad = {
        "backup-daily-string": backup(daily="every day"),
        "backup-schedule-int": backup(daily={"schedule": 5}),
        "backup-retention-float": backup(daily={"retentionDays": 35.5}),
        "backup-retention-huge": backup(daily={"retentionDays": 2**62}),
        "backup-retention-nan-string": backup(daily={"retentionDays": "NaN"}),
        "backup-retention-list": backup(weekly={"retentionDays": [365]}),
        "backup-cold-storage-object": backup(daily={"coldStorageAfterDays": {"days": 90}}),
        "backup-start-window-bool": backup(daily={"startWindowMinutes": True}),
        "backup-vault-lock-list": backup(vaultLock=[True]),
        "backup-vault-lock-min-inf-string": backup(vaultLock={"minRetentionDays": "inf"}),
        "backup-copy-to-int": backup(copyTo=42),
        "backup-copy-to-object": backup(copyTo={"arn": "x"}),
        "backup-restore-testing-string": backup(restoreTesting="yes"),
        "logs-string": {LOGS: "400"},
        "logs-retention-nan": {LOGS: {"retentionDays": "nan"}},
        "logs-retention-float": {LOGS: {"retentionDays": 400.5}},
        "logs-retention-bool": {LOGS: {"retentionDays": True}},
        "window-int": part(REL, backupWindow=200),
        "window-list": part(AUR, maintenanceWindow=["sun:05:00", "sun:06:00"]),
        "window-object": part(RED, snapshotWindow={"start": "02:00"}),
        "apply-immediately-yes": part(REL, applyImmediately="yes"),
        "major-upgrade-list": part(AUR, allowMajorVersionUpgrade=[]),
        "minor-upgrade-int": part(RED, autoMinorVersionUpgrade=1),
        "lifecycle-int": part(REL, engineLifecycleSupport=5),
        "parameters-list": params(REL, ["require_secure_transport=0"]),
        "parameters-string": params(RED, "maxmemory-policy=allkeys-lru"),
        "parameter-value-list": params(REL, {"max_connections": [1, 2]}),
        "parameter-value-nested": params(AUR, {"max_connections": {"value": {"value": 5}}}),
        "parameter-object-empty": params(WH, {"max_concurrency_scaling_clusters": {}}),
        "parameter-apply-method-int": params(
            REL, {"max_connections": {"value": 5, "applyMethod": 1}}
        ),
        "insights-mode-int": part(REL, databaseInsightsMode=1),
        "pi-retention-float-string": part(AUR, performanceInsightsRetentionDays="465.0"),
        "pi-retention-huge": part(REL, performanceInsightsRetentionDays=10**18),
        "monitoring-negative": part(AUR, monitoringInterval=-1),
        "monitoring-word": part(REL, monitoringInterval="sixty"),
        "replica-multi-az-maybe": part(REL, replicaMultiAz="maybe"),
        "replica-zones-string": part(
            REL, replicaMultiAz=False, replicaAvailabilityZones="us-east-1a"
        ),
        "replica-zones-nested": part(
            REL, replicaMultiAz=False, replicaAvailabilityZones=[["us-east-1a"]]
        ),
        "iam-user-int": part(REL, iamUser=5),
        "iam-user-object": part(AUR, iamUser={"name": "app"}),
        "copy-sources-string": part(WH, copySources="my-bucket"),
        "copy-sources-object-item": part(WH, copySources=[{"bucket": "b"}]),
        "copy-kms-int": part(WH, copySources=["my-bucket"], copyKmsKeyArns=7),
        "tracing-on": processor(tracing="on"),
        "log-level-int": processor(logLevel=5),
        "reserved-concurrency-huge": processor(reservedConcurrency=10**12),
        "code-signing-one": processor(codeSigning="1"),
        "connections-percent-nan": part(ALARMS, connectionsPercent="NaN"),
        "latency-list": part(ALARMS, latencyMs=[20]),
        "cpu-credit-bool": part(ALARMS, cpuCreditBalance=True),
    }
    keys = {
        "backup": BAK, "logs": LOGS, "window": "dbtier:(relational|aurora|redis)", "apply": REL,
        "major": AUR, "minor": RED, "lifecycle": REL, "parameters": "dbtier:(relational|redis)",
        "parameter": "dbtier:(relational|aurora|warehouse)", "insights": REL, "pi": "dbtier:(relational|aurora)",
        "monitoring": "dbtier:(relational|aurora)", "replica": REL, "iam": "dbtier:(relational|aurora)",
        "copy": WH, "tracing": DYN, "log": DYN, "reserved": DYN, "code": DYN, "connections": ALARMS,
        "latency": ALARMS, "cpu": ALARMS,
    }  # fmt: skip
    for name, over in bad.items():
        b.over(f"crash/{name}", over, [keys[name.split("-", 1)[0]]])


def runaway(b: Builder) -> None:
    """Sizes that must be refused by a bound, not by running out of memory or time."""
    huge = {f"p{i}": i for i in range(100_000)}
    b.over(
        "runaway/parameters-100k-entries", params(REL, huge), [K(f"{REL}.parameters")], slow=True
    )
    b.over("runaway/parameter-value-3mb", params(AUR, {"init_connect": "x" * 3_000_000}), [K(AUR)])
    b.over(
        "runaway/parameter-name-1mb", params(RED, {"m" * 1_000_000: 1}), [K(f"{RED}.parameters")]
    )
    b.over("runaway/window-1mb", part(REL, maintenanceWindow="sun:" * 250_000), [K(REL)])
    b.over(
        "runaway/replica-zones-100k",
        part(
            REL,
            replicaMultiAz=False,
            replicaAvailabilityZones=[f"us-east-1{i}" for i in range(100_000)],
        ),
        [K(f"{REL}.replicaAvailabilityZones")],
        slow=True,
    )
    b.over(
        "runaway/copy-sources-100k",
        part(WH, copySources=[f"bucket-{i}" for i in range(100_000)]),
        [K(f"{WH}.copySources")],
        slow=True,
    )
    b.over(
        "runaway/cron-1mb",
        backup(daily={"schedule": "cron(" + "0 " * 500_000 + ")"}),
        [K(f"{BAK}.daily.schedule")],
    )
    nested: Any = 1
    for _ in range(60):
        nested = {"value": nested}
    b.over("runaway/parameter-nested-60", params(REL, {"max_connections": nested}), [K(REL)])


def silent_acceptance(b: Builder) -> None:
    """Values that look plausible but AWS refuses, or that would do something else than meant."""
    win = {
        "fullwidth-digits": (
            REL,
            "backupWindow",
            "\uff10\uff12:\uff10\uff10-\uff10\uff13:\uff10\uff10",
        ),
        "arabic-indic-digits": (
            REL,
            "backupWindow",
            "\u0660\u0662:\u0660\u0660-\u0660\u0663:\u0660\u0660",
        ),
        "fullwidth-colon": (AUR, "backupWindow", "02\uff1a00-03\uff1a00"),
        "hour-24": (REL, "backupWindow", "24:00-01:00"),
        "upper-case-day": (REL, "maintenanceWindow", "Sun:03:30-Sun:04:30"),
        "long-day-name": (AUR, "maintenanceWindow", "sunday:05:00-sunday:06:00"),
        "unpadded-hour": (RED, "maintenanceWindow", "sun:6:30-sun:7:30"),
        "spaces-around-dash": (WH, "maintenanceWindow", "sun:08:00 - sun:08:30"),
        "trailing-newline": (RED, "snapshotWindow", "02:00-03:00\n"),
        "zero-length": (REL, "maintenanceWindow", "sun:03:30-sun:03:30"),
        "rds-15-minutes": (AUR, "backupWindow", "02:00-02:15"),
        "redis-30-minutes": (RED, "snapshotWindow", "02:00-02:30"),
        "warehouse-20-minutes": (WH, "maintenanceWindow", "sun:08:00-sun:08:20"),
        "minute-60": (REL, "backupWindow", "02:60-03:30"),
    }
    for name, (key, field, value) in win.items():
        b.over(
            f"silent-acceptance/window-{name}", part(key, **{field: value}), [K(f"{key}.{field}")]
        )
    b.over(
        "silent-acceptance/window-overlap-across-midnight",
        part(REL, backupWindow="23:30-00:30", maintenanceWindow="mon:00:00-mon:00:45"),
        [K(f"{REL}.backupWindow")],
    )
    b.over(
        "silent-acceptance/window-overlap-across-week-end",
        part(AUR, backupWindow="00:00-00:45", maintenanceWindow="sun:23:30-mon:00:30"),
        [K(f"{AUR}.backupWindow")],
    )
    b.over(
        "silent-acceptance/window-redis-overlap-across-week-end",
        part(RED, snapshotWindow="23:00-00:30", maintenanceWindow="sun:23:30-mon:00:45"),
        [K(f"{RED}.snapshotWindow")],
    )
    b.over(
        "silent-acceptance/window-warehouse-serverless",
        {WH: {"mode": "serverless", "maintenanceWindow": "sun:08:00-sun:08:30"}},
        [K(f"{WH}.maintenanceWindow")],
    )
    cron = {
        "feb-31": "cron(0 6 31 2 ? *)",
        "hour-25": "cron(0 25 ? * * *)",
        "month-13": "cron(0 6 ? 13 * *)",
        "weekday-8": "cron(0 6 ? * 8 *)",
        "day-of-month-0": "cron(0 6 0 * ? *)",
        "year-1999": "cron(0 6 ? * * 1999)",
    }
    for name, schedule in cron.items():
        b.over(
            f"silent-acceptance/cron-{name}",
            backup(daily={"schedule": schedule}),
            [K(f"{BAK}.daily.schedule")],
        )
    retention = {
        "backup-retention-36501": (backup(daily={"retentionDays": 36501}), f"{BAK}.daily"),
        "backup-retention-0": (backup(daily={"retentionDays": 0}), f"{BAK}.daily.retentionDays"),
        "backup-cold-storage-too-late": (
            backup(weekly={"retentionDays": 365, "coldStorageAfterDays": 300}), f"{BAK}.weekly"),
        "backup-start-window-59": (backup(daily={"startWindowMinutes": 59}), f"{BAK}.daily.startWindowMinutes"),
        "backup-completion-window-0": (
            backup(daily={"completionWindowMinutes": 0}), f"{BAK}.daily.completionWindowMinutes"),
        "vault-lock-min-above-max": (
            backup(vaultLock={"enabled": True, "minRetentionDays": 30, "maxRetentionDays": 20}),
            f"{BAK}.vaultLock"),
        "vault-lock-changeable-2": (
            backup(vaultLock={"enabled": True, "mode": "compliance", "changeableForDays": 2}),
            f"{BAK}.vaultLock"),
        "restore-selection-366": (
            backup(restoreTesting={"enabled": True, "selectionWindowDays": 366}), f"{BAK}.restoreTesting"),
        "logs-retention-2": ({LOGS: {"retentionDays": 2}}, f"{LOGS}.retentionDays"),
        "logs-retention-0": ({LOGS: {"retentionDays": 0}}, f"{LOGS}.retentionDays"),
        "logs-retention-3654": ({LOGS: {"retentionDays": 3654}}, f"{LOGS}.retentionDays"),
        "pi-retention-8": (part(REL, databaseInsightsMode="standard", performanceInsightsRetentionDays=8),
                           f"{REL}.performanceInsightsRetentionDays"),
        "pi-retention-714": (part(AUR, performanceInsightsRetentionDays=714), f"{AUR}.performanceInsightsRetentionDays"),
        "monitoring-45": (part(REL, monitoringInterval=45), f"{REL}.monitoringInterval"),
        "reserved-concurrency-0": (processor(reservedConcurrency=0), f"{DYN}.tables"),
        "connections-percent-101": (part(ALARMS, connectionsPercent=101), f"{ALARMS}.connectionsPercent"),
        "free-memory-percent-100": (part(ALARMS, freeMemoryPercent=100), f"{ALARMS}.freeMemoryPercent"),
        "latency-ms-0": (part(ALARMS, latencyMs=0), f"{ALARMS}.latencyMs"),
    }  # fmt: skip
    for name, (over, key) in retention.items():
        b.over(f"silent-acceptance/{name}", over, [K(key)])
    other = {
        "replica-zones-with-multi-az": (
            part(REL, replicaMultiAz=True, replicaAvailabilityZones=["us-east-1a"]), f"{REL}.replicaAvailabilityZones"),
        "replica-zone-other-region": (
            part(REL, replicaMultiAz=False, replicaAvailabilityZones=["us-west-2a"]), f"{REL}.replicaAvailabilityZones"),
        "replica-zone-duplicate": (
            part(REL, replicaMultiAz=False, replicaAvailabilityZones=["us-east-1a", "us-east-1a"]),
            f"{REL}.replicaAvailabilityZones"),
        "iam-user-is-master": (part(REL, iamUser="dbadmin"), f"{REL}.iamUser"),
        "copy-kms-without-sources": (
            part(WH, copyKmsKeyArns=["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]),
            f"{WH}.copyKmsKeyArns"),
        "copy-source-s3-url": (part(WH, copySources=["s3://my-bucket/data"]), f"{WH}.copySources"),
        "copy-source-wildcard": (part(WH, copySources=["my-bucket/*"]), f"{WH}.copySources"),
        "copy-to-same-region": (
            backup(copyTo="arn:aws:backup:us-east-1:123456789012:backup-vault:dr"), f"{BAK}.copyTo"),
        "copy-to-other-partition": (
            backup(copyTo="arn:aws-cn:backup:cn-north-1:123456789012:backup-vault:dr"), f"{BAK}.copyTo"),
        "lifecycle-upper-case": (
            part(REL, engineLifecycleSupport="OPEN-SOURCE-RDS-EXTENDED-SUPPORT"), f"{REL}.engineLifecycleSupport"),
        "apply-method-on-redis": (
            params(RED, {"maxmemory-policy": {"value": "allkeys-lru", "applyMethod": "immediate"}}),
            f"{RED}.parameters"),
        "parameters-101": (params(AUR, {f"p{i}": i for i in range(101)}), f"{AUR}.parameters"),
    }  # fmt: skip
    for name, (over, key) in other.items():
        b.over(f"silent-acceptance/{name}", over, [K(key)])


def secrets(b: Builder) -> None:
    """A `secure:` value or a password in a new key: refused, never echoed."""
    secure = {"secure": CIPHERTEXT}
    where = {
        "backup-copy-to": (backup(copyTo=secure), BAK),
        "backup-schedule": (backup(daily={"schedule": secure}), BAK),
        "logs-retention": ({LOGS: {"retentionDays": secure}}, LOGS),
        "maintenance-window": (part(REL, maintenanceWindow=secure), REL),
        "parameter": (params(REL, {"init_connect": secure}), REL),
        "parameter-value": (params(AUR, {"init_connect": {"value": secure}}), AUR),
        "iam-user": (part(REL, iamUser=secure), REL),
        "copy-source": (part(WH, copySources=[secure]), WH),
        "log-level": (processor(logLevel=secure), DYN),
        "latency-threshold": (part(ALARMS, latencyMs=secure), ALARMS),
    }
    for name, (over, key) in where.items():
        b.over(f"secrets/secure-{name}", over, [K(key), "secure|secret"], secrets=[CIPHERTEXT])
    typed = {
        "insights-mode": (part(REL, databaseInsightsMode=SECRET), f"{REL}.databaseInsightsMode"),
        "lifecycle": (part(AUR, engineLifecycleSupport=SECRET), f"{AUR}.engineLifecycleSupport"),
        "vault-lock-mode": (backup(vaultLock={"enabled": True, "mode": SECRET}), f"{BAK}.vaultLock.mode"),
        "log-level": (processor(logLevel=SECRET), f"{DYN}.tables"),
        "apply-method": (
            params(REL, {"max_connections": {"value": 5, "applyMethod": SECRET}}), f"{REL}.parameters"),
        "parameter-name": (params(REL, {SECRET: 1}), f"{REL}.parameters"),
        "iam-user": (part(AUR, iamUser=SECRET), f"{AUR}.iamUser"),
        "replica-zone": (
            part(REL, replicaMultiAz=False, replicaAvailabilityZones=[SECRET]), f"{REL}.replicaAvailabilityZones"),
        "copy-to": (backup(copyTo=SECRET), f"{BAK}.copyTo"),
        "cron-minute": (backup(daily={"schedule": f"cron({PLAIN_SECRET} 6 ? * * *)"}), f"{BAK}.daily.schedule"),
        "zone-plain": (
            part(REL, replicaMultiAz=False, replicaAvailabilityZones=[PLAIN_SECRET]), f"{REL}.replicaAvailabilityZones"),
        "insights-mode-plain": (part(AUR, databaseInsightsMode=PLAIN_SECRET), f"{AUR}.databaseInsightsMode"),
        "log-level-plain": (processor(logLevel=PLAIN_SECRET), f"{DYN}.tables"),
    }  # fmt: skip
    for name, (over, key) in typed.items():
        b.over(f"secrets/password-as-{name}", over, [K(key)], secrets=[SECRET, PLAIN_SECRET])


def messages(b: Builder) -> None:
    """Control characters and bidi marks in new keys: shown escaped on one line."""
    hostile = {
        "parameter-name-escape": (params(REL, {"\x1b[31mmax_connections": 1}), f"{REL}.parameters"),
        "parameter-entry-unknown-field": (
            params(REL, {"max_connections": {"value": 1, "\x1b]0;x\x07": 2}}), f"{REL}.parameters"),
        "parameter-value-bell": (params(AUR, {"init_connect": "SET\x07x"}), f"{AUR}.parameters"),
        "window-bidi": (part(REL, maintenanceWindow="sun:03:30-\u202esun:04:30"), f"{REL}.maintenanceWindow"),
        "lifecycle-bidi": (part(REL, engineLifecycleSupport="\u202eopen-source-rds-extended-support"),
                           f"{REL}.engineLifecycleSupport"),
        "insights-newline": (part(AUR, databaseInsightsMode="advanced\nInjected: line"), f"{AUR}.databaseInsightsMode"),
        "log-level-cr": (processor(logLevel="INFO\rERROR"), f"{DYN}.tables"),
        "vault-lock-mode-escape": (backup(vaultLock={"enabled": True, "mode": "\x1b[2Jgovernance"}),
                                   f"{BAK}.vaultLock.mode"),
        "backup-unknown-field-escape": (backup(daily={"\x1b[2Jschedule": "cron(0 6 ? * * *)"}), f"{BAK}.daily"),
        "logs-unknown-field-bidi": ({LOGS: {"retention\u2066Days": 30}}, LOGS),
        "iam-user-zero-width": (part(REL, iamUser="app\u200buser"), f"{REL}.iamUser"),
        "copy-source-nul": (part(WH, copySources=["bucket\x00name"]), f"{WH}.copySources"),
        "zone-escape": (part(REL, replicaMultiAz=False, replicaAvailabilityZones=["us-east-1\x1b[2Ja"]),
                        f"{REL}.replicaAvailabilityZones"),
        "copy-to-newline": (backup(copyTo="arn:aws:backup:us-west-2:123456789012:backup-vault:dr\nInjected"),
                            f"{BAK}.copyTo"),
    }  # fmt: skip
    for name, (over, key) in hostile.items():
        b.over(f"messages/{name}", over, [K(key)])


def all_cases() -> list[Case]:
    b = Builder()
    for family in (security_bypass, crash, runaway, silent_acceptance, secrets, messages):
        family(b)
    return b.cases


CASES = all_cases()
BY_ID = {c.id: c for c in CASES}
# Run as the CLI runs, always: runaway sizes (bounded by RLIMIT_AS and the timeout, which an
# in-process call is not) and a sample of secrets and messages, whose printing is the point.
END_TO_END = {c.id for c in CASES if c.cls == "runaway"} | {
    "secrets/secure-backup-copy-to",
    "secrets/password-as-insights-mode",
    "messages/window-bidi",
    "messages/parameter-entry-unknown-field",
}


@pytest.fixture(scope="session")
def hardening_runs(request: pytest.FixtureRequest) -> Iterator[CaseRuns]:
    """This module's runs: in process where that is the CLI's answer, else end to end."""
    runs = CaseRuns(CASES, end_to_end=END_TO_END, selected=selected_ids(request, __name__))
    yield runs
    runs.close()


@pytest.mark.parametrize("case", case_params(CASES, END_TO_END))
def test_hardening_case(case: Case, hardening_runs: CaseRuns, record_property: Any) -> None:
    check(case, hardening_runs.result(case), record_property)


@pytest.mark.xdist_group(GROUP)
@pytest.mark.parametrize("cid", sorted(c for c in END_TO_END if not needs_process(BY_ID[c])))
def test_in_process_equals_a_real_run(cid: str, hardening_runs: CaseRuns) -> None:
    case = BY_ID[cid]
    real, here = hardening_runs.result(case), run_in_process(case)
    assert (real.in_process, here.in_process) == (False, True)
    assert differences(real, here) == []


def test_cases_cover_the_classes() -> None:
    assert len(CASES) >= 120
    assert {c.cls for c in CASES} >= {
        "security-bypass", "crash", "runaway", "silent-acceptance", "secrets", "messages"
    }  # fmt: skip
