"""Secrets nested at every depth (a map in a list in a map ...) are masked in every output
format: the preflight's text, JSON, SARIF and Terraform-plan exports, and the workloads' outputs
redaction. Issue 23: only top-level secrets were tested, so an export that masked the top level
only would have passed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from preflight import report
from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN, Plan, PlannedResource
from preflight.policy import PolicyReport, Violation
from preflight.tfplan import MASK, to_tfplan
from workloads.common import redaction
from workloads.common.outputs import outputs_from_json
from workloads.common.redaction import (
    RedactingFormatter,
    collect_secrets,
    redact,
    register_secret,
)


def secret(value: str) -> dict[str, str]:
    return {SECRET_SIG: SECRET_VALUE, "value": value}


def nestings(make: Any, tag: str) -> dict[str, Any]:
    """One secret at each depth and in each kind of container, each with its own text."""
    return {
        "top": make(f"{tag}-top-s3cr3t"),
        "inMap": {"k": make(f"{tag}-map-s3cr3t")},
        "inList": ["plain", make(f"{tag}-list-s3cr3t")],
        "mapInListInMap": {"a": [{"b": make(f"{tag}-mlm-s3cr3t")}]},
        "listInMapInList": [{"a": ["x", make(f"{tag}-lml-s3cr3t")]}],
        "listInList": [[make(f"{tag}-ll-s3cr3t")]],
        "deep": {"a": {"b": [[{"c": [{"d": make(f"{tag}-deep-s3cr3t")}]}]]}},
    }


def texts(value: Any) -> Iterator[str]:
    """Every secret text in `value`."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            yield value["value"]
            return
        for v in value.values():
            yield from texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from texts(v)


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def resource(type_: str, name: str, inputs: dict[str, Any]) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:pulumi:t::p::{type_}::{name}",
        type=type_,
        name=name,
        parent="",
        inputs=inputs,
        protect=False,
        custom=True,
        provider="",
    )


# A table's blocks (serverSideEncryption, globalSecondaryIndexes) go through the export's block
# path; a secret version's free-form map (tags) and unknown attributes through the plain path.
TABLE_INPUTS = {
    "name": "t",
    "hashKey": "id",
    "serverSideEncryption": {"enabled": True, "kmsKeyArn": secret("table-block-s3cr3t")},
    "globalSecondaryIndexes": [
        {"name": "i", "keySchemas": [{"attributeName": secret("table-blocks-s3cr3t")}]}
    ],
    "tags": {"team": secret("table-tag-s3cr3t")},
}
PLAN = Plan(
    stack="t",
    project="p",
    config={},
    resources=[
        resource("aws:dynamodb/table:Table", "t", TABLE_INPUTS),
        resource(
            "aws:secretsmanager/secretVersion:SecretVersion",
            "v",
            {"secretString": secret("version-s3cr3t"), **nestings(secret, "input")},
        ),
    ],
    outputs=nestings(secret, "output"),
)
SECRETS = sorted({*texts([r.inputs for r in PLAN.resources]), *texts(PLAN.outputs)})
POLICY = PolicyReport(
    pack="p",
    version="1",
    policies=(),
    violations=(Violation("rule", "advisory", "low", PLAN.resources[1].urn, "a message"),),
)


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_no_nested_secret_appears_in_any_format(fmt: report.Format) -> None:
    text = report.render(fmt, PLAN, POLICY)
    assert len(SECRETS) == 18
    assert [s for s in SECRETS if s in text] == []


def test_the_json_report_masks_each_secret_where_it_was() -> None:
    document = json.loads(report.render("json", PLAN, POLICY))
    masked = [r["inputs"] for r in document["resources"]] + [document["outputs"]]
    assert sorted(texts(masked)) == ["[secret]"] * len(SECRETS)
    # the shape is kept: only each envelope's value changed
    assert document["outputs"]["deep"]["a"]["b"][0][0]["c"][0]["d"] == secret("[secret]")
    assert document["outputs"]["inList"][0] == "plain"


