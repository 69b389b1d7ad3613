"""What AWS accepts and then does not keep, through the real gRPC path: a vault subscribed to
deprecated AWS Backup events (accepted, never sent), and an RDS or Aurora engine version that
pins a minor with automatic minor upgrades on and no ignoreChanges (the next update would ask
RDS for a downgrade). Both rules are mandatory in every stack; prod's and dev's real plans pass."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from preflight.plan import PlannedResource, plan_stack
from tests.policy.baseline import build
from tests.policy.policy_fixtures import ROOT, Pack, with_inputs

pytestmark = pytest.mark.policy

EVENTS_RULE = "deploy-backup-vault-events"
VERSION_RULE = "deploy-rds-pinned-minor-version"


def config(stack: str) -> dict[str, Any]:
    return json.loads((ROOT / "policy" / "config" / f"{stack}.json").read_text())  # type: ignore[no-any-return]


def found(
    pack: Pack, rule: str, resources: dict[str, PlannedResource], stack: str = "dev"
) -> dict[str, str]:
    """URN -> level of each violation of `rule` (dev's config: deployability is mandatory)."""
    report = pack.run(list(resources.values()), config(stack))
    return {v.urn: v.level for v in report.violations if v.policy == rule}


def messages(pack: Pack, rule: str, resources: dict[str, PlannedResource]) -> list[str]:
    report = pack.run(list(resources.values()), config("dev"))
    return [v.message for v in report.violations if v.policy == rule]


# --- vault events ---------------------------------------------------------------------------


def test_vault_events_aws_still_sends_are_compliant(pack: Pack) -> None:
    assert found(pack, EVENTS_RULE, build()) == {}


@pytest.mark.parametrize(
    "events",
    [
        ["BACKUP_JOB_FAILED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED"],
        ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_FAILED"],
        ["BACKUP_JOB_SUCCESSFUL", "BACKUP_JOB_EXPIRED", "BACKUP_PLAN_MODIFIED"],
    ],
)
def test_deprecated_vault_events_are_refused_and_named(pack: Pack, events: list[str]) -> None:
    resources = build()
    target = resources["vault-notifications"] = with_inputs(
        resources["vault-notifications"], backupVaultEvents=events
    )
    assert found(pack, EVENTS_RULE, resources) == {target.urn: "mandatory"}
    (message,) = messages(pack, EVENTS_RULE, resources)
    deprecated = sorted(e for e in events if not e.startswith(("COPY_", "BACKUP_JOB_COMPLETED")))
    assert f"subscribe to {', '.join(deprecated)}, which AWS Backup no longer sends" in message
    assert "COPY_JOB_FAILED" not in message.split("Fix:")[0]
    assert "RESTORE_JOB_COMPLETED" in message.split("Fix:")[1]


# --- pinned minor versions ------------------------------------------------------------------


def unignored(r: PlannedResource) -> PlannedResource:
    return replace(r, ignore_changes=[])


def test_a_pinned_minor_with_ignored_engine_version_is_compliant(pack: Pack) -> None:
    # The baseline's primary (8.4.7) and cluster (8.0.mysql_aurora.3.10.0) ignore engineVersion.
    assert found(pack, VERSION_RULE, build()) == {}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_pinned_minor_without_ignore_changes_is_refused_in_every_stack(
    pack: Pack, stack: str
) -> None:
    resources = build()
    primary = resources["primary"] = unignored(resources["primary"])
    cluster = resources["cluster"] = unignored(resources["cluster"])
    assert found(pack, VERSION_RULE, resources, stack) == {
        primary.urn: "mandatory",
        cluster.urn: "mandatory",
    }
    text = " ".join(messages(pack, VERSION_RULE, resources))
    assert "pins engineVersion 8.4.7" in text and "8.0.mysql_aurora.3.10.0" in text


@pytest.mark.parametrize(
    ("engine", "version"),
    [("mysql", "8.4"), ("postgres", "17"), ("oracle-se2", "19"), ("sqlserver-se", "16.00")],
)
def test_a_major_version_alone_needs_no_ignore_changes(
    pack: Pack, engine: str, version: str
) -> None:
    resources = build()
    resources["primary"] = with_inputs(
        unignored(resources["primary"]), engine=engine, engineVersion=version
    )
    assert found(pack, VERSION_RULE, resources) == {}


def test_a_pinned_postgres_minor_is_refused(pack: Pack) -> None:
    resources = build()
    primary = resources["primary"] = with_inputs(
        unignored(resources["primary"]), engine="postgres", engineVersion="17.11"
    )
    assert found(pack, VERSION_RULE, resources) == {primary.urn: "mandatory"}


def test_without_automatic_minor_upgrades_a_pinned_minor_stays(pack: Pack) -> None:
    resources = build()
    resources["primary"] = with_inputs(
        unignored(resources["primary"]), autoMinorVersionUpgrade=False
    )
    # The cluster has no setting of its own: its instances' (all off) count.
    resources["cluster"] = unignored(resources["cluster"])
    for role in ("writer", "reader"):
        resources[role] = with_inputs(resources[role], autoMinorVersionUpgrade=False)
    assert found(pack, VERSION_RULE, resources) == {}
    # One instance taking minor upgrades moves the whole cluster.
    resources["reader"] = with_inputs(resources["reader"], autoMinorVersionUpgrade=True)
    assert found(pack, VERSION_RULE, resources) == {resources["cluster"].urn: "mandatory"}


def test_an_unknown_version_is_not_judged(pack: Pack) -> None:
    resources = build()
    resources["primary"] = with_inputs(
        unignored(resources["primary"]), engineVersion="04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )
    assert found(pack, VERSION_RULE, resources) == {}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_real_stacks_keep_both_promises(pack: Pack, stack: str) -> None:
    # The recorded plan carries each resource's ignoreChanges to the pack, as the engine does.
    report = pack.run(plan_stack(stack), config(stack))
    assert [v for v in report.violations if v.policy in (EVENTS_RULE, VERSION_RULE)] == []
