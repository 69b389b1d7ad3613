"""The DatabaseNetwork's decisions without a plan: VPC, groups, rules, endpoints, subnet groups.

Values known only once deployed (the VPC's CIDR, group ids, a prefix list) are plain strings
here: the shape only places them.
"""

from __future__ import annotations

import pytest

from components.network.config import parse_network
from components.network.shape import (
    ENDPOINT_TAG,
    client_label,
    dms_egress_rules,
    engine_ports,
    ingress_rules,
    own_endpoint_egress_rule,
    rotating_engines,
    rotation_egress_rule,
    rotation_group_args,
    rotation_ingress_rule,
    s3_egress_rule,
    s3_endpoint,
    secrets_manager_clients,
    secrets_manager_egress_rule,
    secrets_manager_endpoint,
    secrets_manager_group_args,
    secrets_manager_ingress_rules,
    security_group_args,
    subnet_groups,
    tcp_rule,
    vpc_lookup,
)

VPC = "vpc-0123abcd"
CIDR = "<vpc cidr>"
PORTS = engine_ports(3306)


def test_a_rule_is_tcp_on_one_port_to_or_from_its_target() -> None:
    assert tcp_rule(5439, "warehouse port 5439", cidr_ipv4="10.0.0.0/16") == {
        "ip_protocol": "tcp",
        "from_port": 5439,
        "to_port": 5439,
        "description": "warehouse port 5439",
        "cidr_ipv4": "10.0.0.0/16",
    }


def test_vpc_is_the_configured_one_or_the_default() -> None:
    assert vpc_lookup(parse_network({})) == {"default": True}
    assert vpc_lookup(parse_network({"vpcId": VPC})) == {"id": VPC}


def test_engine_ports_with_aurora_on_its_engines_port() -> None:
    assert engine_ports(3306) == {
        "relational": 3306,
        "aurora": 3306,
        "redis": 6379,
        "warehouse": 5439,
    }
    assert engine_ports(5432)["aurora"] == 5432


def test_security_groups_drop_their_rules_with_them() -> None:
    assert security_group_args("redis") == {
        "description": "dbtier redis: engine port from allowed networks only",
        "revoke_rules_on_delete": True,
    }
    assert rotation_group_args("aurora") == {
        "description": "dbtier aurora credential rotation: its database and Secrets Manager",
        "revoke_rules_on_delete": True,
    }


def test_only_engines_the_network_serves_get_a_rotation_group() -> None:
    assert rotating_engines(("relational", "warehouse"), ("warehouse", "aurora", "relational")) == (
        "warehouse",
        "relational",
    )


def test_without_allowed_cidrs_the_vpc_cidr_reaches_the_engine_port() -> None:
    cfg = parse_network({})
    assert ingress_rules(cfg, "redis", PORTS, vpc_cidr=CIDR, dms_group=None) == [
        ("redis-in-vpc", tcp_rule(6379, "redis port 6379", cidr_ipv4=CIDR)),
    ]


def test_allowed_cidrs_and_groups_each_get_a_rule_and_replace_the_vpc_cidr() -> None:
    cfg = parse_network(
        {
            "allowedCidrs": ["10.1.0.0/16", "fd00::/8"],
            "allowedSecurityGroupIds": ["sg-0123abcd"],
        }
    )
    rules = ingress_rules(cfg, "warehouse", PORTS, vpc_cidr=CIDR, dms_group="sg-dms")
    assert rules == [
        ("warehouse-in-cidr0", tcp_rule(5439, "warehouse port 5439", cidr_ipv4="10.1.0.0/16")),
        ("warehouse-in-cidr1", tcp_rule(5439, "warehouse port 5439", cidr_ipv6="fd00::/8")),
        (
            "warehouse-in-sg0",
            tcp_rule(5439, "warehouse port 5439", referenced_security_group_id="sg-0123abcd"),
        ),
    ]


@pytest.mark.parametrize(
    ("engine", "reached"), [("relational", True), ("aurora", True), ("redis", False)]
)
def test_dms_reaches_only_its_source_and_target(engine: str, reached: bool) -> None:
    rules = dict(ingress_rules(parse_network({}), engine, PORTS, vpc_cidr=CIDR, dms_group="sg-dms"))
    assert (f"{engine}-in-dms" in rules) is reached
    if reached:
        assert rules[f"{engine}-in-dms"]["referenced_security_group_id"] == "sg-dms"


def test_nothing_connects_to_dms() -> None:
    assert ingress_rules(parse_network({}), "dms", PORTS, vpc_cidr=CIDR, dms_group="sg-dms") == []


def test_dms_egress_goes_only_to_the_database_groups_it_migrates() -> None:
    groups = {"relational": "sg-rel", "aurora": "sg-aur", "redis": "sg-redis", "dms": "sg-dms"}
    assert dms_egress_rules(engine_ports(5432), groups) == [
        (
            "dms-out-relational",
            tcp_rule(3306, "DMS to the relational endpoint", referenced_security_group_id="sg-rel"),
        ),
        (
            "dms-out-aurora",
            tcp_rule(5432, "DMS to the aurora endpoint", referenced_security_group_id="sg-aur"),
        ),
    ]
    assert dms_egress_rules(PORTS, {"redis": "sg-redis", "dms": "sg-dms"}) == []


