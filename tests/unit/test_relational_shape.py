"""What the RelationalTier decides (components.relational.shape) and what it shares with Aurora
(components.rds_shape), from parsed config alone: no plan, no mocks."""

from __future__ import annotations

from typing import Any

import pytest

from components.credentials import CredentialsConfig
from components.rds_shape import (
    CA_CERT,
    enforced_parameters,
    ignored_password,
    insights_args,
    master_credentials,
    monitoring_args,
    secret_engine,
)
from components.relational import shape
from components.relational.config import RelationalConfig, parse_relational

KEY = "arn:aws:kms:us-east-1:123456789012:key/opaque"


def relational(**raw: Any) -> RelationalConfig:
    return parse_relational(raw)


def by_name(parameters: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {p["name"]: p for p in parameters}


def test_mysql_enforces_tls_and_the_slow_query_log_in_that_order() -> None:
    assert list(enforced_parameters("mysql").items()) == [
        ("require_secure_transport", "1"),
        ("slow_query_log", "1"),
        ("long_query_time", "2"),
        ("log_output", "FILE"),
    ]


def test_a_migration_source_also_enforces_row_binlogs() -> None:
    params = enforced_parameters("mysql", cdc_source=True)
    assert params["binlog_format"] == "ROW"
    assert params["binlog_row_image"] == "full"
    assert params["binlog_checksum"] == "NONE"
    assert "binlog_format" not in enforced_parameters("mysql")


def test_parameter_group_says_what_it_enforces() -> None:
    cfg = relational()
    plain = shape.parameter_group_args(cfg, cdc_source=False)
    cdc = shape.parameter_group_args(cfg, cdc_source=True)
    assert plain["description"] == "dbtier MySQL: TLS only"
    assert cdc["description"] == "dbtier MySQL: TLS only, row binlogs for DMS"
    assert by_name(plain["parameters"])["require_secure_transport"] == {
        "name": "require_secure_transport",
        "value": "1",
        "apply_method": "pending-reboot",
    }
    assert "binlog_format" in by_name(cdc["parameters"])
    assert "binlog_format" not in by_name(plain["parameters"])


def test_user_parameters_tune_and_add_but_never_replace_enforced_ones() -> None:
    cfg = relational(
        parameters={
            "long_query_time": {"value": 5, "applyMethod": "immediate"},
            "max_connections": 80,
        }
    )
    params = by_name(shape.parameter_group_args(cfg, cdc_source=False)["parameters"])
    assert params["long_query_time"] == {
        "name": "long_query_time",
        "value": "5",
        "apply_method": "immediate",
    }
    assert params["max_connections"]["value"] == "80"
    assert params["require_secure_transport"]["value"] == "1"


def test_roles_identifiers_and_log_groups_per_instance() -> None:
    cfg = relational(readReplicas=2)
    assert shape.roles(cfg) == ["primary", "replica-1", "replica-2"]
    ids = shape.identifiers(cfg, "DbTier", "Prod", "relational")
    assert ids == {
        "primary": "dbtier-prod-relational-primary",
        "replica-1": "dbtier-prod-relational-replica-1",
        "replica-2": "dbtier-prod-relational-replica-2",
    }
    groups = shape.instance_log_groups(cfg, ids)
    assert list(groups) == ["primary", "replica-1", "replica-2"]
    assert groups["replica-2"] == {
        "replica-2-error": "/aws/rds/instance/dbtier-prod-relational-replica-2/error",
        "replica-2-slowquery": "/aws/rds/instance/dbtier-prod-relational-replica-2/slowquery",
        "replica-2-iam-db-auth-error": (
            "/aws/rds/instance/dbtier-prod-relational-replica-2/iam-db-auth-error"
        ),
    }


def test_instance_args_every_instance_shares() -> None:
    cfg = relational(instanceClass="db.m7g.large", backupRetentionDays=14, monitoringInterval=30)
    group, sg, role = object(), object(), object()
    args = shape.instance_args(
        cfg,
        parameter_group_name=group,
        security_group_id=sg,
        kms_key_arn=KEY,
        monitoring_role_arn=role,
    )
    assert args["instance_class"] == "db.m7g.large"
    assert args["parameter_group_name"] is group
    assert args["vpc_security_group_ids"] == [sg]
    assert args["publicly_accessible"] is False
    assert args["iam_database_authentication_enabled"] is True
    assert args["enabled_cloudwatch_logs_exports"] == ["error", "slowquery", "iam-db-auth-error"]
    assert args["ca_cert_identifier"] == CA_CERT == "rds-ca-rsa2048-g1"
    assert args["backup_retention_period"] == 14
    assert args["backup_window"] == "03:00-04:00"
    assert args["maintenance_window"] == "sun:04:30-sun:05:30"
    assert args["storage_type"] == "gp3"
    assert args["deletion_protection"] is True
    # db.m7g.large supports Performance Insights, so it is on by default, under the stack key.
    assert args["performance_insights_enabled"] is True
    assert args["performance_insights_kms_key_id"] == KEY
    assert args["performance_insights_retention_period"] == 7
    assert (args["monitoring_interval"], args["monitoring_role_arn"]) == (30, role)


def test_no_performance_insights_on_the_default_micro_class() -> None:
    args = shape.instance_args(
        relational(),
        parameter_group_name="g",
        security_group_id="sg",
        kms_key_arn=KEY,
        monitoring_role_arn=None,
    )
    assert args["performance_insights_enabled"] is False
    assert args["performance_insights_kms_key_id"] is None
    assert args["performance_insights_retention_period"] is None


def test_primary_args() -> None:
    cfg = relational(
        multiAz=True,
        allocatedStorage=50,
        maxAllocatedStorage=0,
        databaseName="shop",
        username="owner",
        engineLifecycleSupport="open-source-rds-extended-support-disabled",
    )
    subnets = object()
    args = shape.primary_args(cfg, "id-primary", subnet_group=subnets, kms_key_arn=KEY)
    assert args["identifier"] == "id-primary"
    assert (args["engine"], args["engine_version"]) == ("mysql", "8.4")
    assert args["allocated_storage"] == 50
    assert args["max_allocated_storage"] is None  # 0: storage autoscaling off
    assert (args["storage_encrypted"], args["kms_key_id"]) == (True, KEY)
    assert args["multi_az"] is True
    assert args["db_subnet_group_name"] is subnets
    assert (args["db_name"], args["username"]) == ("shop", "owner")
    assert args["engine_lifecycle_support"] == "open-source-rds-extended-support-disabled"
    assert args["database_insights_mode"] == "standard"
    assert args["skip_final_snapshot"] is False
    assert args["delete_automated_backups"] is False
    default = shape.primary_args(relational(), "p", subnet_group="s", kms_key_arn=KEY)
    assert default["max_allocated_storage"] == 100


def test_replica_args_name_the_source_and_keep_no_final_snapshot() -> None:
    source = object()
    args = shape.replica_args(relational(readReplicas=1, replicaMultiAz=True), "id-r1", source)
    assert args == {
        "identifier": "id-r1",
        "replicate_source_db": source,
        "multi_az": True,
        "skip_final_snapshot": True,
    }
    # Replicas follow the primary's Multi-AZ setting unless config says otherwise.
    assert shape.replica_args(relational(multiAz=True), "r", source)["multi_az"] is True
    assert shape.replica_args(relational(), "r", source)["multi_az"] is False


def test_replica_zones_come_from_config_then_the_subnet_group() -> None:
    subnet_zones = object()
    named = relational(readReplicas=2, replicaAvailabilityZones=["us-east-1b", "us-east-1c"])
    assert shape.replica_zones(named, subnet_zones) == ["us-east-1b", "us-east-1c"]
    assert shape.replica_zones(relational(readReplicas=2), subnet_zones) is subnet_zones
    assert shape.replica_zones(relational(readReplicas=2), None) is None
    # Multi-AZ replicas: RDS places them, whatever zones are known.
    assert shape.replica_zones(relational(replicaMultiAz=True), subnet_zones) is None


def test_replicas_round_robin_over_the_zones() -> None:
    zones = ["us-east-1a", "us-east-1b"]
    assert [shape.replica_zone(i, zones) for i in range(3)] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1a",
    ]
    assert shape.replica_zone(0, []) is None


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("managed", {"manage_master_user_password": True, "master_user_secret_kms_key_id": KEY}),
        ("generated", {"password": "initial"}),
    ],
)
def test_master_credentials(mode: str, expected: dict[str, object]) -> None:
    creds = relational(credentials={"mode": mode}).credentials
    password = None if creds.managed else "initial"
    assert master_credentials(creds, KEY, password, argument="password") == expected


def test_the_initial_password_is_ignored_only_once_a_function_rotates_it() -> None:
    assert ignored_password(CredentialsConfig("generated", 30), "password") == ["password"]
    assert ignored_password(CredentialsConfig("generated", 0), "password") is None
    # Managed: RDS rotates, and there is no password input to ignore.
    assert ignored_password(CredentialsConfig("managed", 30), "password") is None


def test_shared_insights_and_monitoring_args() -> None:
    assert insights_args(True, 465, KEY) == {
        "performance_insights_enabled": True,
        "performance_insights_kms_key_id": KEY,
        "performance_insights_retention_period": 465,
    }
    assert monitoring_args(None, 0) == {"monitoring_interval": 0, "monitoring_role_arn": None}


def test_secret_engine_is_what_the_rotation_function_expects() -> None:
    assert secret_engine("mysql") == "mysql"
