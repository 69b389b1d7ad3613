"""Network rules: the engines' security groups admit no traffic from the whole internet, and every
rule says why it exists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, is_off, is_unknown

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
