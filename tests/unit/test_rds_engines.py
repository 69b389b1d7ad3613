"""The RDS engine facts (`awsdata.rds_engines`) and rules (`awsdata.rds_engine_rules`): each of
the nine engines has its port, TLS, logs, license, names, limits and rotation; versions and
classes come from cfn-lint's data; what an engine cannot do is refused with a reason."""

from __future__ import annotations

from datetime import date

import pytest

from awsdata import rds, rds_engine_rules, rds_engines, support
from awsdata.families import parameter_group_family
from awsdata.rds_reserved import reserved

ENGINES = rds_engines.ENGINES


def test_nine_engines_each_described() -> None:
    assert (
        set(ENGINES)
        == set(rds_engines.RDS_ENGINES)
        == {
            "mysql",
            "postgres",
            "mariadb",
            "sqlserver-ex",
            "sqlserver-se",
            "sqlserver-ee",
            "sqlserver-web",
            "oracle-se2",
            "oracle-ee",
        }
    )
    for name in ENGINES:
        assert rds_engines.engine(name).engine == name
        assert support.LABELS[name]


@pytest.mark.parametrize(
    ("name", "port", "client_port"),
    [
        ("mysql", 3306, 3306),
        ("mariadb", 3306, 3306),
        ("postgres", 5432, 5432),
        ("sqlserver-se", 1433, 1433),
        ("oracle-ee", 1521, 2484),
    ],
)
def test_ports(name: str, port: int, client_port: int) -> None:
    e = rds_engines.engine(name)
    assert (e.port, e.client_port) == (port, client_port)


def test_tls_the_engines_way() -> None:
    assert rds_engines.engine("mysql").tls_parameters == {"require_secure_transport": "1"}
    assert rds_engines.engine("mariadb").tls_parameters == {"require_secure_transport": "1"}
    assert rds_engines.engine("postgres").tls_parameters == {"rds.force_ssl": "1"}
    for edition in ("sqlserver-ex", "sqlserver-web", "sqlserver-se", "sqlserver-ee"):
        assert rds_engines.engine(edition).tls_parameters == {"rds.force_ssl": "1"}
    for edition in ("oracle-se2", "oracle-ee"):
        e = rds_engines.engine(edition)
        assert e.tls_parameters == {}
        assert e.tls_option is not None and e.tls_option.name == "SSL"
        assert e.tls_option.settings["SQLNET.SSL_VERSION"] == "1.2"


def test_logs_and_what_fills_them() -> None:
    mysql = rds_engines.engine("mysql")
    assert mysql.default_logs == ("error", "slowquery", "iam-db-auth-error")
    assert mysql.logs["audit"].option == rds_engines.AUDIT_PLUGIN
    assert mysql.logs["audit"].option.name == "MARIADB_AUDIT_PLUGIN"
    assert mysql.logs["slowquery"].parameters["log_output"] == "FILE"
    pg = rds_engines.engine("postgres")
    assert set(pg.logs) == {"postgresql", "upgrade", "iam-db-auth-error"}
    assert pg.logs["postgresql"].parameters["log_min_duration_statement"] == "2000"
    assert "agent" not in rds_engines.engine("sqlserver-ex").logs  # Express has no Agent
    assert rds_engines.engine("sqlserver-se").default_logs == ("agent", "error")
    assert "oemagent" not in rds_engines.engine("oracle-ee").logs


def test_licenses() -> None:
    assert rds_engines.engine("sqlserver-ex").default_license == "license-included"
    assert rds_engines.engine("oracle-se2").default_license == "license-included"
    assert rds_engines.engine("oracle-ee").default_license is None
    assert rds_engines.engine("postgres").default_license == "postgresql-license"
    assert rds_engine_rules.license_problem("oracle-ee", None) is not None
    assert "bring-your-own-license" in (rds_engine_rules.license_problem("oracle-ee", None) or "")
    assert rds_engine_rules.license_problem("oracle-ee", "bring-your-own-license") is None
    assert rds_engine_rules.license_problem("oracle-se2", "bring-your-own-license") is None
    assert rds_engine_rules.license_problem("sqlserver-se", "bring-your-own-license")
    assert rds_engine_rules.license_problem("mysql", "license-included")


def test_passwords_and_rotation() -> None:
    oracle = rds_engines.engine("oracle-se2")
    assert "&" not in oracle.password_special and oracle.password_length <= 30
    for name in ENGINES:
        e = rds_engines.engine(name)
        assert not set('/"@ ') & set(e.password_special)
        assert e.password_length >= 8
    assert {rds_engines.engine(n).json_engine for n in ENGINES} == {
        "mysql",
        "mariadb",
        "postgres",
        "sqlserver",
        "oracle",
    }
    assert (
        rds_engines.engine("mariadb").rotation_app == "SecretsManagerRDSMariaDBRotationSingleUser"
    )
    assert (
        rds_engines.engine("oracle-ee").rotation_app == "SecretsManagerRDSOracleRotationSingleUser"
    )


