"""Deployability rules on DMS's sources and targets: each endpoint names its database's engine
the way DMS does, DMS reads that engine at all, and a change-data-capture source has what its
engine needs (row binlogs and backups on MySQL and MariaDB, logical replication on PostgreSQL,
backups on SQL Server and Oracle, no CDC from SQL Server Express or Web).

Facts come from ``awsdata.dms`` (DMS's endpoint engines) and ``awsdata.rds_engines`` (each RDS
engine's CDC parameters); the graph helpers are ``deploy_relations``'.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import dms
from awsdata.rds_engines import RdsEngine

from ._common import Rule, as_number, deps_of, prop
from .deploy_relations import (
    DMS_ENDPOINT,
    DMS_TASK,
    RDS_CLUSTER,
    RDS_CLUSTER_PARAMS,
    RDS_INSTANCE,
    RDS_PARAMS,
    SECRET,
    SECRET_VERSION,
    Group,
    engine_facts,
    instance_engine,
    known_str,
    linked,
    of_type,
    parameters,
    relation_meta,
    satisfies,
)

# A parameter's value when the group does not set it, where that value is what DMS needs:
# binlog_row_image "Default Value: full"
# (https://dev.mysql.com/doc/refman/8.4/en/replication-options-binary-log.html#sysvar_binlog_row_image).
_DEFAULTS = {"binlog_row_image": "full"}


def endpoint_databases(
    endpoint: PolicyResource, resources: Sequence[PolicyResource]
) -> list[PolicyResource]:
    """The RDS instances or clusters a DMS endpoint connects to.

    By the endpoint's serverName, or through its Secrets Manager secret: the secret version
    whose host came from the database.
    """
    databases = of_type(resources, RDS_INSTANCE, RDS_CLUSTER)
    found = linked(endpoint, "serverName", databases, "address", "endpoint")
    if found:
        return found
    secrets = linked(endpoint, "secretsManagerArn", of_type(resources, SECRET), "arn", "name")
    result: list[PolicyResource] = []
    for version in of_type(resources, SECRET_VERSION):
        if not any(linked(version, "secretId", [s], "arn") for s in secrets):
            continue
        db_urns = {d.urn for d in databases}
        result += [d for d in deps_of(version, "secretString") if d.urn in db_urns]
    by_urn = {d.urn: d for d in databases}
    return [by_urn[r.urn] for r in result]


def database_engine(db: PolicyResource, resources: Sequence[PolicyResource]) -> str | None:
    """The engine of an RDS instance (a replica's is its source's) or Aurora cluster."""
    if db.resource_type == RDS_INSTANCE:
        return instance_engine(db, of_type(resources, RDS_INSTANCE))[0]
    return known_str(prop(db.props, "engine"))


def _cdc_problems(
    db: PolicyResource, engine: RdsEngine, resources: Sequence[PolicyResource]
) -> list[str]:
    """What ``db``, of ``engine``, lacks for DMS to capture its changes."""
    if engine.cdc_refusal:
        return [engine.cdc_refusal]
    problems: list[str] = []
    backups = as_number(prop(db.props, "backupRetentionPeriod"))
    needs_backups = dms.SOURCE_ENGINE_NAMES.get(engine.engine) in dms.CDC_NEEDS_BACKUPS
    if needs_backups and backups is not None and backups < 1:
        problems.append(
            "automated backups are off (its change log needs them;"
            " dbtier:relational.backupRetentionDays)"
        )
    if engine.cdc_parameters:
        if db.resource_type == RDS_INSTANCE:
            group = Group(db, "parameterGroupName", of_type(resources, RDS_PARAMS))
        else:
            group = Group(db, "dbClusterParameterGroupName", of_type(resources, RDS_CLUSTER_PARAMS))
        if group.knowable:
            params = parameters(group.resource)
            for name, wanted in engine.cdc_parameters.items():
                value = params.get(name, _DEFAULTS.get(name))
                if value is None or not satisfies(name, value, wanted):
                    problems.append(f"{name} is {value or 'the default'}, not {wanted}")
    return problems


def cdc_source(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """The source of a DMS CDC task has what its engine's change capture needs.

    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.AmazonManaged
    ("Enable automatic backups ... Set binlog_format to ROW ... binlog_row_image to Full"),
    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html (rds.logical_replication),
    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.SQLServer.html,
    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.Oracle.html
    """
    endpoints = of_type(resources, DMS_ENDPOINT)
    reported: set[str] = set()
    for task in of_type(resources, DMS_TASK):
        kind = known_str(prop(task.props, "migrationType"))
        if kind is None or "cdc" not in kind:
            continue
        for endpoint in linked(task, "sourceEndpointArn", endpoints, "endpointArn", "endpointId"):
            for db in endpoint_databases(endpoint, resources):
                name = database_engine(db, resources)
                engine = engine_facts(name)
                if db.urn in reported or engine is None:
                    continue
                if problems := _cdc_problems(db, engine, resources):
                    reported.add(db.urn)
                    yield (
                        db.urn,
                        f"'{db.name}' is the source of DMS task '{task.name}' ({kind}), but "
                        + "; ".join(problems)
                        + ": the task cannot capture changes (dbtier:migration.migrationType,"
                        " dbtier:relational).",
                    )


def _expected_engine_name(db: PolicyResource, engine: str) -> str | None:
    """DMS's EngineName for ``db`` of ``engine`` (None: not one DMS names)."""
    if db.resource_type == RDS_CLUSTER:
        return dms.TARGET_ENGINE_NAMES.get(engine)
    return dms.SOURCE_ENGINE_NAMES.get(engine)


