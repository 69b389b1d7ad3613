"""Credential rotation end to end: a workload started before a rotation finishes after it.

moto's server (in-process, on a free loopback port) stands in for Secrets Manager and the local
MariaDB and a dedicated Redis for the databases. The workloads run as a user runs them, through
their CLI, with ``AWS_ENDPOINT_URL_SECRETS_MANAGER`` pointing at moto and dummy AWS credentials;
while they run, each test rotates the way AWS's rotation functions do (the pending version
first, then the database, then the current label; or ElastiCache's ROTATE then SET for a Redis
token) and kills the old connections, so that reconnects really need the new credentials.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mysql.connector
import pytest
import redis

from standins.local_dynamo import free_port, moto_server
from standins.local_outputs import (
    ANY_HOST,
    drop_all,
    mysql_admin,
    new_password,
    provision_all,
    put_secret,
    secrets_client,
)
from tests.integration.test_redis import redis_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

# A reconnect after a KILL sees one of these; anything else is a failed operation.
RECONNECT_KINDS = {"connection killed", "connection lost", "server gone away"}


# --- the stand-ins ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's server on a free loopback port, and dummy AWS settings for this process."""
    with moto_server() as url, pytest.MonkeyPatch.context() as patch:
        for name, value in aws_env("").items():  # the stand-ins' own boto3 clients
            if name != "AWS_ENDPOINT_URL_SECRETS_MANAGER":
                patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield url


