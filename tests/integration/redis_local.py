"""Local stand-ins for ElastiCache with RBAC: a redis-server whose users are ACL users (the
default user off, as dbtier's user group has it), and a three-primary Redis Cluster of such
servers, each on free ports in a temporary directory and stopped on exit."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from components.redis.users_config import ACCESS_PRESETS, OFF
from tests.integration.test_redis import free_port, redis_server, wait_for
from tests.integration.test_rotation import finish, wait_until, workload

ADMIN = "admin"
READ_WRITE = f"on ~* &* {ACCESS_PRESETS['read-write']}"


def user_args(users: Mapping[str, tuple[str, str]]) -> list[str]:
    """redis-server arguments for ACL users: name -> (password, access string); the default
    user off, and an admin the tests set up and inspect the server with."""
    args = ["--user", "default", *OFF.split()]
    for name, (password, access) in users.items():
        args += ["--user", name, f">{password}", *access.split()]
    return args


def admin(port: int, password: str) -> redis.Redis:
    return redis.Redis(port=port, username=ADMIN, password=password, decode_responses=True)


@dataclass
class LocalCluster:
    """A running cluster: its ports and the admin's password."""

    ports: list[int]
    admin_password: str

    def admins(self) -> list[redis.Redis]:
        return [admin(port, self.admin_password) for port in self.ports]

    def node_ids(self) -> dict[int, str]:
        return {
            port: str(a.execute_command("CLUSTER", "MYID"))
            for port, a in zip(self.ports, self.admins(), strict=True)
        }

    def redis_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "redis-cli",
                "--user",
                ADMIN,
                "--pass",
                self.admin_password,
                "--no-auth-warning",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


@contextlib.contextmanager
def local_cluster(
    tmp: Path, users: Mapping[str, tuple[str, str]], admin_password: str, primaries: int = 3
) -> Iterator[LocalCluster]:
    """`primaries` cluster-enabled servers with the ACL users, joined by redis-cli into one
    cluster (every slot covered, no replicas), waiting until each node says it is ok."""
    everyone = {**users, ADMIN: (admin_password, "on ~* &* +@all")}
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(primaries):
            # The cluster bus listens on the port + 10000: pick ports whose bus port is free too.
            while True:
                port = free_port()
                if port < 55535 and _free(port + 10000):
                    break
            ports.append(
                stack.enter_context(
                    redis_server(
                        tmp,
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        f"nodes-{port}.conf",
                        "--cluster-node-timeout",
                        "2000",
                        *user_args(everyone),
                        port=port,
                    )
                )
            )
        cluster = LocalCluster(ports, admin_password)
        cluster.redis_cli(
            "--cluster",
            "create",
            *(f"127.0.0.1:{p}" for p in ports),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        )
        for node in cluster.admins():
            wait_for(
                lambda n=node: n.cluster("info")["cluster_state"] == "ok",
                timeout=30,
                what="cluster_state ok",
            )
        yield cluster


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def soak_through(
    moto: str,
    outputs_path: Path,
    prefix: str,
    started: Callable[[], bool],
    during: Callable[[], None],
    seconds: float = 4,
) -> dict[str, Any]:
    """Run the redis workload's checks with a `seconds` soak, wait until `started()`, do
    `during()` while it writes, and return its JSON result (exit 0 required); the workload is
    killed if anything fails first."""
    proc = workload(
        moto,
        "redis",
        "--outputs",
        str(outputs_path),
        "--json",
        "--prefix",
        prefix,
        "--soak",
        str(seconds),
        background=True,
    )
    try:
        wait_until(started, proc, "the soak started")
        during()
        code, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    result["_output"] = out + err
    return result


def rotate_secret(client: Any, arn: str, value: Mapping[str, Any], password: str) -> None:
    """The secret's half of a rotation, as AWS's template does it: a pending version with the new
    password, then the current label moved to it."""
    token = str(uuid.uuid4())
    client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps({**value, "password": password}),
        VersionStages=["AWSPENDING"],
    )
    stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
