"""The ``redis`` workload against a local three-primary Redis Cluster (cluster-enabled
redis-servers joined by ``redis-cli --cluster create``), logging in as an ACL user whose password
is in moto's Secrets Manager, as it would against ElastiCache in cluster mode or Serverless.

It spreads keys over every shard and reports each one's share and latency; it follows the
cluster's redirections while slots move under a running soak; it renews the user's password
when a rotation drops the old one on every node; and it loses no acknowledged write.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.redis_local import (
    READ_WRITE,
    LocalCluster,
    local_cluster,
    rotate_secret,
    soak_through,
)
from tests.integration.test_redis_users import app_secret, outputs, write
from tests.integration.test_rotation import moto_url, workload

pytestmark = pytest.mark.integration

__all__ = ["moto_url"]  # the fixture, used here through its name


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalCluster, str]]:
    password = "pw-" + secrets.token_hex(16)
    users = {"app": (password, READ_WRITE)}
    with local_cluster(
        tmp_path_factory.mktemp("cluster"), users, "admin-" + secrets.token_hex(8)
    ) as made:
        yield made, password


def cluster_outputs(made: LocalCluster, arn: str) -> dict[str, Any]:
    data = outputs(made.ports[0], arn)
    data["redis"]["clusterMode"] = True
    return data


def keys_under(made: LocalCluster, prefix: str) -> int:
    return sum(len(list(a.scan_iter(match=f"{prefix}*"))) for a in made.admins())


def test_keys_spread_over_every_shard_with_each_ones_latency(
    tmp_path: Path, moto_url: str, cluster: tuple[LocalCluster, str]
) -> None:
    made, password = cluster
    _, arn, _ = app_secret(moto_url, password)
    prefix = f"dbtier:cluster:{uuid.uuid4().hex[:8]}:"
    path = write(tmp_path, cluster_outputs(made, arn))
    done = workload(
        moto_url, "redis", "--outputs", str(path), "--json", "--prefix", prefix, "--soak", "1"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True, result["problems"]
    shards = result["cluster"]["shards"]
    assert set(shards) == {f"127.0.0.1:{p}" for p in made.ports}
    for node, shard in shards.items():
        assert shard["keys"] > 100, node  # 600 keys over three shards
        assert shard["commands"] > 0 and 0 < shard["p50Ms"] <= shard["p99Ms"], node
    assert result["checks"]["cluster.everyShardHoldsKeys"] == []
    assert (result["soak"]["lost"], result["soak"]["givenUp"]) == (0, 0)
    assert result["credentials"]["user"] == "app"
    assert keys_under(made, prefix) == 0  # cleaned up on every shard
    text = workload(moto_url, "redis", "--outputs", str(path), "--prefix", prefix)
    assert text.returncode == 0, text.stderr
    assert text.stdout.count("shard 127.0.0.1:") == 3
    assert password not in done.stdout + done.stderr + text.stdout + text.stderr


def reshard(made: LocalCluster, source: int, target: int, slots: int = 2000) -> None:
    ids = made.node_ids()
    made.redis_cli(
        "--cluster",
        "reshard",
        f"127.0.0.1:{source}",
        "--cluster-from",
        ids[source],
        "--cluster-to",
        ids[target],
        "--cluster-slots",
        str(slots),
        "--cluster-yes",
    )


def test_redirections_are_followed_while_slots_move(
    tmp_path: Path, moto_url: str, cluster: tuple[LocalCluster, str]
) -> None:
    made, password = cluster
    _, arn, _ = app_secret(moto_url, password)
    prefix = f"dbtier:cluster:{uuid.uuid4().hex[:8]}:"
    source, target = made.ports[0], made.ports[1]
    try:
        result = soak_through(
            moto_url,
            write(tmp_path, cluster_outputs(made, arn)),
            prefix,
            lambda: keys_under(made, f"{prefix}soak:") > 50,
            lambda: reshard(made, source, target),
        )
    finally:
        reshard(made, target, source)  # slots back where they were, for the tests after this one
    assert result["ok"] is True, result["problems"]
    assert sum(result["cluster"]["redirections"].values()) > 0
    soak = result["soak"]
    assert soak["acknowledged"] > 0 and (soak["lost"], soak["givenUp"]) == (0, 0)


def test_a_rotation_on_every_node_is_renewed_from_the_secret(
    tmp_path: Path, moto_url: str, cluster: tuple[LocalCluster, str]
) -> None:
    made, password = cluster
    new = "new-" + secrets.token_hex(16)
    client, arn, value = app_secret(moto_url, password)
    prefix = f"dbtier:cluster:{uuid.uuid4().hex[:8]}:"

    def rotate() -> None:
        for node in made.admins():
            node.execute_command("ACL", "SETUSER", "app", "resetpass", f">{new}")
            node.execute_command("CLIENT", "KILL", "USER", "app")
        rotate_secret(client, arn, value, new)

    try:
        result = soak_through(
            moto_url,
            write(tmp_path, cluster_outputs(made, arn)),
            prefix,
            lambda: keys_under(made, f"{prefix}soak:") > 50,
            rotate,
        )
    finally:
        for node in made.admins():
            node.execute_command("ACL", "SETUSER", "app", "resetpass", f">{password}")
    assert result["ok"] is True, result["problems"]
    assert result["credentials"]["renewals"] >= 1
    soak = result["soak"]
    assert soak["acknowledged"] > 0 and (soak["lost"], soak["givenUp"]) == (0, 0)
    assert new not in result["_output"]


def test_cluster_mode_refuses_a_database_and_the_bench(
    tmp_path: Path, moto_url: str, cluster: tuple[LocalCluster, str]
) -> None:
    made, password = cluster
    _, arn, _ = app_secret(moto_url, password)
    path = str(write(tmp_path, cluster_outputs(made, arn)))
    db = workload(moto_url, "redis", "--outputs", path, "--db", "3")
    assert db.returncode == 2 and "--db 3: a Redis Cluster has one database" in db.stderr
    bench = workload(moto_url, "redis", "--outputs", path, "--bench")
    assert bench.returncode == 2 and bench.stderr.count("\n") == 1
    assert "cluster" in bench.stderr
