"""The Warehouse's decisions per mode, without a plan: names, arguments, credentials, logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.warehouse.config import parse_warehouse
from components.warehouse.shape import (
    AUDIT_LOGS,
    ProvisionedShape,
    ServerlessShape,
    provisioned,
    serverless,
)

KEY = "arn:aws:kms:us-east-1:123456789012:key/stack"


def _provisioned(**raw: Any) -> ProvisionedShape:
    return provisioned(parse_warehouse({"mode": "provisioned", **raw}), "Prod", "warehouse")


def _serverless(**raw: Any) -> ServerlessShape:
    return serverless(parse_warehouse({"mode": "serverless", **raw}), "Dev", "warehouse")


def test_provisioned_cluster_is_private_encrypted_routed_through_the_vpc_and_keeps_snapshots() -> (
    None
):
    shape = _provisioned(nodeType="ra3.xlplus", nodes=2, snapshotRetentionDays=14)
    assert shape.identifier == "prod-warehouse"
    assert shape.cluster == {
        "cluster_identifier": "prod-warehouse",
        "node_type": "ra3.xlplus",
        "cluster_type": "multi-node",
        "number_of_nodes": 2,
        "database_name": "analytics",
        "master_username": "whadmin",
        "encrypted": True,
        "publicly_accessible": False,
        "enhanced_vpc_routing": True,
        "automated_snapshot_retention_period": 14,
        "allow_version_upgrade": True,
        "preferred_maintenance_window": "sun:06:30-sun:07:30",
        "apply_immediately": False,
        "skip_final_snapshot": False,
    }
    assert shape.backup_type == "Redshift"


def test_one_node_is_a_single_node_cluster() -> None:
    cluster = _provisioned(nodes=1).cluster
    assert cluster["cluster_type"] == "single-node"
    assert cluster["number_of_nodes"] == 1


def test_provisioned_window_and_apply_immediately_come_from_config() -> None:
    cluster = _provisioned(maintenanceWindow="sat:01:00-sat:02:00", applyImmediately=True).cluster
    assert cluster["preferred_maintenance_window"] == "sat:01:00-sat:02:00"
    assert cluster["apply_immediately"] is True


def test_parameter_group_enforces_tls_and_activity_logging_and_merges_user_parameters() -> None:
    group = _provisioned(parameters={"max_concurrency_scaling_clusters": "2"}).parameter_group
    assert group["family"] == "redshift-2.0"
    assert group["description"] == "dbtier Redshift: TLS only, user activity logged"
    assert {"name": "require_ssl", "value": "true"} in group["parameters"]
    assert {"name": "enable_user_activity_logging", "value": "true"} in group["parameters"]
    assert {"name": "max_concurrency_scaling_clusters", "value": "2"} in group["parameters"]
    assert len(group["parameters"]) == 3


def test_provisioned_audit_logs_go_to_groups_named_after_the_cluster() -> None:
    shape = _provisioned()
    assert shape.audit_log_groups == {
        "audit-connectionlog": "/aws/redshift/cluster/prod-warehouse/connectionlog",
        "audit-useractivitylog": "/aws/redshift/cluster/prod-warehouse/useractivitylog",
        "audit-userlog": "/aws/redshift/cluster/prod-warehouse/userlog",
    }
    assert shape.logging == {
        "log_destination_type": "cloudwatch",
        "log_exports": ["connectionlog", "useractivitylog", "userlog"],
    }


def test_serverless_namespace_and_workgroup_share_one_name_and_enforce_tls() -> None:
    shape = _serverless(baseCapacity=16, databaseName="dw", username="owner")
    assert shape.identifier == "dev-warehouse"
    assert shape.namespace == {
        "namespace_name": "dev-warehouse",
        "db_name": "dw",
        "admin_username": "owner",
        "log_exports": list(AUDIT_LOGS),
    }
    assert shape.workgroup == {
        "workgroup_name": "dev-warehouse",
        "base_capacity": 16,
        "publicly_accessible": False,
        "enhanced_vpc_routing": True,
        "config_parameters": [
            {"parameter_key": "require_ssl", "parameter_value": "true"},
            {"parameter_key": "enable_user_activity_logging", "parameter_value": "true"},
        ],
    }
    assert shape.backup_type == "Redshift Serverless"


@pytest.mark.parametrize(
    ("shape", "generated", "managed"),
    [
        (
            _provisioned,
            {"master_password": "pw"},
            {"manage_master_password": True, "master_password_secret_kms_key_id": KEY},
        ),
        (
            _serverless,
            {"admin_user_password": "pw"},
            {"manage_admin_password": True, "admin_password_secret_kms_key_id": KEY},
        ),
    ],
    ids=["provisioned", "serverless"],
)
def test_credentials_are_the_generated_password_or_a_secret_redshift_manages(
    shape: Callable[..., ProvisionedShape | ServerlessShape],
    generated: dict[str, Any],
    managed: dict[str, Any],
) -> None:
    assert shape().credentials.args("pw", KEY) == generated
    assert shape(credentials={"mode": "managed"}).credentials.args(None, KEY) == managed


@pytest.mark.parametrize(
    ("credentials", "provisioned_ignores", "serverless_ignores"),
    [
        ({}, None, None),
        ({"rotationDays": 30}, ["masterPassword"], ["adminUserPassword"]),
        ({"mode": "managed", "rotationDays": 30}, None, None),
    ],
    ids=["generated", "generated-rotated", "managed-rotated"],
)
def test_only_a_rotation_function_owns_the_password_after_creation(
    credentials: dict[str, Any],
    provisioned_ignores: list[str] | None,
    serverless_ignores: list[str] | None,
) -> None:
    assert _provisioned(credentials=credentials).ignore_changes == provisioned_ignores
    assert _serverless(credentials=credentials).ignore_changes == serverless_ignores
