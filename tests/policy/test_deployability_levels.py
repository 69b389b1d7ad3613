"""Deployability rules are mandatory in every stack's policy config.

The Pulumi engine resolves ``"all"`` itself, and dev's config sets ``"all": "advisory"``; so
each deployability rule must be named, as ``"mandatory"``, in every ``policy/config/*.json``:
what AWS refuses or silently ignores is never just advice.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dbtier_policy._common import ALWAYS_MANDATORY_CATEGORIES
from dbtier_policy.registry import RULES

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "policy" / "config").glob("*.json"))
DEPLOYABILITY = sorted(r.meta.name for r in RULES if r.meta.category == "deployability")


def test_there_are_deployability_rules() -> None:
    assert DEPLOYABILITY
    assert "deployability" in ALWAYS_MANDATORY_CATEGORIES


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_every_deployability_rule_is_mandatory(path: Path) -> None:
    config = json.loads(path.read_text())

    def level(entry: object) -> object:
        return entry.get("enforcementLevel") if isinstance(entry, dict) else entry

    not_mandatory = [n for n in DEPLOYABILITY if level(config.get(n)) != "mandatory"]
    assert not_mandatory == [], f"{path.name}: not explicitly mandatory: {not_mandatory}"


def test_deployability_rules_carry_docs_and_their_pack_level_is_mandatory() -> None:
    for rule in RULES:
        if rule.meta.category != "deployability":
            continue
        assert rule.meta.docs.startswith("https://"), rule.meta.name
        assert rule.meta.default_level.value == "mandatory", rule.meta.name
