"""`python -m preflight` end to end: dev and prod pass their own policy config, an insecure stack
file exits 1 naming each violation, JSON carries the violations, SARIF validates against the
SARIF 2.1.0 schema, and the pack process never outlives the preflight."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import jsonschema
import pytest

from preflight.client import PolicyPackProcess, analyze_plan, pack_environment, run_policy_report
from preflight.policy import DEFAULT_PACK_DIR, PolicyPackError, load_policy_config, resolve_config
from preflight.report import to_sarif
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import (
    ROOT,
    Pack,
    make_plan,
    preflight_in_process,
    run_preflight,
    with_inputs,
)

pytestmark = pytest.mark.policy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SARIF_SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())


def preflight_insecure(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The preflight of the insecure stack file under the prod policy config, in process (the
    dev and prod tests run it as a user does, in a process of its own)."""
    return preflight_in_process(
        "--stack",
        "insecure",
        "--project-dir",
        str(project),
        "--policy-config",
        str(ROOT / "policy/config/prod.json"),
        *args,
    )


@pytest.fixture(scope="module")
def insecure_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real program, with the insecure stack file beside it."""
    project = tmp_path_factory.mktemp("insecure")
    for name in ("Pulumi.yaml", "__main__.py", "components"):
        (project / name).symlink_to(ROOT / name)
    (project / "Pulumi.insecure.yaml").write_text((FIXTURES / "Pulumi.insecure.yaml").read_text())
    return project


def test_dev_is_clean_under_dev_config() -> None:
    result = run_preflight("--stack", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    violations = json.loads(result.stdout)["violations"]
    assert [v for v in violations if v["level"] == "mandatory"] == []


def test_prod_is_clean_under_prod_config() -> None:
    result = run_preflight("--stack", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    violations = json.loads(result.stdout)["violations"]
    assert [v for v in violations if v["level"] == "mandatory"] == []


def test_insecure_stack_json_lists_violations_in_the_fixed_shape(insecure_project: Path) -> None:
    result = preflight_insecure(insecure_project, "--format", "json")
    assert result.returncode == 1, result.stderr
    violations = json.loads(result.stdout)["violations"]
    assert violations
    for v in violations:
        # The fixed fields, plus what the report adds to say where to read and what to change.
        assert set(v) == {"policy", "level", "severity", "urn", "message"} | {
            "category",
            "docs",
            "fixes",
        }
    primary = "urn:pulumi:insecure::dbtier::dbtier:components:RelationalTier$aws:rds/instance:Instance::relational-primary"
    assert {
        "policy": "rds-instance-deletion-protection",
        "level": "mandatory",
        "urn": primary,
    }.items() <= next(
        v for v in violations if v["policy"] == "rds-instance-deletion-protection"
    ).items()


def _text_violations(report: str) -> list[tuple[str, str, str]]:
    """(level, policy, resource name) for each violation line of the text report."""
    found = []
    urn = ""
    for line in report.splitlines():
        if line.startswith("  urn:pulumi:"):
            urn = line.strip()
        elif line.startswith("    [") and urn:
            level = line.strip()[1:].split("]")[0].split()[0]
            policy = line.split("] ", 1)[1].split(":", 1)[0]
            found.append((level, policy, urn.rsplit("::", 1)[1]))
    return found


def test_insecure_stack_exits_1_and_names_each_violation(insecure_project: Path) -> None:
    result = preflight_insecure(insecure_project)
    assert result.returncode == 1, result.stderr
    found = _text_violations(result.stdout)
    expected = {
        ("mandatory", "rds-instance-deletion-protection", "relational-primary"),
        ("mandatory", "rds-cluster-deletion-protection", "aurora-cluster"),
        ("mandatory", "rds-backup-retention", "relational-primary"),
        ("mandatory", "rds-instance-multi-az", "relational-primary"),
        ("mandatory", "stack-stateful-resources-protected", "relational-primary"),
        ("mandatory", "stack-read-replicas", "relational-primary"),
    }
    assert expected <= set(found), sorted(expected - set(found))
    mandatory = sum(1 for level, _, _ in found if level == "mandatory")
    assert f"  {mandatory} mandatory, {len(found) - mandatory} advisory" in result.stdout


def test_sarif_validates_and_maps_levels(insecure_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = preflight_insecure(insecure_project, "--format", "sarif", "--output", str(target))
    assert result.returncode == 1, result.stderr
    sarif = json.loads(target.read_text())
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert run["results"]
    for res in run["results"]:
        assert res["ruleId"] in rule_ids
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        expected_level = {"mandatory": "error", "advisory": "warning"}
        assert res["level"] == expected_level[res["properties"]["enforcementLevel"]]
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "Pulumi.insecure.yaml"
        )


def test_sarif_of_a_clean_run_validates() -> None:
    sarif = to_sarif([], stack="dev")
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert sarif["runs"][0]["results"] == []


def test_every_policy_gets_an_explicit_level() -> None:
    plan = shared_plan("dev")
    report = run_policy_report(plan, ROOT / "policy", ROOT / "policy/config/dev.json")
    config = resolve_config(
        report.policies, json.loads((ROOT / "policy/config/dev.json").read_text())
    )
    assert set(config) == {p.name for p in report.policies}
    assert config["rds-instance-storage-encrypted"]["level"] == "mandatory"
    assert config["rds-instance-multi-az"]["level"] == "advisory"
    assert config["rds-backup-retention"]["properties"] == {"minimumDays": 1}


def test_remembered_answers_are_the_answers_of_a_pack_that_remembers_nothing(pack: Pack) -> None:
    """The session's pack remembers its answers (remember_answers): prod with one change, run
    after prod, is asked only about the changed resource and the stack, and gets the report a
    pack that remembers nothing gives."""
    config = load_policy_config(ROOT / "policy/config/prod.json")
    prod = shared_plan("prod")
    (i,) = [i for i, r in enumerate(prod.resources) if r.name.endswith("relational-primary")]
    primary = prod.resources[i]
    changed = shared_plan("prod")
    tags = {**primary.inputs.get("tags", {}), "answer-test": uuid.uuid4().hex}
    changed.resources[i] = with_inputs(primary, storageEncrypted=False, tags=tags)
    pack.run(prod, config)
    assert pack.process.answers is not None
    known = len(pack.process.answers)
    remembered = pack.run(changed, config)
    assert len(pack.process.answers) == known + 2  # the changed resource, and the stack
    assert ("rds-instance-storage-encrypted", primary.urn) in {
        (v.policy, v.urn) for v in remembered.mandatory
    }
    with PolicyPackProcess(DEFAULT_PACK_DIR, pack_environment(make_plan([]))) as fresh:
        assert fresh.answers is None
        assert analyze_plan(fresh, changed, config) == remembered


def test_pack_is_stopped_after_an_error() -> None:
    env = pack_environment(shared_plan("dev"))
    process = PolicyPackProcess(ROOT / "policy", env)
    with pytest.raises(RuntimeError), process:
        pid = process._proc.pid  # type: ignore[union-attr]
        raise RuntimeError("boom")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_directory_without_a_pack_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match="not a policy pack"), PolicyPackProcess(tmp_path, {}):
        pass
