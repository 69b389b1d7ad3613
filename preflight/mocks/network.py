"""EC2 and VPC: security groups and their rules, VPC endpoints."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import (
    ACCOUNT_ID,
    MANAGED_PREFIX_LISTS,
    Account,
    Builder,
    hexdigits,
    ident,
)


def _security_group(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    sg = f"sg-{hexdigits(name, 17)}"
    return sg, {"arn": m.arn("ec2", f"security-group/{sg}"), "name": i.get("name") or ident(name)}


def _security_group_rule(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    rule = f"sgr-{hexdigits(name, 17)}"
    return rule, {"arn": m.arn("ec2", f"security-group-rule/{rule}"), "securityGroupRuleId": rule}


def _vpc_endpoint(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    endpoint_id = f"vpce-{hexdigits(name, 17)}"
    service = str(i.get("serviceName") or "")
    out: dict[str, Any] = {
        "arn": m.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        "state": "available",
        "ownerId": ACCOUNT_ID,
        "requesterManaged": False,
    }
    if (i.get("vpcEndpointType") or "Gateway") == "Gateway":
        out["prefixListId"] = MANAGED_PREFIX_LISTS.get(service.rsplit(".", 1)[-1], "pl-0123abcd")
        out["dnsEntries"] = []
        out["networkInterfaceIds"] = []
    else:
        dns = f"{endpoint_id}-{hexdigits(name + 'dns', 8)}.{service.rsplit('.', 1)[-1]}.{m.region}.vpce.amazonaws.com"
        out["dnsEntries"] = [{"dnsName": dns, "hostedZoneId": "Z7HUB22UULQXV"}]
        out["networkInterfaceIds"] = [
            f"eni-{hexdigits(name + str(n), 17)}" for n, _ in enumerate(i.get("subnetIds") or [])
        ]
    return endpoint_id, out


BUILDERS: dict[str, Builder] = {
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
}
