"""The fields of `dbtier:relational` whose rules depend on the engine: the master and IAM user
names, the database name and the exported logs, each refused with its key named (the rules are
`awsdata.rds_engine_rules`'s, which the policy pack applies too)."""

from __future__ import annotations

from awsdata import rds_engine_rules, rds_engines
from components.settings import USER_NAME, ConfigError, Fields, describe


def user(f: Fields, name: str, default: str, engine: str) -> str:
    """A user name field (`username`, `iamUser`): 1-16 letters, digits or _, a letter first
    (every engine's rule), and not a word `engine` reserves."""
    user = f.text(name, default, USER_NAME, "1-16 letters, digits or _, starting with a letter")
    if problem := rds_engine_rules.username_problem(engine, user):
        raise ConfigError(f"{f.key}.{name} {problem}")
    return user


def iam_user(f: Fields, default: str, engine: str, master: str, iam_auth: bool) -> str:
    """`iamUser`: by the `username` rules, not the master user (a token login for the master
    would bypass its managed, rotated password), and only where IAM authentication is on."""
    if f.has("iamUser") and not iam_auth:
        raise ConfigError(f"{f.key}.iamUser needs iamAuth true (IAM database authentication)")
    name = user(f, "iamUser", default, engine)
    if name.lower() == master.lower():
        raise ConfigError(
            f"{f.key}.iamUser must differ from {f.key}.username, the master user"
            f" (both are {name.lower()!r}); choose another name"
        )
    return name


def database(f: Fields, engine: str) -> str | None:
    """`databaseName`: the engine's default when left out; refused where the engine takes none
    (SQL Server) or by its rules."""
    name = f.text("databaseName", None)
    if name is None:
        return rds_engines.engine(engine).default_database
    if problem := rds_engine_rules.database_name_problem(engine, name):
        raise ConfigError(f"{f.key}.databaseName {problem} (got {describe(name)})")
    return name


def log_exports(f: Fields, engine: str) -> tuple[str, ...]:
    """`logExports`: logs the engine exports, each once; the engine's defaults when left out."""
    logs = f.strings("logExports")
    if logs is None:
        return rds_engines.engine(engine).default_logs
    for i, log in enumerate(logs):
        if problem := rds_engine_rules.log_export_problem(engine, log):
            raise ConfigError(f"{f.key}.logExports[{i}]: {problem}")
    return logs
