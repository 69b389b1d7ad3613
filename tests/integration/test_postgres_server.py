"""The SQL workloads against a PostgreSQL server of the test's own (tests/integration/pg_server.py):
``relational`` reading a real streaming standby, and ``aurora-load`` surviving a restart of the
server in the middle of a run with every acknowledged insert present.

The primary listens on 127.0.0.1 and its standby on 127.0.0.2, on one free port, as an RDS
primary and its read replica share a port under two host names. Both are made once for the module
(about two seconds) and thrown away at the end; the shared local PostgreSQL is not touched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg2 import sql

from standins.local_outputs import build_outputs, new_password, provision_pg
from tests.integration.engine_stacks import aurora_load_in_background
from tests.integration.pg_server import PgServer, free_port

PRIMARY, STANDBY = "127.0.0.1", "127.0.0.2"

pytestmark = pytest.mark.integration


class Cluster:
    """The primary, its standby and the outputs that point at them."""

    def __init__(self, primary: PgServer, standby: PgServer, path: Path, outputs: dict) -> None:
        self.primary = primary
        self.standby = standby
        self.path = path
        self.outputs = outputs

    @property
    def passwords(self) -> list[str]:
        return [self.primary.password, *(s["password"] for s in self.outputs.values())]

    def admin_sql(self, key: str, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        conn = self.primary.connect(self.outputs[key]["databaseName"])
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    primary = PgServer.create(PRIMARY, free_port(PRIMARY, STANDBY))
    standby: PgServer | None = None
    try:
        passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
        outputs = build_outputs(
            "dbtier_own",
            passwords,
            pg_host=PRIMARY,
            pg_port=primary.port,
            relational_engine="postgres",
            aurora_engine="aurora-postgresql",
        )
        del outputs["warehouse"]
        outputs["relational"]["readerEndpoints"] = [STANDBY]
        admin = primary.connect()
        try:
            for key in ("relational", "aurora"):
                section = outputs[key]
                provision_pg(
                    admin, section["databaseName"], section["username"], section["password"]
                )
            # As RDS's master user: pg_stat_replication shows it every column.
            with admin.cursor() as cur:
                cur.execute(
                    sql.SQL("GRANT pg_monitor TO {}").format(
                        sql.Identifier(outputs["relational"]["username"])
                    )
                )
        finally:
            admin.close()
        standby = primary.standby(STANDBY)  # after the users: it starts with them
        path = tmp_path_factory.mktemp("own-pg") / "outputs.json"
        path.write_text(json.dumps(outputs))
        yield Cluster(primary, standby, path, outputs)
    finally:
        if standby is not None:
            standby.close()
        primary.close()


def test_relational_measures_a_real_standby(cluster, run_workload):
    done = run_workload("relational", "--outputs", str(cluster.path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["users"]["inserted"] + result["users"]["alreadyPresent"] == 4
    (reader,) = result["readers"]
    assert reader["host"] == STANDBY
    # The standby replayed the sample users before it could count them, and the marker row
    # before it could see it.
    assert reader["count"] == 4
    assert reader["lagSeconds"] is not None and reader["lagSeconds"] < 5
    # The engine's own account: a standby, replay behind by well under a second (0 when it has
    # replayed all it received).
    assert reader["replication"]["standby"] is True
    replay = reader["replication"]["replayLagSeconds"]
    assert replay is not None and 0 <= replay < 5
    # The primary sees one standby streaming from it.
    (standby,) = result["primary"]["standbys"]
    assert standby["client"] == PRIMARY  # the standby connects from the loopback's 127.0.0.1
    assert standby["state"] == "streaming"
    text = run_workload("relational", "--outputs", str(cluster.path))
    assert text.returncode == 0, text.stderr
    assert f"reader {STANDBY}: 4 users, replica lag" in text.stdout
    assert "engine: standby, replay lag" in text.stdout
    assert f"pg_stat_replication: {PRIMARY} streaming, replay lag" in text.stdout


def test_relational_reports_a_standby_that_has_not_replayed(cluster, run_workload):
    # The standby stops replaying (it still receives) before relational makes its tables:
    # it has neither the tables nor the marker, its own replay lag grows, and the check fails
    # naming it; once replay resumes, the same run passes.
    cluster.admin_sql("relational", "DROP TABLE IF EXISTS users, dbtier_lag_marker")
    cluster.standby.wait_replayed(cluster.primary)
    standby = cluster.standby.connect()
    try:
        with standby.cursor() as cur:
            cur.execute("SELECT pg_wal_replay_pause()")
        time.sleep(1.2)  # a replay lag of its own to report
        done = run_workload(
            "relational", "--outputs", str(cluster.path), "--json", "--lag-timeout", "1"
        )
        assert done.returncode == 1, done.stderr
        result = json.loads(done.stdout)
        (reader,) = result["readers"]
        assert (reader["count"], reader["lagSeconds"]) == (0, None)
        assert reader["replication"]["standby"] is True
        assert reader["replication"]["replayLagSeconds"] > 1
        assert result["problem"] == (
            f"reader(s) {STANDBY} did not see the marker row within 1s; behind on users: {STANDBY}"
        )
        with standby.cursor() as cur:
            cur.execute("SELECT pg_wal_replay_resume()")
    finally:
        with standby.cursor() as cur:
            cur.execute("SELECT pg_wal_replay_resume()")
        standby.close()
    again = run_workload("relational", "--outputs", str(cluster.path), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["readers"][0]["count"] == 4


def test_aurora_load_survives_a_postgres_restart(cluster):
    proc = aurora_load_in_background(cluster.path, duration=8, verify_timeout=60)
    try:
        time.sleep(3)
        cluster.primary.restart()  # pg_ctl restart -m fast: every session is ended
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["engine"] == "aurora-postgresql" and result["driver"] == "psycopg2+libpq"
    assert result["errors"], "the restart should have been seen as errors"
    assert set(result["errors"]) <= {
        "connection terminated",
        "server starting or stopping",
        "connection refused",
        "connection lost",
        "connection closed",
    }, result["errors"]
    assert result["reconnects"] >= 3  # every worker lost its session
    verification = result["verification"]
    assert verification["acknowledged"] > 100
    assert verification["lost"] == 0
    # Every acknowledged insert is there, counted here on our own.
    for worker, acked in verification["ackedByWorker"].items():
        rows = cluster.admin_sql(
            "aurora",
            "SELECT COUNT(*) FROM dbtier_load WHERE run_id = %s AND worker = %s AND seq < %s",
            (result["runId"], int(worker), acked),
        )
        assert rows == [(acked,)], (worker, acked, rows)
    # Work happened both before and after the restart.
    busy = [s["second"] for s in result["perSecond"] if s["inserts"] + s["reads"] > 0]
    assert busy[0] <= 2 and busy[-1] >= 6, busy
    for secret in cluster.passwords:
        assert secret not in out and secret not in err
