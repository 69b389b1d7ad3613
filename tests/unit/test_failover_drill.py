"""The failover drill's decisions without AWS or an engine: what it refuses and calls (from a
described target), and how its recovery time is read from the writers' records."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from workloads.common import Outputs, WorkloadError
from workloads.failover import recovery
from workloads.failover.control import (
    plan_aurora,
    plan_redis,
    plan_relational,
    section_identifier,
)
from workloads.failover.results import FailoverResult, first_write_on_new_primary, render
from workloads.failover.watch import Move, Server
from workloads.failover.writers import WriteOutcome


class Described:
    """A boto3 client whose describe calls answer ``answers`` (operation -> response)."""

    def __init__(self, **answers: dict[str, Any]) -> None:
        self.answers = answers

    def __getattr__(self, operation: str) -> Any:
        return lambda **_: self.answers[operation]


def cluster(*members: tuple[str, bool, int]) -> Described:
    return Described(
        describe_db_clusters={
            "DBClusters": [
                {
                    "DBClusterMembers": [
                        {"DBInstanceIdentifier": n, "IsClusterWriter": w, "PromotionTier": t}
                        for n, w, t in members
                    ]
                }
            ]
        }
    )


def test_aurora_fails_over_to_the_reader_aurora_would_promote_first() -> None:
    rds = cluster(("w", True, 0), ("r-b", False, 1), ("r-a", False, 1), ("r-0", False, 0))
    plan = plan_aurora(rds, "c", None)
    assert plan.params == {"DBClusterIdentifier": "c", "TargetDBInstanceIdentifier": "r-0"}
    assert (plan.primary, plan.candidate) == ("w", "r-0")
    assert plan_aurora(rds, "c", "r-b").params["TargetDBInstanceIdentifier"] == "r-b"


def test_aurora_without_a_reader_is_refused_with_the_key_to_change() -> None:
    with pytest.raises(WorkloadError, match=r"no reader .* dbtier:aurora.readers") as caught:
        plan_aurora(cluster(("w", True, 0)), "c", None)
    assert caught.value.exit_code == 2


def test_relational_needs_multi_az() -> None:
    single = Described(describe_db_instances={"DBInstances": [{"MultiAZ": False}]})
    with pytest.raises(WorkloadError, match="single-AZ"):
        plan_relational(single, "db")
    multi = Described(
        describe_db_instances={
            "DBInstances": [
                {"MultiAZ": True, "AvailabilityZone": "eu-1a", "SecondaryAvailabilityZone": "eu-1b"}
            ]
        }
    )
    plan = plan_relational(multi, "db")
    assert plan.call == "rds.reboot_db_instance(DBInstanceIdentifier='db', ForceFailover=True)"
    assert (plan.primary, plan.candidate) == ("db in eu-1a", "db in eu-1b")


def group(failover: str, *roles: str) -> Described:
    members = [{"CacheClusterId": f"n{i}", "CurrentRole": r} for i, r in enumerate(roles)]
    return Described(
        describe_replication_groups={
            "ReplicationGroups": [
                {
                    "AutomaticFailover": failover,
                    "NodeGroups": [{"NodeGroupId": "0001", "NodeGroupMembers": members}],
                }
            ]
        }
    )


def test_redis_refuses_one_node_and_failover_off() -> None:
    with pytest.raises(WorkloadError, match="has one node"):
        plan_redis(group("disabled", "primary"), "g", None)
    with pytest.raises(WorkloadError, match="automatic failover is disabled"):
        plan_redis(group("disabled", "primary", "replica"), "g", None)
    with pytest.raises(WorkloadError, match="not a node group of g"):
        plan_redis(group("enabled", "primary", "replica"), "g", "0002")
    plan = plan_redis(group("enabled", "replica", "primary"), "g", None)
    assert plan.params == {"ReplicationGroupId": "g", "NodeGroupId": "0001"}
    assert (plan.primary, plan.candidate) == ("n1", "n0")


def test_recovery_is_read_from_the_interruptions_after_the_call() -> None:
    # An interruption before the call does not count; two writers come back at +1.5 s and +2 s.
    outages = [(90.0, 91.0), (100.5, 101.5), (100.6, 102.0)]
    assert recovery(outages, 100.0) == (1.5, 2.0)
    assert recovery([(90.0, 91.0)], 100.0) == (None, None)


def outcome(**fields: Any) -> WriteOutcome:
    base: dict[str, Any] = {
        "acknowledged": 10,
        "lost": 0,
        "lost_examples": [],
        "reconnects": 0,
        "errors": {},
        "outages": [],
    }
    return WriteOutcome(**{**base, **fields})


def test_a_silent_redis_reconnect_is_timed_from_the_first_write_the_new_primary_kept() -> None:
    writes = outcome(ack_times=[100.1, 100.2, 100.6, 100.7], resumed=100.6)
    assert first_write_on_new_primary(writes, 100.0, moved=100.5) == 0.6
    # Nothing lost: the first write acknowledged after the watch saw the move.
    writes = outcome(ack_times=[100.1, 100.2, 100.6, 100.7])
    assert first_write_on_new_primary(writes, 100.0, moved=100.55) == 0.6
    assert first_write_on_new_primary(writes, 100.0, moved=None) is None


def result(target: str, lost: int, durable: bool = False, moved: bool = True) -> FailoverResult:
    move = Move(101.0, Server("a:1", 0), Server("b:1", 0), [], []) if moved else None
    return FailoverResult(
        target=target,
        engine=target,
        call="x",
        primary_before="a",
        primary_after="b",
        answered_by="AWS",
        writes=outcome(lost=lost, outages=[(100.5, 101.2)]),
        trigger=100.0,
        move=move,
        durable=durable,
    )


@pytest.mark.parametrize(
    ("target", "lost", "durable", "code"),
    [
        ("aurora", 0, False, 0),
        ("aurora", 1, False, 1),
        ("relational", 2, False, 1),
        ("redis", 5, False, 0),  # asynchronous replication: reported, not a failure
        ("redis", 5, True, 1),  # --durable: none may be lost
    ],
)
def test_which_losses_fail_the_drill(target: str, lost: int, durable: bool, code: int) -> None:
    outcome_ = result(target, lost, durable)
    assert outcome_.exit_code == code
    assert outcome_.to_json()["rtoSeconds"] == 1.2


def test_a_drill_with_no_acknowledged_write_fails_rather_than_pass_with_none_lost() -> None:
    outcome_ = dataclasses.replace(result("redis", 0, durable=True), writes=outcome(acknowledged=0))
    assert outcome_.exit_code == 1
    assert "no write was acknowledged" in render(outcome_)


def test_no_move_fails_the_drill_and_the_report_says_so() -> None:
    outcome_ = result("aurora", 0, moved=False)
    assert outcome_.exit_code == 1
    assert "FAILED: the endpoint did not move to another server" in render(outcome_)


@pytest.mark.parametrize(
    ("redis", "reason"),
    [
        ({"clusterMode": True}, "cluster mode is not supported"),
        ({"serverless": True}, "a serverless cache has no node group"),
        ({}, 'outputs lack "redis.replicationGroupId"'),
    ],
)
def test_redis_outputs_the_drill_cannot_use_are_refused_before_any_call(
    redis: dict[str, Any], reason: str
) -> None:
    section = {"primaryEndpoint": "h", "port": 6379, **redis}
    with pytest.raises(WorkloadError, match=reason):
        section_identifier(Outputs(data={"redis": section}), "redis")
