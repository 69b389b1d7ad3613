"""One DynamoTable on the dbtier library, in a program that owns everything around it: its own
AWS provider (the region from the stack's aws:region) and its own KMS key.

    pulumi up --policy-pack <dbtier>/policy   # with the Pulumi CLI and AWS credentials

tests/unit/test_examples.py runs it on dbtier's mocks and has dbtier's policy pack judge it.
"""

import json

import pulumi
import pulumi_aws as aws

import dbtier

provider = aws.Provider("aws", region=aws.config.region)
account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))

# The table's key: the account administers it; CloudWatch Logs may use it for the stream
# processor's log group (dbtier encrypts that with the table's key too).
key = aws.kms.Key(
    "orders-key",
    description="orders table, its stream processor's queue and logs",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=account.account_id.apply(
        lambda account_id: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdministers",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "CloudWatchLogsEncrypt",
                        "Effect": "Allow",
                        "Principal": {"Service": f"logs.{aws.config.region}.amazonaws.com"},
                        "Action": [
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ],
                        "Resource": "*",
                    },
                ],
            }
        )
    ),
    opts=pulumi.ResourceOptions(provider=provider),
)

orders = dbtier.DynamoTable(
    "orders",
    dbtier.DynamoTableArgs(
        kms_key_arn=key.arn,
        name="Orders",
        hash_key="customerId",
        range_key="placedAt",
        attributes={"customerId": "S", "placedAt": "N", "status": "S"},
        indexes=[dbtier.IndexArgs(name="ByStatus", hash_key="status", range_key="placedAt")],
        stream="NEW_AND_OLD_IMAGES",
        stream_processor=dbtier.StreamProcessorArgs(batch_size=50),
        ttl_attribute="expiresAt",
    ),
    opts=pulumi.ResourceOptions(provider=provider),
)

pulumi.export("tableName", orders.table_name)
pulumi.export("tableArn", orders.arn)
pulumi.export("streamProcessor", orders.processor_function)
pulumi.export("readPolicy", orders.policies["read"])
