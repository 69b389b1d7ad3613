"""The checkov waiver check: `python -m preflight.tfplan waivers --results R --waivers W`.

CI runs checkov on the tfplan export (scripts/checkov.sh) and hands its JSON report here with
`policy/checkov-waivers.yaml`. Every failed check must be covered by a waiver that says why, and
every waiver must still cover a finding: exit 1 on an unwaived finding or a stale waiver, 2 when
the report or the waiver file cannot be used.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

WAIVER_KEYS = ("check", "resource", "why")
_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")
MIN_WHY = 20
"""A reason shorter than this is not a reason."""


class WaiverError(Exception):
    """The waiver file or checkov's report cannot be used; the message says why."""


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str  # an address or an fnmatch glob over addresses
    why: str

    def matches(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.resource, self.resource)


@dataclass(frozen=True)
class Finding:
    check: str
    resource: str
    name: str


def parse_waivers(document: Any, source: str = "the waiver file") -> list[Waiver]:
    """``{"waivers": [{"check", "resource", "why"}, ...]}``, every key required, none other."""
    if not isinstance(document, dict) or set(document) != {"waivers"}:
        raise WaiverError(f"{source}: the top level must be a mapping with only `waivers`")
    entries = document["waivers"]
    if not isinstance(entries, list):
        raise WaiverError(f"{source}: `waivers` must be a list")
    waivers: list[Waiver] = []
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: waiver {n}"
        if not isinstance(entry, dict):
            raise WaiverError(f"{where} is not a mapping")
        missing = [k for k in WAIVER_KEYS if k not in entry]
        extra = sorted(str(k) for k in entry if k not in WAIVER_KEYS)
        if missing or extra:
            raise WaiverError(f"{where}: missing {missing}, unknown {extra}")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in WAIVER_KEYS):
            raise WaiverError(f"{where}: check, resource and why must be non-empty strings")
        if not _CHECK_ID.match(entry["check"]):
            raise WaiverError(f"{where}: `{entry['check']}` is not a checkov check id")
        if len(entry["why"].strip()) < MIN_WHY:
            raise WaiverError(f"{where}: `why` must say why ({MIN_WHY} characters at least)")
        waiver = Waiver(entry["check"], entry["resource"], " ".join(entry["why"].split()))
        if waiver in waivers:
            raise WaiverError(f"{where} repeats an earlier waiver")
        waivers.append(waiver)
    return waivers


def load_waivers(path: Path) -> list[Waiver]:
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise WaiverError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: not YAML: {exc}") from None
    return parse_waivers(document, str(path))


def checkov_findings(report: Any) -> list[Finding]:
    """The failed checks of checkov's ``-o json`` report (one framework's object or a list)."""
    runs = report if isinstance(report, list) else [report]
    findings: set[Finding] = set()
    for run in runs:
        if not isinstance(run, dict) or "summary" not in run:
            raise WaiverError("checkov's report has no summary: checkov did not scan the plan")
        summary = run["summary"]
        if summary.get("parsing_errors"):
            raise WaiverError(f"checkov could not parse the plan: {summary['parsing_errors']}")
        if not summary.get("resource_count"):
            raise WaiverError("checkov found no resources in the plan")
        for failed in run.get("results", {}).get("failed_checks", []):
            findings.add(
                Finding(failed["check_id"], failed["resource"], failed.get("check_name", ""))
            )
    return sorted(findings, key=lambda f: (f.resource, f.check))


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver]
) -> tuple[list[Finding], list[Waiver]]:
    """(findings no waiver covers, waivers that cover no finding: stale)."""
    open_ = [f for f in findings if not any(w.matches(f) for w in waivers)]
    stale = [w for w in waivers if not any(w.matches(f) for f in findings)]
    return open_, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m preflight.tfplan",
        description="Check checkov's findings on a tfplan export against the waiver file.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("waivers", help="exit 1 on an unwaived finding or a stale waiver")
    check.add_argument("--results", type=Path, required=True, help="checkov -o json output")
    check.add_argument("--waivers", type=Path, required=True, help="policy/checkov-waivers.yaml")
    args = parser.parse_args(argv)
    try:
        waivers = load_waivers(args.waivers)
        try:
            report = json.loads(args.results.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise WaiverError(f"{args.results}: not checkov's JSON report: {exc}") from None
        findings = checkov_findings(report)
    except WaiverError as exc:
        print(f"checkov: {exc}", file=sys.stderr)
        return 2
    open_, stale = apply_waivers(findings, waivers)
    print(
        f"checkov: {len(findings)} findings, {len(findings) - len(open_)} waived, "
        f"{len(open_)} not waived, {len(stale)} stale waivers"
    )
    for f in open_:
        print(f"  not waived: {f.check} {f.resource}: {f.name}")
    for w in stale:
        print(f"  stale waiver (matches nothing): {w.check} {w.resource}")
    return 1 if open_ or stale else 0
