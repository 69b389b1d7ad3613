"""ElastiCache: replication groups (their member clusters and endpoints, with or without cluster
mode), serverless caches (their endpoints), users and user groups, subnet and parameter groups."""

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


def _serverless_cache(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    cache = i.get("name") or ident(name)
    # One host for both: 6379 for the primary, 6380 for reads from replicas.
    host = f"{cache}-{hexdigits(name, 6)}.serverless.use1.cache.amazonaws.com"
    engine = i.get("engine") or "redis"
    major = i.get("majorEngineVersion") or "7"
    return cache, {
        "arn": m.arn("elasticache", f"serverlesscache:{cache}"),
        "endpoints": [{"address": host, "port": 6379}],
        "readerEndpoints": [{"address": host, "port": 6380}],
        "fullEngineVersion": f"{major}.1" if engine == "redis" else f"{major}.0",
        "status": "available",
        "createTime": "2026-01-01T00:00:00Z",
    }


def _user(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    user_id = str(i.get("userId") or ident(name))
    return user_id, {"arn": m.arn("elasticache", f"user:{user_id}")}


def _user_group(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    group_id = str(i.get("userGroupId") or ident(name))
    return group_id, {"arn": m.arn("elasticache", f"usergroup:{group_id}")}


BUILDERS: dict[str, Builder] = {
    "aws:elasticache/subnetGroup:SubnetGroup": named("elasticache", "subnetgroup:"),
    "aws:elasticache/parameterGroup:ParameterGroup": named("elasticache", "parametergroup:"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:elasticache/user:User": _user,
    "aws:elasticache/userGroup:UserGroup": _user_group,
}
