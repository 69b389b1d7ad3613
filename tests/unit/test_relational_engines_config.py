"""`dbtier:relational` per RDS engine: each engine's defaults, and what an engine or edition
cannot do refused with one message naming the key (no plan: config parsing only)."""

from __future__ import annotations

from typing import Any

import pytest

from awsdata import rds_engine_rules
from components.relational.config import parse_relational
from components.settings import ConfigError
from components.stack_config import parse

REGION = "us-east-1"
ORACLE_EE = {"engine": "oracle-ee", "licenseModel": "bring-your-own-license"}


@pytest.mark.parametrize(
    ("engine", "instance_class", "database", "license_model"),
    [
        ("mysql", "db.t4g.micro", "appdb", "general-public-license"),
        ("postgres", "db.t4g.micro", "appdb", "postgresql-license"),
        ("mariadb", "db.t4g.micro", "appdb", "general-public-license"),
        ("sqlserver-ex", "db.t3.micro", None, "license-included"),
        ("sqlserver-web", "db.t3.small", None, "license-included"),
        ("sqlserver-se", "db.m6i.large", None, "license-included"),
        ("oracle-se2", "db.t3.small", "APPDB", "license-included"),
    ],
)
def test_each_engine_plans_from_its_name_alone(
    engine: str, instance_class: str, database: str | None, license_model: str
) -> None:
    cfg = parse_relational({"engine": engine}, REGION)
    assert cfg.engine_version == rds_engine_rules.default_version(engine)
    assert cfg.instance_class == instance_class
    assert cfg.database_name == database
    assert cfg.license_model == license_model
    assert cfg.iam_auth is (engine in ("mysql", "postgres", "mariadb"))


def test_oracle_ee_with_its_own_license_and_replicas_on_a_two_vcpu_class() -> None:
    cfg = parse_relational(
        {**ORACLE_EE, "instanceClass": "db.m6i.large", "readReplicas": 2, "multiAz": True}, REGION
    )
    assert (cfg.license_model, cfg.read_replicas, cfg.multi_az) == (
        "bring-your-own-license",
        2,
        True,
    )


def test_sql_server_keeps_a_managed_password_with_replicas() -> None:
    cfg = parse_relational(
        {
            "engine": "sqlserver-ee",
            "instanceClass": "db.m6i.xlarge",
            "readReplicas": 2,
            "credentials": {"mode": "managed"},
        },
        REGION,
    )
    assert cfg.credentials.managed and cfg.read_replicas == 2