def test_a_rotation_function_and_its_database_reach_each_other_on_the_engine_port() -> None:
    assert rotation_ingress_rule("aurora", 5432, "sg-rot") == (
        "aurora-in-rotation",
        tcp_rule(5432, "aurora port 5432", referenced_security_group_id="sg-rot"),
    )
    assert rotation_egress_rule("aurora", 5432, "sg-aur") == (
        "aurora-rotation-out-db",
        tcp_rule(
            5432, "aurora rotation function to its database", referenced_security_group_id="sg-aur"
        ),
    )


def test_the_warehouse_needs_an_s3_gateway_endpoint_unless_the_vpc_has_one() -> None:
    assert s3_endpoint(parse_network({}), ("relational", "redis")) is None
    plan = s3_endpoint(parse_network({}), ("warehouse",))
    assert plan is not None
    assert (plan.service, plan.existing, plan.args) == (
        "s3",
        None,
        {"vpc_endpoint_type": "Gateway"},
    )
    own = s3_endpoint(parse_network({"s3EndpointId": "vpce-0123abcd"}), ("warehouse",))
    assert own is not None and own.existing == "vpce-0123abcd"


def test_s3_egress_is_https_to_the_prefix_list_tagged_with_the_vpcs_own_endpoint() -> None:
    description = "Redshift COPY/UNLOAD to S3 through the gateway endpoint"
    assert s3_egress_rule("pl-s3", None) == (
        "warehouse-out-s3",
        tcp_rule(443, description, prefix_list_id="pl-s3", tags=None),
    )
    assert s3_egress_rule("pl-s3", "vpce-0123abcd")[1]["tags"] == {ENDPOINT_TAG: "vpce-0123abcd"}


def test_secrets_manager_clients_are_dms_then_each_rotation_function() -> None:
    assert secrets_manager_clients("sg-dms", {"relational": "sg-r", "aurora": "sg-a"}) == {
        "dms": "sg-dms",
        "relational-rotation": "sg-r",
        "aurora-rotation": "sg-a",
    }
    assert secrets_manager_clients(None, {"warehouse": "sg-w"}) == {"warehouse-rotation": "sg-w"}
    assert [client_label(c) for c in ("dms", "warehouse-rotation")] == [
        "DMS",
        "warehouse rotation function",
    ]


def test_a_secrets_manager_endpoint_only_for_clients_and_private_dns_on() -> None:
    assert secrets_manager_endpoint(parse_network({}), {}) is None
    plan = secrets_manager_endpoint(parse_network({}), {"dms": "sg-dms"})
    assert plan is not None
    assert (plan.service, plan.existing) == ("secretsmanager", None)
    assert plan.args == {"vpc_endpoint_type": "Interface", "private_dns_enabled": True}
    own = secrets_manager_endpoint(
        parse_network({"secretsManagerEndpointId": "vpce-0123abcd"}), {"dms": "sg-dms"}
    )
    assert own is not None and own.existing == "vpce-0123abcd"


def test_the_stacks_endpoint_admits_each_client_and_the_vpc_over_https() -> None:
    clients = {"dms": "sg-dms", "relational-rotation": "sg-r"}
    assert secrets_manager_ingress_rules(clients, CIDR) == [
        (
            "secretsmanager-in-dms",
            tcp_rule(443, "Secrets Manager API from dms", referenced_security_group_id="sg-dms"),
        ),
        (
            "secretsmanager-in-relational-rotation",
            tcp_rule(
                443,
                "Secrets Manager API from relational-rotation",
                referenced_security_group_id="sg-r",
            ),
        ),
        ("secretsmanager-in-vpc", tcp_rule(443, "Secrets Manager API from vpc", cidr_ipv4=CIDR)),
    ]
    assert secrets_manager_egress_rule("dms", "sg-sm") == (
        "dms-out-secretsmanager",
        tcp_rule(443, "DMS to the Secrets Manager endpoint", referenced_security_group_id="sg-sm"),
    )


def test_the_endpoint_groups_description_stays_the_dms_one_when_dms_is_a_client() -> None:
    assert secrets_manager_group_args(["dms", "relational-rotation"])["description"] == (
        "dbtier Secrets Manager endpoint: HTTPS from DMS and the VPC"
    )
    assert secrets_manager_group_args(["relational-rotation"])["description"] == (
        "dbtier Secrets Manager endpoint: HTTPS from rotation functions and the VPC"
    )


def test_the_vpcs_own_endpoint_is_reached_anywhere_in_the_vpc_and_declared_by_tag() -> None:
    assert own_endpoint_egress_rule("aurora-rotation", CIDR, "vpce-0123abcd") == (
        "aurora-rotation-out-secretsmanager",
        tcp_rule(
            443,
            "aurora rotation function to the VPC's Secrets Manager endpoint",
            cidr_ipv4=CIDR,
            tags={ENDPOINT_TAG: "vpce-0123abcd"},
        ),
    )


def test_subnet_groups_for_exactly_the_services_enabled() -> None:
    plans = subnet_groups(("aurora", "redis", "warehouse", "dms"))
    assert [(p.service, p.role, p.description) for p in plans] == [
        ("rds", "rds-subnets", "dbtier RDS and Aurora"),
        ("cache", "cache-subnets", "dbtier ElastiCache"),
        ("redshift", "redshift-subnets", "dbtier Redshift"),
    ]
    assert [p.service for p in subnet_groups(("relational",))] == ["rds"]
    # DMS's subnet group is the Migration's own.
    assert subnet_groups(("dms",)) == ()
