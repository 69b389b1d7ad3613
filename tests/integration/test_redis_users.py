"""The ``redis`` workload as an RBAC user, against a local redis-server whose users are ACL users
(the default user off) and moto's Secrets Manager holding each password user's secret in the
shape AWS's ElastiCache rotation template reads ({username, password, user_arn}).

A rotation stand-in changes the user's password mid-run with ``ACL SETUSER`` (dropping the old
one, as the rotation after next does) and kills its connections, then writes the new password to
the secret: the workload must renew from the secret, report it, and lose no acknowledged write.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standins.local_outputs import put_secret, secrets_client
from tests.integration.redis_local import (
    ACCESS_PRESETS,
    READ_WRITE,
    admin,
    rotate_secret,
    soak_through,
    user_args,
)
from tests.integration.test_redis import redis_server
from tests.integration.test_rotation import moto_url, workload

pytestmark = pytest.mark.integration

__all__ = ["moto_url"]  # the fixture, used here through its name

APP_ARN = "arn:aws:elasticache:us-east-1:123456789012:user:local-app"


@pytest.fixture(scope="module")
def acl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    passwords = {name: "pw-" + secrets.token_hex(16) for name in ("admin", "app", "reporter")}
    users = {
        "admin": (passwords["admin"], "on ~* &* +@all"),
        "app": (passwords["app"], READ_WRITE),
        "reporter": (
            passwords["reporter"],
            f"on ~reports:* &reports:* {ACCESS_PRESETS['read-only']}",
        ),
    }
    with redis_server(tmp_path_factory.mktemp("acl"), *user_args(users)) as port:
        yield {"port": port, "passwords": passwords}


def outputs(port: int, secret_arn: str, **users: dict[str, Any]) -> dict[str, Any]:
    """The redis section a stack with users exports, for a local server."""
    return {
        "redis": {
            "primaryEndpoint": "127.0.0.1",
            "readerEndpoint": "127.0.0.1",
            "port": port,
            "tls": False,
            "clusterMode": False,
            "secretArn": secret_arn,
            "username": "app",
            "users": {
                "app": {
                    "username": "app",
                    "userId": "local-app",
                    "auth": "password",
                    "secretArn": secret_arn,
                },
                **users,
            },
        }
    }


def app_secret(moto: str, password: str) -> tuple[Any, str, dict[str, Any]]:
    client = secrets_client(moto)
    value = {"username": "app", "password": password, "user_arn": APP_ARN}
    arn = put_secret(client, f"dbtier-users-{uuid.uuid4().hex[:8]}/app", value)
    return client, arn, value


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / f"outputs-{secrets.token_hex(3)}.json"
    path.write_text(json.dumps(data))
    return path


def test_the_workload_logs_in_as_the_user_of_its_secret(
    tmp_path: Path, moto_url: str, acl_server: dict[str, Any]
) -> None:
    port, passwords = acl_server["port"], acl_server["passwords"]
    _, arn, _ = app_secret(moto_url, passwords["app"])
    prefix = f"dbtier:users:{uuid.uuid4().hex[:8]}:"
    done = workload(
        moto_url,
        "redis",
        "--outputs",
        str(write(tmp_path, outputs(port, arn))),
        "--json",
        "--prefix",
        prefix,
        "--soak",
        "0.5",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True, result["problems"]
    assert result["credentials"] == {"source": "secret", "renewals": 0, "user": "app"}
    assert (result["soak"]["lost"], result["soak"]["givenUp"]) == (0, 0)
    assert passwords["app"] not in done.stdout + done.stderr
    root = admin(port, passwords["admin"])
    assert root.execute_command("ACL", "WHOAMI") == "admin"
    assert not list(root.scan_iter(match=f"{prefix}*"))  # cleaned up, as the user
    names = {c["user"] for c in root.client_list()}
    assert "default" not in names  # nobody got in without a user


def test_a_read_only_user_is_refused_writes_in_one_line(
    tmp_path: Path, moto_url: str, acl_server: dict[str, Any]
) -> None:
    port, passwords = acl_server["port"], acl_server["passwords"]
    client, arn, _ = app_secret(moto_url, passwords["app"])
    reporter_arn = put_secret(
        client,
        f"dbtier-users-{uuid.uuid4().hex[:8]}/reporter",
        {"username": "reporter", "password": passwords["reporter"], "user_arn": APP_ARN + "r"},
    )
    reporter = {
        "username": "reporter",
        "userId": "local-reporter",
        "auth": "password",
        "secretArn": reporter_arn,
    }
    path = write(tmp_path, outputs(port, arn, reporter=reporter))
    done = workload(moto_url, "redis", "--outputs", str(path), "--user", "reporter")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "no permissions to run the 'set' command" in done.stderr
    assert passwords["reporter"] not in done.stderr
    unknown = workload(moto_url, "redis", "--outputs", str(path), "--user", "nobody")
    assert unknown.returncode == 2 and "--user nobody: not a user" in unknown.stderr


def test_a_wrong_password_in_the_secret_fails_in_one_line_naming_the_user(
    tmp_path: Path, moto_url: str, acl_server: dict[str, Any]
) -> None:
    port = acl_server["port"]
    _, arn, _ = app_secret(moto_url, "not-the-password-" + secrets.token_hex(8))
    done = workload(moto_url, "redis", "--outputs", str(write(tmp_path, outputs(port, arn))))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "authentication failed (user app of its secret)" in done.stderr


def test_soak_rides_out_a_rotation_of_the_users_password(
    tmp_path: Path, moto_url: str, acl_server: dict[str, Any]
) -> None:
    port, passwords = acl_server["port"], acl_server["passwords"]
    old, new = "old-" + secrets.token_hex(16), "new-" + secrets.token_hex(16)
    root = admin(port, passwords["admin"])
    root.execute_command("ACL", "SETUSER", "app", "resetpass", f">{old}")
    client, arn, value = app_secret(moto_url, old)
    prefix = f"dbtier:users:{uuid.uuid4().hex[:8]}:"

    def rotate() -> None:
        # The database first (the old password gone, its connections cut), the secret a moment
        # later: new connections are refused until the workload finds the new password.
        root.execute_command("ACL", "SETUSER", "app", "resetpass", f">{new}")
        root.execute_command("CLIENT", "KILL", "USER", "app")
        rotate_secret(client, arn, value, new)

    try:
        result = soak_through(
            moto_url,
            write(tmp_path, outputs(port, arn)),
            prefix,
            lambda: bool(root.exists(f"{prefix}soak:0")),
            rotate,
            seconds=5,
        )
    finally:
        root.execute_command("ACL", "SETUSER", "app", "resetpass", f">{passwords['app']}")
    assert result["ok"] is True, result["problems"]
    soak = result["soak"]
    assert soak["acknowledged"] > 0 and (soak["lost"], soak["givenUp"]) == (0, 0)
    assert result["credentials"]["renewals"] >= 1
    assert result["credentials"]["user"] == "app"
    assert result["retriedErrors"].get("AuthenticationError", 0) >= 1
    for password in (old, new):
        assert password not in result["_output"]


def test_cluster_mode_against_a_single_node_fails_in_one_line(
    tmp_path: Path, moto_url: str, acl_server: dict[str, Any]
) -> None:
    port, passwords = acl_server["port"], acl_server["passwords"]
    _, arn, _ = app_secret(moto_url, passwords["app"])
    data = outputs(port, arn)
    data["redis"]["clusterMode"] = True
    done = workload(moto_url, "redis", "--outputs", str(write(tmp_path, data)))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cluster" in done.stderr.lower()
    assert passwords["app"] not in done.stderr
