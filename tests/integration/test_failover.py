"""The failover drill (``python -m workloads failover``) on the local stand-ins, under write load:
the call reaches moto (or the stand-in where moto lacks it) with the identifiers of the outputs,
the engine really fails over, the RTO is measured, and the acknowledged writes are accounted for.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from standins.aws_front import AwsFront
from standins.local_failover import (
    FAKE_AWS,
    aws_client,
    create_cluster,
    create_instance,
    create_replication_group,
    redis_standin,
)
from tests.integration.failover_local import mariadb_standin, postgres_standin
from workloads.__main__ import build_parser, load_workload
from workloads.common import WorkloadError, load_outputs

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FAST = ("--warmup", "0.5", "--settle", "0.5", "--timeout", "30")
RTO_BOUND = 10.0  # seconds: far above what the stand-ins take (see docs/workloads.md)

Drill = Callable[..., tuple[int, Any]]


@pytest.fixture
def drill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Drill:
    """``drill(front, outputs, *args)`` runs the workload in this process against ``front``:
    (exit code, the JSON report) or (2, the one-line error)."""

    def run(front: AwsFront, outputs: dict[str, Any], *args: str) -> tuple[int, Any]:
        for name, value in {**FAKE_AWS, "AWS_ENDPOINT_URL": front.url}.items():
            monkeypatch.setenv(name, value)
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(outputs))
        module = load_workload("failover")
        parsed = build_parser("failover", module).parse_args(
            ["--outputs", str(path), "--json", *args]
        )
        capsys.readouterr()
        try:
            code = module.run(parsed, load_outputs(str(path)))
        except WorkloadError as exc:
            return exc.exit_code, str(exc)
        return code, json.loads(capsys.readouterr().out)

    return run


def test_redis_failover_reports_exactly_the_writes_the_replica_lacked(drill: Drill) -> None:
    with redis_standin(lag=0.3) as (pair, front, outputs):
        old, new = pair.primary, pair.replica
        code, report = drill(front, outputs, "--target", "redis", *FAST)
        front.wait_effects()
    assert code == 0, report
    assert report["call"] == (
        "elasticache.test_failover(ReplicationGroupId='dbtier-local-redis', NodeGroupId='0001')"
    )
    assert report["answeredBy"] == "the local stand-in (moto lacks TestFailover)"
    assert report["primary"] == {
        "before": "dbtier-local-redis-001",
        "after": "dbtier-local-redis-002",
    }
    assert report["endpoint"]["before"].startswith(f"port {old} ")
    assert report["endpoint"]["after"].startswith(f"port {new} ")
    # Writes the old primary acknowledged in the 0.3 s before the endpoint moved are gone: the
    # drill's count is what the old primary had and the promoted replica had not (less at most
    # one write the old primary applied but whose reply the move cut: never acknowledged).
    assert pair.only_on_old is not None and pair.only_on_old > 0
    assert pair.only_on_old - 1 <= report["writes"]["lost"] <= pair.only_on_old
    assert 0 < report["rtoSeconds"] < RTO_BOUND


def test_redis_durable_mode_keeps_every_acknowledged_write(drill: Drill) -> None:
    with redis_standin(lag=0.3) as (pair, front, outputs):
        # Two seconds of writes before the call: each is acknowledged only once the replica has
        # it, and on a busy machine half a second has seen none (a drill with none fails).
        args = ("--target", "redis", "--durable", *FAST, "--warmup", "2")
        code, report = drill(front, outputs, *args)
        front.wait_effects()
    assert code == 0, report
    assert report["durable"] is True
    assert report["writes"]["acknowledged"] > 0
    assert report["writes"]["lost"] == 0
    assert pair.only_on_old is not None  # the failover happened


def test_aurora_failover_promotes_the_standby_and_loses_no_acknowledged_write(
    drill: Drill,
) -> None:
    with postgres_standin() as (pair, front, outputs):
        code, report = drill(front, outputs, "--target", "aurora", *FAST)
        front.wait_effects()
        assert pair.promoted
        members = aws_client(front, "rds").describe_db_clusters(
            DBClusterIdentifier="dbtier-local-aurora"
        )["DBClusters"][0]["DBClusterMembers"]
    assert code == 0, report
    assert report["call"] == (
        "rds.failover_db_cluster(DBClusterIdentifier='dbtier-local-aurora', "
        "TargetDBInstanceIdentifier='dbtier-local-aurora-reader-1')"
    )
    assert [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]] == [
        "dbtier-local-aurora-reader-1"
    ]
    assert report["endpoint"]["before"].startswith("127.0.0.1:")
    assert report["endpoint"]["after"].startswith("127.0.0.2:")
    assert report["writes"]["acknowledged"] > 50
    assert report["writes"]["lost"] == 0
    assert report["reconnects"] >= 1
    assert 0 < report["rtoSeconds"] < RTO_BOUND


def test_relational_forced_failover_restart_keeps_every_acknowledged_write(drill: Drill) -> None:
    with mariadb_standin() as (server, front, outputs):
        code, report = drill(front, outputs, "--target", "relational", *FAST)
        front.wait_effects()
        assert server.restarts == 1
    assert code == 0, report
    assert report["call"] == (
        "rds.reboot_db_instance(DBInstanceIdentifier='dbtier-local-relational', ForceFailover=True)"
    )
    assert report["primary"]["before"].endswith("us-east-1a")
    assert report["primary"]["after"].endswith("us-east-1b")
    assert report["writes"]["lost"] == 0
    assert report["writes"]["acknowledged"] > 50
    assert report["reconnects"] >= 1
    assert 0 < report["rtoSeconds"] < RTO_BOUND


# --- refusals, dry run, consent: moto only, no engine is ever reached ----------------------


@pytest.fixture(scope="module")
def moto_front() -> Iterator[AwsFront]:
    front = AwsFront({})
    try:
        create_instance(front, "single", multi_az=False)
        create_instance(front, "multi", multi_az=True)
        create_cluster(front, "lonely", "aurora-postgresql", readers=0)
        create_cluster(front, "pair", "aurora-postgresql", readers=1)
        create_replication_group(front, "onenode", nodes=1)
        yield front
    finally:
        front.close()


def _outputs(target: str, identifier: str, stack: str = "dev") -> dict[str, Any]:
    common = {"port": 1, "databaseName": "d", "username": "u", "password": "p", "tls": False}
    sections = {
        "relational": {"endpoint": "127.0.0.1", "instanceIds": [identifier], **common},
        "aurora": {"writerEndpoint": "127.0.0.1", "clusterId": identifier, **common},
        "redis": {"primaryEndpoint": "127.0.0.1", "port": 1, "replicationGroupId": identifier},
    }
    return {target: sections[target], "stack": {"name": stack}}


@pytest.mark.parametrize(
    ("target", "identifier", "extra", "reason"),
    [
        ("relational", "single", (), "relational: instance single is single-AZ"),
        ("aurora", "lonely", (), "aurora: cluster lonely has no reader to fail over to"),
        ("aurora", "pair", ("--reader", "nope"), "--reader nope is not a reader of cluster pair"),
        ("redis", "onenode", (), "node group 0001 of onenode has one node"),
    ],
)
def test_a_target_that_cannot_fail_over_is_refused(
    drill: Drill, moto_front: AwsFront, target: str, identifier: str, extra: tuple, reason: str
) -> None:
    code, message = drill(moto_front, _outputs(target, identifier), "--target", target, *extra)
    assert code == 2
    assert reason in message


def test_dry_run_prints_the_call_and_makes_none(drill: Drill, moto_front: AwsFront) -> None:
    code, report = drill(
        moto_front, _outputs("aurora", "pair", "prod"), "--target", "aurora", "--dry-run"
    )
    assert code == 0
    assert report["call"] == (
        "rds.failover_db_cluster(DBClusterIdentifier='pair', "
        "TargetDBInstanceIdentifier='pair-reader-1')"
    )
    members = aws_client(moto_front, "rds").describe_db_clusters(DBClusterIdentifier="pair")
    writer = [m for m in members["DBClusters"][0]["DBClusterMembers"] if m["IsClusterWriter"]]
    assert writer[0]["DBInstanceIdentifier"] == "pair-writer"


def test_a_prod_stack_needs_yes(drill: Drill, moto_front: AwsFront) -> None:
    code, message = drill(
        moto_front, _outputs("relational", "multi", "prod"), "--target", "relational"
    )
    assert code == 2
    assert message == "stack 'prod' is a prod stack: pass --yes to fail over its relational primary"


def test_an_endpoint_that_does_not_answer_stops_the_drill_before_the_call(
    drill: Drill, moto_front: AwsFront
) -> None:
    code, message = drill(moto_front, _outputs("relational", "multi"), "--target", "relational")
    assert code == 2
    assert message.startswith("the endpoint 127.0.0.1 does not answer")
    instance = aws_client(moto_front, "rds").describe_db_instances(DBInstanceIdentifier="multi")
    assert instance["DBInstances"][0]["AvailabilityZone"] == "us-east-1a"  # no failover made


def test_the_command_line_refuses_in_one_line_without_a_traceback(
    moto_front: AwsFront, tmp_path: Path
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(_outputs("redis", "onenode")))
    env = {**os.environ, **FAKE_AWS, "AWS_ENDPOINT_URL": moto_front.url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workloads",
            "failover",
            "--target",
            "redis",
            "--outputs",
            str(path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "has one node: nothing to fail over to" in done.stderr


def _descendants(root: int) -> set[int]:
    """Every live process under ``root`` (from the parent ids in /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_an_interrupt_mid_drill_leaves_nothing_running(tmp_path: Path) -> None:
    # The stand-in's temporary directories go under a TMPDIR of this test's own, so the check
    # below sees only this run's (tests beside it make theirs in the system's).
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    outputs = tmp_path / "outputs.json"
    standin = [sys.executable, "-m", "standins.local_failover", "redis", "--outputs", str(outputs)]
    drill_command = [sys.executable, "-m", "workloads", "failover", "--target", "redis"]
    drill_command += ["--outputs", str(outputs), "--warmup", "60"]
    proc = subprocess.Popen(
        [*standin, "--", *drill_command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C reaches every process in it
        env={**os.environ, "TMPDIR": str(own_tmp)},
    )
    try:
        deadline = time.monotonic() + 120
        # Two redis-servers and the drill; the drill writes once its outputs file exists.
        while not (outputs.exists() and len(started := _descendants(proc.pid)) >= 3):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        time.sleep(3)  # the drill is writing (its warm-up lasts 60 s)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not [pid for pid in started if _alive(pid)]
    assert list(own_tmp.iterdir()) == []
    port = json.loads(outputs.read_text())["redis"]["port"]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
