"""RDS and Aurora rules on engine settings: the parameter groups (and Oracle's option group) that
enforce TLS and write the logs, each engine its own way (awsdata.rds_engines), a current CA
certificate, automatic minor upgrades and tags copied to snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata.rds_engines import RDS_ENGINES, tls_by_default

from ._common import Resource, Rule, RuleMeta, is_off, is_unknown, string_list
from .deploy_relations import (
    RDS_OPTIONS,
    instance_engine,
    instance_group,
    of_type,
    option_names,
    satisfies,
)
from .rds import (
    CLUSTER,
    CLUSTER_INSTANCE,
    CLUSTER_PARAMETER_GROUP,
    INSTANCE,
    PARAMETER_GROUP,
    kind_of,
    skips_replicas,
)


def auto_minor_upgrade(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("autoMinorVersionUpgrade")
    if not is_unknown(value) and value is False:
        yield f"'{r.name}' does not take minor engine upgrades automatically."


@skips_replicas
def copy_tags_to_snapshot(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("copyTagsToSnapshot")):
        yield f"{kind_of(r)} '{r.name}' does not copy tags to snapshots."


def modern_ca(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    ca = r.get("caCertIdentifier")
    if is_unknown(ca) or ca is None:
        return  # AWS default (rds-ca-rsa2048-g1) is current
    if str(ca) not in c["allowedCertificates"]:
        yield f"'{r.name}' uses CA certificate {ca}, which is not a current RDS CA."


# The TLS parameters of the Aurora engines (each RDS engine's are awsdata.rds_engines'):
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html,
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html
_AURORA_TLS = {
    "aurora-mysql": {"require_secure_transport": "1"},
    "aurora-postgresql": {"rds.force_ssl": "1"},
}
# Longest first: "sqlserver-ee-16.0" is SQL Server Enterprise's, "aurora-mysql8.0" Aurora's.
_ENGINES_BY_PREFIX = sorted([*RDS_ENGINES, *_AURORA_TLS], key=len, reverse=True)


def family_engine(family: str) -> str | None:
    """The engine a parameter group family belongs to (mysql8.4, postgres17, sqlserver-se-16.0,
    oracle-ee-19, aurora-mysql8.0), or None."""
    return next((e for e in _ENGINES_BY_PREFIX if family.startswith(e)), None)


def tls_parameters(engine: str) -> Mapping[str, str]:
    """The parameters that refuse plaintext clients on ``engine`` (none: Oracle, by option)."""
    rds_engine = RDS_ENGINES.get(engine)
    return rds_engine.tls_parameters if rds_engine else _AURORA_TLS.get(engine, {})


def parameter_group_tls(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = family_engine(str(family))
    params = _parameter_values(r)
    if engine is None or params is None:
        return
    for name, wanted in tls_parameters(engine).items():
        value = params.get(name)
        if value is None:
            yield (
                f"Parameter group '{r.name}' ({family}) does not set {name}={wanted}: TLS is not"
                " enforced."
            )
        elif not is_unknown(value) and not satisfies(name, str(value), wanted):
            yield f"Parameter group '{r.name}' sets {name}={value}: plaintext clients connect."


def _parameter_values(r: Resource) -> dict[str, Any] | None:
    """A parameter group's parameters as lower-cased name -> value; None while unknown."""
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return None
    return {
        str(p.get("name", "")).lower(): p.get("value") for p in params if isinstance(p, Mapping)
    }


# What dbtier's parameter groups always set for logging (components/relational and
# components/aurora; a stack config cannot change them): each RDS engine's default log exports'
# parameters but the tunable thresholds (awsdata.rds_engines: MySQL's slow query log to the file
# CloudWatch reads, PostgreSQL's DDL statements), Aurora MySQL's audit of connections and every
# DCL and DDL statement.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
_AUDIT_EVENTS = {"CONNECT", "QUERY_DCL", "QUERY_DDL"}


def log_parameters(engine: str) -> dict[str, str]:
    """The parameters ``engine``'s default log exports need (thresholds left to the user)."""
    rds_engine = RDS_ENGINES.get(engine)
    if rds_engine is None:
        return {}
    wanted: dict[str, str] = {}
    for log in rds_engine.default_logs:
        export = rds_engine.logs[log]
        wanted |= {k: v for k, v in export.parameters.items() if k not in export.tunable}
    return wanted


