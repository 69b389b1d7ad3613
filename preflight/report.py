"""The preflight's reports of a plan and its policy pass: text, JSON and SARIF.

- text: the resource tree as ``pulumi preview`` draws it, the stack outputs with secrets masked,
  and the violations grouped by resource.
- JSON: ``{"stack", "resources": [{"urn", "type", "name", "parent", "inputs", "protect"}],
  "outputs", "violations": [{"policy", "level", "severity", "urn", "message", "category", "docs",
  "fixes"}]}``, inputs as the engine receives them with every secret's value masked; ``docs`` is
  the documentation URL of the constraint and ``fixes`` the dbtier config key to change ("" when
  the policy has none).
- SARIF 2.1.0, in the shape GitHub code scanning ingests: one ``reportingDescriptor`` per policy
  of the pack (so a fixed rule closes its alert), one result per violation with its level from
  the enforcement level (mandatory -> error, advisory -> warning), GitHub's
  ``security-severity`` from the policy's severity, and a location in the stack file: code
  scanning requires a physical location, and the stack file is what a person changes to fix a
  violation. The resource URN is the result's logical location and part of its fingerprint, so
  alerts track the resource across runs.
- tfplan: the plan as Terraform plan JSON (format 1.2) for checkov, trivy and OPA; violations are
  not part of it. See preflight/tfplan/.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN, Plan, PlannedResource
from preflight.policy import (
    CATEGORY_TAG,
    DOCS_TAG,
    FIXES_TAG,
    PolicyInfo,
    PolicyReport,
    Violation,
    tag_values,
)
from preflight.tfplan import render_tfplan

Format = Literal["text", "json", "sarif", "tfplan"]
FORMATS: tuple[Format, ...] = ("text", "json", "sarif", "tfplan")


def render(fmt: Format, plan: Plan, policy: PolicyReport, stack_file: Path | None = None) -> str:
    """The whole report in ``fmt``, ending with a newline."""
    if fmt == "tfplan":  # the plan only, for checkov/trivy/OPA: see preflight/tfplan/
        return render_tfplan(plan)
    if fmt == "json":
        document = plan_json(plan)
        document["violations"] = [v.as_json() for v in policy.violations]
        return json.dumps(document, indent=2) + "\n"
    if fmt == "sarif":
        sarif = to_sarif(
            policy.violations,
            stack=plan.stack,
            stack_file=stack_file,
            policies=policy.policies,
            tool_version=policy.version,
        )
        return json.dumps(sarif, indent=2) + "\n"
    return "\n".join(text_lines(plan, policy.violations)) + "\n"


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def text_lines(plan: Plan, violations: Sequence[Violation]) -> list[str]:
    """The text report: header, resource tree, outputs, resource count, violations."""
    return [
        f"Previewing stack {plan.project}-{plan.stack} (offline, on mocks)",
        "",
        *tree_lines(plan),
        "",
        *output_lines(plan.outputs),
        "",
        f"Resources: {len(plan.resources)} to create",
        "",
        *violation_lines(violations),
    ]


def tree_lines(plan: Plan) -> list[str]:
    """The resource tree as `pulumi preview` draws it: type and name, indented under parents."""
    children: dict[str, list[PlannedResource]] = {}
    for r in plan.resources:
        children.setdefault(r.parent, []).append(r)
    rows: list[tuple[str, str]] = []

    def walk(resource: PlannedResource, prefix: str, last: bool, root: bool) -> None:
        branch = "" if root else prefix + ("└─ " if last else "├─ ")
        rows.append(
            (branch + resource.type, resource.name + ("  [protect]" if resource.protect else ""))
        )
        kids = children.get(resource.urn, [])
        inner = "" if root else prefix + ("   " if last else "│  ")
        for i, kid in enumerate(kids):
            walk(kid, inner, i == len(kids) - 1, False)

    for top in children.get("", []):
        walk(top, "", True, True)
    width = max((len(t) for t, _ in rows), default=4) + 3
    return [f"     {'Type':<{width}}Name"] + [f" +   {t:<{width}}{n}" for t, n in rows]


def output_lines(outputs: Mapping[str, Any]) -> list[str]:
    """Stack outputs, secrets shown as [secret] as `pulumi stack output` does."""

    def show(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get(SECRET_SIG) == SECRET_VALUE:
                return "[secret]"
            return {k: show(v) for k, v in value.items()}
        if isinstance(value, list):
            return [show(v) for v in value]
        if value == UNKNOWN:
            return "[unknown]"
        return value

    lines = ["Outputs:"]
    for key in sorted(outputs):
        text = json.dumps(show(outputs[key]), indent=4)
        lines.append(f"    {key}: " + text.replace("\n", "\n    "))
    return lines


def violation_lines(violations: Sequence[Violation]) -> list[str]:
    """Violations grouped by resource, then the count of mandatory and advisory ones."""
    if not violations:
        return ["Policy violations: none"]
    lines = [f"Policy violations: {len(violations)}"]
    by_urn: dict[str, list[Violation]] = {}
    for v in violations:
        by_urn.setdefault(v.urn, []).append(v)
    for urn, group in by_urn.items():
        lines.append(f"  {urn}")
        for v in group:
            severity = f" {v.severity}" if v.severity else ""
            lines.append(f"    [{v.level}{severity}] {v.policy}: {v.message}")
            if v.fixes:
                lines.append(f"      fix with: {v.fixes}")
            if v.docs:
                lines.append(f"      see: {v.docs}")
    mandatory = sum(1 for v in violations if v.blocking)
    lines.append(f"  {mandatory} mandatory, {len(violations) - mandatory} advisory")
    return lines


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def mask_secrets(value: Any) -> Any:
    """The same JSON with every secret envelope's value replaced by "[secret]"."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            return {SECRET_SIG: SECRET_VALUE, "value": "[secret]"}
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan in the JSON report's shape, with no violations yet."""
    return {
        "stack": plan.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "inputs": mask_secrets(r.inputs),
                "protect": r.protect,
            }
            for r in plan.resources
        ],
        "outputs": mask_secrets(plan.outputs),
        "violations": [],
    }