def endpoint_engine(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Each DMS endpoint names its database's engine as DMS does (``aurora`` for Aurora MySQL,
    ``sqlserver`` for every SQL Server edition), and DMS reads a source's engine at all: not SQL
    Server Express or Web. https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.Sources.html"""
    for endpoint in of_type(resources, DMS_ENDPOINT):
        named = known_str(prop(endpoint.props, "engineName"))
        role = known_str(prop(endpoint.props, "endpointType"))
        for db in endpoint_databases(endpoint, resources):
            engine = database_engine(db, resources)
            if engine is None:
                continue
            source = role == "source" and db.resource_type == RDS_INSTANCE
            if source and (problem := dms.source_problem(engine)):
                yield (
                    endpoint.urn,
                    f"DMS endpoint '{endpoint.name}' reads '{db.name}': {problem}; choose"
                    " another dbtier:relational.engine or turn dbtier:migration off.",
                )
                continue
            expected = _expected_engine_name(db, engine)
            if named and expected and named != expected:
                yield (
                    endpoint.urn,
                    f"DMS endpoint '{endpoint.name}' has engineName {named}, but '{db.name}' runs"
                    f" {engine}, which DMS calls {expected}: it cannot connect (the Migration"
                    " derives it from dbtier:relational.engine and dbtier:aurora.engine).",
                )


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-dms-cdc-source",
            "The source of a DMS CDC task has what its engine's change capture needs: row"
            " binlogs and backups (MySQL, MariaDB), logical replication (PostgreSQL), backups"
            " (SQL Server, Oracle); SQL Server Express and Web have no CDC.",
            "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.html",
            ("dbtier:relational.backupRetentionDays", "dbtier:migration.migrationType"),
            "keep dbtier:relational.backupRetentionDays >= 1; RelationalTier sets the engine's"
            " CDC parameters (binlog_format=ROW, rds.logical_replication=1) when a migration"
            " reads from it; SQL Server Express/Web: migrationType full-load or another edition.",
        ),
        stack_check=cdc_source,
    ),
    Rule(
        relation_meta(
            "deploy-dms-endpoint-engine",
            "DMS endpoints name their database's engine as DMS does, and read only engines DMS"
            " reads (not SQL Server Express or Web).",
            dms.DMS_SOURCE_DOCS,
            ("dbtier:relational.engine", "dbtier:migration.enabled"),
            "let the Migration derive engineName from the tiers' engines; choose a relational"
            " engine DMS reads.",
        ),
        stack_check=endpoint_engine,
    ),
]
