"""What the ServerlessAurora decides (components.aurora.shape) and the RDS decisions it shares
(components.rds_shape), per engine, from parsed config alone: no plan, no mocks."""

from __future__ import annotations

from typing import Any

import pytest

from components.aurora import shape
from components.aurora.config import AuroraConfig, parse_aurora
from components.rds_shape import CA_CERT, enforced_parameters, master_credentials, secret_engine

KEY = "arn:aws:kms:us-east-1:123456789012:key/opaque"


def aurora(**raw: Any) -> AuroraConfig:
    return parse_aurora(raw)


def by_name(parameters: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {p["name"]: p for p in parameters}


def test_aurora_mysql_enforces_tls_audit_and_slow_query_log_in_that_order() -> None:
    assert list(enforced_parameters("aurora-mysql").items()) == [
        ("require_secure_transport", "ON"),
        ("server_audit_logging", "1"),
        ("server_audit_events", "CONNECT,QUERY_DCL,QUERY_DDL"),
        ("slow_query_log", "1"),
        ("long_query_time", "2"),
        ("log_output", "FILE"),
    ]


def test_aurora_postgresql_enforces_tls_only() -> None:
    # Its one exported log (`postgresql`) needs no parameter.
    assert enforced_parameters("aurora-postgresql") == {"rds.force_ssl": "1"}


@pytest.mark.parametrize(
    ("engine", "enforced"),
    [("aurora-mysql", "require_secure_transport"), ("aurora-postgresql", "rds.force_ssl")],
)
def test_cluster_parameter_group_per_engine(engine: str, enforced: str) -> None:
    args = shape.parameter_group_args(aurora(engine=engine, parameters={"work_mem": "64MB"}))
    assert args["description"] == "dbtier Aurora: TLS only"
    params = by_name(args["parameters"])
    assert params[enforced]["apply_method"] == "pending-reboot"
    assert params["work_mem"] == {
        "name": "work_mem",
        "value": "64MB",
        "apply_method": "pending-reboot",
    }


def test_cluster_identifier_and_its_log_groups() -> None:
    identifier = shape.cluster_identifier("DbTier", "Dev", "aurora")
    assert identifier == "dbtier-dev-aurora-cluster"
    assert shape.cluster_log_groups(aurora(), identifier) == {
        "cluster-audit": "/aws/rds/cluster/dbtier-dev-aurora-cluster/audit",
        "cluster-error": "/aws/rds/cluster/dbtier-dev-aurora-cluster/error",
        "cluster-slowquery": "/aws/rds/cluster/dbtier-dev-aurora-cluster/slowquery",
    }
    assert shape.cluster_log_groups(aurora(engine="aurora-postgresql"), identifier) == {
        "cluster-postgresql": "/aws/rds/cluster/dbtier-dev-aurora-cluster/postgresql"
    }


def test_scaling_sets_auto_pause_only_with_min_capacity_zero() -> None:
    assert shape.scaling(aurora(minCapacity=1, maxCapacity=8)) == {
        "min_capacity": 1.0,
        "max_capacity": 8.0,
    }
    assert shape.scaling(aurora(minCapacity=0, secondsUntilAutoPause=600)) == {
        "min_capacity": 0.0,
        "max_capacity": 4.0,
        "seconds_until_auto_pause": 600,
    }


def cluster_args(cfg: AuroraConfig) -> dict[str, Any]:
    return shape.cluster_args(
        cfg,
        "id",
        subnet_group="subnets",
        security_group_id="sg",
        parameter_group_name="group",
        kms_key_arn=KEY,
    )


def test_cluster_args() -> None:
    args = cluster_args(aurora(backupRetentionDays=10, databaseInsightsMode="advanced"))
    assert args["cluster_identifier"] == "id"
    assert (args["engine"], args["engine_mode"]) == ("aurora-mysql", "provisioned")
    assert args["engine_version"] == "8.0.mysql_aurora.3.10.0"
    assert args["serverlessv2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 4.0}
    assert args["vpc_security_group_ids"] == ["sg"]
    assert args["db_subnet_group_name"] == "subnets"
    assert args["db_cluster_parameter_group_name"] == "group"
    assert (args["storage_encrypted"], args["kms_key_id"]) == (True, KEY)
    assert args["iam_database_authentication_enabled"] is True
    assert args["enabled_cloudwatch_logs_exports"] == ["audit", "error", "slowquery"]
    assert args["backup_retention_period"] == 10
    assert args["skip_final_snapshot"] is False
    assert args["delete_automated_backups"] is False
    assert args["deletion_protection"] is True
    # Performance Insights is always on, under the stack key, with Database Insights' retention.
    assert args["database_insights_mode"] == "advanced"
    assert args["performance_insights_enabled"] is True
    assert args["performance_insights_kms_key_id"] == KEY
    assert args["performance_insights_retention_period"] == 465
    assert args["backtrack_window"] is None
    assert "engine_lifecycle_support" not in args
    assert "monitoring_interval" not in args  # instances only


def test_backtrack_and_lifecycle_only_when_set() -> None:
    args = cluster_args(
        aurora(backtrackHours=24, engineLifecycleSupport="open-source-rds-extended-support")
    )
    assert args["backtrack_window"] == 24 * 3600
    assert args["engine_lifecycle_support"] == "open-source-rds-extended-support"


def test_writer_first_then_readers_in_promotion_tiers() -> None:
    cfg = aurora(readers=2, monitoringInterval=15)
    assert shape.instance_roles(cfg) == ["writer", "reader-1", "reader-2"]
    role = object()
    args = [
        shape.instance_args(
            cfg, i, subnet_group="subnets", kms_key_arn=KEY, monitoring_role_arn=role
        )
        for i in range(3)
    ]
    assert [a["promotion_tier"] for a in args] == [0, 1, 1]
    writer = args[0]
    assert writer["instance_class"] == "db.serverless"
    assert writer["engine"] == "aurora-mysql"
    assert writer["publicly_accessible"] is False
    assert writer["db_subnet_group_name"] == "subnets"
    assert writer["ca_cert_identifier"] == CA_CERT
    assert writer["preferred_maintenance_window"] == "sun:04:30-sun:05:30"
    assert writer["auto_minor_version_upgrade"] is True
    assert (writer["monitoring_interval"], writer["monitoring_role_arn"]) == (15, role)
    assert writer["performance_insights_kms_key_id"] == KEY


def test_monitoring_off_places_no_role() -> None:
    args = shape.instance_args(
        aurora(monitoringInterval=0), 0, subnet_group="s", kms_key_arn=KEY, monitoring_role_arn=None
    )
    assert (args["monitoring_interval"], args["monitoring_role_arn"]) == (0, None)


def test_writer_in_the_first_zone_readers_round_robin_over_the_others() -> None:
    zones = ["a", "b", "c"]
    assert [shape.instance_zone(i, zones) for i in range(5)] == ["a", "b", "c", "b", "c"]
    assert [shape.instance_zone(i, ["a"]) for i in range(3)] == ["a", "a", "a"]
    assert shape.instance_zone(0, []) is None


@pytest.mark.parametrize(
    ("engine", "secret"), [("aurora-mysql", "mysql"), ("aurora-postgresql", "postgres")]
)
def test_secret_engine_per_engine(engine: str, secret: str) -> None:
    assert secret_engine(engine) == secret


def test_cluster_credentials_use_master_password() -> None:
    generated = aurora().credentials
    managed = aurora(credentials={"mode": "managed"}).credentials
    assert master_credentials(generated, KEY, "pw", argument="master_password") == {
        "master_password": "pw"
    }
    assert master_credentials(managed, KEY, None, argument="master_password") == {
        "manage_master_user_password": True,
        "master_user_secret_kms_key_id": KEY,
    }


EU_KEY = "arn:aws:kms:eu-west-1:123456789012:key/opaque"


def test_the_global_database_is_made_from_the_primary_with_its_protection() -> None:
    args = shape.global_cluster_args(aurora(deletionProtection=False), "g", "primary-arn")
    assert args == {
        "global_cluster_identifier": "g",
        "source_db_cluster_identifier": "primary-arn",
        "force_destroy": True,
        "storage_encrypted": True,
        "deletion_protection": False,
    }


@pytest.mark.parametrize("engine", ["aurora-mysql", "aurora-postgresql"])
def test_a_secondary_is_the_primary_in_its_region_without_what_it_takes_from_it(
    engine: str,
) -> None:
    cfg = aurora(engine=engine, readers=2)
    where = {"subnet_group": "sg-eu", "security_group_id": "sec-eu", "parameter_group_name": "pg"}
    primary = shape.cluster_args(cfg, "p", kms_key_arn=KEY, **where)
    secondary = shape.secondary_cluster_args(
        cfg, "s", global_cluster_id="g", kms_key_arn=EU_KEY, **where
    )
    assert secondary["global_cluster_identifier"] == "g"
    assert secondary["kms_key_id"] == secondary["performance_insights_kms_key_id"] == EU_KEY
    assert {"master_username", "database_name", "backtrack_window"}.isdisjoint(secondary)
    same = set(primary) - {"cluster_identifier", "kms_key_id", "performance_insights_kms_key_id",
                           "master_username", "database_name", "backtrack_window"}  # fmt: skip
    assert {k: secondary[k] for k in same} == {k: primary[k] for k in same}


@pytest.mark.parametrize(("readers", "count"), [(0, 1), (1, 1), (3, 3)])
def test_a_secondary_has_the_primarys_readers_and_at_least_one(readers: int, count: int) -> None:
    assert shape.secondary_instance_count(aurora(readers=readers)) == count
