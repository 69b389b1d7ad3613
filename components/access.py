"""Least-privilege IAM policy documents that the stack exports for applications, and the COPY
role's own policy.

The documents are pure functions of ARNs and names, so each is unit-tested as plain JSON; the
components feed them resolved outputs (`Output.all(...).apply`). Every document is compact JSON:
it travels in the stack outputs, where a reader attaches it to its own role as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

VERSION = "2012-10-17"

# IAM database authentication: `rds-db:connect` on `dbuser:<resource id>/<user>`, where the
# resource id is the instance's DbiResourceId or, for Aurora, the cluster's resource id:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
RDS_CONNECT = "rds-db:connect"

# DynamoDB data-plane actions, by what an application does with a table. Query and Scan also
# run on the table's indexes, named by their own ARNs (`<table arn>/index/<name>`):
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html
DYNAMO_READ = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
]
DYNAMO_WRITE = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
]
DYNAMO_STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
# ListStreams takes no resource ARN (the Service Authorization Reference lists no resource type
# for it), so it can only be granted on "*"; it reveals stream ARNs, never records.
DYNAMO_LIST_STREAMS = "dynamodb:ListStreams"
# A table encrypted with a customer managed key: DynamoDB uses the key as the calling principal
# (the key policy grants use "via dynamodb" to principals IAM allows), to decrypt the table key
# on reads and stream reads and to protect what a write stores:
# https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
DYNAMO_KMS_READ = ["kms:Decrypt"]
DYNAMO_KMS_WRITE = ["kms:Decrypt", "kms:GenerateDataKey"]

# COPY reads objects and lists keys under a prefix; nothing else on S3:
# https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service.html
S3_GET = "s3:GetObject"
S3_LIST = "s3:ListBucket"


Where = tuple[str, str, str]
"""(partition, region, account id), as `account_of` resolves it."""


def account_of(owner: pulumi.Resource) -> pulumi.Output[Where]:
    """(partition, region, account id) where `owner` deploys: what an ARN built by hand needs."""
    invoke = pulumi.InvokeOutputOptions(parent=owner)
    return pulumi.Output.all(
        aws.get_partition_output(opts=invoke).partition,
        aws.get_region_output(opts=invoke).region,
        aws.get_caller_identity_output(opts=invoke).account_id,
    ).apply(tuple)


def document(statements: Sequence[dict[str, Any]]) -> str:
    """An IAM policy document as compact JSON."""
    return json.dumps({"Version": VERSION, "Statement": list(statements)}, separators=(",", ":"))


def rds_connect_arn(where: Where, resource_id: str, user: str) -> str:
    """The `rds-db:connect` resource of database user `user` on the instance or cluster whose
    resource id (DbiResourceId, or the Aurora cluster resource id) is `resource_id`, in the
    partition, region and account `where`."""
    partition, region, account = where
    return f"arn:{partition}:rds-db:{region}:{account}:dbuser:{resource_id}/{user}"


def rds_connect_policy(connect_arns: Sequence[str]) -> str:
    """Connect as the IAM database user to exactly these databases, and nothing else."""
    return document(
        [
            {
                "Sid": "ConnectAsIamDatabaseUser",
                "Effect": "Allow",
                "Action": RDS_CONNECT,
                "Resource": list(connect_arns),
            }
        ]
    )


def _via_dynamodb(actions: list[str], key_arn: str, region: str) -> dict[str, Any]:
    return {
        "Sid": "UseTableKeyThroughDynamoDB",
        "Effect": "Allow",
        "Action": actions,
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
    }


def dynamo_policies(
    table_arn: str,
    indexes: Sequence[str],
    stream_arn: str | None,
    key_arn: str,
    region: str,
) -> dict[str, str]:
    """`read`, `write` and (with a stream) `streamRead` documents for one table encrypted with
    the customer managed key `key_arn`."""
    index_arns = [f"{table_arn}/index/{name}" for name in indexes]
    read = document(
        [
            {
                "Sid": "ReadTableAndIndexes",
                "Effect": "Allow",
                "Action": DYNAMO_READ,
                "Resource": [table_arn, *index_arns],
            },
            _via_dynamodb(DYNAMO_KMS_READ, key_arn, region),
        ]
    )
    write = document(
        [
            {"Sid": "WriteTable", "Effect": "Allow", "Action": DYNAMO_WRITE, "Resource": table_arn},
            _via_dynamodb(DYNAMO_KMS_WRITE, key_arn, region),
        ]
    )
    policies = {"read": read, "write": write}
    if stream_arn:
        policies["streamRead"] = document(
            [
                {
                    "Sid": "ReadTableStream",
                    "Effect": "Allow",
                    "Action": DYNAMO_STREAM_READ,
                    "Resource": stream_arn,
                },
                {
                    "Sid": "FindStreams",
                    "Effect": "Allow",
                    "Action": DYNAMO_LIST_STREAMS,
                    "Resource": "*",
                },
                _via_dynamodb(DYNAMO_KMS_READ, key_arn, region),
            ]
        )
    return policies


def split_source(source: str) -> tuple[str, str]:
    """`bucket` or `bucket/prefix` as (bucket, prefix); the prefix is "" for a whole bucket."""
    bucket, _, prefix = source.partition("/")
    return bucket, prefix


def copy_policy(partition: str, sources: Sequence[str], key_arns: Sequence[str]) -> str | None:
    """The COPY role's permissions: read the objects under each source and list only those
    keys; decrypt with `key_arns` (SSE-KMS customer keys of the sources) only through S3.

    None without sources: the role then holds no permission at all.
    """
    if not sources:
        return None
    objects: list[str] = []
    listing: list[dict[str, Any]] = []
    for source in sources:
        bucket, prefix = split_source(source)
        objects.append(f"arn:{partition}:s3:::{bucket}/{prefix}*")
        # ListBucket is a bucket action: the prefix is a condition on the request, not the ARN.
        statement: dict[str, Any] = {
            "Sid": f"ListSource{len(listing)}",
            "Effect": "Allow",
            "Action": S3_LIST,
            "Resource": f"arn:{partition}:s3:::{bucket}",
        }
        if prefix:
            statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        listing.append(statement)
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadSourceObjects", "Effect": "Allow", "Action": S3_GET, "Resource": objects},
        *listing,
    ]
    if key_arns:
        statements.append(
            {
                "Sid": "DecryptSourceObjectsThroughS3",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": list(key_arns),
                "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
            }
        )
    return document(statements)
