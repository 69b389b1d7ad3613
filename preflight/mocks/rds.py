"""RDS and Aurora: instances, clusters and their instances, with endpoints, ports and the master
secret RDS manages; subnet, parameter and option groups."""

from __future__ import annotations

from typing import Any

from awsdata.rds_engines import RDS_ENGINES
from preflight.mocks.account import (
    RDS_DOMAIN,
    Account,
    Builder,
    hexdigits,
    ident,
    managed_secret_arn,
    named,
)


def _master_user_secrets(m: Account, kind: str, name: str, i: dict[str, Any]) -> dict:
    """RDS's managed master secret, present only with manageMasterUserPassword."""
    if not i.get("manageMasterUserPassword"):
        return {"masterUserSecrets": []}
    return {
        "masterUserSecrets": [
            {
                "secretArn": managed_secret_arn(m, f"rds!{kind}", name),
                "kmsKeyId": i.get("masterUserSecretKmsKeyId") or "alias/aws/secretsmanager",
                "secretStatus": "active",
            }
        ]
    }


def _instance(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("identifier") or ident(name)
    address = f"{identifier}.{RDS_DOMAIN}.{m.region}.rds.amazonaws.com"
    # The engine's default listener, as RDS picks it; a replica names no engine (it has its
    # source's), and the mock does not follow the source.
    engine = i.get("engine") or "mysql"
    port = i.get("port") or (RDS_ENGINES[engine].port if engine in RDS_ENGINES else 3306)
    return identifier, {
        "identifier": identifier,
        "address": address,
        "port": port,
        "endpoint": f"{address}:{port}",
        "arn": m.arn("rds", f"db:{identifier}"),
        "resourceId": f"db-{hexdigits(name, 26).upper()}",
        "engine": engine,
        # Where RDS put it: the requested zone, or one it picks.
        "availabilityZone": i.get("availabilityZone") or f"{m.region}a",
        **_master_user_secrets(m, "db", name, i),
    }


def _cluster(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("clusterIdentifier") or ident(name)
    port = 5432 if i.get("engine") == "aurora-postgresql" else 3306
    return identifier, {
        "clusterIdentifier": identifier,
        "endpoint": f"{identifier}.cluster-{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "readerEndpoint": f"{identifier}.cluster-ro-{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "port": port,
        "arn": m.arn("rds", f"cluster:{identifier}"),
        "clusterResourceId": f"cluster-{hexdigits(name, 26).upper()}",
        **_master_user_secrets(m, "cluster", name, i),
    }


def _cluster_instance(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    identifier = i.get("identifier") or ident(name)
    return identifier, {
        "identifier": identifier,
        "endpoint": f"{identifier}.{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "arn": m.arn("rds", f"db:{identifier}"),
        "writer": i.get("promotionTier", 0) == 0,
        "availabilityZone": i.get("availabilityZone") or f"{m.region}a",
    }


def _global_cluster(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    """An Aurora Global Database: its ARN has no region (it spans them) and its writer endpoint
    is global, following the primary cluster through a switchover or failover."""
    identifier = i.get("globalClusterIdentifier") or ident(name)
    return identifier, {
        "globalClusterIdentifier": identifier,
        "arn": m.arn("rds", f"global-cluster:{identifier}", region=False),
        "globalClusterResourceId": f"cluster-{hexdigits(name + 'global', 26)}",
        "endpoint": f"{identifier}.global-{hexdigits(name, 6)}.global.rds.amazonaws.com",
        "engineVersionActual": i.get("engineVersion"),
        "globalClusterMembers": [],
    }


def _backups_replication(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    """Cross-region automated backups, created in the destination region (the provider's): the
    id is the replicated backups' ARN there."""
    arn = m.arn("rds", f"auto-backup:ab-{hexdigits(name, 26)}")
    return arn, {"retentionPeriod": i.get("retentionPeriod", 7)}


BUILDERS: dict[str, Builder] = {
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        _backups_replication
    ),
    "aws:rds/subnetGroup:SubnetGroup": named("rds", "subgrp:"),
    "aws:rds/parameterGroup:ParameterGroup": named("rds", "pg:"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": named("rds", "cluster-pg:"),
    "aws:rds/optionGroup:OptionGroup": named("rds", "og:"),
    "aws:rds/instance:Instance": _instance,
    "aws:rds/cluster:Cluster": _cluster,
    "aws:rds/clusterInstance:ClusterInstance": _cluster_instance,
}
