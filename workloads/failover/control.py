"""The failover drill's AWS half: what can fail over, the one call that makes it, who is primary.

Each target is read from the stack outputs (its identifier) and from AWS's description of it, so
a refusal names what AWS says now: an RDS instance that is not Multi-AZ, an Aurora cluster with no
reader, a replication group with one node or automatic failover off. The call is the managed
failover AWS documents for the service:

- relational: ``RebootDBInstance(ForceFailover=True)`` (Multi-AZ: the standby becomes primary),
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html
- aurora: ``FailoverDBCluster(TargetDBInstanceIdentifier)`` (a reader becomes the writer),
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html
- redis: ``TestFailover(ReplicationGroupId, NodeGroupId)`` (a replica of the node group becomes
  its primary), https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html

Clients come from boto3's standard configuration (credentials, region, ``AWS_ENDPOINT_URL``), so a
local run points them at moto or the local stand-in with the environment alone. A response the
stand-in answered itself (moto lacks the call) carries the ``x-dbtier-standin`` header: the drill
says so in its report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract import AuroraOutputs, RedisOutputs, RelationalOutputs, echo
from workloads.common import Outputs, WorkloadError, one_line
from workloads.common.drill import refused

STANDIN_HEADER = "x-dbtier-standin"
SERVICE = {"relational": "rds", "aurora": "rds", "redis": "elasticache"}


@dataclass(frozen=True)
class Plan:
    """One failover: the API call (service, operation, parameters), who is primary now and who
    should be after it (None: AWS picks, as for an RDS Multi-AZ standby)."""

    target: str
    service: str
    operation: str  # the boto3 method
    params: dict[str, Any]
    primary: str
    candidate: str | None = None

    @property
    def call(self) -> str:
        """The call as a user would read it in AWS's documentation."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.service}.{self.operation}({args})"


def refuse(message: str) -> WorkloadError:
    """A target that cannot fail over: one line, exit 2."""
    return WorkloadError(message)


def aws_client(service: str, region: str | None, timeout: float = 20.0) -> Any:
    """A boto3 client with bounded standard retries; endpoint and credentials from the
    environment (``AWS_ENDPOINT_URL`` in a local run)."""
    import boto3  # slow to import and loads OpenSSL: after the MySQL driver's preload
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    session = boto3.session.Session()
    if session.get_credentials() is None:
        raise WorkloadError(
            "no AWS credentials (environment, profile or role) for the failover call"
        )
    try:
        return session.client(service, region_name=region or session.region_name, config=config)
    except Exception as exc:  # noqa: BLE001 - NoRegionError, a bad endpoint URL: one line
        raise WorkloadError(f"{service} client: {one_line(exc)}") from None


def aws_call(client: Any, operation: str, **params: Any) -> tuple[dict[str, Any], str | None]:
    """Call ``operation``; its response and, when the local stand-in answered, its note.
    AWS refusing (or unreachable) is a WorkloadError naming the operation (exit 2)."""
    with refused(operation):
        response: dict[str, Any] = getattr(client, operation)(**params)
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return response, headers.get(STANDIN_HEADER)


def section_identifier(outputs: Outputs, target: str) -> tuple[Any, str]:
    """The target's output section and the identifier the API names, or a one-line error."""
    if target == "relational":
        rel = outputs.read(RelationalOutputs)
        if not rel.instance_ids:
            raise _missing("relational.instanceIds")
        return rel, rel.instance_ids[0]
    if target == "aurora":
        aur = outputs.read(AuroraOutputs)
        if not aur.cluster_id:
            raise _missing("aurora.clusterId")
        return aur, aur.cluster_id
    red = outputs.read(RedisOutputs)
    if red.serverless:
        raise refuse("redis: a serverless cache has no node group to fail over (AWS manages it)")
    if red.cluster_mode:
        raise refuse(
            "redis: a cache in cluster mode is not supported by the drill yet (its writer uses "
            "one primary endpoint); the redis workload's --soak rides out a shard's failover"
        )
    if not red.replication_group_id:
        raise _missing("redis.replicationGroupId")
    return red, red.replication_group_id


def _missing(key: str) -> WorkloadError:
    return WorkloadError(
        f'outputs lack "{key}": export them again (`pulumi stack output --json --show-secrets`) '
        "from a stack deployed with this version of dbtier"
    )


def plan_relational(rds: Any, instance_id: str) -> Plan:
    """A forced-failover reboot of the Multi-AZ primary; refused when it is single-AZ."""
    described, _ = aws_call(rds, "describe_db_instances", DBInstanceIdentifier=instance_id)
    instance = described["DBInstances"][0]
    if not instance.get("MultiAZ"):
        raise refuse(
            f"relational: instance {instance_id} is single-AZ: a forced failover needs a Multi-AZ "
            "standby (set dbtier:relational.multiAz: true)"
        )
    zone = instance.get("AvailabilityZone", "?")
    standby = instance.get("SecondaryAvailabilityZone")
    return Plan(
        "relational",
        "rds",
        "reboot_db_instance",
        {"DBInstanceIdentifier": instance_id, "ForceFailover": True},
        primary=f"{instance_id} in {zone}",
        candidate=f"{instance_id} in {standby}" if standby else None,
    )


