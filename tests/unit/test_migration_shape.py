"""The Migration's decisions without a plan: DMS names, service roles, instance, endpoints, task."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.migration.config import parse_migration
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


def _shape(target_engine: str = "aurora-mysql", **raw: Any) -> MigrationShape:
    return migration_shape(
        parse_migration({"enabled": True, **raw}),
        "dbtier",
        "Prod",
        "migration",
        target_engine=target_engine,
        target_database="appdb",
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