def test_the_text_report_shows_each_nested_output_secret_as_masked() -> None:
    text = report.render("text", PLAN, POLICY)
    assert text.count('"[secret]"') == len(nestings(secret, "x"))
    assert '"plain"' in text


def test_the_tfplan_export_masks_and_marks_sensitive_each_nested_secret() -> None:
    doc = to_tfplan(PLAN)
    for planned, change in zip(
        doc["planned_values"]["root_module"]["resources"], doc["resource_changes"], strict=True
    ):
        values, sensitive = planned["values"], planned["sensitive_values"]
        # tags_all repeats the (masked) tags and is not part of the inputs
        given = {k: v for k, v in values.items() if k != "tags_all"}
        count = sum(1 for leaf in leaves(given) if leaf == MASK)
        assert count == (3 if planned["type"] == "aws_dynamodb_table" else 8), planned["address"]
        assert sum(1 for leaf in leaves(sensitive) if leaf is True) == count
        assert change["change"]["after"] == values
        assert change["change"]["after_sensitive"] == sensitive
    version = next(
        r["values"]
        for r in doc["planned_values"]["root_module"]["resources"]
        if r["type"] == "aws_secretsmanager_secret_version"
    )
    assert version["deep"]["a"]["b"][0][0]["c"][0]["d"] == MASK


@pytest.mark.parametrize("key", ["password", "authToken", "auth_token", "secret", "token"])
def test_workload_outputs_redact_secret_keys_at_every_depth(key: str) -> None:
    data = nestings(lambda text: {key: text}, key)
    found = collect_secrets(data)
    assert sorted(found) == sorted(
        f"{key}-{n}-s3cr3t" for n in ("top", "map", "list", "mlm", "lml", "ll", "deep")
    )
    outputs = outputs_from_json(json.dumps(data), "t")
    assert sorted(outputs.secrets) == sorted(found)
    assert redact(json.dumps(data)).count("***") == len(found)
    assert not any(s in redact(json.dumps(data)) for s in found)


def test_collect_secrets_takes_only_strings_under_secret_keys() -> None:
    data = {"host": "db.example.com", "password": "pw-123456", "token": {"nested": "n-123456"}}
    assert collect_secrets(data) == ["pw-123456"]  # a map under "token" is searched, not taken


def test_the_workloads_log_formatter_redacts_registered_secrets() -> None:
    register_secret("fmt-s3cr3t-value")
    record = logging.LogRecord(
        "workloads", logging.INFO, "f", 1, "login %s", ("fmt-s3cr3t-value",), None
    )
    assert RedactingFormatter("%(levelname)s %(message)s").format(record) == "INFO login ***"


def test_the_text_report_lays_out_outputs_as_pulumi_does() -> None:
    outputs = {"b": {"c": [1, UNKNOWN]}, "a": secret("lay-s3cr3t")}
    assert report.output_lines(outputs) == [
        "Outputs:",
        '    a: "[secret]"',
        '    b: {\n        "c": [\n            1,\n            "[unknown]"\n        ]\n    }',
    ]


def test_the_json_report_keeps_every_field_of_a_resource() -> None:
    one = resource("aws:kms/key:Key", "k", {"description": secret("json-s3cr3t")})
    plan = Plan(stack="s", project="p", config={}, resources=[one], outputs={"o": 1})
    assert report.plan_json(plan) == {
        "stack": "s",
        "resources": [
            {
                "urn": one.urn,
                "type": "aws:kms/key:Key",
                "name": "k",
                "parent": "",
                "inputs": {"description": secret("[secret]")},
                "protect": False,
            }
        ],
        "outputs": {"o": 1},
        "violations": [],
    }


