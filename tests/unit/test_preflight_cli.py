"""`python -m preflight` as users run it: subprocesses on the real stack files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def preflight(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_text_plan_shows_the_tree_and_masked_outputs(stack: str) -> None:
    run = preflight("--stack", stack)
    assert run.returncode in (0, 1), run.stderr
    assert "pulumi:pulumi:Stack" in run.stdout
    assert "├─ dbtier:components:RelationalTier" in run.stdout
    assert "│  ├─ aws:rds/instance:Instance" in run.stdout
    assert '"password": "[secret]"' in run.stdout
    assert "Traceback" not in run.stderr


def test_prod_json_lists_the_foundation_resources_and_outputs() -> None:
    run = preflight("--stack", "prod", "--format", "json")
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    assert set(report) >= {"stack", "resources", "outputs", "violations"}
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
    assert len([r for r in instances if "replicateSourceDb" in r["inputs"]]) == 2
    aurora = [
        r for r in report["resources"] if r["type"] == "aws:rds/clusterInstance:ClusterInstance"
    ]
    assert aurora and all(r["inputs"]["instanceClass"] == "db.serverless" for r in aurora)
    assert {"relational", "aurora", "warehouse"} <= set(report["outputs"])
    for r in report["resources"]:
        assert set(r) == {"urn", "type", "name", "parent", "inputs", "protect"}
    assert "[secret]" in json.dumps(report["outputs"]["relational"]["password"])
    # Secrets stay wrapped in Pulumi's envelope, their value masked.
    primary = next(r for r in instances if r["name"] == "relational-primary")
    assert primary["inputs"]["password"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "[secret]",
    }


def test_missing_stack_exits_2_with_one_line() -> None:
    run = preflight("--stack", "staging")
    assert run.returncode == 2
    assert run.stderr.strip() == f"preflight: no stack file Pulumi.staging.yaml in {ROOT}"
    assert run.stdout == ""


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  dbtier:relational:\n    readReplicas: 20\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", "bad", "--project-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [
        "preflight: Pulumi.bad.yaml: dbtier:relational.readReplicas must be between 0 and 15 (got 20)"
    ]


def test_malformed_stack_yaml_exits_2(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.broken.yaml").write_text("config: [unclosed\n")
    run = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", "broken", "--project-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("preflight: Pulumi.broken.yaml is not valid YAML at line")
    assert "Traceback" not in run.stderr


def test_unwritable_output_exits_2_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "plan.json"
    run = preflight("--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith(f"preflight: cannot write {target}")
    assert not target.parent.exists()


def test_output_file_holds_the_whole_report(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    run = preflight("--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert json.loads(target.read_text())["stack"] == "dev"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
