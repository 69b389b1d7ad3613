"""What each RDS engine refuses, as one-line reasons, and the defaults it gets: the checks
config validation (``components.relational.config``) and the policy pack make alike, over the
facts of ``awsdata.rds_engines`` (and the versions and classes of ``awsdata.rds``).

Each ``*_problem`` function returns why RDS (or the engine) would refuse a value, or None; the
caller names the config key or the resource.
"""

from __future__ import annotations

import re
from datetime import date

from . import rds
from .rds_engines import BYOL, LICENSE_DOCS, ORACLE_REPLICA_SOURCE_REFUSED, REFERENCE_REGION, engine
from .rds_reserved import reserved
from .support import CURRENT_GENERATION, size_rank, supported_lines

# --- Defaults ---------------------------------------------------------------------------------


def default_version(name: str, today: date | None = None) -> str:
    """The version a RelationalTier of engine ``name`` gets when config names none.

    The newest major in standard support (``awsdata.support``'s lines) that cfn-lint lists as
    created: the major alone where RDS takes it (MySQL 8.4, MariaDB 11.4, SQL Server 16.00 or
    17.00, Oracle 19), else that major's newest listed version (cfn-lint lists PostgreSQL's
    major-only versions as deprecated, so PostgreSQL gets its newest 17.x). AWS documents no
    other default for these engines: the console and CreateDBInstance default to RDS's default
    minor of the latest major, which taking the major alone also gets.
    """
    for line in reversed(supported_lines(name, today)):
        if rds.rds_version_status(name, line) == "offered":
            return line
        members = [v for v in rds.rds_creatable(name) if v.startswith(line + ".")]
        if members:
            return members[-1]
    raise LookupError(f"no version of {name} in standard support is offered (cfn-lint's data)")


def default_class(name: str, version: str) -> str:
    """The smallest current-generation class RDS offers ``name`` at ``version`` in
    ``REFERENCE_REGION``, Graviton first: db.t4g.micro for MySQL, db.t3.micro for SQL Server
    Express, db.m6i.large for SQL Server Standard. One region for every stack, so a default
    does not change with the region; where a region lacks it, config validation says so."""
    offered = rds.rds_classes(name, REFERENCE_REGION, version) or frozenset()
    prefixes = CURRENT_GENERATION["rds"]

    def rank(c: str) -> tuple[tuple[int, int], int]:
        order = next(i for i, p in enumerate(prefixes) if c.startswith(p))
        return size_rank(c), order

    current = [c for c in offered if any(c.startswith(p) for p in prefixes)]
    if not current:
        raise LookupError(f"no current-generation class of {name} {version} is offered")
    return min(current, key=rank)


# --- What an engine refuses -------------------------------------------------------------------


def username_problem(name: str, user: str) -> str | None:
    """Why ``name`` refuses ``user`` as its master user (the length and characters are every
    engine's: 1-16 letters, digits or _, a letter first), or None."""
    e = engine(name)
    if reserved(e.family, user, user=True):
        return f"{user.lower()!r} is reserved by {e.label}; choose another name"
    return None


def database_name_problem(name: str, database: str) -> str | None:
    """Why ``name`` refuses ``database`` as the database created with it, or None."""
    e = engine(name)
    if e.database_name is None:
        return (
            f'{e.label} creates no database at create (CreateDBInstance DBName: "Not'
            ' applicable. Must be null"); leave it out and create databases once it runs'
        )
    if not re.fullmatch(e.database_name, database, re.ASCII):
        return f"must be {e.database_hint} for {e.label}"
    if reserved(e.family, database, user=False):
        return f"{database!r} is a word {e.label} reserves; choose another name"
    return None


def license_problem(name: str, model: str | None) -> str | None:
    """Why ``name`` cannot run under license ``model`` (None: config named none), or None."""
    e = engine(name)
    if model is None:
        if e.default_license is None:
            docs = LICENSE_DOCS.get(e.family, "")
            return (
                f"{e.label} has no license-included model; set licenseModel"
                f" {BYOL} (your own Oracle license: {docs})"
            )
        return None
    if model not in e.license_models:
        return f"{e.label} offers {', '.join(e.license_models)} (got {model})"
    return None


def replicas_problem(name: str, replicas: int, instance_class: str) -> str | None:
    """Why RDS cannot create ``replicas`` read replicas of ``name`` on ``instance_class``."""
    e = engine(name)
    if not replicas:
        return None
    if not e.max_replicas:
        return f"{e.label} has no read replicas; set readReplicas 0"
    if replicas > e.max_replicas:
        return f"{e.label} has at most {e.max_replicas} read replicas (got {replicas})"
    if e.family == "oracle" and instance_class in ORACLE_REPLICA_SOURCE_REFUSED:
        return (
            f"an Oracle replica's source needs two or more vCPUs, not {instance_class};"
            " choose a larger instanceClass"
        )
    return None


def multi_az_problem(name: str) -> str | None:
    """Why ``name`` has no Multi-AZ deployment, or None."""
    e = engine(name)
    return None if e.multi_az else f"{e.label} has no Multi-AZ deployment; set multiAz false"


def iam_auth_problem(name: str) -> str | None:
    """Why ``name`` has no IAM database authentication (MySQL, MariaDB, PostgreSQL only)."""
    e = engine(name)
    if e.iam_auth:
        return None
    return (
        f"{e.label} has no IAM database authentication (MySQL, MariaDB and PostgreSQL have it:"
        " https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html)"
    )


def storage_problem(name: str, gib: int) -> str | None:
    """Why ``name`` refuses ``gib`` of gp3 storage (the floor, 20, is every engine's)."""
    e = engine(name)
    if gib > e.max_storage_gib:
        return f"{e.label} takes at most {e.max_storage_gib} GiB of gp3 storage (got {gib})"
    return None


def log_export_problem(name: str, log: str) -> str | None:
    """Why ``name`` does not export ``log`` (or dbtier cannot make it non-empty), or None."""
    e = engine(name)
    if log in e.logs:
        return None
    return f"{e.label} exports {', '.join(e.logs)} (got {log})"


def managed_password_problem(name: str, replicas: int) -> str | None:
    """Why RDS cannot manage the master password of ``name`` with ``replicas`` read replicas."""
    e = engine(name)
    if not replicas or e.managed_password_with_replicas:
        return None
    return (
        "RDS cannot create read replicas of a database whose master password Secrets Manager"
        " manages; set readReplicas 0 or mode generated"
    )
