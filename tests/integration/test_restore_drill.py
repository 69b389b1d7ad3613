"""``restore-drill`` end to end: the RDS and DynamoDB calls go to an in-process moto server, where
``standins.local_rds`` made the source instance and cluster the outputs name; the data of a
restored instance is a copy of the local MariaDB or PostgreSQL database taken at the restore point.

Checked: the copy matches and the marker came back; a difference planted in the copy is found and
named by its key (exit 1); rows written after the restore point are left out only by the column
the user names; the throwaway (moto's instance or cluster, the local copy, the restored table) and
the marker are gone afterwards, after an interrupt too; the calls name what the outputs and moto
say; --dry-run creates nothing; prod needs --yes.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psycopg2
import pytest

import workloads.__main__ as workloads_main
import workloads.restore_drill as restore_drill
from standins.local_dynamo import local_outputs as dynamo_outputs
from standins.local_outputs import drop_all, mysql_admin, new_password, pg_admin, provision_all
from standins.local_rds import REGION, enable_pitr, seed_rds
from workloads.common import Endpoint, interrupts
from workloads.restore_drill.marker import MARKER_TABLE
from workloads.restore_drill.standin import copy_exists, drop_copy

pytestmark = pytest.mark.integration

ROWS = 300


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> None:
    """boto3 in the drill (in-process or a child) talks to moto, never to a real account."""
    for name, value in {
        "AWS_ENDPOINT_URL_RDS": moto_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def rds(moto_url: str) -> Any:
    return boto3.client("rds", region_name=REGION, endpoint_url=moto_url)


@dataclass
class Stack:
    """A local stack whose relational and aurora sources exist in moto and hold an orders table."""

    path: Path
    outputs: dict[str, Any]
    family: str

    def source(self, target: str) -> str:
        return str(self.outputs[target]["databaseName"])

    def sql(self, database: str, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        """Run statements as the local administrator in ``database``; the last one's rows."""
        rows: list[Any] = []
        if self.family == "mysql":
            conn = mysql_admin()
            try:
                cur = conn.cursor()
                cur.execute(f"USE `{database}`")
                for statement, params in statements:
                    cur.execute(statement, params)
                    rows = cur.fetchall() if cur.description else []
            finally:
                conn.close()
            return rows
        admin = pg_admin()
        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=database)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for statement, params in statements:
                    cur.execute(statement, params)
                    rows = cur.fetchall() if cur.description else []
        finally:
            conn.close()
            admin.close()
        return rows


def _orders(family: str) -> list[tuple[str, tuple[Any, ...]]]:
    stamp = "TIMESTAMP(6)" if family == "mysql" else "TIMESTAMPTZ"
    series = (
        f"SELECT seq, CONCAT('order ', seq), '2026-01-01' FROM seq_1_to_{ROWS}"
        if family == "mysql"
        else f"SELECT g, 'order ' || g, '2026-01-01' FROM generate_series(1, {ROWS}) g"
    )
    return [
        ("DROP TABLE IF EXISTS orders", ()),
        (f"CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40), created_at {stamp})", ()),
        (f"INSERT INTO orders (id, note, created_at) {series}", ()),
    ]


def _stack(tmp: Path, moto_url: str, family: str) -> Iterator[Stack]:
    prefix = f"dbtier_rd{secrets.token_hex(3)}"
    engines = ("mysql", "aurora-mysql") if family == "mysql" else ("postgres", "aurora-postgresql")
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(
        prefix, passwords, relational_engine=engines[0], aurora_engine=engines[1]
    )
    try:
        seed_rds(moto_url, outputs, prefix.replace("_", "-"))
        path = tmp / "outputs.json"
        path.write_text(json.dumps(outputs))
        stack = Stack(path, outputs, family)
        for target in ("relational", "aurora"):
            stack.sql(stack.source(target), _orders(family))
            if family == "postgres":  # the stack's user reads what the administrator made
                owner = outputs[target]["username"]
                stack.sql(stack.source(target), [(f'ALTER TABLE orders OWNER TO "{owner}"', ())])
        yield stack
    finally:
        drop_all(prefix)


@pytest.fixture(scope="module")
def mysql_stack(tmp_path_factory: pytest.TempPathFactory, moto_url: str) -> Iterator[Stack]:
    yield from _stack(tmp_path_factory.mktemp("rd-mysql"), moto_url, "mysql")


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory: pytest.TempPathFactory, moto_url: str) -> Iterator[Stack]:
    yield from _stack(tmp_path_factory.mktemp("rd-pg"), moto_url, "postgres")


