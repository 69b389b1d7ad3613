"""The ``dynamo`` workload across regions, against two regions of one moto server: the local
stand-in replicates between them (moto does not), ``--region`` runs against the replica, and
``--replication`` reports the lag it observed, naming the stand-in as what replicated."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from contract.tables import SEED_TABLE
from standins.local_dynamo import local_outputs, moto_server
from standins.local_replication import LocalReplicator
from workloads.__main__ import main
from workloads.dynamo.replication import PROBE_PREFIX, check_replication

pytestmark = pytest.mark.integration

HOME, REPLICA = "us-east-1", "eu-west-1"


def _client(url: str, region: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "dynamodb",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def moto_url() -> Iterator[str]:
    """A moto server of this test's own (the module's, conftest.py, is shared by its tests)."""
    with moto_server() as url:
        yield url


@pytest.fixture
def table() -> str:
    """A name of its own: moto's servers in one process share their state."""
    return f"UserProfiles-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def outputs_file(moto_url: str, table: str, tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    schema = replace(SEED_TABLE, name=table)
    path.write_text(json.dumps(local_outputs(moto_url, (schema,), replica_regions=(REPLICA,))))
    return path


def _probes(url: str, region: str, table: str) -> list[dict]:
    items = _client(url, region).scan(TableName=table)["Items"]
    return [i for i in items if i["userId"]["S"].startswith(PROBE_PREFIX)]


def test_probes_reach_the_replica_and_are_gone_from_both_regions_after(
    moto_url: str, table: str, outputs_file: Path
) -> None:
    with_replicator = LocalReplicator(moto_url, table, (HOME, REPLICA), poll=0.02)
    with_replicator.start()
    try:
        result = check_replication(
            _client(moto_url, HOME),
            {REPLICA: _client(moto_url, REPLICA)},
            table,
            source_region=HOME,
            items=3,
            timeout=20,
            stand_in="test",
        )
        assert result.ok, result.problems
        (lag,) = result.regions
        assert lag.region == REPLICA and len(lag.lags) == 3
        assert all(0 < s < 20 for s in lag.lags)
        # The deletes replicate too: a run leaves no probe in either region.
        deadline = time.monotonic() + 20
        while _probes(moto_url, REPLICA, table) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _probes(moto_url, HOME, table) == [] and _probes(moto_url, REPLICA, table) == []
    finally:
        with_replicator.stop()


def test_without_replication_the_probes_are_reported_missing(
    moto_url: str, table: str, outputs_file: Path
) -> None:
    result = check_replication(
        _client(moto_url, HOME),
        {REPLICA: _client(moto_url, REPLICA)},
        table,
        source_region=HOME,
        items=2,
        timeout=1,
        poll=0.05,
    )
    assert not result.ok
    assert result.problems == ["eu-west-1: 2 of 2 probes not replicated after 1 s"]
    assert result.to_json()["replicatedBy"] == "DynamoDB global tables"


def test_the_workload_runs_in_the_replica_region_and_reports_the_lag_home(
    moto_url: str, table: str, outputs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replicator = LocalReplicator(moto_url, table, (HOME, REPLICA), poll=0.02).start()
    try:
        code = main(
            ["dynamo", "--outputs", str(outputs_file), "--users", "10", "--region", REPLICA,
             "--replication", "--replication-items", "2", "--json"]
        )  # fmt: skip
        # The probes' deletes reach home a poll after the workload returns: wait for them before
        # stopping the replicator, so home holds exactly the users.
        deadline = time.monotonic() + 20
        while _probes(moto_url, HOME, table) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        replicator.stop()
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["region"] == REPLICA
    (replication,) = report["replication"]
    assert replication["source"] == REPLICA
    assert replication["replicatedBy"].startswith("the local stand-in at http://127.0.0.1:")
    assert [r["region"] for r in replication["regions"]] == [HOME]
    assert replication["regions"][0]["seen"] == 2
    # Users were written in the replica region and replicated home.
    home_users = _client(moto_url, HOME).scan(TableName=table, Select="COUNT")
    assert _probes(moto_url, HOME, table) == [] and home_users["Count"] == 10


@pytest.mark.parametrize(
    ("flags", "text"),
    [
        (["--region", "ap-south-1"], "not replicated there"),
        (["--region", "mars-north-9"], "in no AWS partition"),
    ],
)
def test_a_region_without_the_table_is_refused_before_any_work(
    moto_url: str,
    table: str,
    outputs_file: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    text: str,
) -> None:
    assert main(["dynamo", "--outputs", str(outputs_file), *flags]) == 2
    assert text in capsys.readouterr().err
    assert _client(moto_url, HOME).scan(TableName=table, Select="COUNT")["Count"] == 0
