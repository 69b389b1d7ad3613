"""`python -m preflight` as users run it: subprocesses on the real stack files, and the exit codes
of its error paths."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import preflight.__main__ as cli
from preflight.mocks import _ident
from preflight.plan import SECRET_SIG, SECRET_VALUE, Plan, plan_stack
from tests.policy.policy_fixtures import ROOT, make_plan
from tests.policy.policy_fixtures import run_preflight as preflight


def secret_values(value: Any) -> Iterator[str]:
    """Every plaintext value held in a secret envelope, anywhere in ``value``."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            yield str(value["value"])
        else:
            for v in value.values():
                yield from secret_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from secret_values(v)


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def plan(stack: str) -> Plan:
    """The stack planned in this process: what the preflight's subprocess plans too."""
    return plan_stack(stack)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_report_never_shows_a_secret_value(stack: str, plan: Plan, fmt: str) -> None:
    secrets = {
        s for s in secret_values([plan.outputs, *(r.inputs for r in plan.resources)]) if len(s) >= 8
    }
    assert secrets, "the plan holds generated passwords and tokens"
    run = preflight("--stack", stack, "--format", fmt)
    assert run.returncode == 0, run.stderr
    assert [s for s in secrets if s in run.stdout] == []


def test_text_plan_shows_the_tree_and_masked_outputs(stack: str, plan: Plan) -> None:
    run = preflight("--stack", stack)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"Previewing stack dbtier-{stack} (offline, on mocks)"
    assert lines[2].split() == ["Type", "Name"]
    assert lines[3].split() == ["+", "pulumi:pulumi:Stack", f"dbtier-{stack}"]
    assert any(line.startswith(" +   ├─ dbtier:components:RelationalTier") for line in lines)
    assert any("│  ├─ aws:rds/instance:Instance" in line for line in lines)
    assert '"password": "[secret]"' in run.stdout
    assert f"Resources: {len(plan.resources)} to create" in lines
    assert lines[-1] == "Policy violations: none" or re.fullmatch(
        r"  0 mandatory, \d+ advisory", lines[-1]
    )
    assert run.stderr == ""


def test_prod_json_lists_the_foundation_resources_and_outputs() -> None:
    run = preflight("--stack", "prod", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == {"stack", "resources", "outputs", "violations"}
    assert report["stack"] == "prod"
    types = [r["type"] for r in report["resources"]]
    for expected in (
        "aws:kms/key:Key",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:redshift/subnetGroup:SubnetGroup",
        "aws:redshift/cluster:Cluster",
        "aws:secretsmanager/secret:Secret",
    ):
        assert expected in types, expected
    instances = [r for r in report["resources"] if r["type"] == "aws:rds/instance:Instance"]
    primary = next(r for r in instances if r["name"] == "relational-primary")
    replicas = [r for r in instances if "replicateSourceDb" in r["inputs"]]
    assert len(replicas) == 2
    # Each replica reads from the primary: its source is the id the mocks give the primary.
    assert [r["inputs"]["replicateSourceDb"] for r in replicas] == [_ident(primary["name"])] * 2
    aurora = [
        r for r in report["resources"] if r["type"] == "aws:rds/clusterInstance:ClusterInstance"
    ]
    assert aurora and all(r["inputs"]["instanceClass"] == "db.serverless" for r in aurora)
    assert {"relational", "aurora", "warehouse"} <= set(report["outputs"])
    for r in report["resources"]:
        assert set(r) == {"urn", "type", "name", "parent", "inputs", "protect"}
    assert "[secret]" in json.dumps(report["outputs"]["relational"]["password"])
    # Secrets stay wrapped in Pulumi's envelope, their value masked.
    assert primary["inputs"]["password"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "[secret]",
    }


def test_missing_stack_exits_2_with_one_line() -> None:
    run = preflight("--stack", "staging")
    assert run.returncode == 2
    assert run.stderr.strip() == f"preflight: no stack file Pulumi.staging.yaml in {ROOT}"
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(
            ["--stack", "dev", "--format", "xml"],
            "argument --format: invalid choice: 'xml' (choose from ",
            id="unknown --format",
        ),
        pytest.param([], "the following arguments are required: --stack", id="no --stack"),
    ],
)
def test_usage_error_exits_2_with_usage(args: list[str], error: str) -> None:
    run = preflight(*args)
    assert run.returncode == 2
    assert run.stderr.startswith("usage: python -m preflight")
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"python -m preflight: error: {error}"), last
    assert run.stdout == ""


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  dbtier:relational:\n    readReplicas: 20\n"
    )
    run = preflight("--stack", "bad", "--project-dir", str(tmp_path))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [
        "preflight: Pulumi.bad.yaml: dbtier:relational.readReplicas must be between 0 and 15 (got 20)"
    ]


def test_malformed_stack_yaml_exits_2(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.broken.yaml").write_text("config: [unclosed\n")
    run = preflight("--stack", "broken", "--project-dir", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == "preflight: Pulumi.broken.yaml is not valid YAML at line 2\n"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(None, "policy config {path} does not exist", id="missing file"),
        pytest.param("{not json", "policy config {path} is not JSON: ", id="not JSON"),
        pytest.param("[1, 2]", "policy config {path} must be a JSON object", id="not an object"),
        pytest.param(
            '{"rds-instance-storage-encryptd": "advisory"}',
            "policy config names unknown policies: rds-instance-storage-encryptd",
            id="misspelled policy",
        ),
        pytest.param(
            '{"all": "sometimes"}',
            "all: enforcement level must be one of advisory, mandatory, remediate, disabled "
            "(got 'sometimes')",
            id="unknown level",
        ),
        pytest.param(
            '{"rds-backup-retention": {"minimumDayz": 3}}',
            "rds-backup-retention: unknown config property 'minimumDayz'",
            id="misspelled property",
        ),
        pytest.param(
            '{"rds-backup-retention": 3}',
            "rds-backup-retention: config must be a level or an object",
            id="entry neither level nor object",
        ),
    ],
)
def test_bad_policy_config_exits_2_with_one_line(
    tmp_path: Path, content: str | None, error: str
) -> None:
    path = tmp_path / "policy.json"
    if content is not None:
        path.write_text(content)
    run = preflight("--stack", "dev", "--policy-config", str(path))
    assert run.returncode == 2
    assert run.stderr.startswith("preflight: " + error.format(path=path)), run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert run.stdout == ""


def test_unwritable_output_exits_2_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "plan.json"
    run = preflight("--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 2
    assert run.stderr == f"preflight: cannot write {target}: No such file or directory\n"
    assert not target.parent.exists()


def test_output_file_holds_the_whole_report(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    run = preflight("--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    report = json.loads(target.read_text())
    assert (report["stack"], set(report)) == (
        "dev",
        {"stack", "resources", "outputs", "violations"},
    )
    assert report["resources"] and report["outputs"]
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def _interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("step", "message"),
    [
        pytest.param("plan_stack", "preflight: interrupted\n", id="while planning"),
        pytest.param(
            "run_policy_report",
            "preflight: interrupted; the policy pack was stopped\n",
            id="while the pack runs",
        ),
    ],
)
def test_ctrl_c_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], step: str, message: str
) -> None:
    if step == "run_policy_report":
        monkeypatch.setattr(cli, "plan_stack", lambda *_: make_plan([]))
    monkeypatch.setattr(cli, step, _interrupt)
    assert cli.main(["--stack", "dev"]) == 130
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)