def parameter_group_logging(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = family_engine(str(family))
    params = _parameter_values(r)
    if params is None or engine is None:
        return
    problems: list[str] = []
    if r.type == PARAMETER_GROUP:
        for name, wanted in log_parameters(engine).items():
            value = params.get(name)
            if value is None or (not is_unknown(value) and not satisfies(name, str(value), wanted)):
                shown = "unset" if value is None else value
                problems.append(f"{name}={shown} (dbtier sets {wanted})")
    elif r.type == CLUSTER_PARAMETER_GROUP and engine == "aurora-mysql":
        value = params.get("server_audit_logging")
        if value is None or (not is_unknown(value) and not satisfies("", str(value), "1")):
            problems.append(
                f"server_audit_logging={'unset' if value is None else value} (dbtier sets 1)"
            )
        events = params.get("server_audit_events")
        if not is_unknown(events):
            have = {e.strip().upper() for e in str(events or "").split(",")}
            if missing := sorted(_AUDIT_EVENTS - have):
                problems.append(f"server_audit_events lacks {', '.join(missing)}")
    for problem in problems:
        yield f"Parameter group '{r.name}' ({family}) has {problem}: its logs go unwritten."


def instances_require_tls(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Every RDS instance enforces TLS its engine's way. A parameter group of its own carries
    the TLS parameter (rds-parameter-group-requires-tls checks its value): the engine's default
    group leaves it off, but for PostgreSQL 15 and later. A read replica runs with its source's
    groups unless it names its own (a cross-region one with the default parameter group). Oracle has no such parameter: its
    option group carries the SSL option, on whose port alone clients connect.
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.Oracle.Options.SSL.html"""
    instances = of_type(resources, INSTANCE)
    groups, options = of_type(resources, PARAMETER_GROUP), of_type(resources, RDS_OPTIONS)
    for instance in instances:
        name, version = instance_engine(instance, instances)
        engine = RDS_ENGINES.get(name or "")
        if engine is None:
            continue
        label = f"{engine.label} instance '{instance.name}'"
        if engine.tls_option is not None:
            option = instance_group(instance, "optionGroupName", options, instances)
            if option.knowable and engine.tls_option.name not in option_names(option.resource):
                yield (
                    instance.urn,
                    f"{label} has no option group with the {engine.tls_option.name} option:"
                    " clients connect in plaintext (dbtier:relational; RelationalTier adds it).",
                )
            continue
        group = instance_group(instance, "parameterGroupName", groups, instances)
        if group.default and not tls_by_default(engine.engine, version):
            wanted = ", ".join(f"{k}={v}" for k, v in engine.tls_parameters.items())
            yield (
                instance.urn,
                f"{label} uses the engine's default parameter group, which does not set"
                f" {wanted}: plaintext clients connect (dbtier:relational; RelationalTier"
                " gives it a group of its own).",
            )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="rds-auto-minor-version-upgrade",
            description="RDS instances take minor engine upgrades automatically.",
            severity=Severity.LOW,
            category="versions",
            remediation="leave autoMinorVersionUpgrade unset or true.",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_226",),
        ),
        auto_minor_upgrade,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-copy-tags-to-snapshot",
            description="RDS instances copy their tags to snapshots.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="set copyTagsToSnapshot=true (RelationalTier does).",
            resource_types=(INSTANCE,),
            checkov=("CKV2_AWS_60",),
        ),
        copy_tags_to_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-cluster-copy-tags-to-snapshot",
            description="Aurora clusters copy their tags to snapshots.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="set copyTagsToSnapshot=true on the Aurora cluster.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_313",),
        ),
        copy_tags_to_snapshot,
    ),
    Rule(
        RuleMeta(
            name="rds-modern-ca-certificate",
            description="RDS instances use a current CA certificate for TLS.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set caCertIdentifier to one of the policy's allowedCertificates or "
            "leave it unset.",
            resource_types=(INSTANCE, CLUSTER_INSTANCE),
            checkov=("CKV_AWS_211",),
            config={
                "allowedCertificates": string_list(
                    ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"],
                    "CA identifiers accepted.",
                )
            },
        ),
        modern_ca,
    ),
    Rule(
        RuleMeta(
            name="rds-parameter-group-requires-tls",
            description="RDS and Aurora parameter groups force TLS (require_secure_transport on"
            " MySQL and MariaDB, rds.force_ssl on PostgreSQL and SQL Server).",
            severity=Severity.HIGH,
            category="encryption",
            remediation="keep require_secure_transport=1 (MySQL, MariaDB) or rds.force_ssl=1 "
            "(PostgreSQL, SQL Server) in the component's parameter group.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
        ),
        parameter_group_tls,
    ),
    Rule(
        RuleMeta(
            name="rds-instance-requires-tls",
            description="RDS instances enforce TLS their engine's way: a parameter group of"
            " their own (the default groups leave TLS optional, but PostgreSQL 15's and later),"
            " and for Oracle an option group with the SSL option.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="give the instance a parameter group that sets the engine's TLS"
            " parameter, or for Oracle an option group with the SSL option (RelationalTier"
            " does both).",
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html",
            fixes=("dbtier:relational.engine",),
        ),
        stack_check=instances_require_tls,
    ),
    Rule(
        RuleMeta(
            name="rds-parameter-group-logging",
            description="RDS parameter groups set what their engine's default log exports need"
            " (MySQL/MariaDB: the slow query log to a file; PostgreSQL: DDL statements), Aurora"
            " MySQL cluster parameter groups audit connections, DCL and DDL.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep the logging parameters RelationalTier and ServerlessAurora set "
            "(slow_query_log=1, log_output=FILE; log_statement=ddl; server_audit_logging=1 with "
            "server_audit_events CONNECT,QUERY_DCL,QUERY_DDL); dbtier:<part>.parameters cannot "
            "change them.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html",
            fixes=("dbtier:relational.parameters", "dbtier:aurora.parameters"),
        ),
        parameter_group_logging,
    ),
]
