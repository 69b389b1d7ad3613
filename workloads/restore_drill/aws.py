"""The restore drill's AWS side through boto3: describe the source, make the planned calls
(``plan.ApiCall``), wait until the throwaway is available, and delete it.

boto3's standard configuration applies (credentials, ``AWS_ENDPOINT_URL_RDS`` and friends), so a
local run points it at moto's server. AWS refusing a call (a ``ClientError``) or being
unreachable is one line naming the call and AWS's reason, exit 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from workloads.common import WorkloadError
from workloads.common.drill import refused
from workloads.restore_drill.plan import AURORA, DYNAMO, DYNAMODB, RDS, ApiCall, Source

AVAILABLE = "available"
POLL_FIRST, POLL_MAX = 0.2, 15.0  # seconds between describes: quick locally, gentle on AWS


class Aws:
    """The RDS and DynamoDB clients of one drill (one region)."""

    def __init__(self, region: str, dynamo_endpoint: str | None = None, timeout: int = 10):
        session = boto3.session.Session(region_name=region)
        if dynamo_endpoint and session.get_credentials() is None:
            # A local moto endpoint accepts any credentials; a real endpoint never gets here.
            session = boto3.session.Session(
                region_name=region,
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 -- moto's dummy
            )
        config = Config(
            retries={"mode": "standard", "max_attempts": 5},
            connect_timeout=timeout,
            read_timeout=timeout * 3,
        )
        self.region = region
        self.clients: dict[str, Any] = {
            RDS: session.client("rds", config=config),
            DYNAMODB: session.client("dynamodb", endpoint_url=dynamo_endpoint, config=config),
        }

    def call(self, api: ApiCall) -> dict[str, Any]:
        """Make ``api``; AWS's refusal as a WorkloadError (exit 2) naming the call."""
        with refused(f"{api.service}.{api.operation}"):
            result: dict[str, Any] = getattr(self.clients[api.service], api.operation)(**api.params)
        return result

    def describe_source(self, target: str, identifier: str) -> Source:
        """The source as AWS describes it: network, key, engine, latest restorable time."""
        if target == DYNAMO:
            return self._table(identifier)
        if target == AURORA:
            found = self.call(
                ApiCall(RDS, "describe_db_clusters", {"DBClusterIdentifier": identifier})
            )["DBClusters"][0]
            return Source(
                target,
                identifier,
                engine=found.get("Engine", ""),
                subnet_group=found.get("DBSubnetGroup"),
                security_groups=_groups(found),
                kms_key=found.get("KmsKeyId"),
                latest_restorable=_utc(found.get("LatestRestorableTime")),
                port=found.get("Port"),
                scaling=dict(found.get("ServerlessV2ScalingConfiguration") or {}),
            )
        found = self.call(
            ApiCall(RDS, "describe_db_instances", {"DBInstanceIdentifier": identifier})
        )["DBInstances"][0]
        return Source(
            target,
            identifier,
            engine=found.get("Engine", ""),
            subnet_group=(found.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            security_groups=_groups(found),
            kms_key=found.get("KmsKeyId"),
            latest_restorable=_utc(found.get("LatestRestorableTime")),
            port=(found.get("Endpoint") or {}).get("Port"),
        )

    def _table(self, name: str) -> Source:
        table = self.call(ApiCall(DYNAMODB, "describe_table", {"TableName": name}))["Table"]
        backups = self.call(ApiCall(DYNAMODB, "describe_continuous_backups", {"TableName": name}))
        pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
            raise WorkloadError(
                f"table {name} has point-in-time recovery off: there is nothing to restore "
                "(dbtier:dynamo.tables[].pointInTimeRecovery)"
            )
        return Source(
            DYNAMO,
            name,
            kms_key=(table.get("SSEDescription") or {}).get("KMSMasterKeyArn"),
            latest_restorable=_utc(pitr.get("LatestRestorableDateTime")),
            arn=table.get("TableArn"),
        )

    def wait_available(
        self, target: str, name: str, timeout: float, tick: Callable[[str], None]
    ) -> tuple[str, int | None]:
        """Poll until the throwaway is available (a restored cluster: its writer too); its
        endpoint host and port (a table: its name and None). ``tick`` hears each status."""
        deadline = time.monotonic() + timeout
        wait = POLL_FIRST
        while True:
            status, where = self._status(target, name)
            tick(status)
            if where is not None:
                return where
            if time.monotonic() + wait > deadline:
                raise WorkloadError(
                    f"{name} is still {status} after {timeout:.0f}s (--restore-timeout); it is "
                    "being deleted"
                )
            time.sleep(wait)
            wait = min(wait * 2, POLL_MAX)

    def _status(self, target: str, name: str) -> tuple[str, tuple[str, int | None] | None]:
        """The throwaway's status, and its endpoint once it is available."""
        if target == DYNAMO:
            table = self.call(ApiCall(DYNAMODB, "describe_table", {"TableName": name}))["Table"]
            status = str(table.get("TableStatus", "?")).lower()
            return status, ((name, None) if status == "active" else None)
        if target == AURORA:
            cluster = self.call(ApiCall(RDS, "describe_db_clusters", {"DBClusterIdentifier": name}))
            found = cluster["DBClusters"][0]
            writers = [m for m in found.get("DBClusterMembers", []) if m.get("IsClusterWriter")]
            status = str(found.get("Status", "?"))
            if status != AVAILABLE or not writers:
                return status, None
            writer = self._instance(writers[0]["DBInstanceIdentifier"])
            state = str(writer.get("DBInstanceStatus", "?"))
            ready = state == AVAILABLE
            return f"writer {state}", ((found["Endpoint"], found.get("Port")) if ready else None)
        found = self._instance(name)
        status = str(found.get("DBInstanceStatus", "?"))
        endpoint = found.get("Endpoint") or {}
        ready = status == AVAILABLE and bool(endpoint.get("Address"))
        return status, ((endpoint["Address"], endpoint.get("Port")) if ready else None)

    def _instance(self, name: str) -> dict[str, Any]:
        found = self.call(ApiCall(RDS, "describe_db_instances", {"DBInstanceIdentifier": name}))
        return dict(found["DBInstances"][0])

    def exists(self, target: str, name: str) -> bool:
        """Whether the throwaway is still there (and not on its way out)."""
        try:
            status, _ = self._status(target, name)
        except WorkloadError as exc:
            if "NotFound" in str(exc):
                return False
            raise
        return status not in {"deleting", "deleted"}


def _groups(described: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        g["VpcSecurityGroupId"]
        for g in described.get("VpcSecurityGroups", [])
        if g.get("VpcSecurityGroupId")
    )


def _utc(value: Any) -> datetime | None:
    """A time AWS returned (datetime, or epoch seconds), aware in UTC."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return None
