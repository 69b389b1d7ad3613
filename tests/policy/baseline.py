"""A small stack in which every rule of the pack is satisfied, and the single-input changes that
make each rule fire: the base and the cases of the rule tests."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from preflight.plan import PlannedResource
from tests.policy.policy_fixtures import resource

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
ROLE_ARN = "arn:aws:iam::123456789012:role/dms-access"
TASK_SETTINGS = json.dumps(
    {"Logging": {"EnableLogging": True}, "ValidationSettings": {"EnableValidation": True}}
)


def secret(value: str) -> dict[str, str]:
    return {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": value}


def build() -> dict[str, PlannedResource]:
    """name -> resource; every resource compliant with every rule under ALL_MANDATORY."""
    r: dict[str, PlannedResource] = {}
    r["key"] = resource(
        "aws:kms/key:Key",
        "key",
        {"enableKeyRotation": True, "deletionWindowInDays": 30, "description": "stack key"},
        protect=True,
    )
    key = r["key"]
    kms = {"kmsKeyId": [key]}
    r["password"] = resource(
        "random:index/randomPassword:RandomPassword", "password", {"length": 32}
    )
    pw = r["password"]
    r["pg"] = resource(
        "aws:rds/parameterGroup:ParameterGroup",
        "pg",
        {
            "family": "mysql8.4",
            "parameters": [
                {"name": "require_secure_transport", "value": "1"},
                {"name": "slow_query_log", "value": "1"},
                {"name": "log_output", "value": "FILE"},
            ],
        },
    )
    r["cpg"] = resource(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cpg",
        {
            "family": "aurora-mysql8.0",
            "parameters": [
                {"name": "require_secure_transport", "value": "ON"},
                {"name": "server_audit_logging", "value": "1"},
                {"name": "server_audit_events", "value": "CONNECT,QUERY_DCL,QUERY_DDL"},
            ],
        },
    )
    r["primary"] = resource(
        "aws:rds/instance:Instance",
        "primary",
        {
            "identifier": "db-primary",
            "engine": "mysql",
            "engineVersion": "8.4.7",
            "instanceClass": "db.m7g.large",
            "storageEncrypted": True,
            "kmsKeyId": KEY_ARN,
            "publiclyAccessible": False,
            "deletionProtection": True,
            "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "db-primary-final-1a2b",
            "backupRetentionPeriod": 7,
            "multiAz": True,
            "iamDatabaseAuthenticationEnabled": True,
            "enabledCloudwatchLogsExports": ["error", "slowquery"],
            "performanceInsightsEnabled": True,
            "performanceInsightsKmsKeyId": KEY_ARN,
            "performanceInsightsRetentionPeriod": 465,
            "databaseInsightsMode": "advanced",
            "monitoringInterval": 60,
            "copyTagsToSnapshot": True,
            "caCertIdentifier": "rds-ca-rsa2048-g1",
            "password": secret("generated-pw"),
        },
        protect=True,
        deps={"kmsKeyId": [key], "password": [pw], "performanceInsightsKmsKeyId": [key]},
        # A pinned minor with automatic minor upgrades: the version is left to AWS after creation.
        ignore_changes=["engineVersion"],
    )
    primary = r["primary"]
    r["replica"] = resource(
        "aws:rds/instance:Instance",
        "replica",
        {
            "identifier": "db-replica",
            "replicateSourceDb": "db-primary",
            "instanceClass": "db.m7g.large",
            "multiAz": True,
            "publiclyAccessible": False,
            "performanceInsightsEnabled": True,
            "performanceInsightsKmsKeyId": KEY_ARN,
            "performanceInsightsRetentionPeriod": 465,
            "monitoringInterval": 60,
        },
        protect=True,
        deps={"replicateSourceDb": [primary]},
    )
    r["cluster"] = resource(
        "aws:rds/cluster:Cluster",
        "cluster",
        {
            "clusterIdentifier": "aurora",
            "engine": "aurora-mysql",
            "engineVersion": "8.0.mysql_aurora.3.10.0",
            "storageEncrypted": True,
            "kmsKeyId": KEY_ARN,
            "deletionProtection": True,
            "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "aurora-final-1a2b",
            "backupRetentionPeriod": 7,
            "iamDatabaseAuthenticationEnabled": True,
            "enabledCloudwatchLogsExports": ["audit", "error"],
            "copyTagsToSnapshot": True,
            "databaseInsightsMode": "advanced",
            "performanceInsightsEnabled": True,
            "performanceInsightsKmsKeyId": KEY_ARN,
            "performanceInsightsRetentionPeriod": 465,
            "masterPassword": secret("generated-pw"),
        },
        protect=True,
        deps={"kmsKeyId": [key], "masterPassword": [pw]},
        ignore_changes=["engineVersion"],
    )
    cluster = r["cluster"]
    for tier, (role, zone) in enumerate((("writer", "us-east-1a"), ("reader", "us-east-1b"))):
        r[role] = resource(
            "aws:rds/clusterInstance:ClusterInstance",
            role,
            {
                "clusterIdentifier": "aurora",
                "instanceClass": "db.serverless",
                "publiclyAccessible": False,
                "performanceInsightsEnabled": True,
                "performanceInsightsKmsKeyId": KEY_ARN,
                "performanceInsightsRetentionPeriod": 465,
                "monitoringInterval": 60,
                "promotionTier": tier,
                "availabilityZone": zone,
            },
            deps={"clusterIdentifier": [cluster]},
        )
    r["table"] = resource(
        "aws:dynamodb/table:Table",
        "table",
        {
            "name": "orders",
            "pointInTimeRecovery": {"enabled": True},
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN},
            "deletionProtectionEnabled": True,
        },
        protect=True,
        deps={"serverSideEncryption": [key]},
    )
    # RBAC: a user group with its default user off, instead of the AUTH token.
    r["redis-default-user"] = resource(
        "aws:elasticache/user:User",
        "redis-default-user",
        {
            "userId": "cache-default",
            "userName": "default",
            "engine": "redis",
            "accessString": "off -@all",
            "authenticationMode": {"type": "no-password-required"},
        },
    )
    r["redis-users"] = resource(
        "aws:elasticache/userGroup:UserGroup",
        "redis-users",
        {"userGroupId": "cache", "engine": "redis", "userIds": ["cache-default"]},
        deps={"userIds": [r["redis-default-user"]]},
    )
    r["redis"] = resource(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "redis",
        {
            "replicationGroupId": "cache",
            "engine": "valkey",
            "engineVersion": "8.0",
            "nodeType": "cache.r7g.large",
            "numCacheClusters": 2,
            "atRestEncryptionEnabled": True,
            "kmsKeyId": KEY_ARN,
            "transitEncryptionEnabled": True,
            "transitEncryptionMode": "required",
            "userGroupIds": ["cache"],
            "snapshotRetentionLimit": 7,
            "automaticFailoverEnabled": True,
            "multiAzEnabled": True,
            "logDeliveryConfigurations": [{"logType": "slow-log"}],
        },
        protect=True,
        deps={"kmsKeyId": [key], "userGroupIds": [r["redis-users"]]},
    )
    r["warehouse"] = resource(
        "aws:redshift/cluster:Cluster",
        "warehouse",
        {
            "clusterIdentifier": "warehouse",
            "nodeType": "ra3.large",
            "encrypted": True,
            "kmsKeyId": KEY_ARN,
            "publiclyAccessible": False,
            "enhancedVpcRouting": True,
            "automatedSnapshotRetentionPeriod": 7,
            "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "warehouse-final",
            "clusterSubnetGroupName": "warehouse-subnets",
            "databaseName": "analytics",
            "masterPassword": secret("generated-pw"),
        },
        protect=True,
        deps={"kmsKeyId": [key], "masterPassword": [pw]},
    )
    r["redshift-logging"] = resource(
        "aws:redshift/logging:Logging",
        "redshift-logging",
        {"clusterIdentifier": "warehouse", "logDestinationType": "cloudwatch"},
        deps={"clusterIdentifier": [r["warehouse"]]},
    )
    r["redshift-params"] = resource(
        "aws:redshift/parameterGroup:ParameterGroup",
        "redshift-params",
        {
            "family": "redshift-2.0",
            "parameters": [
                {"name": "require_ssl", "value": "true"},
                {"name": "enable_user_activity_logging", "value": "true"},
            ],
        },
    )
    r["namespace"] = resource(
        "aws:redshiftserverless/namespace:Namespace",
        "namespace",
        {"kmsKeyId": KEY_ARN, "logExports": ["connectionlog", "userlog"], "dbName": "analytics"},
        protect=True,
        deps=kms,
    )
    r["workgroup"] = resource(
        "aws:redshiftserverless/workgroup:Workgroup",
        "workgroup",
        {"publiclyAccessible": False, "enhancedVpcRouting": True},
    )
    r["dms"] = resource(
        "aws:dms/replicationInstance:ReplicationInstance",
        "dms",
        {
            "replicationInstanceId": "migration",
            "replicationInstanceClass": "dms.c6i.large",
            "engineVersion": "3.6.1",
            "publiclyAccessible": False,
            "kmsKeyArn": KEY_ARN,
            "multiAz": True,
        },
        deps={"kmsKeyArn": [key]},
    )
    r["endpoint"] = resource(
        "aws:dms/endpoint:Endpoint",
        "endpoint",
        {
            "endpointType": "source",
            "engineName": "mysql",
            "sslMode": "require",
            "kmsKeyArn": KEY_ARN,
            "secretsManagerArn": SECRET_ARN,
            "secretsManagerAccessRoleArn": ROLE_ARN,
        },
        deps={"kmsKeyArn": [key]},
    )
    r["task"] = resource(
        "aws:dms/replicationTask:ReplicationTask",
        "task",
        {"migrationType": "full-load-and-cdc", "replicationTaskSettings": TASK_SETTINGS},
    )
    r["secret"] = resource(
        "aws:secretsmanager/secret:Secret",
        "secret",
        {"kmsKeyId": KEY_ARN, "recoveryWindowInDays": 30},
        protect=True,
        deps=kms,
    )
    r["secret-rotation"] = resource(
        "aws:secretsmanager/secretRotation:SecretRotation",
        "secret-rotation",
        {
            "secretId": SECRET_ARN,
            "rotationLambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:rotation",
            "rotationRules": {"automaticallyAfterDays": 30},
            "rotateImmediately": False,
        },
        deps={"secretId": [r["secret"]]},
    )
    # The rotation function's application (the MySQL one, for the MySQL primary whose secret
    # it rotates), and another engine's, unused (deploy-rotation-application).
    for name, app in (("rotation", "MySQL"), ("rotation-pg", "PostgreSQL")):
        r[f"{name}-app"] = resource(
            "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
            f"{name}-app",
            {
                "name": name,
                "applicationId": "arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
                f"SecretsManagerRDS{app}RotationSingleUser",
            },
        )
    r["secret-value"] = resource(
        "aws:secretsmanager/secretVersion:SecretVersion",
        "secret-value",
        {"secretString": secret('{"password": "generated-pw"}')},
        deps={"secretString": [pw]},
    )
    r["queue"] = resource(
        "aws:sqs/queue:Queue", "queue", {"kmsMasterKeyId": KEY_ARN}, deps={"kmsMasterKeyId": [key]}
    )
    r["topic"] = resource(
        "aws:sns/topic:Topic", "topic", {"kmsMasterKeyId": KEY_ARN}, deps={"kmsMasterKeyId": [key]}
    )
    r["logs"] = resource(
        "aws:cloudwatch/logGroup:LogGroup",
        "logs",
        {"kmsKeyId": KEY_ARN, "retentionInDays": 30},
        deps=kms,
    )
    # The groups AWS would create for the stack's exports, function and task, declared under
    # AWS's names (deploy-log-groups-declared).
    for i, group in enumerate(
        [
            "/aws/rds/instance/db-primary/error",
            "/aws/rds/instance/db-primary/slowquery",
            "/aws/rds/cluster/aurora/audit",
            "/aws/rds/cluster/aurora/error",
            "/aws/redshift/cluster/warehouse/connectionlog",
            "/aws/redshift/cluster/warehouse/useractivitylog",
            "/aws/redshift/cluster/warehouse/userlog",
            "/aws/lambda/processor",
            "dms-tasks-migration",
        ]
    ):
        r[f"aws-logs-{i}"] = resource(
            "aws:cloudwatch/logGroup:LogGroup",
            f"aws-logs-{i}",
            {"name": group, "kmsKeyId": KEY_ARN, "retentionInDays": 30},
            deps=kms,
        )
    r["mapping"] = resource(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "mapping",
        {
            "eventSourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/x",
            "bisectBatchOnFunctionError": True,
            "maximumRetryAttempts": 5,
            "destinationConfig": {"onFailure": {"destinationArn": "arn:aws:sqs:::dlq"}},
        },
    )
    r["sg"] = resource(
        "aws:ec2/securityGroup:SecurityGroup",
        "sg",
        {
            "ingress": [
                {
                    "fromPort": 3306,
                    "toPort": 3306,
                    "protocol": "tcp",
                    "cidrBlocks": ["10.0.0.0/16"],
                    "description": "MySQL from the VPC",
                }
            ]
        },
    )
    r["sg-rule"] = resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "sg-rule",
        {"fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.0.0.0/16", "description": "from VPC"},
    )
    watched = ["primary", "replica", "cluster", "table", "redis", "warehouse", "dms"]
    for name in watched:
        r[f"alarm-{name}"] = resource(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"alarm-{name}",
            {"dimensions": {"Id": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}},
            deps={"dimensions": [r[name]]},
        )
    relations(r)
    backups(r)
    return r


# (policy, resource in the baseline, input changes; None removes an input)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("rds-instance-storage-encrypted", "primary", {"storageEncrypted": False}),
    ("rds-cluster-storage-encrypted", "cluster", {"storageEncrypted": None}),
    ("rds-instance-customer-managed-key", "primary", {"kmsKeyId": None}),
    ("rds-cluster-customer-managed-key", "cluster", {"kmsKeyId": None}),
    ("rds-not-publicly-accessible", "primary", {"publiclyAccessible": True}),
    ("rds-not-publicly-accessible", "reader", {"publiclyAccessible": True}),
    ("rds-instance-deletion-protection", "primary", {"deletionProtection": False}),
    ("rds-cluster-deletion-protection", "cluster", {"deletionProtection": False}),
    ("rds-final-snapshot", "primary", {"skipFinalSnapshot": True}),
    ("rds-final-snapshot", "cluster", {"finalSnapshotIdentifier": None}),
    ("rds-backup-retention", "primary", {"backupRetentionPeriod": 0}),
    ("rds-backup-retention", "cluster", {"backupRetentionPeriod": 3}),
    ("rds-instance-multi-az", "primary", {"multiAz": False}),
    ("rds-instance-iam-auth", "primary", {"iamDatabaseAuthenticationEnabled": False}),
    ("rds-cluster-iam-auth", "cluster", {"iamDatabaseAuthenticationEnabled": None}),
    ("rds-instance-log-exports", "primary", {"enabledCloudwatchLogsExports": []}),
    ("rds-cluster-log-exports", "cluster", {"enabledCloudwatchLogsExports": None}),
    ("rds-performance-insights", "primary", {"performanceInsightsEnabled": False}),
    ("rds-performance-insights-cmk", "writer", {"performanceInsightsKmsKeyId": None}),
    ("rds-enhanced-monitoring", "primary", {"monitoringInterval": 0}),
    ("rds-enhanced-monitoring", "writer", {"monitoringInterval": None}),
    ("rds-database-insights", "primary", {"databaseInsightsMode": "standard"}),
    ("rds-database-insights", "cluster", {"databaseInsightsMode": None}),
    ("rds-auto-minor-version-upgrade", "primary", {"autoMinorVersionUpgrade": False}),
    ("rds-instance-copy-tags-to-snapshot", "primary", {"copyTagsToSnapshot": False}),
    ("rds-cluster-copy-tags-to-snapshot", "cluster", {"copyTagsToSnapshot": None}),
    ("rds-modern-ca-certificate", "primary", {"caCertIdentifier": "rds-ca-2019"}),
    (
        "rds-parameter-group-requires-tls",
        "pg",
        {"parameters": [{"name": "require_secure_transport", "value": "0"}]},
    ),
    ("rds-parameter-group-requires-tls", "cpg", {"parameters": []}),
    (
        "rds-parameter-group-logging",
        "pg",
        {"parameters": [{"name": "require_secure_transport", "value": "1"}]},
    ),
    (
        "rds-parameter-group-logging",
        "pg",
        {
            "parameters": [
                {"name": "require_secure_transport", "value": "1"},
                {"name": "slow_query_log", "value": "1"},
                {"name": "log_output", "value": "TABLE"},
            ]
        },
    ),
    (
        "rds-parameter-group-logging",
        "cpg",
        {
            "parameters": [
                {"name": "require_secure_transport", "value": "ON"},
                {"name": "server_audit_logging", "value": "1"},
                {"name": "server_audit_events", "value": "CONNECT"},
            ]
        },
    ),
    (
        "rds-parameter-group-logging",
        "cpg",
        {
            "parameters": [
                {"name": "require_secure_transport", "value": "ON"},
                {"name": "server_audit_logging", "value": "0"},
                {"name": "server_audit_events", "value": "CONNECT,QUERY_DCL,QUERY_DDL"},
            ]
        },
    ),
    ("dynamodb-point-in-time-recovery", "table", {"pointInTimeRecovery": {"enabled": False}}),
    ("dynamodb-customer-managed-key", "table", {"serverSideEncryption": {"enabled": True}}),
    ("dynamodb-deletion-protection", "table", {"deletionProtectionEnabled": False}),
    ("elasticache-at-rest-encryption", "redis", {"atRestEncryptionEnabled": False}),
    ("elasticache-customer-managed-key", "redis", {"kmsKeyId": None}),
    ("elasticache-in-transit-encryption", "redis", {"transitEncryptionEnabled": False}),
    ("elasticache-in-transit-encryption", "redis", {"transitEncryptionMode": "preferred"}),
    ("elasticache-auth", "redis", {"userGroupIds": None}),
    ("elasticache-rbac-user-group", "redis", {"userGroupIds": None}),
    ("elasticache-default-user-off", "redis-default-user", {"accessString": "on ~* +@all"}),
    ("elasticache-snapshot-retention", "redis", {"snapshotRetentionLimit": 0}),
    ("elasticache-multi-az-failover", "redis", {"multiAzEnabled": False}),
    ("elasticache-multi-az-failover", "redis", {"numCacheClusters": 1}),
    ("elasticache-auto-minor-version-upgrade", "redis", {"autoMinorVersionUpgrade": False}),
    ("elasticache-log-delivery", "redis", {"logDeliveryConfigurations": []}),
    ("redshift-cluster-encrypted", "warehouse", {"encrypted": False}),
    ("redshift-customer-managed-key", "warehouse", {"kmsKeyId": None}),
    ("redshift-customer-managed-key", "namespace", {"kmsKeyId": None}),
    ("redshift-not-publicly-accessible", "warehouse", {"publiclyAccessible": True}),
    ("redshift-not-publicly-accessible", "workgroup", {"publiclyAccessible": True}),
    (
        "redshift-require-ssl",
        "redshift-params",
        {"parameters": [{"name": "require_ssl", "value": "false"}]},
    ),
    (
        "redshift-user-activity-logging",
        "redshift-params",
        {"parameters": [{"name": "require_ssl", "value": "true"}]},
    ),
    (
        "redshift-user-activity-logging",
        "redshift-params",
        {
            "parameters": [
                {"name": "require_ssl", "value": "true"},
                {"name": "enable_user_activity_logging", "value": "false"},
            ]
        },
    ),
    ("redshift-enhanced-vpc-routing", "warehouse", {"enhancedVpcRouting": False}),
    ("redshift-snapshot-retention", "warehouse", {"automatedSnapshotRetentionPeriod": 0}),
    ("redshift-final-snapshot", "warehouse", {"skipFinalSnapshot": True}),
    ("redshift-version-upgrade", "warehouse", {"allowVersionUpgrade": False}),
    ("redshift-in-vpc", "warehouse", {"clusterSubnetGroupName": None}),
    ("redshift-serverless-audit-logs", "namespace", {"logExports": ["userlog"]}),
    ("redshift-non-default-database-name", "warehouse", {"databaseName": "dev"}),
    ("dms-instance-not-publicly-accessible", "dms", {"publiclyAccessible": True}),
    ("dms-instance-customer-managed-key", "dms", {"kmsKeyArn": None}),
    ("dms-instance-multi-az", "dms", {"multiAz": False}),
    ("dms-instance-auto-minor-version-upgrade", "dms", {"autoMinorVersionUpgrade": False}),
    ("dms-endpoint-customer-managed-key", "endpoint", {"kmsKeyArn": None}),
    ("dms-endpoint-ssl", "endpoint", {"sslMode": "none"}),
    ("dms-endpoint-uses-secrets-manager", "endpoint", {"secretsManagerArn": None}),
    ("dms-task-logging-and-validation", "task", {"replicationTaskSettings": "{}"}),
    ("kms-key-rotation", "key", {"enableKeyRotation": False}),
    ("kms-key-enabled", "key", {"isEnabled": False}),
    ("kms-key-deletion-window", "key", {"deletionWindowInDays": 0}),
    (
        "kms-key-policy-no-wildcard-principal",
        "key",
        {
            "policy": '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, '
            '"Action": "kms:*", "Resource": "*"}]}'
        },
    ),
    ("secretsmanager-customer-managed-key", "secret", {"kmsKeyId": None}),
    ("secretsmanager-recovery-window", "secret", {"recoveryWindowInDays": 0}),
    ("sqs-queue-encrypted", "queue", {"kmsMasterKeyId": None, "sqsManagedSseEnabled": False}),
    ("sqs-queue-customer-managed-key", "queue", {"kmsMasterKeyId": None}),
    ("sns-topic-encrypted", "topic", {"kmsMasterKeyId": None}),
    ("cloudwatch-log-group-customer-managed-key", "logs", {"kmsKeyId": None}),
    ("cloudwatch-log-group-retention", "logs", {"retentionInDays": None}),
    ("stream-processor-failure-handling", "mapping", {"maximumRetryAttempts": -1}),
    ("stream-processor-failure-handling", "mapping", {"destinationConfig": None}),
    (
        "security-group-no-public-ingress",
        "sg",
        {
            "ingress": [
                {"fromPort": 3306, "toPort": 3306, "cidrBlocks": ["0.0.0.0/0"], "description": "x"}
            ]
        },
    ),
    ("security-group-no-public-ingress", "sg-rule", {"cidrIpv4": "0.0.0.0/0"}),
    ("security-group-rule-description", "sg-rule", {"description": None}),
    ("supported-engine-version", "primary", {"engineVersion": "5.7.44"}),
    ("supported-engine-version", "redis", {"engineVersion": "6.2"}),
    ("allowed-instance-class", "primary", {"instanceClass": "db.m4.large"}),
    ("stack-kms-keys-in-use-rotate", "key", {"enableKeyRotation": False}),
    ("stack-no-plaintext-secrets", "primary", {"password": "hunter2hunter2"}),
    ("database-managed-password-no-input", "primary", {"manageMasterUserPassword": True}),
    ("database-managed-password-no-input", "cluster", {"manageMasterUserPassword": True}),
    ("database-managed-password-no-input", "warehouse", {"manageMasterPassword": True}),
    ("stack-no-plaintext-secrets", "redis", {"authToken": secret("literal-token-in-code")}),
]


def linked(r: PlannedResource, **deps: list[PlannedResource]) -> PlannedResource:
    """`r` with more property dependencies (input -> the resources its value came from)."""
    property_dependencies = dict(r.property_dependencies)
    for key, found in deps.items():
        property_dependencies[key] = [*property_dependencies.get(key, []), *(d.urn for d in found)]
    every = {u for urns in property_dependencies.values() for u in urns}
    return replace(r, property_dependencies=property_dependencies, dependencies=sorted(every))


def extended(r: PlannedResource, **inputs: Any) -> PlannedResource:
    return replace(r, inputs={**r.inputs, **inputs})


def relations(r: dict[str, PlannedResource]) -> None:
    """What the relation rules of the deployability category need to see the baseline work: the
    parameters each log export needs, the DMS task wired to its instance, endpoint, database and
    security groups, the VPC endpoints, the stream processor's chain, a subscribed alarm topic."""
    key = r["key"]
    # The log parameters are in the groups from the start (rds-parameter-group-logging and
    # redshift-user-activity-logging check them there); the CDC source adds row binlogs.
    r["pg"] = extended(
        r["pg"],
        parameters=[
            *r["pg"].inputs["parameters"],
            {"name": "binlog_format", "value": "ROW"},
            {"name": "binlog_row_image", "value": "full"},
            {"name": "binlog_checksum", "value": "NONE"},
        ],
    )
    groups = {}
    for name in ("dms-sg", "db-sg", "sm-sg", "wh-sg"):
        groups[name] = r[name] = resource(
            "aws:ec2/securityGroup:SecurityGroup", name, {"description": name}
        )

    def rule(
        kind: str, name: str, on: str, port: int, peer: str | None = None, **more: Any
    ) -> None:
        inputs = {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "description": name}
        deps = {"securityGroupId": [groups[on]]}
        if peer is not None:
            deps["referencedSecurityGroupId"] = [groups[peer]]
            inputs["referencedSecurityGroupId"] = f"sg-{peer}"
        r[name] = resource(
            f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule",
            name,
            {**inputs, "securityGroupId": f"sg-{on}", **more},
            deps=deps,
        )

    rule("Ingress", "db-in-dms", "db-sg", 3306, "dms-sg")
    rule("Egress", "dms-out-db", "dms-sg", 3306, "db-sg")
    rule("Ingress", "sm-in-dms", "sm-sg", 443, "dms-sg")
    rule("Egress", "dms-out-sm", "dms-sg", 443, "sm-sg")
    rule("Egress", "wh-out-s3", "wh-sg", 443, prefixListId="pl-63a5400a")
    r["sm-endpoint"] = resource(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "sm-endpoint",
        {
            "serviceName": "com.amazonaws.us-east-1.secretsmanager",
            "vpcEndpointType": "Interface",
            "privateDnsEnabled": True,
            "securityGroupIds": ["sg-sm-sg"],
        },
        deps={"securityGroupIds": [groups["sm-sg"]]},
    )
    r["s3-endpoint"] = resource(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "s3-endpoint",
        {
            "serviceName": "com.amazonaws.us-east-1.s3",
            "vpcEndpointType": "Gateway",
            "routeTableIds": ["rtb-0a1b2c3d4e5f60718"],
        },
    )
    r["primary"] = linked(
        extended(r["primary"], parameterGroupName="pg", vpcSecurityGroupIds=["sg-db-sg"]),
        parameterGroupName=[r["pg"]],
        vpcSecurityGroupIds=[groups["db-sg"]],
    )
    r["cluster"] = linked(
        extended(r["cluster"], dbClusterParameterGroupName="cpg"),
        dbClusterParameterGroupName=[r["cpg"]],
    )
    r["warehouse"] = linked(
        extended(
            r["warehouse"],
            clusterParameterGroupName="redshift-params",
            vpcSecurityGroupIds=["sg-wh-sg"],
            iamRoles=["arn:aws:iam::123456789012:role/copy"],
        ),
        clusterParameterGroupName=[r["redshift-params"]],
        vpcSecurityGroupIds=[groups["wh-sg"]],
    )
    r["redshift-logging"] = extended(
        r["redshift-logging"], logExports=["connectionlog", "useractivitylog", "userlog"]
    )
    r["workgroup"] = linked(
        extended(
            r["workgroup"],
            namespaceName="namespace",
            configParameters=[
                {"parameterKey": "enable_user_activity_logging", "parameterValue": "false"}
            ],
        ),
        namespaceName=[r["namespace"]],
    )
    r["secret-value"] = linked(
        extended(r["secret-value"], secretId=SECRET_ARN),
        secretId=[r["secret"]],
        secretString=[r["primary"]],
    )
    r["endpoint"] = linked(r["endpoint"], secretsManagerArn=[r["secret"]])
    r["dms"] = linked(
        extended(r["dms"], vpcSecurityGroupIds=["sg-dms-sg"]),
        vpcSecurityGroupIds=[groups["dms-sg"]],
    )
    r["task"] = linked(
        r["task"], replicationInstanceArn=[r["dms"]], sourceEndpointArn=[r["endpoint"]]
    )
    # The stream processor: its role may send to the queue the mapping parks failures in.
    r["queue"] = extended(r["queue"], name="dlq", messageRetentionSeconds=86400)
    r["role"] = resource("aws:iam/role:Role", "role", {"name": "processor"})
    r["role-policy"] = resource(
        "aws:iam/rolePolicy:RolePolicy",
        "role-policy",
        {
            "role": "processor",
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sqs:SendMessage",
                            "Resource": "arn:aws:sqs:::dlq",
                        },
                        {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": KEY_ARN},
                    ]
                }
            ),
        },
        deps={"role": [r["role"]]},
    )
    r["function"] = resource(
        "aws:lambda/function:Function",
        "function",
        {"name": "processor", "runtime": "python3.14", "kmsKeyArn": KEY_ARN},
        deps={"role": [r["role"]], "kmsKeyArn": [key]},
    )
    r["mapping"] = linked(
        extended(r["mapping"], functionName="processor"), functionName=[r["function"]]
    )
    # A subscribed alarm topic, and one nobody subscribed to (unused here).
    for name in ("alarms", "orphan"):
        r[f"{name}-topic"] = resource(
            "aws:sns/topic:Topic",
            f"{name}-topic",
            {"name": name, "kmsMasterKeyId": KEY_ARN},
            deps={"kmsMasterKeyId": [key]},
        )
    r["subscription"] = resource(
        "aws:sns/topicSubscription:TopicSubscription",
        "subscription",
        {"topic": f"{TOPIC_ARN}alarms", "protocol": "email", "endpoint": "oncall@example.com"},
        deps={"topic": [r["alarms-topic"]]},
    )
    r["alarm-notify"] = resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "alarm-notify",
        {"alarmActions": [f"{TOPIC_ARN}alarms"]},
        deps={"alarmActions": [r["alarms-topic"]]},
    )


TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:"
# The relation rules: a single-input change that makes each fire on the changed resource.
CASES += [
    (
        "deploy-rds-log-parameters",
        "primary",
        {"enabledCloudwatchLogsExports": ["error", "slowquery", "general"]},
    ),
    ("deploy-aurora-log-parameters", "cluster", {"enabledCloudwatchLogsExports": ["slowquery"]}),
    (
        "deploy-redshift-user-activity-log",
        "namespace",
        {"logExports": ["connectionlog", "userlog", "useractivitylog"]},
    ),
    ("deploy-log-groups-declared", "function", {"name": "renamed"}),
    ("deploy-log-groups-declared", "cluster", {"clusterIdentifier": None}),
    ("deploy-dlq-retention", "queue", {"messageRetentionSeconds": 1209600}),
    ("deploy-dlq-retention", "mapping", {"maximumRecordAgeInSeconds": 172800}),
    (
        "deploy-esm-destination-permissions",
        "mapping",
        {"destinationConfig": {"onFailure": {"destinationArn": "arn:aws:sqs:::elsewhere"}}},
    ),
    ("deploy-dms-cdc-source", "primary", {"backupRetentionPeriod": 0}),
    ("deploy-dms-endpoint-engine", "endpoint", {"engineName": "postgres"}),
    (
        "deploy-rotation-application",
        "secret-rotation",
        {"rotationLambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:rotation-pg"},
    ),
    # A cross-region replica runs with the engine's default parameter group unless it names one.
    (
        "rds-instance-requires-tls",
        "replica",
        {"replicateSourceDb": "arn:aws:rds:us-west-2:123456789012:db:db-primary"},
    ),
    ("deploy-rds-engine-features", "primary", {"allocatedStorage": 70000}),
    ("deploy-rds-log-exports", "primary", {"enabledCloudwatchLogsExports": ["error", "alert"]}),
    ("deploy-rds-read-replicas", "primary", {"engine": "oracle-se2"}),
    ("deploy-dms-database-paths", "endpoint", {"port": 5432}),
    ("deploy-dms-secrets-manager-path", "sm-endpoint", {"privateDnsEnabled": False}),
    ("deploy-redshift-s3-path", "s3-endpoint", {"routeTableIds": []}),
    (
        "deploy-alarm-metric-published",
        "alarm-primary",
        {
            "namespace": "AWS/RDS",
            "metricName": "CPUUtilization",
            "dimensions": {"DBInstanceId": "x"},
        },
    ),
    (
        "deploy-alarm-dimension-values",
        "alarm-redis",
        {
            "namespace": "AWS/ElastiCache",
            "metricName": "EngineCPUUtilization",
            "dimensions": {"CacheClusterId": "cache"},
        },
    ),
    (
        "deploy-alarm-dynamodb-missing-data",
        "alarm-table",
        {
            "namespace": "AWS/DynamoDB",
            "metricName": "ReadThrottleEvents",
            "dimensions": {"TableName": "orders"},
            "treatMissingData": "notBreaching",
        },
    ),
    (
        "deploy-alarm-sees-failures",
        "alarm-primary",
        {
            "namespace": "AWS/RDS",
            "metricName": "ReplicaLag",
            "dimensions": {"DBInstanceIdentifier": "db-primary"},
        },
    ),
    ("deploy-alarm-reaches-someone", "alarm-notify", {"alarmActions": [f"{TOPIC_ARN}orphan"]}),
]