def test_the_tfplan_export_marks_unknown_and_sensitive_parts_where_they_are() -> None:
    """after_unknown and after_sensitive mirror the value: True at an unknown or secret leaf,
    the same container shape around it, nothing for a part with neither."""
    asset = {SECRET_SIG: "c44067f5952c0a294b673a41bacd8c17", "path": "x.zip"}
    table = resource(
        "aws:dynamodb/table:Table",
        "u",
        {
            "name": "u",
            "__internal": "dropped",
            "code": asset,
            "hashKey": UNKNOWN,
            "globalSecondaryIndexes": [
                {"name": "i", "projectionType": UNKNOWN},
                {"name": secret("gsi-s3cr3t"), "projectionType": "ALL"},
            ],
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": UNKNOWN},
            "tags": {"a": UNKNOWN, "b": "x", "c": secret("tag-s3cr3t")},
            # a block list whose items are not all maps (a secret envelope is a map too)
            "replicas": [UNKNOWN, secret("replica-s3cr3t"), {"regionName": "r"}],
            "extraList": ["x", UNKNOWN, secret("list-s3cr3t"), ["y"]],
            "billingMode": "PAY_PER_REQUEST",
        },
    )
    doc = to_tfplan(Plan("s", "p", {}, [table], {}))
    [planned] = doc["planned_values"]["root_module"]["resources"]
    [change] = doc["resource_changes"]
    values = {k: v for k, v in planned["values"].items() if k != "tags_all"}
    assert values == {
        "name": "u",
        "hash_key": None,
        "global_secondary_index": [
            {"name": "i", "projection_type": None},
            {"name": MASK, "projection_type": "ALL"},
        ],
        "server_side_encryption": [{"enabled": True, "kms_key_arn": None}],
        "tags": {"a": None, "b": "x", "c": MASK},
        "replica": [None, MASK, {"region_name": "r"}],
        "extra_list": ["x", None, MASK, ["y"]],
        "billing_mode": "PAY_PER_REQUEST",
    }
    assert change["change"]["after_unknown"] == {
        "hash_key": True,
        "global_secondary_index": [{"projection_type": True}, {}],
        "server_side_encryption": [{"kms_key_arn": True}],
        "tags": {"a": True},
        "replica": [True, {}, {}],
        "extra_list": [False, True, False, False],
    }
    assert (
        planned["sensitive_values"]
        == change["change"]["after_sensitive"]
        == {
            "global_secondary_index": [{}, {"name": True}],
            "tags": {"c": True},
            "replica": [{}, True, {}],
            "extra_list": [False, False, True, False],
        }
    )


def test_a_secret_given_as_a_whole_block_is_masked_whole() -> None:
    table = resource(
        "aws:dynamodb/table:Table",
        "w",
        {"name": "w", "serverSideEncryption": secret("block-s3cr3t"), "extraMap": {"k": "v"}},
    )
    doc = to_tfplan(Plan("s", "p", {}, [table], {}))
    [planned] = doc["planned_values"]["root_module"]["resources"]
    assert planned["values"]["server_side_encryption"] == MASK
    assert planned["values"]["extra_map"] == {"k": "v"}
    assert planned["sensitive_values"] == {"server_side_encryption": True}
    assert doc["resource_changes"][0]["change"]["after_unknown"] == {}


def test_redaction_registers_strings_of_four_characters_and_more_with_their_url_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redaction, "_secrets", set())  # a registry of this test's own
    register_secret("Q7#z")
    register_secret("Q8#")
    register_secret(None)  # not a string: ignored, no error
    assert redact("Q7#z Q8# Q7%23z") == "*** Q8# ***"
    register_secret("a/b?c")
    assert redact("a%2Fb%3Fc") == "***"


def test_redaction_replaces_the_longest_secret_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redaction, "_secrets", set())
    # shortest-first or alphabetical order would leave a piece of the longer one
    assert redact("azzb and zz", ["zz", "azzb"]) == "*** and ***"
    assert redact("abc123456", ["abc123", "abc123456"]) == "***"
