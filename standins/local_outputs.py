"""Write a stack-outputs file that points the workloads at the local engines.

    .venv/bin/python -m standins.local_outputs out/local-outputs.json
        [--relational-engine mysql|mariadb|postgres] [--aurora-engine aurora-mysql|aurora-postgresql]

Creates (idempotently) a source database for ``relational`` and a target database for
``aurora``, on the local MariaDB for the MySQL-family engines (MariaDB stands in for RDS MySQL,
RDS MariaDB and Aurora MySQL: the default, mysql and aurora-mysql) or on the local PostgreSQL for
postgres and aurora-postgresql, and on the local PostgreSQL a database for ``warehouse``
(standing in for Redshift), each with its own user and a generated password, then writes the
outputs in the contract's shape (``contract.outputs``) with the chosen ``engine``s and
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
SECRET_KEYS = ("relational", "aurora", "warehouse")
MYSQL_SERVER = "mysql"
PG_SERVER = "postgres"
# Each engine the stand-ins offer: the local server it lives on and its secret's `engine` (what
# the components and AWS's rotation functions write: Aurora's are the MySQL/PostgreSQL ones).
RELATIONAL_ENGINES = {
    "mysql": (MYSQL_SERVER, "mysql"),
    "mariadb": (MYSQL_SERVER, "mariadb"),
    "postgres": (PG_SERVER, "postgres"),
}
AURORA_ENGINES = {
    "aurora-mysql": (MYSQL_SERVER, "mysql"),
    "aurora-postgresql": (PG_SERVER, "postgres"),
}


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


HBA_LOCK = 0x64627469  # the advisory lock key of the pg_hba.conf step ('dbti')


def ensure_pg_password_auth(admin: Any) -> None:
    """Make PostgreSQL ask members of SCRAM_ROLE for their password over TCP."""
    with admin.cursor() as cur:
        # Several processes (test workers, a local run beside them) may get here at once: the
        # server's advisory lock makes the role check and the file rewrite one step among them.
        cur.execute("SELECT pg_advisory_lock(%s)", (HBA_LOCK,))
        try:
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
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", (HBA_LOCK,))


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
    relational_engine: str = "mysql",
    aurora_engine: str = "aurora-mysql",
) -> dict[str, Any]:
    """Outputs in the stack-output shape for the local engines, ``relational`` and ``aurora`` on
    the server their engine lives on (``RELATIONAL_ENGINES``, ``AURORA_ENGINES``)."""
    servers = {MYSQL_SERVER: (mysql_host, mysql_port), PG_SERVER: (pg_host, pg_port)}
    rel_host, rel_port = servers[RELATIONAL_ENGINES[relational_engine][0]]
    aur_host, aur_port = servers[AURORA_ENGINES[aurora_engine][0]]
    return to_json(
        {
            RelationalOutputs.KEY: RelationalOutputs(
                endpoint=rel_host,
                port=rel_port,
                database_name=f"{prefix}_relational",
                username=f"{prefix}_rel",
                password=passwords["relational"],
                # The local reader is the same server: the read path and lag probe still run.
                reader_endpoints=(rel_host,),
                secret_arn=LOCAL_SECRET,
                engine=relational_engine,
                tls=False,
            ),
            AuroraOutputs.KEY: AuroraOutputs(
                writer_endpoint=aur_host,
                reader_endpoint=aur_host,
                port=aur_port,
                database_name=f"{prefix}_aurora",
                username=f"{prefix}_aur",
                password=passwords["aurora"],
                secret_arn=LOCAL_SECRET,
                engine=aurora_engine,
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


def server_of(key: str, section: dict[str, Any]) -> str:
    """``mysql`` or ``postgres``: the local server that section ``key`` of the outputs is on."""
    if key == WarehouseOutputs.KEY:
        return PG_SERVER
    engines = RELATIONAL_ENGINES if key == RelationalOutputs.KEY else AURORA_ENGINES
    return engines[section["engine"]][0]


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


def secret_engine(key: str, section: dict[str, Any]) -> str:
    """The secret's ``engine`` for section ``key``: the RDS engine's own, Aurora's MySQL or
    PostgreSQL, ``postgres`` for the warehouse's local stand-in."""
    if key == WarehouseOutputs.KEY:
        return PG_SERVER
    engines = RELATIONAL_ENGINES if key == RelationalOutputs.KEY else AURORA_ENGINES
    return engines[section["engine"]][1]


