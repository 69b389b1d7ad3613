"""ElastiCache: replication groups (their member clusters and endpoints, with or without cluster
mode), subnet and parameter groups."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import Account, Builder, hexdigits, ident, named


def _replication_group(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    group = i.get("replicationGroupId") or ident(name)
    host = f"{group}.{hexdigits(name, 6)}.ng.0001.use1.cache.amazonaws.com"
    cluster_mode = bool(i.get("clusterModeEnabled")) or i.get("clusterMode") == "enabled"
    if cluster_mode:
        shards = int(i.get("numNodeGroups") or 1)
        per_shard = 1 + int(i.get("replicasPerNodeGroup") or 0)
        members = [
            f"{group}-{s + 1:04d}-{n + 1:03d}" for s in range(shards) for n in range(per_shard)
        ]
    else:
        members = [f"{group}-{n + 1:03d}" for n in range(int(i.get("numCacheClusters") or 1))]
    out: dict[str, Any] = {
        "arn": m.arn("elasticache", f"replicationgroup:{group}"),
        "port": i.get("port") or 6379,
        "memberClusters": members,
    }
    if cluster_mode:
        out["configurationEndpointAddress"] = f"clustercfg.{host}"
    else:
        out["primaryEndpointAddress"] = f"master.{host}"
        out["readerEndpointAddress"] = f"replica.{host}"
    return group, out


BUILDERS: dict[str, Builder] = {
    "aws:elasticache/subnetGroup:SubnetGroup": named("elasticache", "subnetgroup:"),
    "aws:elasticache/parameterGroup:ParameterGroup": named("elasticache", "parametergroup:"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
}
