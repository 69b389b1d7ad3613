"""The answers to the provider functions (data sources) the program calls: the default VPC, its
subnets, route tables and endpoints, the gateway services' prefix lists, and who and where the
caller is."""

from __future__ import annotations

from typing import Any

import pulumi

from preflight.mocks.account import (
    ACCOUNT_ID,
    DEFAULT_ROUTE_TABLES,
    DEFAULT_SUBNETS,
    DEFAULT_VPC_CIDR,
    DEFAULT_VPC_ID,
    MANAGED_PREFIX_LISTS,
    Account,
)


def function_result(m: Account, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    """What AWS answers to the call `args` in account `m` (empty for a function not listed)."""
    token = args.token
    if token == "aws:ec2/getVpc:getVpc":
        vpc_id = args.args.get("id") or DEFAULT_VPC_ID
        return {
            "id": vpc_id,
            "arn": m.arn("ec2", f"vpc/{vpc_id}"),
            "cidrBlock": DEFAULT_VPC_CIDR,
            "default": not args.args.get("id"),
        }
    if token == "aws:ec2/getSubnets:getSubnets":
        return {"id": m.region, "ids": DEFAULT_SUBNETS}
    if token == "aws:ec2/getSubnet:getSubnet":
        subnet_id = args.args.get("id") or DEFAULT_SUBNETS[0]
        return {
            "id": subnet_id,
            "arn": m.arn("ec2", f"subnet/{subnet_id}"),
            "vpcId": DEFAULT_VPC_ID,
            "availabilityZone": m.zone_of(subnet_id),
            "availabilityZoneId": f"use1-az{1 + m.zone_index(subnet_id)}",
            "cidrBlock": f"172.31.{16 * m.zone_index(subnet_id)}.0/20",
            "state": "available",
        }
    if token == "aws:ec2/getRouteTables:getRouteTables":
        return {"id": m.region, "ids": DEFAULT_ROUTE_TABLES}
    if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
        name = args.args.get("name") or f"com.amazonaws.{m.region}.s3"
        service = name.rsplit(".", 1)[-1]
        list_id = args.args.get("id") or MANAGED_PREFIX_LISTS.get(service, "pl-0123abcd")
        return {
            "id": list_id,
            "name": name,
            "arn": m.arn("ec2", f"prefix-list/{list_id}", account=False),
            "addressFamily": "IPv4",
            "maxEntries": 0,
            "ownerId": "AWS",
            "entries": [],
        }
    if token == "aws:ec2/getVpcEndpoint:getVpcEndpoint":
        endpoint_id = args.args.get("id") or "vpce-0123456789abcdef0"
        return {
            "id": endpoint_id,
            "arn": m.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
            "vpcId": args.args.get("vpcId") or DEFAULT_VPC_ID,
            "serviceName": args.args.get("serviceName") or "",
            "state": "available",
        }
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/dbtier",
            "id": ACCOUNT_ID,
            "userId": "AIDAEXAMPLEUSERID",
        }
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    if token == "aws:index/getRegion:getRegion":
        return {"region": m.region, "name": m.region, "id": m.region}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        zones = [f"{m.region}{z}" for z in "abc"]
        return {
            "names": zones,
            "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
            "id": m.region,
        }
    return {}
