"""dbtier:network in config, each rule pinned where mutation testing (scripts/mutation.sh) found
it unpinned: endpoint and subnet ids, the list bounds and the security-group quota they keep, and
messages that say what was given without echoing it."""

from __future__ import annotations

from typing import Any

import pytest

from components.stack_config import ConfigError, parse

QUOTA = "(each is a security group rule; AWS allows 60 per group)"


def network(raw: dict[str, Any]) -> Any:
    return parse({"dbtier:network": raw}).network


def subnets(n: int) -> list[str]:
    return [f"subnet-{i:08x}" for i in range(n)]


def test_endpoint_ids_are_kept() -> None:
    cfg = network(
        {"s3EndpointId": "vpce-0123abcd", "secretsManagerEndpointId": "vpce-0123456789abcdef0"}
    )
    assert cfg.s3_endpoint_id == "vpce-0123abcd"
    assert cfg.secrets_manager_endpoint_id == "vpce-0123456789abcdef0"


@pytest.mark.parametrize("key", ["s3EndpointId", "secretsManagerEndpointId"])
@pytest.mark.parametrize("value", ["vpce-XYZ", "VPCE-0123ABCD", "vpce-0123abc", "vpc-0123abcd"])
def test_a_malformed_endpoint_id_is_refused_naming_its_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^dbtier:network\.{key} must be .*vpce-0123abcd"):
        network({key: value})


def test_up_to_200_subnets_and_no_more() -> None:
    assert len(network({"vpcId": "vpc-0123abcd", "subnetIds": subnets(200)}).subnet_ids) == 200
    with pytest.raises(ConfigError, match=r"subnetIds has 201 items; at most 200"):
        network({"vpcId": "vpc-0123abcd", "subnetIds": subnets(201)})


def test_a_malformed_subnet_or_group_id_is_refused_by_its_place_not_its_value() -> None:
    with pytest.raises(ConfigError, match=r"subnetIds\[1\] must be .*subnet-0123abcd") as bad:
        network({"vpcId": "vpc-0123abcd", "subnetIds": ["subnet-0123abcd", "subnet-xyz"]})
    assert "subnet-xyz" not in str(bad.value)
    with pytest.raises(ConfigError, match=r"allowedSecurityGroupIds\[1\] must be .*sg-0123abcd"):
        network({"allowedSecurityGroupIds": ["sg-0123abcd", "sg-XYZ"]})


@pytest.mark.parametrize("key", ["allowedCidrs", "allowedSecurityGroupIds"])
def test_51_sources_of_one_kind_are_refused_with_the_quota_they_keep(key: str) -> None:
    items = (
        [f"10.{i}.0.0/16" for i in range(51)]
        if key == "allowedCidrs"
        else [f"sg-{i:08x}" for i in range(51)]
    )
    with pytest.raises(ConfigError) as bad:
        network({key: items})
    assert str(bad.value) == f"dbtier:network.{key} has 51 items; at most 50 are allowed {QUOTA}"
    assert len(network({key: items[:50]}).allowed_cidrs or items[:50]) == 50


def test_a_cidr_message_shows_what_was_given_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as bad:
        network({"allowedCidrs": ["ten"]})
    assert str(bad.value) == (
        "dbtier:network.allowedCidrs[0] must be a CIDR block such as 10.0.0.0/16"
        " (got a 3-character string)"
    )
    with pytest.raises(ConfigError) as bad:
        network({"allowedCidrs": ["10.0.0.1/8"]})
    assert str(bad.value).endswith(
        "with no host bits set, such as 10.0.0.0/16 (got a 10-character string)"
    )


def test_a_public_cidr_names_the_private_blocks_and_the_alternative() -> None:
    with pytest.raises(ConfigError) as bad:
        network({"allowedCidrs": ["8.8.8.0/24"]})
    assert str(bad.value) == (
        "dbtier:network.allowedCidrs[0] (8.8.8.0/24) reaches public internet addresses: list"
        " private networks only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10,"
        " fc00::/7), or use dbtier:network.allowedSecurityGroupIds"
    )


def test_cidrs_and_groups_share_the_50_sources() -> None:
    cfg = network(
        {
            "allowedCidrs": [f"10.{i}.0.0/16" for i in range(25)],
            "allowedSecurityGroupIds": [f"sg-{i:08x}" for i in range(25)],
        }
    )
    assert len(cfg.allowed_cidrs) + len(cfg.allowed_security_group_ids) == 50


def test_cidrs_and_groups_together_are_at_most_50() -> None:
    with pytest.raises(ConfigError) as bad:
        network(
            {
                "allowedCidrs": [f"10.{i}.0.0/16" for i in range(26)],
                "allowedSecurityGroupIds": [f"sg-{i:08x}" for i in range(25)],
            }
        )
    assert str(bad.value) == (
        "dbtier:network.allowedCidrs and allowedSecurityGroupIds have 51 entries together;"
        f" at most 50 {QUOTA}"
    )


def test_subnets_need_their_vpc_and_two_of_them() -> None:
    with pytest.raises(ConfigError) as bad:
        network({"subnetIds": subnets(2)})
    assert str(bad.value) == (
        "dbtier:network.subnetIds needs dbtier:network.vpcId (the VPC they belong to)"
    )
    with pytest.raises(ConfigError) as bad:
        network({"vpcId": "vpc-0123abcd", "subnetIds": subnets(1)})
    assert str(bad.value) == (
        "dbtier:network.subnetIds needs at least 2 subnets in different AZs (got 1)"
    )
    cfg = network({"vpcId": "vpc-0123abcd", "subnetIds": subnets(2)})
    assert (cfg.vpc_id, cfg.subnet_ids) == ("vpc-0123abcd", tuple(subnets(2)))


@pytest.mark.parametrize("key", ["s3EndpointId", "secretsManagerEndpointId"])
def test_a_malformed_endpoint_id_message_names_the_form(key: str) -> None:
    with pytest.raises(ConfigError) as bad:
        network({key: "vpce-XYZ"})
    assert str(bad.value).startswith(f"dbtier:network.{key} must be an id like vpce-0123abcd")
