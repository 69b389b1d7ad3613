"""`dbtier:regions` and `dbtier:network.regions` through the stack's config parser: accepted
secondary regions and their networks, and every bad value refused in one line naming its key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.stack_config import ConfigError, parse

HOME = "us-east-1"


def test_no_regions_is_one_region() -> None:
    cfg = parse({}, region=HOME)
    assert cfg.regions == () and dict(cfg.network_regions) == {}


def test_regions_and_their_networks_are_parsed_as_pulumi_passes_them() -> None:
    network = {
        "vpcId": "vpc-0123abcd",
        "regions": {"eu-west-1": {"vpcId": "vpc-0abc1234", "subnetIds": ["subnet-0a1b2c3d", "subnet-0d4e5f6a"]},
                    "us-west-2": {}},
    }  # fmt: skip
    cfg = parse(
        {"dbtier:regions": json.dumps(["eu-west-1", "us-west-2"]), "dbtier:network": json.dumps(network)},
        region=HOME,
    )  # fmt: skip
    assert cfg.regions == ("eu-west-1", "us-west-2")
    assert cfg.network.vpc_id == "vpc-0123abcd"  # the home network is still dbtier:network's own
    assert cfg.network_regions["eu-west-1"].vpc_id == "vpc-0abc1234"
    assert cfg.network_regions["eu-west-1"].subnet_ids == ("subnet-0a1b2c3d", "subnet-0d4e5f6a")
    assert cfg.network_regions["us-west-2"].vpc_id is None  # {}: that region's default VPC


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("the home region", {"dbtier:regions": [HOME]}, "dbtier:regions[0]: 'us-east-1' is the stack's own region"),
    ("an unknown region", {"dbtier:regions": ["eu-west-1", "us-east-9"]}, "dbtier:regions[1]: 'us-east-9' is not an AWS region"),
    ("another partition", {"dbtier:regions": ["cn-north-1"]}, "dbtier:regions[0]: 'cn-north-1' is in partition aws-cn"),
    ("a region twice", {"dbtier:regions": ["eu-west-1", "eu-west-1"]}, "dbtier:regions[1]: eu-west-1 is listed twice"),
    ("not a list", {"dbtier:regions": "eu-west-1"}, "dbtier:regions must be a list of region names"),
    ("not a name", {"dbtier:regions": [3]}, "dbtier:regions[0] must be a non-empty string"),
    ("a network for no secondary region",
     {"dbtier:regions": ["eu-west-1"], "dbtier:network": {"regions": {"us-west-2": {}}}},
     "dbtier:network.regions.us-west-2 is not a region of dbtier:regions (eu-west-1)"),
    ("a bad field in a region's network",
     {"dbtier:regions": ["eu-west-1"], "dbtier:network": {"regions": {"eu-west-1": {"subnetIds": ["subnet-0a1b2c3d"]}}}},
     "dbtier:network.regions.eu-west-1.subnetIds needs dbtier:network.regions.eu-west-1.vpcId"),
    ("a table that cannot be replicated",
     {"dbtier:regions": ["eu-west-1"], "dbtier:network": {"regions": {"eu-west-1": {}}},
      "dbtier:dynamo": {"tables": [{"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}, "stream": "KEYS_ONLY"}]}},
     "dbtier:dynamo.tables[0].stream must be NEW_AND_OLD_IMAGES with dbtier:regions (got KEYS_ONLY)"),
    ("a table replicated to a region the stack does not have",
     {"dbtier:regions": ["eu-west-1"],
      "dbtier:dynamo": {"tables": [{"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}, "regions": ["us-west-2"]}]}},
     "dbtier:dynamo.tables[0].regions[0]: us-west-2 is not one of dbtier:regions (eu-west-1)"),
    ("a table with regions in a stack without",
     {"dbtier:dynamo": {"tables": [{"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}, "regions": ["eu-west-1"]}]}},
     "dbtier:dynamo.tables[0].regions[0]: eu-west-1 is not one of dbtier:regions (none)"),
    ("a table's region twice",
     {"dbtier:regions": ["eu-west-1"],
      "dbtier:dynamo": {"tables": [{"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}, "regions": ["eu-west-1", "eu-west-1"]}]}},
     "dbtier:dynamo.tables[0].regions[1] repeats an earlier item; list each once"),
    ("a table's regions not a list",
     {"dbtier:regions": ["eu-west-1"],
      "dbtier:dynamo": {"tables": [{"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}, "regions": "eu-west-1"}]}},
     "dbtier:dynamo.tables[0].regions must be a list"),
    ("backups to a region the stack does not have",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"backupsTo": {"region": "us-west-2"}}},
     "dbtier:relational.backupsTo.region: us-west-2 is not one of dbtier:regions (eu-west-1)"),
    ("backups without a region",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"backupsTo": {"retentionDays": 7}}},
     "dbtier:relational.backupsTo.region is required"),
    ("backups kept longer than RDS keeps them",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"backupsTo": {"region": "eu-west-1", "retentionDays": 36}}},
     "dbtier:relational.backupsTo.retentionDays"),
    ("a replica in a region the stack does not have",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"crossRegionReplicas": ["us-west-2"]}},
     "dbtier:relational.crossRegionReplicas[0]: us-west-2 is not one of dbtier:regions (eu-west-1)"),
    ("a replica in a region with no network",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"crossRegionReplicas": ["eu-west-1"]}},
     "dbtier:relational.crossRegionReplicas[0]: a replica in eu-west-1 needs dbtier:network.regions.eu-west-1.vpcId and subnetIds"),
    ("a replica of an edition without replicas",
     {"dbtier:regions": ["eu-west-1"], "dbtier:relational": {"engine": "sqlserver-ex", "crossRegionReplicas": ["eu-west-1"]}},
     "dbtier:relational.crossRegionReplicas: SQL Server Express has at most 0 read replicas"),
    # Every Aurora version AWS still creates has global databases somewhere (the versions that
    # do not are refused as deprecated first: test_global_data.py); a region may not have them.
    ("a secondary region without Aurora Global Database",
     {"dbtier:regions": ["eu-west-1", "ap-southeast-7"]},
     "dbtier:aurora.engineVersion: Aurora Global Database is not offered in ap-southeast-7"),
    ("Aurora backtrack", {"dbtier:regions": ["eu-west-1"], "dbtier:aurora": {"backtrackHours": 24}},
     "dbtier:aurora.backtrackHours must be 0 with dbtier:regions (got 24)"),
    ("Aurora with no network in a secondary region",
     {"dbtier:regions": ["eu-west-1", "us-west-2"], "dbtier:network": {"regions": {"eu-west-1": {}}}},
     "dbtier:network.regions.us-west-2 is missing: an Aurora Global Database puts a secondary"
     " cluster in us-west-2, which needs a VPC there"),
]  # fmt: skip


def test_a_table_opts_out_of_or_picks_among_the_stacks_regions() -> None:
    table = {"hashKey": "id", "attributes": {"id": "S"}, "stream": "KEYS_ONLY"}
    cfg = parse(
        {"dbtier:regions": ["eu-west-1", "us-west-2"], "dbtier:aurora": {"enabled": False},
         "dbtier:dynamo": {"tables": [{**table, "name": "Local", "regions": []},
                                      {**table, "name": "Some", "regions": ["us-west-2"], "stream": None},
                                      {**table, "name": "All", "stream": None}]}},
        region=HOME,
    )  # fmt: skip
    # An opted-out table keeps its own stream view (it replicates nothing).
    local, some, every = cfg.dynamo.tables
    assert local.replica_regions(cfg.regions) == ()
    assert some.replica_regions(cfg.regions) == ("us-west-2",)
    assert every.replica_regions(cfg.regions) == ("eu-west-1", "us-west-2")


def test_aurora_off_or_single_region_is_not_asked_about_global_databases() -> None:
    parse({"dbtier:aurora": {"backtrackHours": 24}}, region=HOME)
    parse({"dbtier:regions": ["eu-west-1"], "dbtier:aurora": {"enabled": False, "backtrackHours": 24}},
          region=HOME)  # fmt: skip


@pytest.mark.parametrize(("case", "raw", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_regions_are_refused_naming_the_key(
    case: str, raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(raw, region=HOME)
    assert message in str(caught.value), case
    assert "\n" not in str(caught.value)


SYDNEY_NETWORK = {
    "vpcId": "vpc-0123abcd",
    "subnetIds": ["subnet-0a1b2c3d", "subnet-0d4e5f6a"],
    "regions": {"ap-southeast-2": {"vpcId": "vpc-0abc1234", "subnetIds": ["subnet-0a1b2c3d", "subnet-0d4e5f6a"]}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "key", "name"),
    [
        ({"dbtier:aurora": {"enabled": False}, "dbtier:relational": {"crossRegionReplicas": ["ap-southeast-2"]}},
         "dbtier:relational.crossRegionReplicas", "relational-primary-ap-southeast-2"),
        ({"dbtier:relational": {"enabled": False}}, "dbtier:aurora", "aurora-ap-southeast-2-cluster"),
    ],
)  # fmt: skip
def test_a_secondary_regions_identifier_longer_than_rds_takes_is_refused(
    parts: dict[str, Any], key: str, name: str
) -> None:
    # The home identifiers fit in 63 characters with this stack name; the secondary region's,
    # its name and the region's, do not (RDS would refuse them at deploy time).
    raw = {"dbtier:regions": ["ap-southeast-2"], "dbtier:network": SYDNEY_NETWORK, **parts}
    stack = "s" * 28
    with pytest.raises(ConfigError) as caught:
        parse(raw, region=HOME, stack=stack)
    assert str(caught.value).startswith(f"{key} in stack {stack!r}: ")
    # The secondary region's identifier is the one named, not a home one.
    assert f"-{name}'" in str(caught.value) and "1-63 characters" in str(caught.value)
