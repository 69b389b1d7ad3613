"""The docs users read name every policy rule and state the pack's and the plans' counts right."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dbtier_policy.registry import RULES

from components.reference import slug
from preflight.tfplan import waivers
from tests.plan_snapshot import SNAPSHOTS, STACKS

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250


def test_every_rule_is_documented() -> None:
    docs = (ROOT / "docs" / "policy.md").read_text() + (
        ROOT / "docs" / "deployability.md"
    ).read_text()
    undocumented = [r.meta.name for r in RULES if f"`{r.meta.name}`" not in docs]
    assert undocumented == []


def test_rule_counts_in_the_docs_are_the_packs() -> None:
    deployability = sum(1 for r in RULES if r.meta.category == "deployability")
    readme = (ROOT / "README.md").read_text()
    policy = (ROOT / "docs" / "policy.md").read_text()
    assert re.findall(r"pack \((\d+) rules", readme) == [str(len(RULES))]
    assert re.findall(r"(\d+) of them in the", readme) == [str(deployability)]
    assert re.findall(r"Its (\d+) rules are", policy) == [str(len(RULES))]


def test_categories_in_the_docs_are_the_packs() -> None:
    categories = sorted({r.meta.category for r in RULES})
    policy = " ".join((ROOT / "docs" / "policy.md").read_text().split())
    stated = re.search(r"one of (\d+) categories: ((?:`[a-z]+`(?:, | and )?)+)", policy)
    assert stated is not None
    assert int(stated.group(1)) == len(categories)
    assert re.findall(r"`([a-z]+)`", stated.group(2)) == categories


def planned_resources() -> dict[str, int]:
    """Resources in each stack's plan snapshot (what the preflight plans today)."""
    return {
        stack: len(json.loads((SNAPSHOTS / f"{stack}.json").read_text())["resources"])
        for stack in STACKS
    }


# "prod plans 220 resources", "the dev stack plans 67 resources": a count of today's plan.
_PLANS = re.compile(r"\b(dev|prod)\b(?: stack)? plans (\d[\d,]*) resources")
# Any other "<n> resources" on a line that names a stack: a measurement of the stack as it was
# then must say so ("when it planned 122 resources"); anything else is a count that can drift.
_RESOURCES = re.compile(r"(\d[\d,]*) resources")


def test_resources_per_stack_in_the_docs_are_the_plans() -> None:
    counts = planned_resources()
    stated: set[str] = set()
    undated: list[str] = []
    for path in DOCS:
        for line in path.read_text().splitlines():
            for match in _PLANS.finditer(line):
                stack, count = match.group(1), int(match.group(2).replace(",", ""))
                assert count == counts[stack], (
                    f"{path.name} says {match.group(0)!r}; the {stack} plan has {counts[stack]}"
                )
                stated.add(stack)
            for match in _RESOURCES.finditer(line):
                before = line[: match.start()]
                if not re.search(r"\b(dev|prod)\b", before) or _PLANS.search(line):
                    continue
                if not before.rstrip().endswith("planned"):
                    undated.append(f"{path.name}: {line.strip()}")
    assert stated == set(STACKS), "the README states how many resources each stack plans"
    assert undated == []


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of Markdown file `path`."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def test_doc_links_between_pages_resolve() -> None:
    broken = []
    for path in DOCS:
        for target, anchor in re.findall(r"\]\(([^)#:]*\.md|)(?:#([^)]*))?\)", path.read_text()):
            page = path.parent / target if target else path
            if not page.is_file():
                broken.append(f"{path.name} -> {target}")
            elif anchor and anchor not in anchors(page):
                broken.append(f"{path.name} -> {target}#{anchor}")
    assert broken == []


def test_the_readme_lists_the_checkov_waivers_that_exist() -> None:
    # The CI paragraph names each waived address with its checks: `address` (CHECK, CHECK).
    readme = " ".join((ROOT / "README.md").read_text().split())
    listed: dict[str, set[str]] = {}
    for address, checks in re.findall(
        r"`(aws_[a-z0-9_]+\.[^`]+)` \(((?:CKV2?_AWS_\d+(?:, )?)+)\)", readme
    ):
        listed.setdefault(address, set()).update(checks.split(", "))
    waived: dict[str, set[str]] = {}
    for w in waivers.load_waivers(ROOT / "policy" / "checkov-waivers.yaml"):
        waived.setdefault(w.resource, set()).add(w.check)
    assert listed == waived
