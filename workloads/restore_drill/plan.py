"""What a restore drill will do, decided before it does anything: the throwaway's name, and the
AWS API calls that restore the source into it and delete it again.

Pure functions of the source (as the outputs name it and AWS describes it) and the restore
point, so ``--dry-run`` prints exactly the calls a real run makes, and tests check them without
a server. The throwaway lands in the source's own network (its DB subnet group and VPC security
groups), is encrypted with the source's key (the stack key), is single-AZ, not public, without
deletion protection (the drill deletes it) and tagged as a drill's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RELATIONAL, AURORA, DYNAMO = "relational", "aurora", "dynamo"
TARGETS = (RELATIONAL, AURORA, DYNAMO)
RDS, DYNAMODB = "rds", "dynamodb"

# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
# DB instance and cluster identifiers: 1-63 letters, digits and hyphens, a letter first, no
# hyphen last and no two in a row.
RDS_ID_MAX = 63
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
DYNAMO_NAME_MAX = 255
SUFFIX = "-drill-"
# Aurora Serverless v2 instances run on this class; the cluster's capacity range applies.
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.create.html
SERVERLESS_CLASS = "db.serverless"
DRILL_TAG = "dbtier:drill"


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call: the service, boto3's operation name and its parameters."""

    service: str
    operation: str
    params: dict[str, Any]

    def shown(self) -> str:
        """``rds.restore_db_instance_to_point_in_time(TargetDBInstanceIdentifier='x', ...)``."""
        args = ", ".join(f"{key}={_value(value)}" for key, value in self.params.items())
        return f"{self.service}.{self.operation}({args})"

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "params": {k: _json(v) for k, v in self.params.items()},
        }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _value(value: Any) -> str:
    return repr(_json(value))


@dataclass(frozen=True)
class Source:
    """The database a drill restores, as AWS describes it: its identifier (instance id, cluster
    id or table name), engine, network, key and the latest time it can be restored to."""

    target: str
    identifier: str
    engine: str = ""
    subnet_group: str | None = None
    security_groups: tuple[str, ...] = ()
    kms_key: str | None = None
    latest_restorable: datetime | None = None
    port: int | None = None
    # Aurora: the cluster's Serverless v2 range, given to the copy so it can scale the same way.
    scaling: dict[str, float] = field(default_factory=dict)
    arn: str | None = None  # DynamoDB: the table's ARN


def throwaway_name(target: str, identifier: str, stamp: str) -> str:
    """The throwaway's name: the source's, ``-drill-`` and ``stamp``, within the service's rules."""
    stamp = re.sub(r"[^a-z0-9]", "", stamp.lower())
    if target == DYNAMO:
        return f"{identifier[: DYNAMO_NAME_MAX - len(SUFFIX) - len(stamp)]}{SUFFIX}{stamp}"
    head = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", identifier.lower())).strip("-")
    if not head or not head[0].isalpha():
        head = f"db-{head}".rstrip("-")
    head = head[: RDS_ID_MAX - len(SUFFIX) - len(stamp)].rstrip("-")
    return f"{head}{SUFFIX}{stamp}"


def drill_tags(source: Source) -> list[dict[str, str]]:
    """Tags that say what the throwaway is and what it was restored from."""
    return [
        {"Key": DRILL_TAG, "Value": "restore-drill"},
        {"Key": "dbtier:restored-from", "Value": source.identifier},
    ]


def restore_calls(source: Source, name: str, restore_time: datetime) -> list[ApiCall]:
    """The calls that restore ``source`` at ``restore_time`` into the throwaway ``name``."""
    if source.target == DYNAMO:
        # By name: the table is in the drill's account and region (moto reads no ARN either).
        params: dict[str, Any] = {
            "SourceTableName": source.identifier,
            "TargetTableName": name,
            "RestoreDateTime": restore_time,
        }
        if source.kms_key:
            params["SSESpecificationOverride"] = {
                "Enabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": source.kms_key,
            }
        return [ApiCall(DYNAMODB, "restore_table_to_point_in_time", params)]
    network: dict[str, Any] = {}
    if source.subnet_group:
        network["DBSubnetGroupName"] = source.subnet_group
    if source.security_groups:
        network["VpcSecurityGroupIds"] = list(source.security_groups)
    common = {"PubliclyAccessible": False, "DeletionProtection": False, "Tags": drill_tags(source)}
    if source.target == RELATIONAL:
        # The instance keeps the source's storage key: RDS restores an encrypted instance with it.
        return [
            ApiCall(
                RDS,
                "restore_db_instance_to_point_in_time",
                {
                    "SourceDBInstanceIdentifier": source.identifier,
                    "TargetDBInstanceIdentifier": name,
                    "RestoreTime": restore_time,
                    "MultiAZ": False,
                    **network,
                    **common,
                },
            )
        ]
    cluster: dict[str, Any] = {
        "SourceDBClusterIdentifier": source.identifier,
        "DBClusterIdentifier": name,
        "RestoreToTime": restore_time,
        "RestoreType": "full-copy",
        **network,
        **common,
    }
    if source.kms_key:
        cluster["KmsKeyId"] = source.kms_key
    if source.scaling:
        cluster["ServerlessV2ScalingConfiguration"] = dict(source.scaling)
    cluster.pop("PubliclyAccessible")  # an instance's setting, not a cluster's
    return [
        ApiCall(RDS, "restore_db_cluster_to_point_in_time", cluster),
        # A restored cluster has no instance: one writer to read it through.
        ApiCall(
            RDS,
            "create_db_instance",
            {
                "DBInstanceIdentifier": writer_name(name),
                "DBClusterIdentifier": name,
                "DBInstanceClass": SERVERLESS_CLASS,
                "Engine": source.engine,
                "PubliclyAccessible": False,
                "Tags": drill_tags(source),
            },
        ),
    ]


def writer_name(cluster: str) -> str:
    """The restored cluster's one instance."""
    return f"{cluster[: RDS_ID_MAX - 2]}-1"


def delete_calls(target: str, name: str) -> list[ApiCall]:
    """The calls that delete the throwaway ``name``, without a final snapshot."""
    if target == DYNAMO:
        return [ApiCall(DYNAMODB, "delete_table", {"TableName": name})]
    if target == RELATIONAL:
        return [
            ApiCall(
                RDS,
                "delete_db_instance",
                {
                    "DBInstanceIdentifier": name,
                    "SkipFinalSnapshot": True,
                    "DeleteAutomatedBackups": True,
                },
            )
        ]
    return [
        ApiCall(RDS, "delete_db_instance", {"DBInstanceIdentifier": writer_name(name)}),
        ApiCall(
            RDS,
            "delete_db_cluster",
            {"DBClusterIdentifier": name, "SkipFinalSnapshot": True},
        ),
    ]
