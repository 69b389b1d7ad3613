"""components.regions on the shared mocks: one provider and one key per secondary region, the key
made by that region's provider (its ARN, policy and alias in that region), nothing at all without
secondary regions; and the mocks answering a secondary region's resources from that region."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.regions import key_name, provider_name, secondary_regions
from preflight.plan import PlannedResource
from tests.unit.package_support import run_program

TAGS = {"Project": "dbtier", "Stack": "test"}


def _by_name(resources: list[PlannedResource]) -> dict[str, PlannedResource]:
    return {r.name: r for r in resources}


def test_no_secondary_region_creates_nothing() -> None:
    assert run_program(lambda: secondary_regions([], TAGS) and None) == []


def test_each_region_has_its_provider_with_the_stack_tags_and_a_key_made_there() -> None:
    arns: dict[str, pulumi.Output[str]] = {}

    def program() -> None:
        for name, region in secondary_regions(["eu-west-1", "us-west-2"], TAGS).items():
            arns[name] = region.kms_key_arn
            # A resource of the region's provider: the mocks answer it from that region.
            aws.dynamodb.TableReplica(
                f"orders-{name}",
                global_table_arn="arn:aws:dynamodb:us-east-1:123456789012:table/orders",
                kms_key_arn=region.kms_key_arn,
                opts=region.opts,
            )

    r = _by_name(run_program(program))
    for region in ("eu-west-1", "us-west-2"):
        provider = r[provider_name(region)]
        assert provider.type == "pulumi:providers:aws"
        assert provider.inputs["region"] == region
        assert json.loads(provider.inputs["defaultTags"]) == {"tags": TAGS}
        key, alias = r[key_name(region)], r[f"{key_name(region)}-alias"]
        assert key.provider.startswith(provider.urn) and alias.provider.startswith(provider.urn)
        assert key.inputs["enableKeyRotation"] is True
        statements = json.loads(key.inputs["policy"])["Statement"]
        logs = next(s for s in statements if s["Sid"] == "CloudWatchLogsEncrypt")
        assert logs["Principal"]["Service"] == f"logs.{region}.amazonaws.com"
        assert alias.inputs["name"] == "alias/dbtier-dev"  # the stack run_program plans
        replica = r[f"orders-{region}"]
        assert replica.inputs["kmsKeyArn"].startswith(f"arn:aws:kms:{region}:123456789012:")
    # The home region's names stay free for the stack key.
    assert "stack-key" not in r and "dbtier-aws" not in r
