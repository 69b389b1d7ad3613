"""awsdata.global_databases: which secondary regions a stack can have, which Aurora versions can
be a global database (and where), which RDS engines replicate backups across regions."""

from __future__ import annotations

import pytest

from awsdata import global_databases as g
from awsdata.regions import partition_of


@pytest.mark.parametrize(
    ("home", "region", "text"),
    [
        ("us-east-1", "us-east-1", "stack's own region"),
        ("us-east-1", "us-east-9", "not an AWS region"),
        ("us-east-1", "cn-north-1", "partition aws-cn"),
        ("cn-north-1", "eu-west-1", "partition aws,"),
        ("us-gov-west-1", "us-east-1", "share a partition"),
    ],
)
def test_a_secondary_region_must_be_real_other_and_in_the_home_partition(
    home: str, region: str, text: str
) -> None:
    problem = g.secondary_region_problem(home, region)
    assert problem is not None and text in problem


@pytest.mark.parametrize(
    ("home", "region"),
    [("us-east-1", "us-west-2"), ("cn-north-1", "cn-northwest-1"), ("eu-west-1", "us-east-1")],
)
def test_regions_of_one_partition_pair(home: str, region: str) -> None:
    assert g.secondary_region_problem(home, region) is None


def test_partitions_by_prefix() -> None:
    assert [partition_of(r) for r in ("eu-west-1", "cn-north-1", "us-gov-east-1")] == [
        "aws",
        "aws-cn",
        "aws-us-gov",
    ]
    assert partition_of("us-isob-east-1") == "aws-iso-b"


@pytest.mark.parametrize(
    ("engine", "version", "region"),
    [
        ("aurora-mysql", "8.0.mysql_aurora.3.10.0", None),
        ("aurora-mysql", "8.0.mysql_aurora.3.01.0", "us-east-1"),
        ("aurora-mysql", "5.7.mysql_aurora.2.07.0", None),
        ("aurora-mysql", "8.4.mysql_aurora.8.4.0", "eu-west-1"),
        ("aurora-postgresql", "16.4", "us-west-2"),
        ("aurora-postgresql", "13.3", None),
        ("aurora-mysql", "8.0.mysql_aurora.3.04.0", "ap-southeast-5"),
    ],
)
def test_versions_that_can_be_global(engine: str, version: str, region: str | None) -> None:
    assert g.global_database_problem(engine, version, region) is None


@pytest.mark.parametrize(
    ("engine", "version", "region", "text"),
    [
        ("aurora-mysql", "5.7.mysql_aurora.2.04.9", None, "2.07.0 or later"),
        ("aurora-postgresql", "12.3", None, "12.4 or later"),
        ("aurora-postgresql", "10.21", None, "11.9 or later"),
        ("aurora-mysql", "8.0.mysql_aurora.3.03.1", "ap-southeast-5", "in ap-southeast-5"),
        ("aurora-mysql", "8.0.mysql_aurora.3.10.0", "ap-southeast-7", "not offered in"),
        ("mysql", "8.4.7", None, "Aurora MySQL and PostgreSQL only"),
    ],
)
def test_versions_that_cannot_be_global_are_named(
    engine: str, version: str, region: str | None, text: str
) -> None:
    problem = g.global_database_problem(engine, version, region)
    assert problem is not None and text in problem


def test_cross_region_backups_cover_the_rds_engines_but_not_aurora() -> None:
    assert g.cross_region_backup_problem("postgres") is None
    assert g.cross_region_backup_problem("sqlserver-ex") is None
    problem = g.cross_region_backup_problem("aurora-mysql")
    assert problem is not None and "another region" in problem


def test_region_of_an_arn() -> None:
    assert g.region_from_arn("arn:aws:kms:eu-west-1:123456789012:key/abc") == "eu-west-1"
    assert g.region_from_arn("arn:aws:iam::123456789012:role/x") is None
    assert g.region_from_arn("alias/aws/dynamodb") is None