def connection_secret(key: str, section: dict[str, Any]) -> dict[str, Any]:
    """The secret of one SQL section, in the standard RDS shape the components write."""
    return {
        "engine": secret_engine(key, section),
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
    for key in SECRET_KEYS:
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
    relational_engine: str = "mysql",
    aurora_engine: str = "aurora-mysql",
    **hosts: Any,
) -> dict[str, Any]:
    """Create every local database and user, return the outputs that point at them; with
    ``secrets_endpoint`` (a moto server's URL) the credentials are in secrets there too."""
    outputs = build_outputs(
        prefix,
        passwords,
        relational_engine=relational_engine,
        aurora_engine=aurora_engine,
        **hosts,
    )
    by_server = {
        server: [k for k in SECRET_KEYS if server_of(k, outputs[k]) == server]
        for server in (MYSQL_SERVER, PG_SERVER)
    }
    if by_server[MYSQL_SERVER]:
        admin = mysql_admin(hosts.get("mysql_host", "127.0.0.1"), hosts.get("mysql_port", 3306))
        try:
            for key in by_server[MYSQL_SERVER]:
                section = outputs[key]
                provision_mysql(
                    admin, section["databaseName"], section["username"], section["password"]
                )
        finally:
            admin.close()
    pg = pg_admin(hosts.get("pg_host", "127.0.0.1"), hosts.get("pg_port", 5432))
    try:
        for key in by_server[PG_SERVER]:
            section = outputs[key]
            provision_pg(pg, section["databaseName"], section["username"], section["password"])
    finally:
        pg.close()
    if secrets_endpoint is not None:
        store_secrets(outputs, prefix, secrets_endpoint)
    return outputs


def drop_all(prefix: str, **hosts: Any) -> None:
    """Drop what provision_all created, whichever engines it was given (on both servers)."""
    names = [(f"{prefix}_relational", f"{prefix}_rel"), (f"{prefix}_aurora", f"{prefix}_aur")]
    admin = mysql_admin(hosts.get("mysql_host", "127.0.0.1"), hosts.get("mysql_port", 3306))
    try:
        for database, user in names:
            drop_mysql(admin, database, user)
    finally:
        admin.close()
    pg = pg_admin(hosts.get("pg_host", "127.0.0.1"), hosts.get("pg_port", 5432))
    try:
        for database, user in [*names, (f"{prefix}_warehouse", f"{prefix}_wh")]:
            drop_pg(pg, database, user)
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
    parser.add_argument(
        "--relational-engine",
        choices=list(RELATIONAL_ENGINES),
        default="mysql",
        help="relational's engine: mysql and mariadb on the local MariaDB, postgres on the local "
        "PostgreSQL (default mysql)",
    )
    parser.add_argument(
        "--aurora-engine",
        choices=list(AURORA_ENGINES),
        default="aurora-mysql",
        help="aurora's engine: aurora-mysql on the local MariaDB, aurora-postgresql on the local "
        "PostgreSQL (default aurora-mysql)",
    )
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
            **provision_all(
                args.prefix,
                passwords,
                secrets_endpoint=args.secrets_endpoint,
                relational_engine=args.relational_engine,
                aurora_engine=args.aurora_engine,
            ),
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
        f"local-outputs: wrote {args.path} (relational {args.relational_engine}, aurora "
        f"{args.aurora_engine}, warehouse, redis; tls false)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
