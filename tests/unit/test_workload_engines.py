"""Which driver family each outputs ``engine`` gets, the one-line refusals for engines without a
local one, and where the local stand-in puts each engine's databases (no engine needed)."""

from __future__ import annotations

import psycopg2
import pytest

from standins.local_outputs import build_outputs, connection_secret, server_of
from workloads.aurora_load.pg_load import PgLoad
from workloads.common import EXIT_BAD_INPUT, WorkloadError
from workloads.sql.engines import MYSQL, POSTGRES, engine_family
from workloads.sql.libpq import PreparedError

PASSWORDS = {"relational": "r1", "aurora": "a2", "warehouse": "w3"}


@pytest.mark.parametrize(
    ("key", "engine", "family"),
    [
        ("relational", "mysql", MYSQL),
        ("relational", "mariadb", MYSQL),
        ("relational", "postgres", POSTGRES),
        ("aurora", "aurora-mysql", MYSQL),
        ("aurora", "aurora", MYSQL),
        ("aurora", "aurora-postgresql", POSTGRES),
    ],
)
def test_each_engine_gets_its_drivers_family(key, engine, family):
    assert engine_family(engine, key=key, workload="w") == family


@pytest.mark.parametrize(
    ("engine", "name", "client"),
    [
        ("sqlserver-ex", "SQL Server", "sqlcmd"),
        ("sqlserver-web", "SQL Server", "sqlcmd"),
        ("sqlserver-se", "SQL Server", "sqlcmd"),
        ("sqlserver-ee", "SQL Server", "sqlcmd"),
        ("oracle-se2", "Oracle", "sqlplus"),
        ("oracle-ee", "Oracle", "sqlplus"),
    ],
)
def test_engines_without_a_local_engine_are_refused_in_one_line(engine, name, client):
    with pytest.raises(WorkloadError) as caught:
        engine_family(engine, key="relational", workload="relational")
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "\n" not in message
    assert message.startswith(
        f'"relational.engine" is {engine}: there is no local {name} engine here'
    )
    assert f"{name}'s own client ({client})" in message
    assert message.endswith("whose relational engine is mysql, mariadb or postgres")


def test_an_unknown_engine_names_the_ones_that_work_and_is_shown_escaped():
    with pytest.raises(WorkloadError, match=r"expected aurora-mysql or aurora-postgresql$") as e:
        engine_family("db2\x1b[31m", key="aurora", workload="aurora-load")
    assert "\x1b" not in str(e.value)


@pytest.mark.parametrize(
    ("relational", "aurora", "rel_port", "aur_port", "rel_secret", "aur_secret"),
    [
        ("mysql", "aurora-mysql", 3306, 3306, "mysql", "mysql"),
        ("mariadb", "aurora-postgresql", 3306, 5432, "mariadb", "postgres"),
        ("postgres", "aurora-postgresql", 5432, 5432, "postgres", "postgres"),
        ("postgres", "aurora-mysql", 5432, 3306, "postgres", "mysql"),
    ],
)
def test_local_outputs_put_each_engine_on_its_server(
    relational, aurora, rel_port, aur_port, rel_secret, aur_secret
):
    outputs = build_outputs(
        "p", PASSWORDS, relational_engine=relational, aurora_engine=aurora, pg_port=5432
    )
    rel, aur = outputs["relational"], outputs["aurora"]
    assert (rel["engine"], rel["port"], aur["engine"], aur["port"]) == (
        relational,
        rel_port,
        aurora,
        aur_port,
    )
    assert server_of("relational", rel) == (POSTGRES if rel_port == 5432 else MYSQL)
    assert server_of("aurora", aur) == (POSTGRES if aur_port == 5432 else MYSQL)
    assert server_of("warehouse", outputs["warehouse"]) == POSTGRES
    assert connection_secret("relational", rel)["engine"] == rel_secret
    assert connection_secret("aurora", aur)["engine"] == aur_secret
    assert rel["readerEndpoints"] == [rel["endpoint"]]


def test_local_outputs_default_to_the_mysql_family():
    outputs = build_outputs("p", PASSWORDS)
    assert (outputs["relational"]["engine"], outputs["aurora"]["engine"]) == (
        "mysql",
        "aurora-mysql",
    )
    assert outputs["relational"]["port"] == outputs["aurora"]["port"] == 3306


# --- how aurora-load reads PostgreSQL's errors (psycopg2's and those of the direct libpq path) --


@pytest.mark.parametrize(
    ("error", "duplicate", "transient", "kind"),
    [
        (PreparedError("duplicate key value", "23505"), True, False, "postgres error 23505"),
        (PreparedError("terminating connection", "57P01"), False, True, "connection terminated"),
        (PreparedError("the database system is starting up", "57P03"), False, True, None),
        (PreparedError("read-only transaction", "25006"), False, True, "read only (failover)"),
        (PreparedError("canceling statement", "57014"), False, True, "statement timeout"),
        (PreparedError("server closed the connection unexpectedly", None), False, True, None),
        (PreparedError("Connection refused", None), False, True, "connection refused"),
        (PreparedError("syntax error", "42601"), False, False, "postgres error 42601"),
        (psycopg2.InterfaceError("connection already closed"), False, True, "connection closed"),
    ],
)
def test_postgres_errors_are_read_for_the_proof(error, duplicate, transient, kind):
    load = PgLoad()
    assert load.is_duplicate(error) is duplicate
    assert load.is_transient(error) is transient
    if kind is not None:
        assert load.error_kind(error) == kind
