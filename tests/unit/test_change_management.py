"""Change management (issue 13 item 3): backup and maintenance windows, applyImmediately, version
upgrades, the lifecycle-support opt-out and user engine parameters, from config to the plan."""

from __future__ import annotations

from typing import Any

import pytest

from components.parameters import rds_parameters
from components.rds_shape import enforced_parameters
from components.settings import ConfigError, Fields
from components.stack_config import parse
from components.windows import daily, overlap, weekly
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
REDIS_PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"
REDSHIFT = "aws:redshift/cluster:Cluster"
REDSHIFT_PARAMS = "aws:redshift/parameterGroup:ParameterGroup"


def _params(plan: Plan, type_: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in one(plan, type_).inputs["parameters"]}


# -- windows: the shared parser -------------------------------------------------------------------


def _window(kind: str, text: str) -> Any:
    f = Fields("dbtier:x", {"w": text})
    return (daily if kind == "daily" else weekly)(f, "w", text, 30, "docs")


@pytest.mark.parametrize(
    ("backup", "maintenance", "apart"),
    [
        ("03:00-04:00", "sun:04:30-sun:05:30", True),
        ("03:00-04:00", "sun:04:00-sun:05:00", True),  # touching ends do not overlap
        ("03:00-04:00", "wed:03:59-wed:04:30", False),
        ("23:30-00:30", "mon:00:00-mon:01:00", False),  # a backup over midnight
        ("23:30-00:30", "mon:00:30-mon:01:30", True),
        ("03:00-04:00", "sun:23:00-mon:03:30", False),  # maintenance over the week's end
        ("05:00-06:00", "sat:06:00-sun:05:00", True),
    ],
)
def test_backup_and_maintenance_overlap_in_any_week(
    backup: str, maintenance: str, apart: bool
) -> None:
    assert overlap(_window("daily", backup), _window("weekly", maintenance)) is not apart


def test_window_lengths_count_over_midnight_and_the_week_end() -> None:
    assert _window("daily", "23:30-00:30").minutes == 60
    assert _window("weekly", "sun:23:00-mon:01:30").minutes == 150


