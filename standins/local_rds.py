"""The RDS side of a local run on moto's server: the instance and cluster a stack's outputs name,
so that the RDS API calls of ``python -m workloads restore-drill`` have a source to restore.

``seed_rds`` makes, in moto, what dbtier's network and components make in AWS: a VPC with two
subnets, a security group, a KMS key (the stack key), a DB subnet group, the relational primary
(encrypted, with backups) and the Aurora Serverless v2 cluster with its writer, and writes their
identifiers into the outputs (``relational.instanceIds``, ``aurora.clusterId``) as a deployed
stack exports them. ``enable_pitr`` turns on point-in-time recovery for a local DynamoDB table.
The data itself stays on the local engines: the drill's local stand-in copies it there.

As a command, around a local run's outputs (``standins.local_outputs``), with moto's server
started on a free port and stopped after the command, whose exit status it returns:

    .venv/bin/python -m standins.local_rds out/local-outputs.json out/local-rds.json -- \\
        .venv/bin/python -m workloads restore-drill --outputs out/local-rds.json --target relational

The command runs with ``AWS_ENDPOINT_URL_RDS`` pointing at moto and dummy AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from contract.outputs import camel
from standins.local_dynamo import moto_server

REGION = "us-east-1"
SERVERLESS_RANGE = {"MinCapacity": 0.5, "MaxCapacity": 2.0}


def _client(service: str, endpoint_url: str, region: str) -> Any:
    # moto accepts any credentials; fixed ones keep a real profile out of a local run.
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 -- moto's dummy
    )


def _network(endpoint_url: str, region: str, name: str) -> tuple[str, str, str]:
    """A VPC with two subnets, a security group and a KMS key; (subnet group, group, key)."""
    ec2 = _client("ec2", endpoint_url, region)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{region}{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName=f"{name}-db", Description="db", VpcId=vpc)
    key = _client("kms", endpoint_url, region).create_key()["KeyMetadata"]["Arn"]
    _client("rds", endpoint_url, region).create_db_subnet_group(
        DBSubnetGroupName=f"{name}-db",
        DBSubnetGroupDescription="dbtier local",
        SubnetIds=subnets,
    )
    return f"{name}-db", group["GroupId"], key


def seed_rds(
    endpoint_url: str, outputs: dict[str, Any], name: str, region: str = REGION
) -> dict[str, Any]:
    """Create the outputs' relational instance and Aurora cluster in moto (named ``name-...``,
    ``name`` letters, digits and hyphens); the outputs with their identifiers."""
    subnet_group, group, key = _network(endpoint_url, region, name)
    rds = _client("rds", endpoint_url, region)
    placed = {
        "DBSubnetGroupName": subnet_group,
        "VpcSecurityGroupIds": [group],
        "StorageEncrypted": True,
        "KmsKeyId": key,
        "BackupRetentionPeriod": 7,
    }
    relational = outputs.get("relational")
    if relational is not None:
        identifier = f"{name}-relational-primary"
        rds.create_db_instance(
            DBInstanceIdentifier=identifier,
            Engine=relational["engine"],
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            MasterUsername=relational["username"],
            MasterUserPassword=relational["password"],
            DBName=relational["databaseName"],
            **placed,
        )
        relational[camel("instance_ids")] = [identifier]
    aurora = outputs.get("aurora")
    if aurora is not None:
        cluster = f"{name}-aurora-cluster"
        rds.create_db_cluster(
            DBClusterIdentifier=cluster,
            Engine=aurora["engine"],
            MasterUsername=aurora["username"],
            MasterUserPassword=aurora["password"],
            DatabaseName=aurora["databaseName"],
            ServerlessV2ScalingConfiguration=SERVERLESS_RANGE,
            **placed,
        )
        rds.create_db_instance(
            DBInstanceIdentifier=f"{cluster}-writer",
            DBClusterIdentifier=cluster,
            DBInstanceClass="db.serverless",
            Engine=aurora["engine"],
        )
        aurora[camel("cluster_id")] = cluster
    return outputs


def enable_pitr(endpoint_url: str, table: str, region: str = REGION) -> None:
    """Point-in-time recovery on for ``table`` (the components turn it on in AWS)."""
    _client("dynamodb", endpoint_url, region).update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", help="a local run's outputs (python -m standins.local_outputs)")
    parser.add_argument("write", help="where to write them with the RDS identifiers")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command after --")
    with moto_server() as url:
        outputs = json.loads(Path(args.outputs).read_text(encoding="utf-8"))
        seed_rds(url, outputs, "dbtier-local")
        fd = os.open(args.write, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it has passwords
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(outputs, handle, indent=2)
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_RDS": url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
        }
        print(f"local_rds: moto at {url}, outputs in {args.write}", file=sys.stderr)
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
