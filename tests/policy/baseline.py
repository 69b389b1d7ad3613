"""A small stack in which every rule of the pack is satisfied: the base the rule tests mutate."""

from __future__ import annotations

import json

from policy_fixtures import resource

from preflight.plan import PlannedResource

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
        {"family": "mysql8.4", "parameters": [{"name": "require_secure_transport", "value": "1"}]},
    )
    r["cpg"] = resource(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cpg",
        {
            "family": "aurora-mysql8.0",
            "parameters": [{"name": "require_secure_transport", "value": "ON"}],
        },
    )
    r["primary"] = resource(
        "aws:rds/instance:Instance",
        "primary",
        {
            "identifier": "db-primary",
            "engine": "mysql",
            "engineVersion": "8.4.3",
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
            "monitoringInterval": 60,
            "copyTagsToSnapshot": True,
            "caCertIdentifier": "rds-ca-rsa2048-g1",
            "password": secret("generated-pw"),
        },
        protect=True,
        deps={"kmsKeyId": [key], "password": [pw], "performanceInsightsKmsKeyId": [key]},
    )
    primary = r["primary"]
    r["replica"] = resource(
        "aws:rds/instance:Instance",
        "replica",
        {
            "identifier": "db-replica",
            "replicateSourceDb": "db-primary",
            "instanceClass": "db.m7g.large",
            "publiclyAccessible": False,
            "performanceInsightsEnabled": True,
            "performanceInsightsKmsKeyId": KEY_ARN,
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
            "masterPassword": secret("generated-pw"),
        },
        protect=True,
        deps={"kmsKeyId": [key], "masterPassword": [pw]},
    )
    cluster = r["cluster"]
    for role in ("writer", "reader"):
        r[role] = resource(
            "aws:rds/clusterInstance:ClusterInstance",
            role,
            {
                "clusterIdentifier": "aurora",
                "instanceClass": "db.serverless",
                "publiclyAccessible": False,
                "performanceInsightsEnabled": True,
                "performanceInsightsKmsKeyId": KEY_ARN,
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
            "authToken": secret("generated-token"),
            "snapshotRetentionLimit": 7,
            "automaticFailoverEnabled": True,
            "multiAzEnabled": True,
            "logDeliveryConfigurations": [{"logType": "slow-log"}],
        },
        protect=True,
        deps={"kmsKeyId": [key], "authToken": [pw]},
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
        {"family": "redshift-2.0", "parameters": [{"name": "require_ssl", "value": "true"}]},
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
            "engineVersion": "3.5.4",
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
    return r