# -- config errors: every new key -------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("relational", {"backupWindow": "3:00-04:00"}, "dbtier:relational.backupWindow must be hh24:mi-hh24:mi"),
    ("relational", {"backupWindow": "03:00-03:20"}, "dbtier:relational.backupWindow 03:00-03:20 is 20 minutes; AWS needs at least 30"),
    ("relational", {"maintenanceWindow": "Sun:04:30-Sun:05:30"}, "dbtier:relational.maintenanceWindow must be ddd:hh24:mi-ddd:hh24:mi"),
    ("relational", {"maintenanceWindow": "sun:04:30-sun:04:45"}, "dbtier:relational.maintenanceWindow sun:04:30-sun:04:45 is 15 minutes"),
    ("relational", {"maintenanceWindow": "sun:24:00-sun:01:00"}, "dbtier:relational.maintenanceWindow must be"),
    ("relational", {"maintenanceWindow": 5}, "dbtier:relational.maintenanceWindow must be"),
    ("relational", {"backupWindow": "04:00-05:00"}, "dbtier:relational.backupWindow 04:00-05:00 overlaps dbtier:relational.maintenanceWindow sun:04:30-sun:05:30"),
    ("relational", {"applyImmediately": "now"}, "dbtier:relational.applyImmediately must be true or false"),
    ("relational", {"allowMajorVersionUpgrade": 1}, "dbtier:relational.allowMajorVersionUpgrade must be true or false"),
    ("relational", {"autoMinorVersionUpgrade": "yes"}, "dbtier:relational.autoMinorVersionUpgrade must be true or false"),
    ("relational", {"engineLifecycleSupport": "disabled"}, "dbtier:relational.engineLifecycleSupport must be one of open-source-rds-extended-support, open-source-rds-extended-support-disabled"),
    ("relational", {"parameters": {"require_secure_transport": "0"}}, "dbtier:relational.parameters.require_secure_transport is enforced by dbtier (TLS) and cannot be changed"),
    ("relational", {"parameters": {"REQUIRE_SECURE_TRANSPORT": "OFF"}}, "dbtier:relational.parameters.REQUIRE_SECURE_TRANSPORT is enforced by dbtier (TLS)"),
    ("relational", {"parameters": {"log_output": "TABLE"}}, "dbtier:relational.parameters.log_output is enforced by dbtier (logging)"),
    ("relational", {"parameters": {"slow_query_log": False}}, "dbtier:relational.parameters.slow_query_log is enforced by dbtier (logging)"),
    ("relational", {"parameters": ["max_connections"]}, "dbtier:relational.parameters must be an object of name: value"),
    ("relational", {"parameters": {"max connections": 1}}, "dbtier:relational.parameters entry #1: a parameter name must be"),
    ("relational", {"parameters": {"a": 1, "A": 2}}, "dbtier:relational.parameters.A repeats dbtier:relational.parameters.a"),
    ("relational", {"parameters": {"init_connect": "x\ny"}}, "dbtier:relational.parameters.init_connect contains a control character (U+000A)"),
    ("relational", {"parameters": {"max_connections": [1]}}, "dbtier:relational.parameters.max_connections must be a string"),
    ("relational", {"parameters": {"max_connections": {"value": 1, "applyMethod": "now"}}}, "dbtier:relational.parameters.max_connections.applyMethod must be one of immediate, pending-reboot"),
    ("relational", {"parameters": {"max_connections": {"applyMethod": "immediate"}}}, "dbtier:relational.parameters.max_connections.value is required"),
    ("relational", {"parameters": {"max_connections": {"value": 1, "method": "x"}}}, "dbtier:relational.parameters.max_connections.method is not a known setting"),
    ("relational", {"parameters": {f"p{i}": i for i in range(101)}}, "dbtier:relational.parameters has 101 parameters; dbtier accepts at most 100"),
    ("aurora", {"backupWindow": "03:00-03:15"}, "dbtier:aurora.backupWindow 03:00-03:15 is 15 minutes"),
    ("aurora", {"maintenanceWindow": "sun:03:30-sun:04:30"}, "dbtier:aurora.backupWindow 03:00-04:00 overlaps dbtier:aurora.maintenanceWindow sun:03:30-sun:04:30"),
    ("aurora", {"maintenanceWindow": "funday:01:00-funday:02:00"}, "dbtier:aurora.maintenanceWindow must be"),
    ("aurora", {"applyImmediately": "soon"}, "dbtier:aurora.applyImmediately must be true or false"),
    ("aurora", {"allowMajorVersionUpgrade": "maybe"}, "dbtier:aurora.allowMajorVersionUpgrade must be true or false"),
    ("aurora", {"autoMinorVersionUpgrade": 0}, "dbtier:aurora.autoMinorVersionUpgrade must be true or false"),
    ("aurora", {"engineLifecycleSupport": "off"}, "dbtier:aurora.engineLifecycleSupport must be one of"),
    ("aurora", {"parameters": {"require_secure_transport": "OFF"}}, "dbtier:aurora.parameters.require_secure_transport is enforced by dbtier (TLS)"),
    ("aurora", {"parameters": {"server_audit_events": "CONNECT"}}, "dbtier:aurora.parameters.server_audit_events is enforced by dbtier (audit logging)"),
    ("aurora", {"parameters": {"server_audit_logging": 0}}, "dbtier:aurora.parameters.server_audit_logging is enforced by dbtier (audit logging)"),
    ("aurora", {"engine": "aurora-postgresql", "parameters": {"rds.force_ssl": 0}}, "dbtier:aurora.parameters.rds.force_ssl is enforced by dbtier (TLS)"),
    ("redis", {"snapshotWindow": "03:00-03:30"}, "dbtier:redis.snapshotWindow 03:00-03:30 is 30 minutes; AWS needs at least 60"),
    ("redis", {"maintenanceWindow": "sun:05:00-sun:05:30"}, "dbtier:redis.maintenanceWindow sun:05:00-sun:05:30 is 30 minutes; AWS needs at least 60"),
    ("redis", {"snapshotWindow": "05:30-06:30"}, "dbtier:redis.snapshotWindow 05:30-06:30 overlaps dbtier:redis.maintenanceWindow"),
    ("redis", {"snapshotWindow": "3-4"}, "dbtier:redis.snapshotWindow must be hh24:mi-hh24:mi"),
    ("redis", {"applyImmediately": "y"}, "dbtier:redis.applyImmediately must be true or false"),
    ("redis", {"autoMinorVersionUpgrade": "n"}, "dbtier:redis.autoMinorVersionUpgrade must be true or false"),
    ("redis", {"parameters": {"cluster-enabled": "yes"}}, "dbtier:redis.parameters.cluster-enabled is enforced by dbtier (cluster mode follows dbtier:redis.shards)"),
    ("relational", {"parameters": {"Require-Secure-Transport": "0"}}, "dbtier:relational.parameters.Require-Secure-Transport is enforced by dbtier (TLS)"),
    ("relational", {"parameters": {"require_secure_transport": 1, "require-secure-transport": 0}}, "dbtier:relational.parameters.require-secure-transport repeats dbtier:relational.parameters.require_secure_transport; name it once"),
    ("aurora", {"parameters": {"server-audit-logging": "OFF"}}, "dbtier:aurora.parameters.server-audit-logging is enforced by dbtier (audit logging)"),
    ("redis", {"parameters": {"cluster_enabled": "yes"}}, "dbtier:redis.parameters.cluster_enabled is enforced by dbtier (cluster mode follows dbtier:redis.shards)"),
    ("warehouse", {"parameters": {"require-ssl": "false"}}, "dbtier:warehouse.parameters.require-ssl is enforced by dbtier (TLS)"),
    ("redis", {"parameters": {"maxmemory-policy": {"value": "noeviction", "applyMethod": "immediate"}}}, "dbtier:redis.parameters.maxmemory-policy.applyMethod applies only to RDS and Aurora"),
    ("warehouse", {"maintenanceWindow": "mon:01:00-mon:01:10"}, "dbtier:warehouse.maintenanceWindow mon:01:00-mon:01:10 is 10 minutes; AWS needs at least 30"),
    ("warehouse", {"maintenanceWindow": "01:00-02:00"}, "dbtier:warehouse.maintenanceWindow must be ddd:hh24:mi-ddd:hh24:mi"),
    ("warehouse", {"applyImmediately": "x"}, "dbtier:warehouse.applyImmediately must be true or false"),
    ("warehouse", {"parameters": {"require_ssl": False}}, "dbtier:warehouse.parameters.require_ssl is enforced by dbtier (TLS) and cannot be changed"),
    ("warehouse", {"parameters": {"enable_user_activity_logging": "false"}}, "dbtier:warehouse.parameters.enable_user_activity_logging is enforced by dbtier (audit logging)"),
    ("warehouse", {"mode": "serverless", "maintenanceWindow": "sun:01:00-sun:02:00"}, "dbtier:warehouse.maintenanceWindow does not apply to mode serverless"),
    ("warehouse", {"mode": "serverless", "applyImmediately": True}, "dbtier:warehouse.applyImmediately does not apply to mode serverless"),
    ("warehouse", {"mode": "serverless", "parameters": {"statement_timeout": 1}}, "dbtier:warehouse.parameters does not apply to mode serverless"),
]  # fmt: skip


