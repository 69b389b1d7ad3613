"""The plan as Terraform plan JSON (preflight/tfplan/) and the checkov waiver file.

checkov itself runs in CI (scripts/checkov.sh, its own virtualenv), not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight import tfplan
from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN, Plan, PlannedResource
from preflight.tfplan import schema, waivers

ROOT = Path(__file__).resolve().parents[2]
WAIVERS = ROOT / "policy" / "checkov-waivers.yaml"
ADDRESS = r"^[a-z0-9_]+\.[A-Za-z0-9_-]+$"


@pytest.fixture(params=["dev", "prod"])
def plan(request: pytest.FixtureRequest, dev_plan: Plan, prod_plan: Plan) -> Plan:
    return dev_plan if request.param == "dev" else prod_plan


def _secrets(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            yield (
                json.dumps(value.get("value"))[1:-1] if isinstance(value.get("value"), str) else ""
            )
            return
        for v in value.values():
            yield from _secrets(v)
    elif isinstance(value, list):
        for v in value:
            yield from _secrets(v)


def test_every_resource_has_an_address_a_mapped_type_and_values(plan: Plan) -> None:
    doc = tfplan.to_tfplan(plan)
    assert doc["format_version"] == "1.2"
    assert doc["terraform_version"]
    planned = doc["planned_values"]["root_module"]["resources"]
    exported = [r for r in plan.resources if tfplan.is_exported(r)]
    assert planned and len(planned) == len(exported)
    addresses = [r["address"] for r in planned]
    assert addresses == sorted(addresses) and len(set(addresses)) == len(addresses)
    for r in planned:
        assert r["mode"] == "managed"
        assert r["address"] == f"{r['type']}.{r['name']}"
        assert r["provider_name"] in tfplan.PROVIDERS.values()
        assert isinstance(r["values"], dict) and r["values"], r["address"]
        assert all(key == key.lower() for key in r["values"]), r["address"]  # snake_case
    changes = doc["resource_changes"]
    assert [c["address"] for c in changes] == addresses
    for c in changes:
        assert c["change"]["actions"] == ["create"] and c["change"]["before"] is None
        assert isinstance(c["change"]["after_unknown"], dict)
    configured = doc["configuration"]["root_module"]["resources"]
    assert [c["address"] for c in configured] == addresses
    known = set(addresses)
    for c in configured:
        for expression in c["expressions"].values():
            targets = [ref for ref in expression["references"] if ref.count(".") == 1]
            assert targets and set(targets) <= known, c["address"]


def test_every_planned_provider_type_is_in_the_table(plan: Plan) -> None:
    """A type the table lacks would get a guessed name that checkov may not know: add it."""
    custom = {r.type for r in plan.resources if r.custom and not r.type.startswith("pulumi:")}
    assert custom
    assert sorted(custom - set(tfplan.TERRAFORM_TYPES)) == []
    assert all(tfplan.is_exported(r) for r in plan.resources if r.type in custom)
    assert not any(tfplan.is_exported(r) for r in plan.resources if r.type not in custom)


def test_secrets_never_appear_in_clear(plan: Plan) -> None:
    secrets = {s for r in plan.resources for s in _secrets(r.inputs) if len(s) >= 8}
    assert secrets, "the plan holds generated passwords and tokens"
    text = tfplan.render_tfplan(plan)
    assert [s for s in secrets if s in text] == []
    assert tfplan.MASK in text


def test_prod_links_rotations_and_versions_to_their_secrets(prod_plan: Plan) -> None:
    doc = tfplan.to_tfplan(prod_plan)
    configured = doc["configuration"]["root_module"]["resources"]
    linked = [
        c
        for c in configured
        if c["type"] in ("aws_secretsmanager_secret_version", "aws_secretsmanager_secret_rotation")
    ]
    assert linked
    for c in linked:
        refs = c["expressions"]["secret_id"]["references"]
        assert any(ref.startswith("aws_secretsmanager_secret.") for ref in refs), c["address"]


def _resource(type_: str, inputs: dict[str, Any], **deps: list[str]) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:pulumi:s::p::{type_}::{inputs.get('name', 'r')}",
        type=type_,
        name=str(inputs.get("name", "r")),
        parent="",
        inputs=inputs,
        protect=False,
        custom=True,
        provider="",
        property_dependencies=deps,
    )


def test_attributes_become_the_providers_names_and_blocks() -> None:
    key = _resource("aws:kms/key:Key", {"name": "k", "enableKeyRotation": True})
    table = _resource(
        "aws:dynamodb/table:Table",
        {
            "name": "t",
            "hashKey": "id",
            "pointInTimeRecovery": {"enabled": True},
            "globalSecondaryIndexes": [{"name": "i", "keySchemas": [{"attributeName": "a"}]}],
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": "arn:aws:kms:r:1:key/k"},
            "tags": {"CostCenter": "db", "team": "x"},
            "streamViewType": UNKNOWN,
        },
        serverSideEncryption=[key.urn],
    )
    alarm = _resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"name": "a", "dimensions": {"TableName": "t"}, "alarmActions": ["arn:x"]},
    )
    secret = _resource("aws:secretsmanager/secret:Secret", {"name": "s"})
    version = _resource(
        "aws:secretsmanager/secretVersion:SecretVersion",
        {
            "name": "v",
            "secretId": "arn:aws:secretsmanager:r:1:secret:s",
            "secretString": {SECRET_SIG: SECRET_VALUE, "value": "hunter2hunter2"},
        },
        secretId=[secret.urn],
    )
    plan = Plan("s", "p", {}, [key, table, alarm, secret, version], {})
    doc = tfplan.to_tfplan(plan)
    values = {r["address"]: r["values"] for r in doc["planned_values"]["root_module"]["resources"]}
    t = values["aws_dynamodb_table.t"]
    assert t["hash_key"] == "id"
    assert t["point_in_time_recovery"] == [{"enabled": True}]
    assert t["global_secondary_index"] == [{"name": "i", "key_schema": [{"attribute_name": "a"}]}]
    assert t["tags"] == {"CostCenter": "db", "team": "x"}  # a map: keys are data
    assert t["stream_view_type"] is None
    assert values["aws_cloudwatch_metric_alarm.a"]["dimensions"] == {"TableName": "t"}
    v = values["aws_secretsmanager_secret_version.v"]
    assert v["secret_id"] is None and v["secret_string"] == tfplan.MASK
    changes = {c["address"]: c["change"] for c in doc["resource_changes"]}
    assert changes["aws_dynamodb_table.t"]["after_unknown"] == {"stream_view_type": True}
    assert changes["aws_secretsmanager_secret_version.v"]["after_unknown"] == {"secret_id": True}
    assert changes["aws_secretsmanager_secret_version.v"]["after_sensitive"] == {
        "secret_string": True
    }
    config = {c["address"]: c for c in doc["configuration"]["root_module"]["resources"]}
    assert config["aws_secretsmanager_secret_version.v"]["expressions"]["secret_id"] == {
        "references": ["aws_secretsmanager_secret.s.arn", "aws_secretsmanager_secret.s"]
    }
    assert config["aws_dynamodb_table.t"]["expressions"]["server_side_encryption"][
        "references"
    ] == ["aws_kms_key.k.arn", "aws_kms_key.k"]


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("attributes", "attribute"),
        ("global_secondary_indexes", "global_secondary_index"),
        ("metric_queries", "metric_query"),
        ("ingress", "ingress"),
        ("log_delivery_configurations", "log_delivery_configuration"),
    ],
)
def test_block_lists_get_their_terraform_singular_names(plural: str, singular: str) -> None:
    assert schema.singular(plural) == singular


PROD_TFPLAN = ("--stack", "prod", "--format", "tfplan")


def test_the_cli_export_is_identical_across_separate_runs(tmp_path: Path) -> None:
    """Two interpreters, each planning prod from scratch with its own hash seed (set and dict
    order of strings differs) while the engine registers resources in its own order: the files
    are byte for byte the same. Two renders in one process could not differ (issue 23)."""
    outs = [tmp_path / f"plan-{seed}.json" for seed in ("1", "2")]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "preflight", *PROD_TFPLAN, "--output", str(out)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": out.stem[-1]},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    first, second = (out.read_bytes() for out in outs)
    assert first == second
    doc = json.loads(first)
    assert doc["format_version"] == "1.2" and doc["planned_values"]["root_module"]["resources"]


# ---------------------------------------------------------------------------------------------
# The waiver file
# ---------------------------------------------------------------------------------------------


def test_the_waiver_file_is_valid_and_every_waiver_says_why() -> None:
    listed = waivers.load_waivers(WAIVERS)
    assert listed
    for w in listed:
        assert len(w.why) >= waivers.MIN_WHY
        if w.why.startswith("not yet built"):
            assert "(issue 13 item " in w.why, w


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"check": "CKV_AWS_1", "resource": "aws_x.y"}, "missing ['why']"),
        ({"check": "CKV_AWS_1", "resource": "aws_x.y", "why": ""}, "non-empty"),
        ({"check": "CKV_AWS_1", "resource": "aws_x.y", "why": "because"}, "must say why"),
        ({"check": "nope", "resource": "aws_x.y", "why": "x" * 30}, "not a checkov check id"),
        ({"check": "CKV_AWS_1", "resource": "a", "why": "x" * 30, "until": 1}, "unknown"),
    ],
)
def test_a_bad_waiver_is_refused(entry: dict[str, Any], error: str) -> None:
    with pytest.raises(waivers.WaiverError, match=error.replace("[", r"\[").replace("]", r"\]")):
        waivers.parse_waivers({"waivers": [entry]})


def _report(*failed: tuple[str, str]) -> dict[str, Any]:
    return {
        "summary": {"parsing_errors": 0, "resource_count": 3},
        "results": {
            "failed_checks": [{"check_id": c, "resource": r, "check_name": c} for c, r in failed]
        },
    }


def test_findings_must_be_waived_and_waivers_must_match() -> None:
    listed = waivers.parse_waivers(
        {
            "waivers": [
                {"check": "CKV_AWS_1", "resource": "aws_a.*", "why": "x" * 30},
                {"check": "CKV_AWS_2", "resource": "aws_b.gone", "why": "x" * 30},
            ]
        }
    )
    findings = waivers.checkov_findings(
        _report(("CKV_AWS_1", "aws_a.one"), ("CKV_AWS_3", "aws_c.x"))
    )
    open_, stale = waivers.apply_waivers(findings, listed)
    assert [(f.check, f.resource) for f in open_] == [("CKV_AWS_3", "aws_c.x")]
    assert [w.resource for w in stale] == ["aws_b.gone"]


def test_a_report_checkov_could_not_parse_is_an_error() -> None:
    with pytest.raises(waivers.WaiverError, match="could not parse"):
        waivers.checkov_findings({"summary": {"parsing_errors": 1, "resource_count": 0}})
    with pytest.raises(waivers.WaiverError, match="no resources"):
        waivers.checkov_findings({"summary": {"parsing_errors": 0, "resource_count": 0}})


def test_the_waiver_check_runs_as_a_module_and_fails_on_an_unwaived_finding(tmp_path: Path) -> None:
    # scripts/checkov.sh runs `python -m preflight.tfplan waivers`: the package's entry point.
    results = tmp_path / "checkov.json"
    results.write_text(json.dumps(_report(("CKV_AWS_1", "aws_a.one"))))
    wanted = tmp_path / "waivers.yaml"
    wanted.write_text(
        "waivers:\n  - {check: CKV_AWS_1, resource: aws_a.*, why: " + "x" * 30 + "}\n"
    )
    run = [sys.executable, "-m", "preflight.tfplan", "waivers", "--results", str(results)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def check(waiver_file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*run, "--waivers", str(waiver_file)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    clean = check(wanted)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("checkov: 1 findings, 1 waived, 0 not waived, 0 stale waivers")
    empty = tmp_path / "none.yaml"
    empty.write_text("waivers: []\n")
    unwaived = check(empty)
    assert unwaived.returncode == 1
    assert "not waived: CKV_AWS_1 aws_a.one" in unwaived.stdout