def plan_aurora(rds: Any, cluster_id: str, reader: str | None) -> Plan:
    """Failover of the cluster to ``reader`` or to the reader Aurora itself would promote first
    (lowest promotion tier); refused when the cluster has no reader."""
    described, _ = aws_call(rds, "describe_db_clusters", DBClusterIdentifier=cluster_id)
    members = described["DBClusters"][0].get("DBClusterMembers", [])
    writers = [m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")]
    readers = sorted(
        (m for m in members if not m.get("IsClusterWriter")),
        key=lambda m: (m.get("PromotionTier", 15), m["DBInstanceIdentifier"]),
    )
    if not readers:
        raise refuse(
            f"aurora: cluster {cluster_id} has no reader to fail over to "
            "(set dbtier:aurora.readers to 1 or more)"
        )
    names = [m["DBInstanceIdentifier"] for m in readers]
    if reader is not None and reader not in names:
        raise refuse(
            f"aurora: --reader {echo(reader, 80)} is not a reader of cluster {cluster_id} "
            f"(readers: {', '.join(names)})"
        )
    chosen = reader or names[0]
    return Plan(
        "aurora",
        "rds",
        "failover_db_cluster",
        {"DBClusterIdentifier": cluster_id, "TargetDBInstanceIdentifier": chosen},
        primary=writers[0] if writers else "?",
        candidate=chosen,
    )


def _replication_group(elasticache: Any, group_id: str) -> dict[str, Any]:
    described, _ = aws_call(elasticache, "describe_replication_groups", ReplicationGroupId=group_id)
    group: dict[str, Any] = described["ReplicationGroups"][0]
    return group


def _roles(node_group: dict[str, Any]) -> tuple[str, list[str]]:
    members = node_group.get("NodeGroupMembers", [])
    primary = [m["CacheClusterId"] for m in members if m.get("CurrentRole") == "primary"]
    replicas = [m["CacheClusterId"] for m in members if m.get("CurrentRole") != "primary"]
    return (primary[0] if primary else "?"), replicas


def plan_redis(elasticache: Any, group_id: str, node_group: str | None) -> Plan:
    """Test failover of the primary's node group (``node_group`` or the first); refused with one
    node or automatic failover off."""
    group = _replication_group(elasticache, group_id)
    groups = group.get("NodeGroups", [])
    ids = [g.get("NodeGroupId") for g in groups]
    if node_group is not None and node_group not in ids:
        raise refuse(
            f"redis: --node-group {echo(node_group, 40)} is not a node group of {group_id} "
            f"(node groups: {', '.join(map(str, ids))})"
        )
    chosen = next(g for g in groups if node_group in (None, g.get("NodeGroupId")))
    primary, replicas = _roles(chosen)
    if not replicas:
        raise refuse(
            f"redis: node group {chosen.get('NodeGroupId')} of {group_id} has one node: nothing to "
            "fail over to (set dbtier:redis.nodes to 2 or more)"
        )
    if group.get("AutomaticFailover") not in ("enabled", "enabling"):
        raise refuse(
            f"redis: automatic failover is {group.get('AutomaticFailover', 'off')} on {group_id}: "
            "ElastiCache tests a failover only with it on"
        )
    return Plan(
        "redis",
        "elasticache",
        "test_failover",
        {"ReplicationGroupId": group_id, "NodeGroupId": chosen["NodeGroupId"]},
        primary=primary,
        candidate=replicas[0] if len(replicas) == 1 else None,
    )


def plan_for(target: str, client: Any, identifier: str, choice: str | None) -> Plan:
    """The plan of ``target`` (``choice``: the Aurora reader or the Redis node group)."""
    planners: dict[str, Callable[[], Plan]] = {
        "relational": lambda: plan_relational(client, identifier),
        "aurora": lambda: plan_aurora(client, identifier, choice),
        "redis": lambda: plan_redis(client, identifier, choice),
    }
    return planners[target]()


def primary_now(plan: Plan, client: Any) -> str:
    """Who AWS says is primary now (after the failover): the same description as the plan's."""
    if plan.target == "relational":
        instance_id = plan.params["DBInstanceIdentifier"]
        described, _ = aws_call(client, "describe_db_instances", DBInstanceIdentifier=instance_id)
        return f"{instance_id} in {described['DBInstances'][0].get('AvailabilityZone', '?')}"
    if plan.target == "aurora":
        cluster_id = plan.params["DBClusterIdentifier"]
        described, _ = aws_call(client, "describe_db_clusters", DBClusterIdentifier=cluster_id)
        members = described["DBClusters"][0].get("DBClusterMembers", [])
        return next((m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")), "?")
    group = _replication_group(client, plan.params["ReplicationGroupId"])
    for node_group in group.get("NodeGroups", []):
        if node_group.get("NodeGroupId") == plan.params["NodeGroupId"]:
            return _roles(node_group)[0]
    return "?"