@pytest.mark.parametrize(("part", "value", "message"), BAD, ids=[m[:90] for _, _, m in BAD])
def test_bad_change_setting_is_refused_naming_its_key(
    part: str, value: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({f"dbtier:{part}": value})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_relational_and_aurora_read_the_same_change_fields_the_same_way() -> None:
    change = {
        "backupWindow": "22:00-23:00",
        "maintenanceWindow": "mon:01:00-mon:02:00",
        "applyImmediately": True,
        "allowMajorVersionUpgrade": True,
        "autoMinorVersionUpgrade": False,
        "engineLifecycleSupport": "open-source-rds-extended-support-disabled",
        "parameters": {"max_connections": {"value": 500, "applyMethod": "immediate"}},
    }
    cfg = parse({"dbtier:relational": change, "dbtier:aurora": change})
    assert cfg.relational.change == cfg.aurora.change
    assert cfg.relational.change.maintenance_window == "mon:01:00-mon:02:00"
    assert cfg.relational.change.auto_minor_version_upgrade is False
    assert [(p.name, p.value, p.apply_method) for p in cfg.aurora.change.parameters] == [
        ("max_connections", "500", "immediate")
    ]


@pytest.mark.parametrize("part", ["relational", "aurora"])
def test_a_misspelt_window_is_reported_before_the_overlap_it_leaves(part: str) -> None:
    # The user meant to move maintenance away from the backups: name the typo, not the overlap.
    with pytest.raises(ConfigError) as caught:
        parse({f"dbtier:{part}": {"backupWindow": "04:00-05:00", "maintenanceWindw": "x"}})
    assert str(caught.value).startswith(f"dbtier:{part}.maintenanceWindw is not a known setting")


def test_binlog_parameters_are_enforced_only_when_a_migration_reads_the_database() -> None:
    user = {"parameters": {"binlog_format": "MIXED"}}
    assert parse({"dbtier:relational": user}).relational.change.parameters[0].value == "MIXED"
    with pytest.raises(ConfigError) as caught:
        parse({"dbtier:relational": user, "dbtier:migration": {"enabled": True}})
    assert str(caught.value).startswith(
        "dbtier:relational.parameters.binlog_format is enforced by dbtier (row binlogs for DMS"
        " change data capture) and cannot be changed"
    )


def test_an_enforced_parameter_given_its_own_value_is_accepted() -> None:
    cfg = parse(
        {
            "dbtier:relational": {"parameters": {"require_secure_transport": True}},
            "dbtier:aurora": {"parameters": {"require_secure_transport": 1}},
        }
    )
    assert cfg.relational.change.parameters[0].value == "1"


def test_defaults_are_predictable_and_conservative() -> None:
    cfg = parse({})
    for part in (cfg.relational.change, cfg.aurora.change):
        assert (part.backup_window, part.maintenance_window) == (
            "03:00-04:00",
            "sun:04:30-sun:05:30",
        )
        assert part.apply_immediately is False and part.allow_major_version_upgrade is False
        assert part.auto_minor_version_upgrade is True and part.engine_lifecycle_support is None
        assert part.parameters == ()
    assert (cfg.redis.snapshot_window, cfg.redis.maintenance_window) == (
        "03:00-04:00",
        "sun:05:00-sun:06:00",
    )
    assert cfg.warehouse.maintenance_window == "sun:06:30-sun:07:30"


# -- mocks: what reaches the resources ------------------------------------------------------------


def test_dev_and_prod_defaults_reach_every_database(dev_plan: Plan, prod_plan: Plan) -> None:
    for plan in (dev_plan, prod_plan):
        for r in [*of_type(plan, INSTANCE), one(plan, CLUSTER), one(plan, REDIS)]:
            assert r.inputs["applyImmediately"] is False, r.name
        for r in [*of_type(plan, INSTANCE), one(plan, CLUSTER)]:
            assert r.inputs["allowMajorVersionUpgrade"] is False, r.name
            assert "engineLifecycleSupport" not in r.inputs
        for r in of_type(plan, INSTANCE) + of_type(plan, CLUSTER_INSTANCE):
            assert r.inputs["autoMinorVersionUpgrade"] is True, r.name
    primary = one(dev_plan, INSTANCE, "relational-primary").inputs
    assert (primary["backupWindow"], primary["maintenanceWindow"]) == (
        "03:00-04:00",
        "sun:04:30-sun:05:30",
    )


def test_prod_windows_are_staggered_and_reach_every_resource(prod_plan: Plan) -> None:
    for r in of_type(prod_plan, INSTANCE):  # the primary and both replicas
        assert (r.inputs["backupWindow"], r.inputs["maintenanceWindow"]) == (
            "02:00-03:00",
            "sun:03:30-sun:04:30",
        ), r.name
    cluster = one(prod_plan, CLUSTER).inputs
    assert (cluster["preferredBackupWindow"], cluster["preferredMaintenanceWindow"]) == (
        "02:00-03:00",
        "sun:05:00-sun:06:00",
    )
    for r in of_type(prod_plan, CLUSTER_INSTANCE):
        assert r.inputs["preferredMaintenanceWindow"] == "sun:05:00-sun:06:00"
    redis = one(prod_plan, REDIS).inputs
    assert (redis["snapshotWindow"], redis["maintenanceWindow"]) == (
        "02:00-03:00",
        "sun:06:30-sun:07:30",
    )
    warehouse = one(prod_plan, REDSHIFT).inputs
    assert warehouse["preferredMaintenanceWindow"] == "sun:08:00-sun:08:30"
    assert warehouse["applyImmediately"] is False


SWITCHES = {
    "backupWindow": "22:00-23:00",
    "maintenanceWindow": "sat:23:30-sun:00:30",
    "applyImmediately": True,
    "allowMajorVersionUpgrade": True,
    "autoMinorVersionUpgrade": False,
    "engineLifecycleSupport": "open-source-rds-extended-support-disabled",
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_relational_switches_reach_the_primary_replicas_and_parameter_group(
    plan_with: Any, stack: str
) -> None:
    relational = {
        **SWITCHES,
        **({"multiAz": True, "readReplicas": 1} if stack == "prod" else {}),
        "parameters": {
            "max_connections": 500,
            "innodb_print_all_deadlocks": True,
            "long_query_time": 5,
            "time_zone": {"value": "UTC", "applyMethod": "immediate"},
            "require_secure_transport": "ON",  # dbtier's own value: accepted, dbtier's kept
        },
    }
    plan = plan_with(stack, relational=relational)
    instances = of_type(plan, INSTANCE)
    assert len(instances) == (2 if stack == "prod" else 1)
    for r in instances:
        assert r.inputs["backupWindow"] == "22:00-23:00"
        assert r.inputs["maintenanceWindow"] == "sat:23:30-sun:00:30"
        assert r.inputs["applyImmediately"] is True
        assert r.inputs["allowMajorVersionUpgrade"] is True
        assert r.inputs["autoMinorVersionUpgrade"] is False
    primary = one(plan, INSTANCE, "relational-primary").inputs
    assert primary["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    params = _params(plan, RDS_PARAMS)
    assert params["max_connections"] == {
        "name": "max_connections",
        "value": "500",
        "applyMethod": "pending-reboot",
    }
    assert params["innodb_print_all_deadlocks"]["value"] == "1"
    assert params["long_query_time"]["value"] == "5"  # a default the user may tune
    assert params["time_zone"]["applyMethod"] == "immediate"
    assert params["require_secure_transport"]["value"] == "1"
    assert "ON" not in {p["value"] for p in params.values()}
    assert params["slow_query_log"]["value"] == "1" and params["log_output"]["value"] == "FILE"
    if stack == "prod":  # a migration reads it: row binlogs stay
        assert params["binlog_format"]["value"] == "ROW"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aurora_switches_reach_the_cluster_its_instances_and_cluster_parameters(
    plan_with: Any, stack: str
) -> None:
    aurora = {**SWITCHES, "parameters": {"innodb_lock_wait_timeout": 100}}
    plan = plan_with(stack, aurora=aurora)
    cluster = one(plan, CLUSTER).inputs
    assert cluster["preferredBackupWindow"] == "22:00-23:00"
    assert cluster["preferredMaintenanceWindow"] == "sat:23:30-sun:00:30"
    assert cluster["applyImmediately"] is True
    assert cluster["allowMajorVersionUpgrade"] is True
    assert cluster["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    for r in of_type(plan, CLUSTER_INSTANCE):
        assert r.inputs["autoMinorVersionUpgrade"] is False
        assert r.inputs["applyImmediately"] is True
        assert r.inputs["preferredMaintenanceWindow"] == "sat:23:30-sun:00:30"
    params = _params(plan, CLUSTER_PARAMS)
    assert params["innodb_lock_wait_timeout"]["value"] == "100"
    assert params["innodb_lock_wait_timeout"]["applyMethod"] == "pending-reboot"
    assert params["require_secure_transport"]["value"] == "ON"
    assert params["server_audit_events"]["value"] == "CONNECT,QUERY_DCL,QUERY_DDL"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_redis_switches_reach_the_replication_group_and_its_parameters(
    plan_with: Any, stack: str
) -> None:
    redis = {
        **({"nodeType": "cache.r7g.large", "nodes": 3} if stack == "prod" else {}),
        "snapshotWindow": "01:00-02:00",
        "maintenanceWindow": "tue:03:00-tue:04:00",
        "applyImmediately": True,
        "autoMinorVersionUpgrade": False,
        "parameters": {"maxmemory-policy": "allkeys-lru", "activedefrag": True},
    }
    plan = plan_with(stack, redis=redis)
    group = one(plan, REDIS).inputs
    assert (group["snapshotWindow"], group["maintenanceWindow"]) == (
        "01:00-02:00",
        "tue:03:00-tue:04:00",
    )
    assert group["applyImmediately"] is True
    assert group["autoMinorVersionUpgrade"] is False
    params = {name: p["value"] for name, p in _params(plan, REDIS_PARAMS).items()}
    assert params == {
        "cluster-enabled": "no",
        "maxmemory-policy": "allkeys-lru",
        "activedefrag": "yes",
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_warehouse_switches_reach_the_cluster_and_its_parameter_group(
    plan_with: Any, stack: str
) -> None:
    warehouse = {
        "mode": "provisioned",
        **({"nodeType": "ra3.xlplus", "nodes": 2} if stack == "prod" else {}),
        "maintenanceWindow": "wed:09:00-wed:09:30",
        "applyImmediately": True,
        "parameters": {"statement_timeout": 60000, "enable_case_sensitive_identifier": True},
    }
    plan = plan_with(stack, warehouse=warehouse)
    cluster = one(plan, REDSHIFT).inputs
    assert cluster["preferredMaintenanceWindow"] == "wed:09:00-wed:09:30"
    assert cluster["applyImmediately"] is True
    params = {name: p["value"] for name, p in _params(plan, REDSHIFT_PARAMS).items()}
    assert params == {
        "require_ssl": "true",
        "enable_user_activity_logging": "true",
        "statement_timeout": "60000",
        "enable_case_sensitive_identifier": "true",
    }


def test_a_closed_vocabulary_repeats_a_typo_but_not_a_pasted_password() -> None:
    with pytest.raises(ConfigError) as typo:
        parse({"dbtier:relational": {"databaseInsightsMode": "advnced"}})
    assert str(typo.value).endswith("(got 'advnced')")
    with pytest.raises(ConfigError) as pasted:
        parse({"dbtier:aurora": {"engineLifecycleSupport": "Hunter2s3cr3tW0rd"}})
    assert "Hunter2" not in str(pasted.value)
    assert str(pasted.value).endswith("(got a 17-character string)")


def test_another_spelling_of_dbtiers_parameter_sets_dbtiers_not_a_second_one() -> None:
    """`require-secure-transport: 1` is the enforced value (accepted) and `Long-Query-Time` is
    tunable: the group carries each name once, in dbtier's spelling (RDS knows no other)."""
    cfg = parse(
        {
            "dbtier:relational": {
                "parameters": {
                    "require-secure-transport": 1,
                    "Long-Query-Time": {"value": 3, "applyMethod": "immediate"},
                    "max_connections": 200,
                }
            }
        }
    )
    group = rds_parameters(enforced_parameters("mysql"), cfg.relational.change.parameters)
    names = [p["name"] for p in group]
    assert sorted(n.lower().replace("-", "_") for n in names) == sorted(
        set(n.lower() for n in names)
    )
    by_name = {p["name"]: p for p in group}
    assert by_name["require_secure_transport"]["value"] == "1"
    assert by_name["long_query_time"] == {
        "name": "long_query_time",
        "value": "3",
        "apply_method": "immediate",
    }
    assert by_name["max_connections"]["value"] == "200"
    assert "require-secure-transport" not in by_name and "Long-Query-Time" not in by_name
