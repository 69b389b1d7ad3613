"""The metrics CloudWatch publishes for the services dbtier alarms on: the dimension sets of each
namespace, the metrics published under one set only or only for burstable classes, the values
of Aurora's Role dimension, and the AWS/DynamoDB metrics published only when their event
happens.

Not in cfn-lint; our own tables, from each service's metrics page (named next to each table).
The policy pack's alarm rules (``deploy_alarms``) check the components' alarms against them.
"""

from __future__ import annotations

# The dimension sets AWS publishes each namespace's metrics under (a set that must be equal;
# "*" entries: any set that contains these keys). From each service's metrics page:
# RDS https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/dimensions.html,
# Aurora https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html,
# ElastiCache https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html,
# Redshift https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html,
# DMS https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html,
# Lambda https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
# SQS https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html,
# DynamoDB https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
DIMENSION_SETS: dict[str, tuple[frozenset[str], ...]] = {
    "AWS/RDS": tuple(
        frozenset(s)
        for s in (
            (),
            ("DBInstanceIdentifier",),
            ("DBClusterIdentifier",),
            ("DBClusterIdentifier", "Role"),
            ("DatabaseClass",),
            ("EngineName",),
            ("SourceRegion",),
        )
    ),
    "AWS/ElastiCache": tuple(
        frozenset(s)
        for s in (("CacheClusterId",), ("CacheClusterId", "CacheNodeId"), ("clusterId",))
    ),
    "AWS/DMS": tuple(
        frozenset(s)
        for s in (
            ("ReplicationInstanceIdentifier",),
            ("ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"),
        )
    ),
    "AWS/Lambda": tuple(
        frozenset(s)
        for s in (
            (),
            ("FunctionName",),
            ("FunctionName", "Resource"),
            ("FunctionName", "ExecutedVersion"),
            ("Resource",),
            ("EventSourceMappingUUID",),
        )
    ),
    "AWS/SQS": (frozenset({"QueueName"}),),
    "AWS/DynamoDB": tuple(
        frozenset(s)
        for s in (
            (),
            ("TableName",),
            ("TableName", "GlobalSecondaryIndexName"),
            ("TableName", "Operation"),
            ("Operation",),
            ("TableName", "ReceivingRegion"),
            ("TableName", "StreamLabel", "Operation"),
        )
    ),
}
# Namespaces whose metrics come in many dimension sets that all contain one key.
REQUIRED_KEY: dict[str, tuple[str, ...]] = {
    "AWS/Redshift": ("ClusterIdentifier",),
    "AWS/Redshift-Serverless": ("Workgroup", "Namespace"),
}
# Metrics published under one dimension set only.
METRIC_SETS: dict[tuple[str, str], frozenset[str]] = {
    ("AWS/RDS", "ReplicaLag"): frozenset({"DBInstanceIdentifier"}),
    # Replication to each replica region: https://docs.aws.amazon.com/amazondynamodb/latest/
    # developerguide/metrics-dimensions.html (ReplicationLatency: TableName, ReceivingRegion).
    ("AWS/DynamoDB", "ReplicationLatency"): frozenset({"TableName", "ReceivingRegion"}),
    # An Aurora Global Database's lag, published for its secondary clusters:
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
    ("AWS/RDS", "AuroraGlobalDBReplicationLag"): frozenset({"DBClusterIdentifier"}),
    ("AWS/RDS", "AuroraGlobalDBRPOLag"): frozenset({"DBClusterIdentifier"}),
    ("AWS/DMS", "CDCLatencySource"): frozenset(
        {"ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"}
    ),
    ("AWS/DMS", "CDCLatencyTarget"): frozenset(
        {"ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"}
    ),
}
# Metrics published only for burstable classes (db.t*, cache.t*): an alarm on another class
# never gets data. RDS https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
# (CPUCreditBalance, CPUCreditUsage, CPUSurplusCredit*: "T instances only"), ElastiCache
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.HostLevel.html.
BURSTABLE_ONLY = frozenset(
    {
        ("AWS/RDS", "CPUCreditBalance"),
        ("AWS/RDS", "CPUCreditUsage"),
        ("AWS/RDS", "CPUSurplusCreditBalance"),
        ("AWS/ElastiCache", "CPUCreditBalance"),
        ("AWS/ElastiCache", "CPUCreditUsage"),
    }
)
# The values of the Aurora Role dimension:
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html
AURORA_ROLES = frozenset({"WRITER", "READER"})
# AWS/DynamoDB metrics published only when the event happens: without FILL, an alarm on them
# never returns to OK (AWS/DynamoDB alarms ignore treatMissingData).
SPARSE_DYNAMODB = frozenset(
    {
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ThrottledRequests",
        "SystemErrors",
        "UserErrors",
        "ConditionalCheckFailedRequests",
        "TransactionConflict",
        "ReadKeyRangeThroughputThrottleEvents",
        "WriteKeyRangeThroughputThrottleEvents",
        "ReadProvisionedThroughputThrottleEvents",
        "WriteProvisionedThroughputThrottleEvents",
    }
)
