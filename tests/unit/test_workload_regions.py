"""``--region R`` of relational (and the helper aurora-load shares): R's replica from the
outputs, the local engine standing in for a local run, and a one-line refusal otherwise."""

from __future__ import annotations

import dataclasses

import pytest

from contract import RelationalOutputs
from workloads.common import Outputs, WorkloadError
from workloads.relational.cli import readers_for

LOCAL = RelationalOutputs(
    endpoint="127.0.0.1",
    port=3306,
    database_name="app",
    username="app",
    reader_endpoints=("localhost",),
    tls=False,
)
DEPLOYED = dataclasses.replace(
    LOCAL,
    endpoint="db.abc.us-east-1.rds.amazonaws.com",
    reader_endpoints=("r1.abc.us-east-1.rds.amazonaws.com",),
    tls=True,
    region_reader_endpoints={"eu-west-1": "x.def.eu-west-1.rds.amazonaws.com"},
)


def test_without_region_the_home_readers_are_checked() -> None:
    assert readers_for(DEPLOYED, None) == (DEPLOYED.reader_endpoints, None)


def test_a_region_with_a_replica_is_its_only_reader() -> None:
    assert readers_for(DEPLOYED, "eu-west-1") == (("x.def.eu-west-1.rds.amazonaws.com",), None)


def test_a_local_run_has_the_local_engine_stand_in_and_says_so() -> None:
    readers, note = readers_for(LOCAL, "eu-west-1")
    assert readers == ("localhost",)
    assert note == "local stand-in: eu-west-1 is the same local engine (localhost), read only"


@pytest.mark.parametrize(
    ("section", "known"),
    [
        (DEPLOYED, "eu-west-1"),
        # An exported stack without cross-region replicas: no stand-in, nothing to read.
        (dataclasses.replace(DEPLOYED, region_reader_endpoints=None), "none"),
        # Local outputs that do list replicas: only those.
        (dataclasses.replace(LOCAL, region_reader_endpoints={"eu-west-1": "h"}), "eu-west-1"),
    ],
)
def test_a_region_without_a_replica_is_refused_naming_those_with_one(
    section: RelationalOutputs, known: str
) -> None:
    with pytest.raises(WorkloadError) as raised:
        readers_for(section, "us-west-2")
    assert str(raised.value) == (
        "--region us-west-2: relational has no cross-region read replica there"
        f" (relational.regionReaderEndpoints: {known})"
    )


def test_region_reader_endpoints_are_read_from_the_outputs_as_hosts() -> None:
    raw = {
        "endpoint": "127.0.0.1",
        "port": 3306,
        "databaseName": "app",
        "username": "app",
        "regionReaderEndpoints": {"eu-west-1": "x.def.eu-west-1.rds.amazonaws.com"},
    }
    section = Outputs({"relational": raw}, "f").read(RelationalOutputs)
    assert section.region_reader_endpoints == {"eu-west-1": "x.def.eu-west-1.rds.amazonaws.com"}
    bad = {**raw, "regionReaderEndpoints": {"eu-west-1": {"host": "x"}}}
    with pytest.raises(
        WorkloadError, match=r'malformed key "relational\.regionReaderEndpoints\.eu-west-1"'
    ):
        Outputs({"relational": bad}, "f").read(RelationalOutputs)