BACKED_UP = ("primary", "cluster", "table", "warehouse", "namespace")


def backups(r: dict[str, PlannedResource]) -> None:
    """An AWS Backup vault on the stack key, a plan, a selection whose resources come from
    every stateful resource of the baseline (the replica is not backed up: it copies the
    primary), and the vault's job failures sent to the alarm topic."""
    key = r["key"]
    r["vault"] = resource(
        "aws:backup/vault:Vault",
        "vault",
        {"name": "dbtier-test", "kmsKeyArn": KEY_ARN},
        protect=True,
        deps={"kmsKeyArn": [key]},
    )
    r["plan"] = resource(
        "aws:backup/plan:Plan",
        "plan",
        {
            "name": "dbtier-test",
            "rules": [
                {
                    "ruleName": "daily",
                    "targetVaultName": "dbtier-test",
                    "schedule": "cron(0 6 ? * * *)",
                    "lifecycle": {"deleteAfter": 35},
                }
            ],
        },
        deps={"rules": [r["vault"]]},
    )
    r["selection"] = resource(
        "aws:backup/selection:Selection",
        "selection",
        {
            "name": "dbtier-test",
            "planId": "plan-id",
            "iamRoleArn": "arn:aws:iam::123456789012:role/backup",
            "resources": [BACKUP_ARN] * len(BACKED_UP),
        },
        deps={"planId": [r["plan"]], "resources": [r[name] for name in BACKED_UP]},
    )

    r["vault-notifications"] = resource(
        "aws:backup/vaultNotifications:VaultNotifications",
        "vault-notifications",
        {
            "backupVaultName": "dbtier-test",
            "snsTopicArn": f"{TOPIC_ARN}alarms",
            "backupVaultEvents": [
                "BACKUP_JOB_COMPLETED",
                "COPY_JOB_FAILED",
                "RESTORE_JOB_COMPLETED",
            ],
        },
        deps={"backupVaultName": [r["vault"]], "snsTopicArn": [r["alarms-topic"]]},
    )


# What a real preview shows for an ARN computed by AWS: Pulumi's unknown sentinel.
BACKUP_ARN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
CASES += [
    ("backup-vault-customer-managed-key", "vault", {"kmsKeyArn": None}),
    ("backup-vault-failure-notifications", "vault-notifications", {"backupVaultEvents": []}),
    (
        "deploy-backup-vault-events",
        "vault-notifications",
        {"backupVaultEvents": ["BACKUP_JOB_FAILED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED"]},
    ),
]