def test_default_versions_come_from_the_data() -> None:
    today = date(2026, 12, 6)
    for name in ENGINES:
        version = rds_engine_rules.default_version(name, today)
        assert rds.rds_version_problem(name, version) is None, name
        assert support.support_problem(name, version) is None or name == "postgres"
        assert parameter_group_family(name, version)
    assert rds_engine_rules.default_version("mysql", today) == "8.4"
    assert rds_engine_rules.default_version("oracle-ee", today) == "19"
    # SQL Server Web has no 2025 release: its newest is 2022 (16.00).
    assert rds_engine_rules.default_version("sqlserver-web", today) == "16.00"
    assert rds_engine_rules.default_version("postgres", today).startswith("17.")


def test_default_classes_are_offered() -> None:
    for name in ENGINES:
        version = rds_engine_rules.default_version(name)
        cls = rds_engine_rules.default_class(name, version)
        assert rds.rds_class_problem(name, cls, "us-east-1", version) is None, name
        assert support.generation_problem("rds", cls) is None
    assert rds_engine_rules.default_class("mysql", "8.4") == "db.t4g.micro"


def test_oracle_versions_without_cfnlint_data() -> None:
    assert rds.rds_version_problem("oracle-ee", "19") is None
    assert rds.rds_version_problem("oracle-se2", "19.0.0.0.ru-2025-10.rur-2025-10.r1") is None
    assert "not offered" in (rds.rds_version_problem("oracle-ee", "21") or "")
    assert "not offered" in (rds.rds_version_problem("oracle-ee", "8.4") or "")


def test_families_and_option_group_versions() -> None:
    assert parameter_group_family("sqlserver-ex", "16.00") == "sqlserver-ex-16.0"
    assert parameter_group_family("oracle-ee", "19") == "oracle-ee-19"
    assert rds_engines.option_group_version("sqlserver-se", "16.00.4295.3.v1") == "16.00"
    assert (
        rds_engines.option_group_version("oracle-ee", "19.0.0.0.ru-2025-10.rur-2025-10.r1") == "19"
    )
    assert rds_engines.option_group_version("mysql", "8.4.7") == "8.4"


@pytest.mark.parametrize(
    ("name", "database", "refused"),
    [
        ("mysql", "appdb", False),
        ("mysql", "select", True),
        ("postgres", "x" * 64, True),
        ("postgres", "user", True),
        ("oracle-ee", "APPDB", False),
        ("oracle-ee", "TOOLONGNAME", True),
        ("oracle-ee", "appdb", True),
        ("oracle-se2", "1DB", True),
        ("sqlserver-se", "appdb", True),
    ],
)
def test_database_names(name: str, database: str, refused: bool) -> None:
    assert (rds_engine_rules.database_name_problem(name, database) is not None) is refused


def test_reserved_users() -> None:
    assert rds_engine_rules.username_problem("mysql", "dbadmin") is None
    assert rds_engine_rules.username_problem("postgres", "user")
    assert rds_engine_rules.username_problem("sqlserver-ee", "sa")
    assert rds_engine_rules.username_problem("oracle-ee", "SYS")
    assert rds_engine_rules.username_problem("mysql", "admin")
    assert reserved("sqlserver", "TABLE", user=False)


def test_what_an_engine_cannot_do() -> None:
    rules = rds_engine_rules
    assert rules.replicas_problem("sqlserver-se", 1, "db.m6i.large")
    assert rules.replicas_problem("sqlserver-ee", 6, "db.m6i.xlarge")
    assert rules.replicas_problem("sqlserver-ee", 2, "db.m6i.xlarge") is None
    assert rules.replicas_problem("oracle-se2", 1, "db.m6i.large")
    assert rules.replicas_problem("oracle-ee", 1, "db.t3.small")
    assert rules.replicas_problem("oracle-ee", 1, "db.m6i.large") is None
    assert rules.replicas_problem("postgres", 15, "db.t4g.micro") is None
    assert rules.multi_az_problem("sqlserver-ex")
    assert rules.multi_az_problem("sqlserver-web") is None
    assert rules.iam_auth_problem("sqlserver-ee")
    assert rules.iam_auth_problem("oracle-se2")
    assert rules.iam_auth_problem("mariadb") is None
    assert rules.storage_problem("sqlserver-se", 20000)
    assert rules.storage_problem("oracle-ee", 20000) is None
    assert rules.log_export_problem("sqlserver-ex", "agent")
    assert rules.log_export_problem("postgres", "slowquery")
    assert rules.managed_password_problem("mysql", 1)
    assert rules.managed_password_problem("sqlserver-ee", 1) is None


def test_change_data_capture_needs() -> None:
    assert rds_engines.engine("mysql").cdc_parameters == {
        "binlog_format": "ROW",
        "binlog_row_image": "full",
        "binlog_checksum": "NONE",
    }
    assert rds_engines.engine("postgres").cdc_parameters == {"rds.logical_replication": "1"}
    assert rds_engines.engine("sqlserver-ex").cdc_refusal
    assert rds_engines.engine("sqlserver-web").cdc_refusal
    assert (
        rds_engines.engine("sqlserver-ee").cdc_steps
        and not rds_engines.engine("sqlserver-ee").cdc_refusal
    )
    assert rds_engines.engine("oracle-ee").cdc_steps
