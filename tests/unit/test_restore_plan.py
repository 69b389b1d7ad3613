"""The restore drill's decisions without a server: the throwaway's name within each service's
rules, the calls that restore and delete it, the marker's key, and the report's verdict (the
prod guard is the drills' shared one, tested with it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from workloads.migration_check import RowFilter, TableReport
from workloads.restore_drill import RestoreReport
from workloads.restore_drill.marker import Marker, dynamo_marker_key
from workloads.restore_drill.plan import (
    AURORA,
    DYNAMO,
    RELATIONAL,
    Source,
    delete_calls,
    restore_calls,
    throwaway_name,
    writer_name,
)

AT = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)
RDS_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$")


@pytest.mark.parametrize(
    "identifier",
    ["dbtier-prod-relational-primary", "x" * 80, "9starts-with-a-digit", "Upper_Case--Twice"],
)
def test_an_rds_throwaway_name_follows_rds_identifier_rules(identifier):
    name = throwaway_name(RELATIONAL, identifier, "20261206043000abc123")
    assert RDS_ID.match(name), name
    assert name.endswith("-drill-20261206043000abc123")
    assert RDS_ID.match(writer_name(name))


def test_a_dynamodb_throwaway_keeps_the_table_name():
    assert throwaway_name(DYNAMO, "UserProfiles", "20261206x") == "UserProfiles-drill-20261206x"
    assert len(throwaway_name(DYNAMO, "T" * 300, "1")) <= 255


def test_an_instance_is_restored_into_the_sources_network_single_az_and_private():
    source = Source(RELATIONAL, "db-1", "mysql", "sub", ("sg-1", "sg-2"), "key-arn")
    (call,) = restore_calls(source, "db-1-drill-1", AT)
    assert call.operation == "restore_db_instance_to_point_in_time"
    assert call.params["SourceDBInstanceIdentifier"] == "db-1"
    assert call.params["RestoreTime"] == AT
    assert call.params["DBSubnetGroupName"] == "sub"
    assert call.params["VpcSecurityGroupIds"] == ["sg-1", "sg-2"]
    assert call.params["MultiAZ"] is False and call.params["PubliclyAccessible"] is False
    assert call.params["DeletionProtection"] is False
    assert "KmsKeyId" not in call.params  # RDS keeps the source's key; the call has no such field
    assert {"Key": "dbtier:restored-from", "Value": "db-1"} in call.params["Tags"]
    (delete,) = delete_calls(RELATIONAL, "db-1-drill-1")
    assert delete.params == {
        "DBInstanceIdentifier": "db-1-drill-1",
        "SkipFinalSnapshot": True,
        "DeleteAutomatedBackups": True,
    }


def test_a_cluster_is_restored_with_the_stack_key_and_gets_one_serverless_writer():
    scaling = {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    source = Source(AURORA, "c-1", "aurora-postgresql", "sub", ("sg",), "key", scaling=scaling)
    cluster, writer = restore_calls(source, "c-1-drill-1", AT)
    assert cluster.params["KmsKeyId"] == "key"
    assert cluster.params["RestoreToTime"] == AT
    assert cluster.params["ServerlessV2ScalingConfiguration"] == scaling
    assert "PubliclyAccessible" not in cluster.params
    assert writer.params["DBClusterIdentifier"] == "c-1-drill-1"
    assert writer.params["DBInstanceClass"] == "db.serverless"
    assert writer.params["Engine"] == "aurora-postgresql"
    # The instance goes before its cluster: RDS refuses to delete a cluster that has one.
    assert [c.operation for c in delete_calls(AURORA, "c-1-drill-1")] == [
        "delete_db_instance",
        "delete_db_cluster",
    ]


def test_a_table_is_restored_by_name_with_the_stack_key():
    source = Source(DYNAMO, "T", kms_key="key", arn="arn:aws:dynamodb:us-east-1:1:table/T")
    (call,) = restore_calls(source, "T-drill-1", AT)
    assert call.params["SourceTableName"] == "T"
    assert call.params["SSESpecificationOverride"]["KMSMasterKeyId"] == "key"
    assert "RestoreDateTime=" in call.shown() and "2026-12-06T04:30:00+00:00" in call.shown()


def test_a_marker_key_fits_every_key_type():
    table = {
        "KeySchema": [{"AttributeName": "h"}, {"AttributeName": "r"}],
        "AttributeDefinitions": [
            {"AttributeName": "h", "AttributeType": "N"},
            {"AttributeName": "r", "AttributeType": "B"},
        ],
    }
    key = dynamo_marker_key(table, "20261206043000abc123")
    assert float(key["h"]["N"]) < 0
    assert key["r"]["B"].startswith(b"dbtier-restore-drill#")


def test_the_verdict_needs_the_marker_only_when_the_restore_point_is_after_it():
    marker = Marker("id", AT)
    matched = [TableReport("t", "match")]
    after = RestoreReport("relational", "db", "x", [], restore_point=AT, tables=matched)
    after.marker, after.marker_present = marker, False
    assert after.exit_code == 1
    before = RestoreReport(
        "relational", "db", "x", [], restore_point=AT - timedelta(seconds=1), tables=matched
    )
    before.marker, before.marker_present = marker, False
    assert before.exit_code == 0
    before.left_behind = ["rds x: refused"]
    assert before.exit_code == 2


def test_a_row_filter_finds_each_tables_time_column():
    only = RowFilter(AT, "created_at", {"dbtier_restore_drill": "written_at"})
    assert only.column_for("orders", ["id", "Created_At"]) == "Created_At"  # PostgreSQL folds
    assert only.column_for("dbtier_restore_drill", ["drill_id", "written_at"]) == "written_at"
    assert only.column_for("tags", ["id", "name"]) is None  # compared whole
    assert RowFilter(AT).column_for("orders", ["created_at"]) is None
