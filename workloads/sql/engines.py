"""Which SQL family a stack output's ``engine`` belongs to, and the refusal for engines the
workloads have no driver for.

The outputs name the engine as RDS does (``relational.engine``: mysql, mariadb, postgres,
sqlserver-*, oracle-*; ``aurora.engine``: aurora-mysql, aurora-postgresql). The workloads speak
two wire protocols: MySQL's (mysql-connector: MySQL, MariaDB, Aurora MySQL) and PostgreSQL's
(psycopg2: PostgreSQL, Aurora PostgreSQL). SQL Server and Oracle have no local engine here to
test a driver against, so a workload refuses them with one line (exit 2) rather than guess.
"""

from __future__ import annotations

from contract import echo
from workloads.common import WorkloadError

MYSQL = "mysql"
POSTGRES = "postgres"

FAMILIES: dict[str, str] = {
    "mysql": MYSQL,
    "mariadb": MYSQL,
    "aurora": MYSQL,  # Aurora MySQL 5.6's engine name, still what some clusters report
    "aurora-mysql": MYSQL,
    "postgres": POSTGRES,
    "aurora-postgresql": POSTGRES,
}

# Engines RDS offers that have no local stand-in: the name for messages and its own client.
_WITHOUT_LOCAL_ENGINE = {
    "sqlserver": ("SQL Server", "sqlcmd"),
    "oracle": ("Oracle", "sqlplus"),
}


def _choices(key: str) -> str:
    """The engines a section can run here: Aurora's for ``aurora``, RDS's for the others."""
    aurora = key == "aurora"
    names = [e for e in FAMILIES if e.startswith("aurora") == aurora and e != "aurora"]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def engine_family(engine: str, *, key: str, workload: str) -> str:
    """``mysql`` or ``postgres`` for the engine in outputs key ``key`` (e.g. ``relational``);
    a one-line WorkloadError (exit 2) for SQL Server, Oracle or an engine nobody knows."""
    family = FAMILIES.get(engine)
    if family is not None:
        return family
    shown = echo(engine, 40)
    for prefix, (name, client) in _WITHOUT_LOCAL_ENGINE.items():
        if engine.startswith(f"{prefix}-"):
            raise WorkloadError(
                f'"{key}.engine" is {shown}: there is no local {name} engine here to test a '
                f"driver against, so {workload} does not run on {name}; check this database with "
                f"{name}'s own client ({client}), or run {workload} on a stack whose {key} engine "
                f"is {_choices(key)}"
            )
    raise WorkloadError(
        f'"{key}.engine" is {shown}, which {workload} does not know; expected {_choices(key)}'
    )
