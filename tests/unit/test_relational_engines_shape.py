"""What the RelationalTier decides for each RDS engine (components.relational.shape and the
engine tables of components.rds_shape), from parsed config alone: no plan, no mocks."""

from __future__ import annotations

from typing import Any

import pytest

from awsdata import rds_engine_rules
from components.base import ROTATION_APPS, exclude_characters, family_of
from components.rds_shape import enforced_parameters, secret_engine
from components.relational import shape
from components.relational.config import RelationalConfig, parse_relational
from components.relational.watches import engine_watches

KEY = "arn:aws:kms:us-east-1:123456789012:key/opaque"
ORACLE_EE = {"engine": "oracle-ee", "licenseModel": "bring-your-own-license"}


def relational(**raw: Any) -> RelationalConfig:
    return parse_relational(raw, "us-east-1")


def names(parameters: list[dict[str, str]]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in parameters}


@pytest.mark.parametrize(
    ("raw", "family", "description", "tls"),
    [
        (
            {"engine": "mysql"},
            "mysql8.4",
            "dbtier MySQL: TLS only",
            {"require_secure_transport": "1"},
        ),
        (
            {"engine": "mariadb"},
            "mariadb11.4",
            "dbtier MariaDB: TLS only",
            {"require_secure_transport": "1"},
        ),
        (
            {"engine": "postgres"},
            "postgres17",
            "dbtier PostgreSQL: TLS only",
            {"rds.force_ssl": "1"},
        ),
        (
            {"engine": "sqlserver-ex"},
            "sqlserver-ex-17.0",
            "dbtier SQL Server Express: TLS only",
            {"rds.force_ssl": "1"},
        ),
        (
            {"engine": "sqlserver-web"},
            "sqlserver-web-16.0",
            "dbtier SQL Server Web: TLS only",
            {"rds.force_ssl": "1"},
        ),
        (
            {"engine": "sqlserver-ee"},
            "sqlserver-ee-17.0",
            "dbtier SQL Server Enterprise: TLS only",
            {"rds.force_ssl": "1"},
        ),
        (
            {"engine": "oracle-se2"},
            "oracle-se2-19",
            "dbtier Oracle Standard Edition 2: TLS by the SSL option",
            {},
        ),
        (ORACLE_EE, "oracle-ee-19", "dbtier Oracle Enterprise Edition: TLS by the SSL option", {}),
    ],
)
def test_parameter_group_per_engine(
    raw: dict[str, str], family: str, description: str, tls: dict[str, str]
) -> None:
    cfg = relational(**raw)
    args = shape.parameter_group_args(cfg, cdc_source=False)
    assert family_of(cfg.engine, cfg.engine_version) == family
    assert args["description"] == description
    assert tls.items() <= names(args["parameters"]).items()


def test_postgres_logs_slow_statements_and_ddl_and_a_user_may_tune_the_threshold() -> None:
    params = names(shape.parameter_group_args(relational(engine="postgres"), False)["parameters"])
    assert params == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "2000",
        "log_statement": "ddl",
    }
    tuned = relational(engine="postgres", parameters={"log_min_duration_statement": 500})
    assert (
        names(shape.parameter_group_args(tuned, False)["parameters"])["log_min_duration_statement"]
        == "500"
    )


@pytest.mark.parametrize(
    ("engine", "cdc", "note"),
    [
        (
            "mysql",
            {"binlog_format": "ROW", "binlog_row_image": "full", "binlog_checksum": "NONE"},
            ", row binlogs for DMS",
        ),
        (
            "mariadb",
            {"binlog_format": "ROW", "binlog_row_image": "full", "binlog_checksum": "NONE"},
            ", row binlogs for DMS",
        ),
        ("postgres", {"rds.logical_replication": "1"}, ", logical replication for DMS"),
        ("sqlserver-se", {}, ""),
    ],
)
def test_change_data_capture_parameters_per_engine(
    engine: str, cdc: dict[str, str], note: str
) -> None:
    cfg = relational(engine=engine)
    plain = enforced_parameters(engine, cdc_source=False, exports=cfg.log_exports)
    with_cdc = enforced_parameters(engine, cdc_source=True, exports=cfg.log_exports)
    assert {k: v for k, v in with_cdc.items() if k not in plain} == cdc
    assert shape.parameter_group_args(cfg, cdc_source=True)["description"].endswith(
        note or "TLS only"
    )


def test_oracle_enforces_tls_with_the_ssl_option_on_its_own_port() -> None:
    cfg = relational(**ORACLE_EE)
    sg = object()
    args = shape.option_group_args(cfg, sg)
    assert args is not None
    assert (args["engine_name"], args["major_engine_version"]) == ("oracle-ee", "19")
    assert args["options"] == [
        {
            "option_name": "SSL",
            "option_settings": [{"name": "SQLNET.SSL_VERSION", "value": "1.2"}],
            "port": 2484,
            "vpc_security_group_memberships": [sg],
        }
    ]
    assert shape.client_port(cfg) == 2484
    assert shape.connect_database(cfg) == "APPDB"


