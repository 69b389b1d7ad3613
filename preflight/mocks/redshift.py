"""Redshift: provisioned clusters and Redshift Serverless namespaces and workgroups, with their
endpoints and the admin secret Redshift manages; subnet and parameter groups."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import (
    ACCOUNT_ID,
    Account,
    Builder,
    hexdigits,
    ident,
    managed_secret_arn,
    named,
)


def _cluster(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("clusterIdentifier") or ident(name)
    dns = f"{identifier}.{hexdigits(name, 12)}.{m.region}.redshift.amazonaws.com"
    return identifier, {
        "dnsName": dns,
        "endpoint": f"{dns}:5439",
        "port": 5439,
        "arn": m.arn("redshift", f"cluster:{identifier}"),
        **(
            {"masterPasswordSecretArn": managed_secret_arn(m, "redshift!cluster", name)}
            if i.get("manageMasterPassword")
            else {}
        ),
    }


def _workgroup(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    wg = i.get("workgroupName") or ident(name)
    address = f"{wg}.{ACCOUNT_ID}.{m.region}.redshift-serverless.amazonaws.com"
    return wg, {
        "workgroupId": hexdigits(name, 32),
        "endpoints": [{"address": address, "port": 5439, "vpcEndpoints": []}],
        "port": 5439,
        "arn": m.arn("redshift-serverless", f"workgroup/{hexdigits(name, 32)}"),
    }


def _namespace(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ns = i.get("namespaceName") or ident(name)
    return ns, {
        "namespaceId": hexdigits(name, 32),
        "arn": m.arn("redshift-serverless", f"namespace/{hexdigits(name, 32)}"),
        **(
            {"adminPasswordSecretArn": managed_secret_arn(m, "redshift!namespace", name)}
            if i.get("manageAdminPassword")
            else {}
        ),
    }


BUILDERS: dict[str, Builder] = {
    "aws:redshift/cluster:Cluster": _cluster,
    "aws:redshift/subnetGroup:SubnetGroup": named("redshift", "subnetgroup:"),
    "aws:redshift/parameterGroup:ParameterGroup": named("redshift", "parametergroup:"),
    "aws:redshiftserverless/namespace:Namespace": _namespace,
    "aws:redshiftserverless/workgroup:Workgroup": _workgroup,
}
