"""DMS rules: a private, KMS-encrypted replication instance; endpoints on SSL that read their
credentials from Secrets Manager; tasks with logging and validation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from awsdata import dms

from ._common import Resource, Rule, RuleMeta, is_off, is_unknown, parse_json

REPLICATION_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
ENDPOINT = "aws:dms/endpoint:Endpoint"
TASK = "aws:dms/replicationTask:ReplicationTask"


def instance_not_public(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("publiclyAccessible")
    if not is_unknown(value) and value is True:
        yield f"DMS replication instance '{r.name}' has publiclyAccessible true."


def instance_cmk(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyArn")):
        yield f"DMS replication instance '{r.name}' has no kmsKeyArn: storage uses aws/dms."


def instance_multi_az(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("multiAz")):
        yield f"DMS replication instance '{r.name}' is single-AZ."


def instance_minor_upgrade(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("autoMinorVersionUpgrade")
    if not is_unknown(value) and value is False:
        yield f"DMS replication instance '{r.name}' does not take minor upgrades automatically."


def endpoint_cmk(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyArn")):
        yield f"DMS endpoint '{r.name}' has no kmsKeyArn for its connection parameters."


def endpoint_ssl(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """Encrypted in a mode DMS offers for the endpoint's engine: Oracle only in verify-ca, SQL
    Server not in verify-ca, and a verifying mode only with the CA imported as a certificate
    (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html)."""
    mode, engine = r.get("sslMode"), r.get("engineName")
    certificate = r.get("certificateArn")
    if is_unknown(mode) or is_unknown(engine):
        return
    problem = dms.ssl_mode_problem(
        str(engine or ""), str(mode or "none"), is_unknown(certificate) or bool(certificate)
    )
    if problem:
        yield f"DMS endpoint '{r.name}' ({engine}): {problem}."


def endpoint_secrets(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    password = r.get("password")
    if not is_unknown(password) and password:
        yield (
            f"DMS endpoint '{r.name}' carries a password input instead of reading it from "
            "Secrets Manager."
        )
    if is_off(r.get("secretsManagerArn")) or is_off(r.get("secretsManagerAccessRoleArn")):
        yield (
            f"DMS endpoint '{r.name}' does not read credentials from Secrets Manager "
            "(secretsManagerArn and secretsManagerAccessRoleArn)."
        )


def task_logging_validation(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    raw = r.get("replicationTaskSettings")
    if is_unknown(raw):
        return
    settings = parse_json(raw) or {}
    logging = settings.get("Logging", {}) if isinstance(settings, Mapping) else {}
    validation = settings.get("ValidationSettings", {}) if isinstance(settings, Mapping) else {}
    if not (isinstance(logging, Mapping) and logging.get("EnableLogging") is True):
        yield f"DMS task '{r.name}' has task logging off (Logging.EnableLogging)."
    if not (isinstance(validation, Mapping) and validation.get("EnableValidation") is True):
        yield f"DMS task '{r.name}' has data validation off (ValidationSettings.EnableValidation)."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="dms-instance-not-publicly-accessible",
            description="DMS replication instances are private.",
            severity=Severity.CRITICAL,
            category="network",
            remediation="set publiclyAccessible=false (Migration does).",
            resource_types=(REPLICATION_INSTANCE,),
            checkov=("CKV_AWS_89",),
        ),
        instance_not_public,
    ),
    Rule(
        RuleMeta(
            name="dms-instance-customer-managed-key",
            description="DMS replication instances encrypt storage with the stack key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyArn to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(REPLICATION_INSTANCE,),
            checkov=("CKV_AWS_212",),
        ),
        instance_cmk,
    ),
    Rule(
        RuleMeta(
            name="dms-instance-multi-az",
            description="DMS replication instances run Multi-AZ.",
            severity=Severity.LOW,
            category="availability",
            remediation="set multiAz=true on the replication instance.",
            resource_types=(REPLICATION_INSTANCE,),
        ),
        instance_multi_az,
    ),
    Rule(
        RuleMeta(
            name="dms-instance-auto-minor-version-upgrade",
            description="DMS replication instances take minor upgrades automatically.",
            severity=Severity.LOW,
            category="versions",
            remediation="leave autoMinorVersionUpgrade unset or true.",
            resource_types=(REPLICATION_INSTANCE,),
        ),
        instance_minor_upgrade,
    ),
    Rule(
        RuleMeta(
            name="dms-endpoint-customer-managed-key",
            description="DMS endpoints encrypt their connection parameters with the stack key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsKeyArn on the endpoint (dbtier:encryption.kmsKeyArn).",
            resource_types=(ENDPOINT,),
            checkov=("CKV_AWS_296",),
        ),
        endpoint_cmk,
    ),
    Rule(
        RuleMeta(
            name="dms-endpoint-ssl",
            description="DMS endpoints connect with SSL, in a mode DMS offers for their engine.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set sslMode to require, verify-ca or verify-full (Migration uses "
            "require; an Oracle endpoint verify-ca with dbtier:migration.sourceCertificateArn; "
            "SQL Server offers no verify-ca; verify modes need certificateArn).",
            resource_types=(ENDPOINT,),
            docs=dms.DMS_SSL_DOCS,
            fixes=("dbtier:migration.sourceCertificateArn",),
        ),
        endpoint_ssl,
    ),
    Rule(
        RuleMeta(
            name="dms-endpoint-uses-secrets-manager",
            description="DMS endpoints read credentials from Secrets Manager, never a password "
            "input.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="set secretsManagerArn and secretsManagerAccessRoleArn and drop "
            "username/password (dbtier:migration source/target use the tiers' secrets).",
            resource_types=(ENDPOINT,),
        ),
        endpoint_secrets,
    ),
    Rule(
        RuleMeta(
            name="dms-task-logging-and-validation",
            description="DMS replication tasks log to CloudWatch and validate the data they move.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep Logging.EnableLogging and ValidationSettings.EnableValidation true "
            "in replicationTaskSettings (Migration sets both).",
            resource_types=(TASK,),
        ),
        task_logging_validation,
    ),
]