def test_the_audit_log_comes_with_the_audit_plugin_option() -> None:
    assert shape.option_group_args(relational(), "sg") is None
    for engine, major in (("mysql", "8.4"), ("mariadb", "11.4")):
        cfg = relational(engine=engine, logExports=["audit", "error"])
        args = shape.option_group_args(cfg, "sg")
        assert args is not None and args["major_engine_version"] == major
        assert args["options"] == [
            {
                "option_name": "MARIADB_AUDIT_PLUGIN",
                "option_settings": [
                    {"name": "SERVER_AUDIT_EVENTS", "value": "CONNECT,QUERY_DCL,QUERY_DDL"}
                ],
            }
        ]
        common = shape.instance_args(
            cfg,
            parameter_group_name="pg",
            security_group_id="sg",
            kms_key_arn=KEY,
            monitoring_role_arn=None,
            option_group_name="og",
        )
        assert common["option_group_name"] == "og"
        assert common["enabled_cloudwatch_logs_exports"] == ["audit", "error"]


@pytest.mark.parametrize(
    ("raw", "exports", "iam"),
    [
        ({"engine": "postgres"}, ["postgresql", "iam-db-auth-error"], True),
        ({"engine": "mariadb"}, ["error", "slowquery", "iam-db-auth-error"], True),
        ({"engine": "sqlserver-ex"}, ["error"], False),
        ({"engine": "sqlserver-se"}, ["agent", "error"], False),
        (ORACLE_EE, ["alert", "audit", "listener", "trace"], False),
    ],
)
def test_exports_and_iam_auth_per_engine(
    raw: dict[str, str], exports: list[str], iam: bool
) -> None:
    cfg = relational(**raw)
    common = shape.instance_args(
        cfg,
        parameter_group_name="pg",
        security_group_id="sg",
        kms_key_arn=KEY,
        monitoring_role_arn=None,
    )
    assert common["enabled_cloudwatch_logs_exports"] == exports
    assert common["iam_database_authentication_enabled"] is iam
    assert "option_group_name" not in common
    groups = shape.instance_log_groups(cfg, {"primary": "db-1"})["primary"]
    assert list(groups.values()) == [f"/aws/rds/instance/db-1/{log}" for log in exports]


@pytest.mark.parametrize(
    ("raw", "license_model", "db_name", "connect"),
    [
        ({"engine": "mysql"}, None, "appdb", "appdb"),
        ({"engine": "postgres"}, None, "appdb", "appdb"),
        ({"engine": "sqlserver-se"}, "license-included", None, "master"),
        ({"engine": "oracle-se2"}, "license-included", "APPDB", "APPDB"),
        (ORACLE_EE, "bring-your-own-license", "APPDB", "APPDB"),
        (
            {
                "engine": "oracle-se2",
                "licenseModel": "bring-your-own-license",
                "databaseName": "ORCL",
            },
            "bring-your-own-license",
            "ORCL",
            "ORCL",
        ),
    ],
)
def test_primary_license_and_database_per_engine(
    raw: dict[str, str], license_model: str | None, db_name: str | None, connect: str
) -> None:
    cfg = relational(**raw)
    args = shape.primary_args(cfg, "db-1", subnet_group="sn", kms_key_arn=KEY)
    assert args.get("license_model") == license_model
    assert args["db_name"] == db_name
    assert args["engine_version"] == rds_engine_rules.default_version(cfg.engine)
    assert shape.connect_database(cfg) == connect


@pytest.mark.parametrize(
    ("raw", "json_engine", "app", "length", "forbidden"),
    [
        ({"engine": "mysql"}, "mysql", "SecretsManagerRDSMySQLRotationSingleUser", 32, ""),
        ({"engine": "mariadb"}, "mariadb", "SecretsManagerRDSMariaDBRotationSingleUser", 32, ""),
        (
            {"engine": "postgres"},
            "postgres",
            "SecretsManagerRDSPostgreSQLRotationSingleUser",
            32,
            "",
        ),
        (
            {"engine": "sqlserver-ee"},
            "sqlserver",
            "SecretsManagerRDSSQLServerRotationSingleUser",
            32,
            "",
        ),
        ({"engine": "oracle-se2"}, "oracle", "SecretsManagerRDSOracleRotationSingleUser", 30, "&'"),
    ],
)
def test_passwords_secret_and_rotation_per_engine(
    raw: dict[str, str], json_engine: str, app: str, length: int, forbidden: str
) -> None:
    cfg = relational(**raw)
    special, size = shape.password_args(cfg)
    assert size == length
    assert not set('/"@ ' + forbidden) & set(special)
    assert set('/"@' + forbidden) <= set(exclude_characters(special))
    assert secret_engine(cfg.engine) == json_engine
    assert ROTATION_APPS[json_engine] == app


def test_engine_alarms() -> None:
    dims = {"DBInstanceIdentifier": "db-1"}
    pg = [w.metric for w in engine_watches(relational(engine="postgres"), dims, cdc_source=False)]
    assert pg == ["MaximumUsedTransactionIDs"]
    cdc = engine_watches(relational(engine="postgres", allocatedStorage=100), dims, cdc_source=True)
    assert [w.metric for w in cdc] == ["MaximumUsedTransactionIDs", "ReplicationSlotDiskUsage"]
    assert cdc[1].threshold == 25 * 1024**3
    assert [w.metric for w in engine_watches(relational(**ORACLE_EE), dims, False)] == ["SwapUsage"]
    assert engine_watches(relational(engine="sqlserver-se"), dims, True) == []
    assert engine_watches(relational(), dims, True) == []
