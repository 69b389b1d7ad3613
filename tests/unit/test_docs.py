"""The docs users read name every policy rule and count them right."""

from __future__ import annotations

import re
from pathlib import Path

from dbtier_policy.registry import RULES

ROOT = Path(__file__).resolve().parents[2]


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
