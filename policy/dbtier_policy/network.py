"""Network rules: the engines' security groups admit no traffic from the whole internet, and every
rule says why it exists."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata.vpc import PRIVATE_NETWORKS, PRIVATE_TEXT, public_addresses

from ._common import Resource, Rule, RuleMeta, deps_of, integer, is_off, is_unknown, plain

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"

_OPEN = ("0.0.0.0/0", "::/0")


def _ingress_blocks(r: Resource) -> Iterator[tuple[str, Any]]:
    """(label, cidr) for each ingress source this resource opens."""
    if r.type == SECURITY_GROUP:
        ingress = r.get("ingress", default=[])
        if is_unknown(ingress):
            return
        for i, rule in enumerate(ingress):
            if not isinstance(rule, Mapping):
                continue
            ports = f"ingress[{i}] ports {rule.get('fromPort')}-{rule.get('toPort')}"
            for key in ("cidrBlocks", "ipv6CidrBlocks"):
                blocks = rule.get(key) or []
                if is_unknown(blocks):
                    continue
                for cidr in blocks:
                    yield ports, cidr
    elif r.type == INGRESS_RULE:
        for key in ("cidrIpv4", "cidrIpv6"):
            yield f"ports {r.get('fromPort')}-{r.get('toPort')}", r.get(key)
    elif r.type == SG_RULE:
        if r.get("type") != "ingress":
            return
        for key in ("cidrBlocks", "ipv6CidrBlocks"):
            blocks = r.get(key, default=[])
            if is_unknown(blocks):
                continue
            for cidr in blocks:
                yield f"ports {r.get('fromPort')}-{r.get('toPort')}", cidr


def no_public_ingress(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    for label, cidr in _ingress_blocks(r):
        if not is_unknown(cidr) and cidr in _OPEN:
            yield f"'{r.name}' admits {cidr} on {label}: the database is open to the internet."


# How much of each address space is public, for the share a violation reports.
_PUBLIC_V4 = 2**32 - sum(n.num_addresses for n in PRIVATE_NETWORKS if n.version == 4)
_PUBLIC_V6 = 2**128 - sum(n.num_addresses for n in PRIVATE_NETWORKS if n.version == 6)


def _network(value: Any) -> Any:
    if not isinstance(value, str) or is_unknown(value):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _group_sources(group: PolicyResource, resources: Sequence[PolicyResource]) -> list[Any]:
    """Every ingress CIDR of `group`: inline rules and the rule resources that name it (by
    dependency, or by its id when known)."""
    props = plain(group.props)
    blocks: list[Any] = []
    for rule in props.get("ingress") or []:
        if isinstance(rule, Mapping):
            for key in ("cidrBlocks", "ipv6CidrBlocks"):
                value = rule.get(key)
                if isinstance(value, list):
                    blocks += value
    group_id = props.get("id")
    for r in resources:
        if r.resource_type not in (INGRESS_RULE, SG_RULE):
            continue
        rp = plain(r.props)
        named = any(d.urn == group.urn for d in deps_of(r, "securityGroupId")) or (
            isinstance(group_id, str)
            and not is_unknown(group_id)
            and rp.get("securityGroupId") == group_id
        )
        if not named:
            continue
        if r.resource_type == INGRESS_RULE:
            blocks += [rp.get("cidrIpv4"), rp.get("cidrIpv6")]
        elif rp.get("type") == "ingress":
            for key in ("cidrBlocks", "ipv6CidrBlocks"):
                value = rp.get(key)
                if isinstance(value, list):
                    blocks += value
    return blocks


def ingress_union(
    resources: Sequence[PolicyResource], config: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Per security group, the union of all its ingress ranges may open at most
    `maxPublicAddresses` internet addresses (IPv4 and IPv6 each)."""
    limit = int(config.get("maxPublicAddresses", 0))
    for group in resources:
        if group.resource_type != SECURITY_GROUP:
            continue
        nets = [n for n in map(_network, _group_sources(group, resources)) if n is not None]
        v4, v6 = public_addresses(nets)
        if v4 > limit or v6 > limit:
            share = (
                f"{v4:,} public IPv4 addresses ({100 * v4 / _PUBLIC_V4:.4g}% of the IPv4 internet)"
                if v4 > limit
                else f"{v6:.3g} public IPv6 addresses ({100 * v6 / _PUBLIC_V6:.4g}% of IPv6)"
            )
            yield (
                group.urn,
                f"Security group '{group.name}': the union of its ingress ranges opens {share};"
                f" at most {limit} allowed.",
            )


def rule_descriptions(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.type == SECURITY_GROUP:
        ingress = r.get("ingress", default=[])
        if is_unknown(ingress):
            return
        for i, rule in enumerate(ingress):
            if isinstance(rule, Mapping) and is_off(rule.get("description")):
                yield f"Security group '{r.name}' ingress[{i}] has no description."
    elif is_off(r.get("description")):
        yield f"Security group rule '{r.name}' has no description."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="security-group-ingress-union-private",
            description="The union of each database security group's ingress ranges opens no"
            " public internet address (IPv4 or IPv6), however the ranges are split.",
            severity=Severity.CRITICAL,
            category="network",
            remediation=f"list only private networks in dbtier:network.allowedCidrs ({PRIVATE_TEXT})"
            " or use dbtier:network.allowedSecurityGroupIds.",
            config={
                "maxPublicAddresses": integer(
                    0, 0, "Public addresses the union of a group's ingress ranges may open."
                )
            },
            docs="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
            fixes=("dbtier:network.allowedCidrs",),
        ),
        stack_check=ingress_union,
    ),
    Rule(
        RuleMeta(
            name="security-group-no-public-ingress",
            description="Database security groups admit no traffic from 0.0.0.0/0 or ::/0.",
            severity=Severity.CRITICAL,
            category="network",
            remediation="narrow dbtier:network.allowedCidrs (default: the VPC CIDR) or use "
            "dbtier:network.allowedSecurityGroupIds.",
            resource_types=(SECURITY_GROUP, INGRESS_RULE, SG_RULE),
        ),
        no_public_ingress,
    ),
    Rule(
        RuleMeta(
            name="security-group-rule-description",
            description="Every security group rule has a description.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="give each ingress rule a description (DatabaseNetwork names the engine "
            "and source).",
            resource_types=(SECURITY_GROUP, INGRESS_RULE, SG_RULE),
            checkov=("CKV_AWS_23",),
        ),
        rule_descriptions,
    ),
]