REFUSED: list[tuple[dict[str, Any], str]] = [
    # A version of another engine.
    (
        {"engine": "postgres", "engineVersion": "8.4"},
        "dbtier:relational.engineVersion: PostgreSQL 8.4 is not offered",
    ),
    (
        {"engine": "sqlserver-se", "engineVersion": "17.6"},
        "dbtier:relational.engineVersion: SQL Server Standard 17.6 is not offered",
    ),
    (
        {**ORACLE_EE, "engineVersion": "16.00"},
        "dbtier:relational.engineVersion: Oracle Enterprise Edition 16.00 is not offered",
    ),
    # A class the engine (edition) is not offered on.
    (
        {"engine": "sqlserver-ex", "instanceClass": "db.m6i.large"},
        "dbtier:relational.instanceClass: db.m6i.large is not offered for SQL Server Express",
    ),
    (
        {"engine": "sqlserver-se", "instanceClass": "db.t4g.micro"},
        "dbtier:relational.instanceClass: db.t4g.micro is not offered for SQL Server Standard",
    ),
    # Replicas on an edition without them, or more than it has.
    (
        {"engine": "sqlserver-se", "readReplicas": 1},
        "dbtier:relational.readReplicas: SQL Server Standard has no read replicas",
    ),
    (
        {"engine": "oracle-se2", "readReplicas": 1},
        "dbtier:relational.readReplicas: Oracle Standard Edition 2 has no read replicas",
    ),
    (
        {"engine": "sqlserver-ee", "readReplicas": 6},
        "dbtier:relational.readReplicas: SQL Server Enterprise has at most 5 read replicas",
    ),
    (
        {**ORACLE_EE, "readReplicas": 1},
        "dbtier:relational.readReplicas: an Oracle replica's source needs two or more vCPUs, not db.t3.small",
    ),
    # Multi-AZ where the edition has none.
    (
        {"engine": "sqlserver-ex", "multiAz": True},
        "dbtier:relational.multiAz: SQL Server Express has no Multi-AZ deployment",
    ),
    # Database names.
    (
        {"engine": "sqlserver-se", "databaseName": "appdb"},
        "dbtier:relational.databaseName SQL Server Standard creates no database at create",
    ),
    (
        {**ORACLE_EE, "databaseName": "WAREHOUSE"},
        "dbtier:relational.databaseName must be an upper-case letter, then up to 7",
    ),
    (
        {"engine": "oracle-se2", "databaseName": "appdb"},
        "dbtier:relational.databaseName must be an upper-case letter",
    ),
    (
        {"engine": "postgres", "databaseName": "user"},
        "dbtier:relational.databaseName 'user' is a word PostgreSQL reserves",
    ),
    (
        {"engine": "mysql", "databaseName": "x" * 65},
        "dbtier:relational.databaseName must be a letter, then up to 63",
    ),
    # Reserved master users.
    (
        {"engine": "postgres", "username": "user"},
        "dbtier:relational.username 'user' is reserved by PostgreSQL",
    ),
    (
        {"engine": "sqlserver-se", "username": "sa"},
        "dbtier:relational.username 'sa' is reserved by SQL Server Standard",
    ),
    (
        {**ORACLE_EE, "username": "system"},
        "dbtier:relational.username 'system' is reserved by Oracle Enterprise Edition",
    ),
    # Licenses: bring-your-own only when asked for; nothing else on oracle-ee.
    (
        {"engine": "oracle-ee"},
        "dbtier:relational.licenseModel: Oracle Enterprise Edition has no license-included model; set licenseModel bring-your-own-license",
    ),
    (
        {"engine": "sqlserver-se", "licenseModel": "bring-your-own-license"},
        "dbtier:relational.licenseModel must be one of license-included",
    ),
    (
        {"engine": "mysql", "licenseModel": "license-included"},
        "dbtier:relational.licenseModel must be one of general-public-license",
    ),
    # IAM authentication where unsupported.
    (
        {"engine": "sqlserver-ee", "iamAuth": True},
        "dbtier:relational.iamAuth: SQL Server Enterprise has no IAM database authentication",
    ),
    (
        {"engine": "oracle-se2", "iamAuth": True},
        "dbtier:relational.iamAuth: Oracle Standard Edition 2 has no IAM database authentication",
    ),
    ({"engine": "oracle-se2", "iamUser": "app2"}, "dbtier:relational.iamUser needs iamAuth true"),
    # Storage of an edition.
    (
        {"engine": "sqlserver-se", "allocatedStorage": 20000, "maxAllocatedStorage": 0},
        "dbtier:relational.allocatedStorage: SQL Server Standard takes at most 16384 GiB",
    ),
    (
        {"engine": "sqlserver-web", "maxAllocatedStorage": 30000},
        "dbtier:relational.maxAllocatedStorage: SQL Server Web takes at most 16384 GiB",
    ),
    # Logs the engine does not write.
    (
        {"engine": "sqlserver-ex", "logExports": ["agent"]},
        "dbtier:relational.logExports[0]: SQL Server Express exports error (got agent)",
    ),
    (
        {"engine": "postgres", "logExports": ["slowquery"]},
        "dbtier:relational.logExports[0]: PostgreSQL exports postgresql, upgrade, iam-db-auth-error",
    ),
    # Managed master passwords with replicas (every engine but SQL Server).
    (
        {"engine": "postgres", "readReplicas": 1, "credentials": {"mode": "managed"}},
        "dbtier:relational.credentials.mode managed is not offered: RDS cannot create read replicas",
    ),
    # AWS's Oracle rotation function cannot reach a TLS-only Oracle.
    (
        {"engine": "oracle-se2", "credentials": {"rotationDays": 30}},
        "dbtier:relational.credentials.rotationDays: AWS's Oracle rotation function connects without TLS",
    ),
    # RDS Extended Support is MySQL's and PostgreSQL's.
    (
        {
            "engine": "mariadb",
            "engineLifecycleSupport": "open-source-rds-extended-support-disabled",
        },
        "dbtier:relational.engineLifecycleSupport: RDS Extended Support applies to MySQL and PostgreSQL only",
    ),
    # Enforced TLS per engine.
    (
        {"engine": "postgres", "parameters": {"rds.force_ssl": 0}},
        "dbtier:relational.parameters.rds.force_ssl is enforced by dbtier (TLS)",
    ),
    (
        {"engine": "postgres", "parameters": {"log_statement": "none"}},
        "dbtier:relational.parameters.log_statement is enforced by dbtier (logging)",
    ),
]


@pytest.mark.parametrize(
    ("raw", "message"),
    REFUSED,
    ids=[m.split(":")[1][:40] + str(i) for i, (_, m) in enumerate(REFUSED)],
)
def test_refused_naming_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_relational(raw, REGION)
    assert message in str(error.value)


def test_a_migration_reading_postgres_enforces_logical_replication() -> None:
    raw = {
        "dbtier:relational": {"engine": "postgres", "parameters": {"rds.logical_replication": 0}},
        "dbtier:migration": {"enabled": True},
    }
    with pytest.raises(ConfigError, match=r"parameters\.rds\.logical_replication is enforced"):
        parse(raw, region=REGION)