# ---------------------------------------------------------------------------------------------
# SARIF
# ---------------------------------------------------------------------------------------------

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "dbtier-policy"
INFORMATION_URI = "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/"

_SARIF_LEVEL = {
    "mandatory": "error",
    "remediate": "error",
    "advisory": "warning",
    "disabled": "none",
}
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_CONFIG_KEY = re.compile(r"(?:dbtier|aws):[A-Za-z]+")


def _rule(
    policy: str,
    *,
    description: str,
    remediation: str,
    severity: str,
    tags: Sequence[str],
    level: str,
) -> dict[str, Any]:
    help_text = f"{description}\n\nRemediation: {remediation}" if remediation else description
    rule: dict[str, Any] = {
        "id": policy,
        "name": "".join(part.capitalize() for part in policy.split("-")),
        "shortDescription": {"text": description or policy},
        "fullDescription": {"text": description or policy},
        "help": {
            "text": help_text,
            "markdown": help_text.replace("\n\n", "\n\n**") + ("**" if remediation else ""),
        },
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(level, "warning")},
        "properties": {"tags": ["security", "pulumi-policy", *tags], "precision": "very-high"},
    }
    docs = tag_values(tags, DOCS_TAG)
    if docs:
        rule["helpUri"] = docs[0]
    category = tag_values(tags, CATEGORY_TAG)
    if category:
        rule["properties"]["category"] = category[0]
    fixes = tag_values(tags, FIXES_TAG)
    if fixes:
        rule["properties"]["fixes"] = fixes
    if severity in _SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = _SECURITY_SEVERITY[severity]
        rule["properties"]["problem.severity"] = (
            "error" if severity in ("critical", "high") else "warning"
        )
    return rule


def _line_of(stack_file: Path | None, remediation: str) -> int:
    """The line of the stack file holding the config key the remediation names, else 1."""
    if stack_file is None or not stack_file.is_file():
        return 1
    match = _CONFIG_KEY.search(remediation)
    if not match:
        return 1
    needle = match.group(0)
    for number, line in enumerate(stack_file.read_text().splitlines(), start=1):
        if line.lstrip().startswith(needle):
            return number
    return 1


def to_sarif(
    violations: Sequence[Violation],
    *,
    stack: str,
    stack_file: Path | None = None,
    artifact_uri: str | None = None,
    policies: Sequence[PolicyInfo] = (),
    tool_version: str = "0.1.0",
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run for ``stack``.

    ``artifact_uri`` is the stack file's path relative to the repository root (default
    ``Pulumi.<stack>.yaml``); ``policies`` (from the pack's GetAnalyzerInfo) lists every rule,
    otherwise only the rules that have violations are described.
    """
    uri = artifact_uri or f"Pulumi.{stack}.yaml"
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for p in policies:
        index[p.name] = len(rules)
        rules.append(
            _rule(
                p.name,
                description=p.description,
                remediation=p.remediation,
                severity=p.severity,
                tags=p.tags,
                level=p.level,
            )
        )
    for v in violations:
        if v.policy not in index:
            index[v.policy] = len(rules)
            rules.append(
                _rule(
                    v.policy,
                    description=v.description,
                    remediation=v.remediation,
                    severity=v.severity,
                    tags=v.tags,
                    level=v.level,
                )
            )

    results = []
    for v in violations:
        fingerprint = hashlib.sha256(f"{v.policy}\0{v.urn}".encode()).hexdigest()
        results.append(
            {
                "ruleId": v.policy,
                "ruleIndex": index[v.policy],
                "level": _SARIF_LEVEL.get(v.level, "warning"),
                "message": {"text": f"{v.message} ({v.urn})"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": _line_of(stack_file, v.fixes or v.remediation)},
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": v.urn, "kind": "resource"},
                        ],
                    }
                ],
                "partialFingerprints": {"dbtierPolicy/v1": fingerprint},
                "properties": {
                    "enforcementLevel": v.level,
                    "severity": v.severity,
                    "urn": v.urn,
                    "category": v.category,
                    "docs": v.docs,
                    "fixes": v.fixes,
                },
            }
        )

    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"dbtier-preflight/{stack}/"},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
                "results": results,
            }
        ],
    }
