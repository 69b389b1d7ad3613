"""The stack key's policy: which AWS services may use the key that encrypts every database."""

from __future__ import annotations

import json
from collections.abc import Callable

from preflight.plan import Plan
from tests.unit.conftest import one

ALARMS = {"enabled": True, "email": "oncall@example.org"}


def sids(plan: Plan) -> list[str]:
    key = one(plan, "aws:kms/key:Key")
    return [s["Sid"] for s in json.loads(key.inputs["policy"])["Statement"]]


def test_backup_may_use_the_key_only_when_its_vault_notifies_the_alarm_topic(
    dev_plan: Plan, prod_plan: Plan, plan_with: Callable[..., Plan]
) -> None:
    assert "BackupPublishesToEncryptedTopic" in sids(prod_plan)
    assert "BackupPublishesToEncryptedTopic" not in sids(dev_plan)
    assert "BackupPublishesToEncryptedTopic" not in sids(plan_with("dev", alarms=ALARMS))
    assert "BackupPublishesToEncryptedTopic" not in sids(plan_with("dev", backup={"enabled": True}))
    both = plan_with("dev", alarms=ALARMS, backup={"enabled": True})
    assert sids(both) == [
        "AccountAdministers",
        "CloudWatchLogsEncrypt",
        "AlarmsPublishToEncryptedTopic",
        "BackupPublishesToEncryptedTopic",
    ]
