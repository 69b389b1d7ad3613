"""SARIF 2.1.0 output of the policy pass, in the shape GitHub code scanning ingests.

One ``reportingDescriptor`` per policy of the pack (so a fixed rule closes its alert), one result
per violation with its level from the enforcement level (mandatory -> error, advisory -> warning),
GitHub's ``security-severity`` from the policy's severity, and a location in the stack file:
code scanning requires a physical location, and the stack file is what a reviewer changes. The
resource URN is the result's logical location and part of its fingerprint, so alerts track the
resource across runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from preflight.policy import PolicyInfo, Violation

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "dbtier-policy"
INFORMATION_URI = "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/"

_LEVEL = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_CONFIG_KEY = re.compile(r"dbtier:([A-Za-z]+)")


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
        "defaultConfiguration": {"level": _LEVEL.get(level, "warning")},
        "properties": {"tags": ["security", "pulumi-policy", *tags], "precision": "very-high"},
    }
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
    needle = f"dbtier:{match.group(1)}"
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
                "level": _LEVEL.get(v.level, "warning"),
                "message": {"text": f"{v.message} ({v.urn})"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": _line_of(stack_file, v.remediation)},
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": v.urn, "kind": "resource"},
                        ],
                    }
                ],
                "partialFingerprints": {"dbtierPolicy/v1": fingerprint},
                "properties": {"enforcementLevel": v.level, "severity": v.severity, "urn": v.urn},
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