def drill_json(run_workload: Callable[..., Any], stack: Stack, *args: str) -> tuple[int, Any]:
    done = run_workload("restore-drill", "--outputs", str(stack.path), "--json", *args, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else done.stderr


def in_process(monkeypatch: pytest.MonkeyPatch, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``python -m workloads restore-drill ...`` in this process (so a test can reach into it)."""
    monkeypatch.setattr(workloads_main, "wait_for_threads", lambda grace: True)
    monkeypatch.setattr(interrupts, "_one_line", interrupts.threading.Lock())
    code = workloads_main.main(["restore-drill", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    if "--json" in argv:
        assert captured.out.strip(), captured.err
    return code, captured.out, captured.err


def assert_nothing_left(stack: Stack, moto_url: str, report: dict[str, Any]) -> None:
    """The throwaway is gone from moto and from the local server, and the marker from the
    source (its table too: the drill made it)."""
    name = report["throwaway"]
    client = rds(moto_url)
    instances = {i["DBInstanceIdentifier"] for i in client.describe_db_instances()["DBInstances"]}
    clusters = {c["DBClusterIdentifier"] for c in client.describe_db_clusters()["DBClusters"]}
    assert not any(n.startswith(name) for n in instances | clusters), (instances, clusters)
    target = report["target"]
    copy = name.replace("-", "_")
    assert not copy_exists(stack.family, local_endpoint(stack, target), copy)
    tables = stack.sql(
        stack.source(target),
        [
            (
                "SELECT table_name FROM information_schema.tables WHERE table_name = %s "
                + f"AND table_schema = {'DATABASE()' if stack.family == 'mysql' else 'current_schema()'}",
                (MARKER_TABLE,),
            )
        ],
    )
    assert tables == []


def local_endpoint(stack: Stack, target: str) -> Any:
    section = stack.outputs[target]
    host = section.get("endpoint") or section["writerEndpoint"]
    return Endpoint(host=host, port=section["port"], database=stack.source(target))


@pytest.mark.parametrize("target", ["relational", "aurora"])
def test_the_restored_copy_matches_and_is_removed(
    run_workload, monkeypatch, capsys, mysql_stack, moto_url, target
):
    if target == "relational":  # once through the command line, as a user runs it
        code, report = drill_json(run_workload, mysql_stack, "--target", target)
    else:
        code, out, _ = in_process(
            monkeypatch, capsys, "--outputs", str(mysql_stack.path), "--target", target, "--json"
        )
        report = json.loads(out)
    assert code == 0, report
    assert report["ok"] and report["marker"]["present"] and report["marker"]["expected"]
    orders = next(t for t in report["tables"] if t["table"] == "orders")
    assert (orders["sourceRows"], orders["targetRows"], orders["status"]) == (ROWS, ROWS, "match")
    assert report["rtoSeconds"] > 0 and report["rpoSeconds"] >= 0
    assert "local stand-in" in report["standIn"]
    assert report["leftBehind"] == [] and len(report["deleted"]) == (
        2 if target == "relational" else 3
    )
    assert_nothing_left(mysql_stack, moto_url, report)


def test_the_calls_name_the_source_its_network_and_its_key(monkeypatch, capsys, pg_stack, moto_url):
    cluster = pg_stack.outputs["aurora"]["clusterId"]
    described = rds(moto_url).describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    code, out, _ = in_process(
        monkeypatch, capsys, "--outputs", str(pg_stack.path), "--target", "aurora", "--json"
    )
    report = json.loads(out)
    assert code == 0, report
    restore, writer = report["calls"]
    assert restore["operation"] == "restore_db_cluster_to_point_in_time"
    params = restore["params"]
    assert params["SourceDBClusterIdentifier"] == cluster
    assert params["DBSubnetGroupName"] == described["DBSubnetGroup"]
    assert params["VpcSecurityGroupIds"] == [
        g["VpcSecurityGroupId"] for g in described["VpcSecurityGroups"]
    ]
    assert params["KmsKeyId"] == described["KmsKeyId"]
    assert params["RestoreToTime"] == report["restorePoint"]
    assert writer["operation"] == "create_db_instance"
    assert writer["params"]["DBClusterIdentifier"] == report["throwaway"]
    assert writer["params"]["DBInstanceClass"] == "db.serverless"
    assert report["ok"] and "127.0.0.1:5432" in report["standIn"]
    assert_nothing_left(pg_stack, moto_url, report)


@pytest.mark.parametrize("family", ["mysql", "postgres"])
def test_a_difference_planted_in_the_copy_is_named_by_key(
    monkeypatch, capsys, request, moto_url, family
):
    stack: Stack = request.getfixturevalue({"mysql": "mysql_stack", "postgres": "pg_stack"}[family])
    made = restore_drill.make_copy

    def plant(*args: Any) -> Any:
        copy = made(*args)
        stack.sql(copy.database, [("UPDATE orders SET note = %s WHERE id = %s", ("planted", 42))])
        return copy

    monkeypatch.setattr(restore_drill, "make_copy", plant)
    code, out, _ = in_process(
        monkeypatch, capsys, "--outputs", str(stack.path), "--target", "relational", "--json"
    )
    report = json.loads(out)
    assert code == 1, report
    orders = next(t for t in report["tables"] if t["table"] == "orders")
    assert orders["status"] == "differs"
    assert orders["ranges"] == [{"kind": "changed", "from": 42, "to": 42, "rows": 1}]
    assert report["marker"]["present"] and not report["ok"]
    assert_nothing_left(stack, moto_url, report)


def test_rows_written_after_the_restore_point_are_left_out_by_the_named_column(
    monkeypatch, capsys, mysql_stack, moto_url
):
    source = mysql_stack.source("relational")
    made = restore_drill.make_copy

    def write_after(*args: Any) -> Any:
        copy = made(*args)  # the restore point has passed: this row is newer than the copy
        mysql_stack.sql(
            source,
            [
                ("INSERT INTO orders VALUES (%s, 'late', NOW(6))", (ROWS + 1,)),
                ("UPDATE orders SET note = 'edited', created_at = NOW(6) WHERE id = 7", ()),
            ],
        )
        return copy

    monkeypatch.setattr(restore_drill, "make_copy", write_after)
    argv = ("--outputs", str(mysql_stack.path), "--target", "relational", "--json")
    undo = [
        ("DELETE FROM orders WHERE id > %s", (ROWS,)),
        ("UPDATE orders SET note = 'order 7', created_at = '2026-01-01' WHERE id = 7", ()),
    ]
    try:
        code, out, _ = in_process(monkeypatch, capsys, *argv)
        unfiltered = json.loads(out)
        mysql_stack.sql(source, undo)
        code_since, out, _ = in_process(monkeypatch, capsys, *argv, "--since-column", "created_at")
        filtered = json.loads(out)
    finally:
        mysql_stack.sql(source, undo)
    assert code == 1
    orders = next(t for t in unfiltered["tables"] if t["table"] == "orders")
    assert orders["ranges"] == [
        {"kind": "changed", "from": 7, "to": 7, "rows": 1},
        {"kind": "missing in target", "from": ROWS + 1, "to": ROWS + 1, "rows": 1},
    ]
    # The copy holds row 7 as it was: it is left out on both sides, not called a difference.
    assert code_since == 0, filtered
    assert filtered["rowsAfterRestorePoint"] == 2
    assert_nothing_left(mysql_stack, moto_url, filtered)


@pytest.mark.parametrize("when", ["as the copy is made", "while comparing"])
def test_an_interrupt_mid_drill_removes_what_it_made(
    monkeypatch, capsys, mysql_stack, moto_url, when
):
    made: list[Any] = []
    copy = restore_drill.make_copy

    def copied(*args: Any) -> Any:
        made.append(copy(*args))
        if when == "as the copy is made":  # the copy exists, the drill has not heard of it yet
            raise KeyboardInterrupt
        return made[-1]

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C while comparing: the instance and the copy exist

    monkeypatch.setattr(restore_drill, "make_copy", copied)
    monkeypatch.setattr(restore_drill, "compare", interrupted)
    code, out, err = in_process(
        monkeypatch, capsys, "--outputs", str(mysql_stack.path), "--target", "relational"
    )
    assert code == 130 and out == ""
    assert err.strip().splitlines()[-1].endswith("error: interrupted")
    assert made and not copy_exists("mysql", made[0].source, made[0].database)
    name = next(line.split()[2].rstrip(",") for line in err.splitlines() if "will create" in line)
    assert_nothing_left(mysql_stack, moto_url, {"throwaway": name, "target": "relational"})


def test_keep_keeps_the_copy_of_a_drill_that_ran_to_its_end(
    monkeypatch, capsys, mysql_stack, moto_url
):
    code, out, _ = in_process(
        monkeypatch,
        capsys,
        *("--outputs", str(mysql_stack.path), "--target", "relational", "--json", "--keep"),
    )
    report = json.loads(out)
    name, source = report["throwaway"], local_endpoint(mysql_stack, "relational")
    try:
        assert code == 0 and report["kept"] and report["deleted"] == []
        assert copy_exists("mysql", source, name.replace("-", "_"))
        described = rds(moto_url).describe_db_instances(DBInstanceIdentifier=name)
        assert described["DBInstances"][0]["DBInstanceStatus"] == "available"
    finally:
        drop_copy("mysql", source, name.replace("-", "_"))
        rds(moto_url).delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    assert_nothing_left(mysql_stack, moto_url, report)


def test_dry_run_prints_the_calls_and_creates_nothing(run_workload, mysql_stack, moto_url):
    before = len(rds(moto_url).describe_db_instances()["DBInstances"])
    done = run_workload(
        "restore-drill", "--outputs", str(mysql_stack.path), "--target", "relational", "--dry-run"
    )
    assert done.returncode == 0, done.stderr
    instance = mysql_stack.outputs["relational"]["instanceIds"][0]
    assert f"SourceDBInstanceIdentifier='{instance}'" in done.stdout
    assert "rds.restore_db_instance_to_point_in_time(" in done.stdout
    assert "rds.delete_db_instance(" in done.stdout
    assert len(rds(moto_url).describe_db_instances()["DBInstances"]) == before
    assert mysql_stack.outputs["relational"]["password"] not in done.stdout + done.stderr


def refused(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, path: Path, target: str, secret: str
) -> str:
    """Run the drill expecting a refusal: exit 2, one line, no secret; that line."""
    code, out, err = in_process(monkeypatch, capsys, "--outputs", str(path), "--target", target)
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1, (code, out, err)
    assert secret not in err and "Traceback" not in err
    return lines[0]


def test_a_prod_stack_needs_yes(monkeypatch, capsys, mysql_stack, tmp_path, moto_url):
    outputs = json.loads(mysql_stack.path.read_text())
    outputs["aurora"]["clusterId"] = "dbtier-prod-aurora-cluster"
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(outputs))
    before = len(rds(moto_url).describe_db_clusters()["DBClusters"])
    line = refused(monkeypatch, capsys, path, "aurora", outputs["aurora"]["password"])
    assert "is a prod stack: pass --yes" in line
    assert len(rds(moto_url).describe_db_clusters()["DBClusters"]) == before


def test_outputs_without_the_identifier_are_refused(monkeypatch, capsys, mysql_stack, tmp_path):
    outputs = json.loads(mysql_stack.path.read_text())
    del outputs["relational"]["instanceIds"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(outputs))
    line = refused(monkeypatch, capsys, path, "relational", outputs["relational"]["password"])
    assert '"relational.instanceIds"' in line


def test_aws_refusing_a_call_is_one_line(monkeypatch, capsys, mysql_stack, tmp_path):
    outputs = json.loads(mysql_stack.path.read_text())
    outputs["relational"]["instanceIds"] = ["dbtier-test-no-such-instance"]
    path = tmp_path / "missing.json"
    path.write_text(json.dumps(outputs))
    line = refused(monkeypatch, capsys, path, "relational", outputs["relational"]["password"])
    assert "AWS refused rds.describe_db_instances: DBInstanceNotFound" in line


@pytest.fixture
def dynamo_stack(tmp_path: Path, moto_url: str) -> Stack:
    outputs = dynamo_outputs(moto_url)
    (table,) = outputs["dynamo"]["tables"].values()
    enable_pitr(moto_url, table["tableName"])
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    described = client.describe_table(TableName=table["tableName"])["Table"]
    key = described["KeySchema"][0]["AttributeName"]
    for i in range(50):
        client.put_item(
            TableName=table["tableName"], Item={key: {"S": f"user-{i}"}, "n": {"N": str(i)}}
        )
    path = tmp_path / "dynamo.json"
    path.write_text(json.dumps(outputs))
    yield Stack(path, outputs, "dynamo")
    client.delete_table(TableName=table["tableName"])


def test_a_dynamodb_table_is_restored_compared_and_deleted(
    monkeypatch, capsys, dynamo_stack, moto_url
):
    code, out, _ = in_process(
        monkeypatch, capsys, "--outputs", str(dynamo_stack.path), "--target", "dynamo", "--json"
    )
    report = json.loads(out)
    assert code == 0, report
    (table,) = report["tables"]
    assert table["status"] == "match" and table["sourceRows"] == table["targetRows"] == 51
    assert report["marker"]["present"]
    (restore,) = [c for c in report["calls"] if c["service"] == "dynamodb"]
    assert restore["params"]["TargetTableName"] == report["throwaway"]
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    assert report["throwaway"] not in client.list_tables()["TableNames"]
    source = dynamo_stack.outputs["dynamo"]["tables"]
    (name,) = [t["tableName"] for t in source.values()]
    assert client.scan(TableName=name, Select="COUNT")["Count"] == 50  # the marker is gone
