"""Write a stack-outputs file that points the workloads at the local engines.

    .venv/bin/python -m standins.local_outputs out/local-outputs.json

Creates (idempotently) on the local MariaDB a source database for ``relational`` and a target
database for ``aurora`` (MariaDB stands in for both RDS MySQL and Aurora MySQL), and on the local
PostgreSQL a database for ``warehouse`` (standing in for Redshift), each with its own user and a
generated password, then writes the outputs in the contract's shape (``contract.outputs``) with
``tls: false``, plus a ``redis`` section for the local Redis. A re-run keeps the passwords
already in the file.

With ``--secrets-endpoint URL`` (a moto server standing in for Secrets Manager; tests start one
in-process) each database's credentials are also written into a secret in the standard RDS
shape (``{engine, host, port, username, password, dbname}``, as the components write them) and
its real ARN goes into ``secretArn``; without it ``secretArn`` is the placeholder ``"local"``,
which the workloads treat as no secret. Run the workloads with
``AWS_ENDPOINT_URL_SECRETS_MANAGER=URL`` (and any AWS credentials and region) to read them.

PostgreSQL trusts local TCP logins on the engines set up by scripts/engines.sh; so that a wrong
password is still refused, the users made here belong to the role ``dbtier_password_login`` and
one pg_hba.conf line (added once, at the top) asks that role for its password (scram-sha-256).

The functions are reused by tests and benchmarks to make throw-away databases and users.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from typing import Any

import mysql.connector
import psycopg2
from psycopg2 import sql

from contract import AuroraOutputs, RedisOutputs, RelationalOutputs, WarehouseOutputs, to_json

SCRAM_ROLE = "dbtier_password_login"
ANY_HOST = "%"
HBA_LINE = f"host all +{SCRAM_ROLE} all scram-sha-256"
# The secretArn of a run without secrets: not an ARN, so the workloads read no secret.
LOCAL_SECRET = "local"
SECRET_ENGINES = {"relational": "mysql", "aurora": "mysql", "warehouse": "postgres"}


def new_password() -> str:
    """A password every engine accepts (no quotes, slashes, @ or spaces)."""
    return secrets.token_urlsafe(24)


def mysql_admin(host: str = "127.0.0.1", port: int = 3306, user: str = "root") -> Any:
    return mysql.connector.connect(host=host, port=port, user=user, autocommit=True, use_pure=True)


def _mq(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected name {name!r}")
    return f"`{name}`"


def provision_mysql(admin: Any, database: str, user: str, password: str) -> None:
    """Create (or update) a database and a user that owns it."""
    cur = admin.cursor()
    cur.execute(f"CREATE DATABASE IF NOT EXISTS {_mq(database)}")
    # The host is a parameter too: a literal '%%' in the statement reaches the server unchanged
    # on some cursor paths and would create the account 'user'@'%%'.
    cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (user, ANY_HOST, password))
    cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (user, ANY_HOST, password))
    cur.execute(f"GRANT ALL PRIVILEGES ON {_mq(database)}.* TO %s@%s", (user, ANY_HOST))
    cur.close()


def drop_mysql(admin: Any, database: str, user: str) -> None:
    cur = admin.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {_mq(database)}")
    cur.execute("DROP USER IF EXISTS %s@%s", (user, ANY_HOST))
    cur.close()


def pg_admin(host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> Any:
    conn = psycopg2.connect(host=host, port=port, user=user, dbname="postgres")
    conn.autocommit = True
    return conn


def ensure_pg_password_auth(admin: Any) -> None:
    """Make PostgreSQL ask members of SCRAM_ROLE for their password over TCP."""
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (SCRAM_ROLE,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(SCRAM_ROLE)))
        cur.execute("SHOW hba_file")
        (hba_file,) = cur.fetchone()
        with open(hba_file, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        if HBA_LINE not in lines:
            with open(hba_file, "w", encoding="utf-8") as handle:
                handle.write("\n".join([HBA_LINE, *lines]) + "\n")
            cur.execute("SELECT pg_reload_conf()")


def provision_pg(admin: Any, database: str, user: str, password: str) -> None:
    """Create (or update) a password-checked role and a database it owns."""
    ensure_pg_password_auth(admin)
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
        verb = "ALTER" if cur.fetchone() else "CREATE"
        cur.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(user)), (password,)
        )
        cur.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(SCRAM_ROLE), sql.Identifier(user))
        )
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if cur.fetchone() is None:
            cur.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(user)
                )
            )


def drop_pg(admin: Any, database: str, user: str) -> None:
    with admin.cursor() as cur:
        cur.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(user)))


def build_outputs(
    prefix: str,
    passwords: dict[str, str],
    *,
    mysql_host: str = "127.0.0.1",
    mysql_port: int = 3306,
    pg_host: str = "127.0.0.1",
    pg_port: int = 5432,
) -> dict[str, Any]:
    """Outputs in the stack-output shape for the local engines."""
    return to_json(
        {
            RelationalOutputs.KEY: RelationalOutputs(
                endpoint=mysql_host,
                port=mysql_port,
                database_name=f"{prefix}_relational",
                username=f"{prefix}_rel",
                password=passwords["relational"],
                # The local reader is the same server: the read path and lag probe still run.
                reader_endpoints=(mysql_host,),
                secret_arn=LOCAL_SECRET,
                engine="mysql",
                tls=False,
            ),
            AuroraOutputs.KEY: AuroraOutputs(
                writer_endpoint=mysql_host,
                reader_endpoint=mysql_host,
                port=mysql_port,
                database_name=f"{prefix}_aurora",
                username=f"{prefix}_aur",
                password=passwords["aurora"],
                secret_arn=LOCAL_SECRET,
                engine="aurora-mysql",
                tls=False,
            ),
            WarehouseOutputs.KEY: WarehouseOutputs(
                endpoint=pg_host,
                port=pg_port,
                database_name=f"{prefix}_warehouse",
                username=f"{prefix}_wh",
                password=passwords["warehouse"],
                secret_arn=LOCAL_SECRET,
                tls=False,
            ),
        }
    )


def redis_outputs(
    host: str = "127.0.0.1",
    port: int = 6379,
    *,
    auth_token: str | None = None,
    secret_arn: str | None = None,
) -> dict[str, Any]:
    """The ``redis`` section for a local Redis without TLS (and without AUTH unless a token or
    the ARN of a secret holding one is given)."""
    section = RedisOutputs(
        primary_endpoint=host,
        reader_endpoint=host,
        port=port,
        auth_token=auth_token,
        secret_arn=secret_arn,
        tls=False,
    )
    return to_json({RedisOutputs.KEY: section})


def secrets_client(endpoint_url: str, region: str = "us-east-1") -> Any:
    """A Secrets Manager client for the stand-in at ``endpoint_url`` (a moto server)."""
    import boto3  # slow to import: only a run with secrets needs it

    return boto3.session.Session().client(
        "secretsmanager", endpoint_url=endpoint_url, region_name=region
    )


def put_secret(client: Any, name: str, value: dict[str, Any]) -> str:
    """Create secret ``name`` holding ``value`` as JSON, or give it that new value; its ARN."""
    text = json.dumps(value, sort_keys=True)
    try:
        return str(client.create_secret(Name=name, SecretString=text)["ARN"])
    except client.exceptions.ResourceExistsException:
        return str(client.put_secret_value(SecretId=name, SecretString=text)["ARN"])


def connection_secret(key: str, section: dict[str, Any]) -> dict[str, Any]:
    """The secret of one SQL section, in the standard RDS shape the components write."""
    return {
        "engine": SECRET_ENGINES[key],
        "host": section.get("endpoint") or section["writerEndpoint"],
        "port": section["port"],
        "username": section["username"],
        "password": section["password"],
        "dbname": section["databaseName"],
    }


def store_secrets(outputs: dict[str, Any], prefix: str, endpoint_url: str) -> dict[str, Any]:
    """Write each SQL section's credentials into a secret ``<prefix>/<key>`` at the stand-in
    ``endpoint_url`` and put the secret's ARN into the section's ``secretArn``."""
    client = secrets_client(endpoint_url)
    for key in SECRET_ENGINES:
        if key in outputs:
            section = outputs[key]
            section["secretArn"] = put_secret(
                client, f"{prefix}/{key}", connection_secret(key, section)
            )
    return outputs


def provision_all(
    prefix: str,
    passwords: dict[str, str],
    *,
    secrets_endpoint: str | None = None,
    **hosts: Any,
) -> dict[str, Any]:
    """Create every local database and user, return the outputs that point at them; with
    ``secrets_endpoint`` (a moto server's URL) the credentials are in secrets there too."""
    outputs = build_outputs(prefix, passwords, **hosts)
    admin = mysql_admin(hosts.get("mysql_host", "127.0.0.1"), hosts.get("mysql_port", 3306))
    try:
        for key in ("relational", "aurora"):
            section = outputs[key]
            provision_mysql(
                admin, section["databaseName"], section["username"], section["password"]
            )
    finally:
        admin.close()
    pg = pg_admin(hosts.get("pg_host", "127.0.0.1"), hosts.get("pg_port", 5432))
    try:
        wh = outputs["warehouse"]
        provision_pg(pg, wh["databaseName"], wh["username"], wh["password"])
    finally:
        pg.close()
    if secrets_endpoint is not None:
        store_secrets(outputs, prefix, secrets_endpoint)
    return outputs


def drop_all(prefix: str, **hosts: Any) -> None:
    """Drop what provision_all created."""
    admin = mysql_admin(hosts.get("mysql_host", "127.0.0.1"), hosts.get("mysql_port", 3306))
    try:
        drop_mysql(admin, f"{prefix}_relational", f"{prefix}_rel")
        drop_mysql(admin, f"{prefix}_aurora", f"{prefix}_aur")
    finally:
        admin.close()
    pg = pg_admin(hosts.get("pg_host", "127.0.0.1"), hosts.get("pg_port", 5432))
    try:
        drop_pg(pg, f"{prefix}_warehouse", f"{prefix}_wh")
    finally:
        pg.close()


def _existing_passwords(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return {k: data[k]["password"] for k in ("relational", "aurora", "warehouse")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "path", help="where to write the outputs JSON (e.g. out/local-outputs.json)"
    )
    parser.add_argument("--prefix", default="dbtier", help="database and user name prefix")
    parser.add_argument("--drop", action="store_true", help="drop the local databases and users")
    parser.add_argument(
        "--secrets-endpoint",
        metavar="URL",
        help="also keep the credentials in secrets on this Secrets Manager stand-in (moto server)",
    )
    args = parser.parse_args()
    from botocore.exceptions import BotoCoreError, ClientError

    if not args.prefix.replace("_", "").isalnum():
        parser.error("--prefix: letters, digits and _ only")
    try:
        if args.drop:
            drop_all(args.prefix)
            print(
                f"local-outputs: dropped the {args.prefix}_* databases and users", file=sys.stderr
            )
            return 0
        passwords = {
            key: _existing_passwords(args.path).get(key) or new_password()
            for key in ("relational", "aurora", "warehouse")
        }
        outputs = {
            **provision_all(args.prefix, passwords, secrets_endpoint=args.secrets_endpoint),
            **redis_outputs(),
        }
    except (mysql.connector.Error, psycopg2.Error, OSError, BotoCoreError, ClientError) as exc:
        print(f"local-outputs: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.path)), exist_ok=True)
    fd = os.open(args.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(outputs, handle, indent=2)
        handle.write("\n")
    print(
        f"local-outputs: wrote {args.path} (relational, aurora, warehouse, redis; tls false)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
