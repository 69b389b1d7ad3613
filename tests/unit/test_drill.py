"""The drills' shared guard (workloads.common.drill): a prod stack needs --yes."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from workloads.common import EXIT_BAD_INPUT, Outputs, WorkloadError
from workloads.common.drill import add_drill_arguments, require_consent, stack_is_prod


def outputs(stack: dict[str, Any] | None = None) -> Outputs:
    data: dict[str, Any] = {"redis": {"primaryEndpoint": "h", "port": 6379}}
    if stack is not None:
        data["stack"] = stack
    return Outputs(data=data, source="outputs file o.json")


@pytest.mark.parametrize(
    "name", ["prod", "PROD", "prod-eu", "acme/dbtier/production", "live", "eu_prd"]
)
def test_a_stack_named_prod_is_prod(name: str) -> None:
    assert stack_is_prod(outputs(), name)
    assert stack_is_prod(outputs({"name": name}), None)


@pytest.mark.parametrize("name", ["dev", "product-dev", "staging", "reproduce", "preprod1"])
def test_other_names_are_not_prod(name: str) -> None:
    assert not stack_is_prod(outputs({"name": name}), name)


def test_an_environment_tag_says_prod_whatever_the_name() -> None:
    assert stack_is_prod(outputs({"name": "blue", "tags": {"Environment": "production"}}), None)
    # Only environment tags count: a team called "live-ops" does not make a stack prod.
    assert not stack_is_prod(outputs({"name": "blue", "tags": {"Team": "live-ops"}}), None)


def test_consent_is_refused_in_prod_with_one_line_naming_the_flag() -> None:
    with pytest.raises(WorkloadError) as caught:
        require_consent(outputs({"name": "prod"}), None, False, "fail over its Redis primary")
    assert (
        str(caught.value)
        == "stack 'prod' is a prod stack: pass --yes to fail over its Redis primary"
    )
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_identifiers_in_the_outputs_say_prod_without_a_stack_section() -> None:
    old_file = Outputs(
        data={"aurora": {"clusterId": "dbtier-prod-aurora-cluster"}}, source="outputs file o.json"
    )
    assert stack_is_prod(old_file, None)
    with pytest.raises(WorkloadError, match=r"^outputs file o.json is a prod stack: pass --yes"):
        require_consent(old_file, None, False, "x")
    dev = Outputs(data={"relational": {"instanceIds": ["dbtier-dev-relational-primary"]}})
    assert not stack_is_prod(dev, None)


def test_consent_given_or_not_needed_passes() -> None:
    require_consent(outputs({"name": "prod"}), None, True, "x")
    require_consent(outputs({"name": "dev"}), "dev", False, "x")


def test_drill_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_drill_arguments(parser)
    assert vars(parser.parse_args([])) == {"dry_run": False, "yes": False}
    assert vars(parser.parse_args(["--dry-run", "--yes"])) == {"dry_run": True, "yes": True}