def aws_env(secrets_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": secrets_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def workload(secrets_url: str, *args: str, background: bool = False, timeout: float = 60) -> Any:
    """``python -m workloads ARGS`` with Secrets Manager at ``secrets_url`` (boto3's own setting)."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_ENDPOINT_URL")}
    env.update(aws_env(secrets_url))
    command = [sys.executable, "-m", "workloads", *args]
    if background:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


class Stack:
    """Throw-away databases whose credentials live in secrets on the moto server."""

    def __init__(self, tmp: Path, moto: str, **engines: str) -> None:
        self.tmp = tmp
        self.prefix = f"dbtier_r{secrets.token_hex(4)}"
        self.client = secrets_client(moto)
        passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
        self.extra_users: list[str] = []
        self.outputs = provision_all(self.prefix, passwords, secrets_endpoint=moto, **engines)
        self.seen: list[str] = list(passwords.values())  # every password, to check the output

    def write(self, edit: Any = None) -> Path:
        data = json.loads(json.dumps(self.outputs))
        if edit is not None:
            edit(data)
        path = self.tmp / f"outputs-{secrets.token_hex(3)}.json"
        path.write_text(json.dumps(data))
        return path

    def secret(self, key: str) -> dict[str, Any]:
        arn = self.outputs[key]["secretArn"]
        return dict(json.loads(self.client.get_secret_value(SecretId=arn)["SecretString"]))

    def rotate(self, key: str, change_database: Any, **changes: str) -> None:
        """As AWS's rotation function: AWSPENDING, the database, then AWSCURRENT."""
        arn = self.outputs[key]["secretArn"]
        described = self.client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(v for v, stages in described.items() if "AWSCURRENT" in stages)
        token = str(uuid.uuid4())
        value = {**self.secret(key), **changes}
        self.seen.append(value["password"])
        self.client.put_secret_value(  # createSecret
            SecretId=arn,
            ClientRequestToken=token,
            SecretString=json.dumps(value),
            VersionStages=["AWSPENDING"],
        )
        change_database(value)  # setSecret (testSecret: the caller's connections prove it)
        self.client.update_secret_version_stage(  # finishSecret
            SecretId=arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=token,
            RemoveFromVersionId=current,
        )

    def drop(self) -> None:
        admin = mysql_admin()
        try:
            cur = admin.cursor()
            for user in self.extra_users:
                cur.execute("DROP USER IF EXISTS %s@%s", (user, ANY_HOST))
        finally:
            admin.close()
        drop_all(self.prefix)


@pytest.fixture
def stack(tmp_path: Path, moto_url: str) -> Iterator[Stack]:
    made = Stack(tmp_path, moto_url)
    try:
        yield made
    finally:
        made.drop()


def kill_connections_of(user: str) -> int:
    """KILL every connection of ``user`` (what a rotation does not do, to force reconnects)."""
    admin = mysql_admin()
    try:
        cur = admin.cursor()
        cur.execute("SELECT id FROM information_schema.processlist WHERE user = %s", (user,))
        ids = [int(row[0]) for row in cur.fetchall()]
        for thread_id in ids:
            with contextlib.suppress(mysql.connector.Error):  # it may have ended meanwhile
                cur.execute(f"KILL CONNECTION {thread_id}")
        return len(ids)
    finally:
        admin.close()


def connections_of(user: str) -> int:
    admin = mysql_admin()
    try:
        cur = admin.cursor()
        cur.execute("SELECT COUNT(*) FROM information_schema.processlist WHERE user = %s", (user,))
        return int(cur.fetchone()[0])
    finally:
        admin.close()


def wait_until(predicate: Any, proc: subprocess.Popen[str], what: str, timeout: float = 20) -> None:
    """Until ``predicate()`` holds (the workload is under way), failing if it ends first."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the workload ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def assert_no_secret(stack: Stack, *texts: str) -> None:
    for text in texts:
        for password in stack.seen:
            assert password not in text


def assert_survived(result: dict[str, Any]) -> None:
    """Every acknowledged insert present, no failed operation beyond the reconnects."""
    check = result["verification"]
    assert check["lost"] == 0, check
    assert check["acknowledged"] == result["inserts"] > 0
    assert result["fatalErrors"] == []
    assert set(result["errors"]) <= RECONNECT_KINDS, result["errors"]
    assert sum(result["errors"].values()) == result["reconnects"] > 0
    assert result["credentials"]["source"] == "secret"
    assert result["credentials"]["renewals"] >= 1


# --- (a) SQL: single user and alternating users ------------------------------------------------


def test_aurora_load_survives_a_single_user_rotation(stack):
    aurora = stack.outputs["aurora"]
    user = aurora["username"]
    proc = workload(
        stack.client.meta.endpoint_url,
        "aurora-load",
        "--outputs",
        str(stack.write()),
        "--json",
        "--rate",  # paced: a rotation needs load, not both cores
        "400",
        "--duration",
        "8",
        "--workers",
        "4",
        "--mix",
        "70",
        "--cleanup",
        background=True,
    )
    wait_until(lambda: connections_of(user) >= 4, proc, "the workers connected")
    time.sleep(1)  # a second of load before the rotation
    admin = mysql_admin()

    def set_password(value: dict[str, Any]) -> None:
        admin.cursor().execute(
            "ALTER USER %s@%s IDENTIFIED BY %s", (user, ANY_HOST, value["password"])
        )

    try:
        stack.rotate("aurora", set_password, password=new_password())
    finally:
        admin.close()
    killed = kill_connections_of(user)
    code, out, err = finish(proc)
    assert code == 0, err
    result = json.loads(out)
    assert killed >= 4
    assert_survived(result)
    assert result["deletedRows"] == result["inserts"]
    assert_no_secret(stack, out, err)


def test_aurora_load_follows_alternating_users_without_a_password_in_the_outputs(stack):
    aurora = stack.outputs["aurora"]
    old_user, database = aurora["username"], aurora["databaseName"]
    clone = f"{old_user}_clone"
    stack.extra_users.append(clone)

    def managed(data: dict[str, Any]) -> None:
        del data["aurora"]["password"]  # a managed-credentials stack: the secret only

    proc = workload(
        stack.client.meta.endpoint_url,
        "aurora-load",
        "--outputs",
        str(stack.write(managed)),
        "--json",
        "--rate",  # paced: a rotation needs load, not both cores
        "400",
        "--duration",
        "8",
        "--workers",
        "2",
        "--mode",
        "processes",
        "--cleanup",
        background=True,
    )
    wait_until(lambda: connections_of(old_user) >= 2, proc, "the workers connected")
    time.sleep(1)
    admin = mysql_admin()

    def switch_user(value: dict[str, Any]) -> None:
        cur = admin.cursor()
        cur.execute(
            "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (clone, ANY_HOST, value["password"])
        )
        cur.execute(f"GRANT ALL PRIVILEGES ON `{database}`.* TO %s@%s", (clone, ANY_HOST))

    try:
        stack.rotate("aurora", switch_user, username=clone, password=new_password())
        # The old user's access ends (its sessions are killed below).
        admin.cursor().execute("DROP USER %s@%s", (old_user, ANY_HOST))
    finally:
        admin.close()
    killed = kill_connections_of(old_user)
    code, out, err = finish(proc)
    assert code == 0, err
    result = json.loads(out)
    assert killed >= 2
    assert result["mode"] == "processes"
    assert_survived(result)
    assert_no_secret(stack, out, err)


# --- (b) Redis: ElastiCache's ROTATE then SET --------------------------------------------------


def test_redis_soak_survives_a_token_rotation(tmp_path, moto_url):
    old, new = "old-token-" + uuid.uuid4().hex, "new-token-" + uuid.uuid4().hex
    client = secrets_client(moto_url)
    with redis_server(tmp_path, "--requirepass", old) as port:
        value = {  # the shape components/redis writes (connection_secret)
            "engine": "redis",
            "host": "127.0.0.1",
            "port": port,
            "username": "default",
            "password": old,
            "dbname": "0",
            "replicationGroupId": "local",
            "tls": "false",
        }
        arn = put_secret(client, f"dbtier-rotation-{uuid.uuid4().hex[:8]}/redis", value)
        section = {
            "primaryEndpoint": "127.0.0.1",
            "readerEndpoint": "127.0.0.1",
            "port": port,
            "authToken": old,
            "secretArn": arn,
            "tls": False,
        }
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps({"redis": section}))
        prefix = f"dbtier:rotation:{uuid.uuid4().hex[:8]}:"
        proc = workload(
            moto_url,
            "redis",
            "--outputs",
            str(path),
            "--json",
            "--db",
            "3",
            "--prefix",
            prefix,
            "--soak",
            "5",
            background=True,
        )
        admin = redis.Redis(port=port, password=old, single_connection_client=True)
        watcher = redis.Redis(port=port, password=old, db=3)
        try:
            wait_until(lambda: watcher.exists(f"{prefix}soak:0"), proc, "the soak started")
            time.sleep(0.5)
            # ROTATE: both tokens work; the secret gets the new one.
            admin.execute_command("ACL", "SETUSER", "default", "on", f">{new}")
            client.put_secret_value(
                SecretId=arn, SecretString=json.dumps({**value, "password": new})
            )
            admin.client_kill_filter(_type="normal", skipme=True)
            time.sleep(1)
            # SET: only the new token; connections still holding the old one reconnect.
            admin.execute_command("ACL", "SETUSER", "default", "resetpass", f">{new}")
            admin.client_kill_filter(_type="normal", skipme=True)
            code, out, err = finish(proc)
            assert code == 0, err
            result = json.loads(out)
            assert result["ok"] is True, result["problems"]
            soak = result["soak"]
            assert soak["acknowledged"] > 0 and (soak["lost"], soak["givenUp"]) == (0, 0)
            assert result["reconnects"] > 0
            assert result["retriedErrors"].get("AuthenticationError", 0) >= 1
            assert result["credentials"]["source"] == "secret"
            assert result["credentials"]["renewals"] >= 1
            for token in (old, new):
                assert token not in out + err
            assert redis.Redis(port=port, password=new, db=3).dbsize() == 0  # cleaned up
        finally:
            admin.close()
            watcher.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# --- (c) a wrong or missing secret ------------------------------------------------------------


def _error_line(done: subprocess.CompletedProcess[str], stack: Stack, *expect: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert_no_secret(stack, done.stdout, done.stderr)
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


def test_a_wrong_or_missing_secret_exits_2_in_one_line_without_the_secret(stack):
    url = stack.client.meta.endpoint_url
    arn = stack.outputs["relational"]["secretArn"]
    missing = arn.rsplit(":", 1)[0] + ":dbtier-no-such-secret-AbCdEf"
    leaked = "hunter2-" + secrets.token_hex(8)
    stack.seen.append(leaked)
    not_json = put_secret(stack.client, f"{stack.prefix}/not-json", {"x": 1})
    stack.client.put_secret_value(SecretId=not_json, SecretString=f"password={leaked}")
    no_password = put_secret(stack.client, f"{stack.prefix}/no-pw", {"username": "u", "pw": leaked})

    def with_arn(value: str) -> Path:
        return stack.write(lambda d: d["relational"].update(secretArn=value))

    cases = [
        ((with_arn(missing),), url, ("relational.secretArn", "no such secret")),
        ((with_arn(not_json),), url, ("not JSON",)),
        ((with_arn(no_password),), url, ('no "password"',)),
        ((with_arn("local"), "--credentials", "secret"), url, ("not a Secrets Manager ARN",)),
        ((stack.write(),), f"http://127.0.0.1:{free_port()}", ("Secrets Manager unreachable",)),
    ]
    for (path, *flags), endpoint, expect in cases:
        done = workload(endpoint, "relational", "--outputs", str(path), *flags, timeout=60)
        _error_line(done, stack, *expect)

    # The same for the redis token's secret.
    redis_path = stack.tmp / "redis.json"
    section = {"primaryEndpoint": "127.0.0.1", "port": free_port(), "secretArn": missing}
    redis_path.write_text(json.dumps({"redis": {**section, "tls": False}}))
    done = workload(url, "redis", "--outputs", str(redis_path))
    _error_line(done, stack, "redis.secretArn", "no such secret")


def test_a_local_placeholder_still_uses_the_outputs_password(stack):
    path = stack.write(lambda d: d["relational"].update(secretArn="local"))
    done = workload(stack.client.meta.endpoint_url, "relational", "--outputs", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
