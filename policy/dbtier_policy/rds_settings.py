"""RDS and Aurora rules on engine settings: the parameter groups that enforce TLS and write the
logs, a current CA certificate, automatic minor upgrades and tags copied to snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, is_off, is_unknown, string_list
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


# The values MySQL and PostgreSQL read as on.
_ON = {"1", "on", "true"}
_TLS_PARAMETERS = {
    "mysql": ("require_secure_transport", _ON),
    "mariadb": ("require_secure_transport", _ON),
    "aurora-mysql": ("require_secure_transport", _ON),
    "postgres": ("rds.force_ssl", _ON),
    "aurora-postgresql": ("rds.force_ssl", _ON),
}


def _family_engine(family: str) -> str | None:
    for engine in sorted(_TLS_PARAMETERS, key=len, reverse=True):
        if family.startswith(engine):
            return engine
    return None


def parameter_group_tls(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = _family_engine(str(family))
    if engine is None:
        return
    name, accepted = _TLS_PARAMETERS[engine]
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return
    for p in params:
        if not isinstance(p, Mapping):
            continue
        if str(p.get("name", "")).lower() == name:
            value = p.get("value")
            if is_unknown(value) or str(value).lower() in accepted:
                return
            yield f"Parameter group '{r.name}' sets {name}={value}: plaintext clients connect."
            return
    yield f"Parameter group '{r.name}' ({family}) does not set {name}=1: TLS is not enforced."


def _parameter_values(r: Resource) -> dict[str, Any] | None:
    """A parameter group's parameters as lower-cased name -> value; None while unknown."""
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return None
    return {
        str(p.get("name", "")).lower(): p.get("value") for p in params if isinstance(p, Mapping)
    }


# What dbtier's parameter groups always set for logging (components/relational and
# components/aurora; a stack config cannot change them): MySQL writes its slow query log to the
# file CloudWatch reads, Aurora MySQL audits connections and every DCL and DDL statement.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
_AUDIT_EVENTS = {"CONNECT", "QUERY_DCL", "QUERY_DDL"}


def parameter_group_logging(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    family = r.get("family")
    if is_unknown(family) or family is None:
        return
    engine = _family_engine(str(family))
    params = _parameter_values(r)
    if params is None:
        return
    problems: list[str] = []

    def unset(name: str, accepted: set[str], wanted: str) -> None:
        value = params.get(name)
        if value is None or (not is_unknown(value) and str(value).lower() not in accepted):
            problems.append(f"{name}={'unset' if value is None else value} (dbtier sets {wanted})")

    if r.type == PARAMETER_GROUP and engine in ("mysql", "mariadb"):
        unset("slow_query_log", _ON, "1")
        unset("log_output", {"file"}, "FILE")
    elif r.type == CLUSTER_PARAMETER_GROUP and engine == "aurora-mysql":
        unset("server_audit_logging", _ON, "1")
        events = params.get("server_audit_events")
        if not is_unknown(events):
            have = {e.strip().upper() for e in str(events or "").split(",")}
            if missing := sorted(_AUDIT_EVENTS - have):
                problems.append(f"server_audit_events lacks {', '.join(missing)}")
    for problem in problems:
        yield f"Parameter group '{r.name}' ({family}) has {problem}: its logs go unwritten."


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
            description="RDS and Aurora parameter groups force TLS (require_secure_transport / "
            "rds.force_ssl).",
            severity=Severity.HIGH,
            category="encryption",
            remediation="keep require_secure_transport=1 (MySQL) or rds.force_ssl=1 (PostgreSQL) "
            "in the component's parameter group.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
        ),
        parameter_group_tls,
    ),
    Rule(
        RuleMeta(
            name="rds-parameter-group-logging",
            description="RDS MySQL/MariaDB parameter groups write the slow query log to a file, "
            "Aurora MySQL cluster parameter groups audit connections, DCL and DDL.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep the logging parameters RelationalTier and ServerlessAurora set "
            "(slow_query_log=1, log_output=FILE; server_audit_logging=1 with server_audit_events "
            "CONNECT,QUERY_DCL,QUERY_DDL); dbtier:<part>.parameters cannot change them.",
            resource_types=(PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html",
            fixes=("dbtier:relational.parameters", "dbtier:aurora.parameters"),
        ),
        parameter_group_logging,
    ),
]
