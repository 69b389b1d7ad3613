"""The Migration's decisions without a plan: DMS names, service roles, instance, endpoints per
source and target engine, the source/target pairs refused with the keys named, task."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import botocore
import pytest

from awsdata import dms
from components.migration.config import check_endpoints, parse_migration
from components.migration.shape import (
    MigrationShape,
    migration_shape,
    regional_service,
    secrets_access_policy,
    service_roles,
    table_mappings,
    task_resource_id,
    task_settings,
)
from components.settings import ConfigError

CERT = "arn:aws:dms:us-east-1:123456789012:cert:RDSCAWALLET"


def _shape(
    target_engine: str = "aurora-mysql",
    source_engine: str = "mysql",
    source_database: str | None = "appdb",
    **raw: Any,
) -> MigrationShape:
    return migration_shape(
        parse_migration({"enabled": True, **raw}),
        "dbtier",
        "Prod",
        "migration",
        target_engine=target_engine,
        target_database="appdb",
        source_engine=source_engine,
        source_database=source_database,
    )


def test_dms_identifiers_are_per_project_stack_and_component_in_lower_case() -> None:
    shape = _shape()
    assert shape.subnet_group == {
        "replication_subnet_group_id": "dbtier-prod-migration-subnets",
        "replication_subnet_group_description": "dbtier DMS replication",
    }
    assert shape.instance["replication_instance_id"] == "dbtier-prod-migration-instance"
    assert shape.endpoints["source"]["endpoint_id"] == "dbtier-prod-migration-source"
    assert shape.endpoints["target"]["endpoint_id"] == "dbtier-prod-migration-target"
    assert shape.task["replication_task_id"] == "dbtier-prod-migration-task"
    # DMS writes the task logs to a group named after the instance.
    assert shape.task_log_groups == {"task": "dms-tasks-dbtier-prod-migration-instance"}


def test_replication_instance_is_private_and_sized_by_config() -> None:
    instance = _shape(instanceClass="dms.r6i.large", multiAz=True, allocatedStorage=100).instance
    assert instance == {
        "replication_instance_id": "dbtier-prod-migration-instance",
        "replication_instance_class": "dms.r6i.large",
        "allocated_storage": 100,
        "multi_az": True,
        "publicly_accessible": False,
        "auto_minor_version_upgrade": True,
        "preferred_maintenance_window": "sun:06:00-sun:07:00",
    }


def test_mysql_endpoints_use_tls_and_the_target_loads_without_foreign_key_checks() -> None:
    endpoints = _shape().endpoints
    assert list(endpoints) == ["source", "target"]
    assert endpoints["source"] == {
        "endpoint_id": "dbtier-prod-migration-source",
        "endpoint_type": "source",
        "engine_name": "mysql",
        "database_name": None,
        "ssl_mode": "require",
        "extra_connection_attributes": None,
    }
    assert endpoints["target"] == {
        "endpoint_id": "dbtier-prod-migration-target",
        "endpoint_type": "target",
        "engine_name": "aurora",
        "database_name": None,
        "ssl_mode": "require",
        "extra_connection_attributes": "initstmt=SET FOREIGN_KEY_CHECKS=0",
    }


def test_a_postgresql_target_names_its_database_and_takes_no_mysql_attributes() -> None:
    endpoints = _shape("aurora-postgresql").endpoints
    assert endpoints["target"]["engine_name"] == "aurora-postgresql"
    assert endpoints["target"]["database_name"] == "appdb"
    assert endpoints["target"]["extra_connection_attributes"] is None
    assert endpoints["source"]["engine_name"] == "mysql"
    assert endpoints["source"]["database_name"] is None


@pytest.mark.parametrize("migration_type", ["full-load", "cdc", "full-load-and-cdc"])
def test_task_is_created_not_started_with_the_configured_type(migration_type: str) -> None:
    # table_mappings itself: tests/unit/test_migration_component.py
    task = _shape(migrationType=migration_type, include=["appdb.%"], exclude=["appdb.tmp_%"]).task
    assert task["migration_type"] == migration_type
    assert task["start_replication_task"] is False
    assert task["table_mappings"] == table_mappings(["appdb.%"], ["appdb.tmp_%"])
    assert task["replication_task_settings"] == task_settings()


def test_task_settings_log_validate_and_truncate_before_a_reload() -> None:
    settings = json.loads(task_settings())
    assert settings["Logging"]["EnableLogging"] is True
    assert [c["Id"] for c in settings["Logging"]["LogComponents"]] == [
        "SOURCE_UNLOAD",
        "SOURCE_CAPTURE",
        "TARGET_LOAD",
        "TARGET_APPLY",
        "TASK_MANAGER",
        "VALIDATOR_EXT",
    ]
    assert settings["ValidationSettings"]["EnableValidation"] is True
    assert settings["ValidationSettings"]["ValidationMode"] == "ROW_LEVEL"
    assert settings["FullLoadSettings"]["TargetTablePrepMode"] == "TRUNCATE_BEFORE_LOAD"


def test_service_roles_only_when_the_stack_owns_them() -> None:
    assert service_roles(parse_migration({"enabled": True}), "migration") == ()
    roles = service_roles(parse_migration({"createServiceRoles": True}), "migration")
    assert [(r.resource_name, r.attachment_name, r.role_name) for r in roles] == [
        ("migration-dms-vpc-role", "migration-dms-vpc-role-policy", "dms-vpc-role"),
        (
            "migration-dms-cloudwatch-logs-role",
            "migration-dms-cloudwatch-logs-role-policy",
            "dms-cloudwatch-logs-role",
        ),
    ]
    assert roles[0].policy_arn.endswith("service-role/AmazonDMSVPCManagementRole")
    assert roles[1].policy_arn.endswith("service-role/AmazonDMSCloudWatchLogsRole")
    assert roles[0].description == "AWS DMS service role dms-vpc-role"
    assert _shape(createServiceRoles=True).service_roles == roles


def test_secrets_access_reads_exactly_the_two_secrets_and_decrypts_with_the_key() -> None:
    policy = json.loads(secrets_access_policy("arn:src", "arn:dst", "arn:key"))
    read, decrypt = policy["Statement"]
    assert read["Action"] == "secretsmanager:GetSecretValue"
    assert read["Resource"] == ["arn:src", "arn:dst"]
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == "arn:key"
    assert regional_service("eu-west-1") == "dms.eu-west-1.amazonaws.com"


def test_task_resource_id_is_the_last_part_of_the_arn() -> None:
    assert task_resource_id("arn:aws:dms:us-east-1:123456789012:task:ABCDEF") == "ABCDEF"


# -- per source engine ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["mysql", "mariadb"])
@pytest.mark.parametrize("target", ["aurora-mysql", "aurora-postgresql"])
def test_mysql_family_sources_name_their_engine_and_no_database(engine: str, target: str) -> None:
    source = _shape(target, engine).endpoints["source"]
    assert source == {
        "endpoint_id": "dbtier-prod-migration-source",
        "endpoint_type": "source",
        "engine_name": engine,
        "database_name": None,
        "ssl_mode": "require",
        "extra_connection_attributes": None,
    }


def test_a_postgresql_source_decodes_the_wal_with_test_decoding_and_a_heartbeat() -> None:
    endpoints = _shape("aurora-mysql", "postgres").endpoints
    assert endpoints["source"] == {
        "endpoint_id": "dbtier-prod-migration-source",
        "endpoint_type": "source",
        "engine_name": "postgres",
        "database_name": "appdb",
        "ssl_mode": "require",
        "extra_connection_attributes": None,
        "postgres_settings": {"plugin_name": "test-decoding", "heartbeat_enable": True},
    }
    # Into Aurora MySQL the target is as for any source.
    assert endpoints["target"]["engine_name"] == "aurora"
    assert "postgres_settings" not in endpoints["target"]


def test_postgresql_to_aurora_postgresql_keeps_booleans_boolean_on_both_endpoints() -> None:
    endpoints = _shape("aurora-postgresql", "postgres").endpoints
    assert endpoints["source"]["postgres_settings"] == {
        "plugin_name": "test-decoding",
        "heartbeat_enable": True,
        "map_boolean_as_boolean": True,
    }
    assert endpoints["target"]["postgres_settings"] == {"map_boolean_as_boolean": True}
    assert endpoints["target"]["database_name"] == "appdb"


def test_a_full_load_from_postgresql_needs_no_replication_slot() -> None:
    source = _shape("aurora-mysql", "postgres", migrationType="full-load").endpoints["source"]
    assert "postgres_settings" not in source


@pytest.mark.parametrize("engine", ["sqlserver-se", "sqlserver-ee"])
def test_sql_server_sources_read_the_named_database_over_tls(engine: str) -> None:
    source = _shape("aurora-postgresql", engine, None, sourceDatabase="sales").endpoints["source"]
    assert source == {
        "endpoint_id": "dbtier-prod-migration-source",
        "endpoint_type": "source",
        "engine_name": "sqlserver",
        "database_name": "sales",
        "ssl_mode": "require",
        "extra_connection_attributes": None,
    }


@pytest.mark.parametrize("engine", ["oracle-se2", "oracle-ee"])
def test_oracle_sources_verify_the_ca_and_log_supplementally_for_cdc(engine: str) -> None:
    source = _shape("aurora-postgresql", engine, "ORCL", sourceCertificateArn=CERT).endpoints[
        "source"
    ]
    assert source == {
        "endpoint_id": "dbtier-prod-migration-source",
        "endpoint_type": "source",
        "engine_name": "oracle",
        "database_name": "ORCL",
        "ssl_mode": "verify-ca",
        "certificate_arn": CERT,
        "extra_connection_attributes": None,
        "oracle_settings": {"add_supplemental_logging": True},
    }
    full_load = _shape(
        "aurora-mysql", engine, "ORCL", sourceCertificateArn=CERT, migrationType="full-load"
    )
    assert "oracle_settings" not in full_load.endpoints["source"]


def test_source_database_overrides_the_relational_database_except_on_mysql() -> None:
    assert (
        _shape("aurora-mysql", "postgres", sourceDatabase="sales").endpoints["source"][
            "database_name"
        ]
        == "sales"
    )
    assert (
        _shape("aurora-mysql", "mysql", sourceDatabase="sales").endpoints["source"]["database_name"]
        is None
    )


@pytest.mark.parametrize("engine", sorted(dms.SOURCE_ENGINE_NAMES))
@pytest.mark.parametrize("target", sorted(dms.TARGET_ENGINE_NAMES))
def test_every_source_dms_reads_pairs_with_every_aurora_target(engine: str, target: str) -> None:
    cfg = parse_migration(
        {
            "enabled": True,
            "sourceDatabase": "sales",
            **({"sourceCertificateArn": CERT} if engine.startswith("oracle") else {}),
        }
    )
    check_endpoints(cfg, engine, None, target)
    endpoints = _shape(target, engine, None, **_raw(cfg)).endpoints
    # Every endpoint encrypts the way DMS offers for its engine.
    for endpoint in endpoints.values():
        certificate = endpoint.get("certificate_arn") is not None
        assert (
            dms.ssl_mode_problem(endpoint["engine_name"], endpoint["ssl_mode"], certificate) is None
        )


def _raw(cfg: Any) -> dict[str, Any]:
    raw = {"sourceDatabase": cfg.source_database}
    if cfg.source_certificate_arn:
        raw["sourceCertificateArn"] = cfg.source_certificate_arn
    return raw


# -- refused pairs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "raw", "database", "keys"),
    [
        ("sqlserver-ex", {}, None, ["dbtier:relational.engine sqlserver-ex", "Express"]),
        ("sqlserver-web", {}, None, ["dbtier:relational.engine sqlserver-web", "not Web"]),
        ("oracle-ee", {}, "ORCL", ["dbtier:migration.sourceCertificateArn is required"]),
        ("oracle-se2", {}, "ORCL", ["dbtier:migration.sourceCertificateArn", "verify-ca"]),
        (
            "postgres",
            {"sourceCertificateArn": CERT},
            "appdb",
            ["dbtier:migration.sourceCertificateArn is only for an Oracle source"],
        ),
        ("sqlserver-se", {}, None, ["dbtier:migration.sourceDatabase is required"]),
        # The database DMS reads is named by the source engine's rules (the relational
        # tier's databaseName already is): length and form, and the engine's reserved words.
        ("postgres", {"sourceDatabase": "s" * 64}, None, ["dbtier:migration.sourceDatabase", "62"]),
        (
            "postgres",
            {"sourceDatabase": "select"},
            None,
            ["dbtier:migration.sourceDatabase", "reserves"],
        ),
        (
            "sqlserver-se",
            {"sourceDatabase": "backup"},
            None,
            ["dbtier:migration.sourceDatabase", "reserves"],
        ),
        (
            "oracle-ee",
            {"sourceDatabase": "SALESDATA1", "sourceCertificateArn": CERT},
            "ORCL",
            ["dbtier:migration.sourceDatabase", "7 upper-case"],
        ),
    ],
)
def test_refused_sources_name_the_keys(
    engine: str, raw: dict[str, Any], database: str | None, keys: list[str]
) -> None:
    cfg = parse_migration({"enabled": True, **raw})
    with pytest.raises(ConfigError) as refused:
        check_endpoints(cfg, engine, database, "aurora-postgresql")
    for key in keys:
        assert key in str(refused.value)


def test_a_target_that_is_not_aurora_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=re.escape("dbtier:aurora.engine aurora ")):
        check_endpoints(parse_migration({"enabled": True}), "mysql", "appdb", "aurora")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("sourceCertificateArn", "arn:aws:iam::123456789012:server-certificate/rds"),
        ("sourceDatabase", "1sales"),
    ],
)
def test_malformed_source_settings_are_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"dbtier:migration.{key} must be")):
        parse_migration({"enabled": True, key: value})


def test_dms_facts_name_engines_botocore_lists() -> None:
    models = Path(botocore.__file__).parent / "data" / "dms"
    path = next(models.glob("*/service-2.json*"))
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    model = json.loads(raw)
    listed = model["shapes"]["CreateEndpointMessage"]["members"]["EngineName"]["documentation"]
    names = {*dms.SOURCE_ENGINE_NAMES.values(), *dms.TARGET_ENGINE_NAMES.values()}
    assert all(f'"{name}"' in listed for name in names)
    assert set(model["shapes"]["PluginNameValue"]["enum"]) >= {"test-decoding"}
