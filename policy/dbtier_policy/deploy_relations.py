"""Deployability rules between resources: what one resource needs from another to work.

Each rule here is a case where AWS accepts every resource on its own and the feature still does
not work: a dead-letter queue that outlives the records it points to, a destination the function
may not send to. They read the dependency graph the engine sends with AnalyzeStack (the same way
as `stack.py`), fall back to a known literal name, and say nothing when a value is unknown at
preview or the other resource is not in the plan (it may be fine; we cannot tell).

Log exports are in `deploy_logs.py`, DMS's sources and targets in `deploy_dms.py`, the network
paths between components in `deploy_network.py`, the alarms in `deploy_alarms.py`, what each RDS
engine and edition has in `deploy_engines.py`; the graph helpers they share are here.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata.rds_engines import RDS_ENGINES, RdsEngine

from ._common import (
    Rule,
    RuleMeta,
    as_number,
    deps_of,
    is_unknown,
    parse_json,
    prop,
)

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
RDS_OPTIONS = "aws:rds/optionGroup:OptionGroup"
REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_PARAMS = "aws:redshift/parameterGroup:ParameterGroup"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"
RS_NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
RS_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
TABLE = "aws:dynamodb/table:Table"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
)
DMS_TASK = "aws:dms/replicationTask:ReplicationTask"
DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"

# DynamoDB Streams keep records 24 hours: https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
DYNAMODB_STREAM_RETENTION = 86400
# SQS's MessageRetentionPeriod when none is set (4 days).
SQS_DEFAULT_RETENTION = 345600
TRUE_VALUES = frozenset({"1", "on", "true"})


# -- the graph ----------------------------------------------------------------------------------


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def known_str(value: Any) -> str | None:
    """A known, non-empty string value; None for absent, unknown or anything else."""
    if isinstance(value, str) and value and not is_unknown(value):
        return value
    return None


def linked(
    r: PolicyResource,
    key: str,
    candidates: Sequence[PolicyResource],
    *names: str,
    path: Sequence[str | int] = (),
) -> list[PolicyResource]:
    """The candidates `r`'s input `key` refers to: by dependency, else by a known literal.

    A literal matches a candidate's input named in `names` (an identifier, a name) or, for an
    ARN, its last segment; a list input matches element by element. `path` reads the literal
    inside the input (`destinationConfig` -> onFailure -> destinationArn).
    """
    urns = {c.urn for c in candidates}
    found = [d for d in deps_of(r, key) if d.urn in urns]
    if found:
        by_urn = {c.urn: c for c in candidates}
        return [by_urn[d.urn] for d in found]
    value = prop(r.props, key, *path)
    literals = value if isinstance(value, list) else [value]
    wanted = set()
    for literal in literals:
        text = known_str(literal)
        if text is not None:
            wanted |= {text, text.rsplit(":", 1)[-1], text.rsplit("/", 1)[-1]}
    if not wanted:
        return []
    return [c for c in candidates if any(known_str(prop(c.props, n)) in wanted for n in names)]


def parameters(group: PolicyResource | None, key: str = "parameters") -> dict[str, str]:
    """A parameter group's parameters as name -> value (lower-cased names, string values)."""
    if group is None:
        return {}
    found: dict[str, str] = {}
    entries = prop(group.props, key, default=[])
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("name", entry.get("parameterKey"))
        value = entry.get("value", entry.get("parameterValue"))
        if isinstance(name, str) and not is_unknown(value) and value is not None:
            found[name.lower()] = str(value)
    return found


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE_VALUES


# PostgreSQL's log_statement levels, each logging what the one before it logs and more ("mod
# logs all ddl statements, plus data-modifying statements"):
# https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-LOG-STATEMENT
_LEVELS = {"log_statement": ("none", "ddl", "mod", "all")}


def satisfies(name: str, value: str, wanted: str) -> bool:
    """Whether parameter ``name`` at ``value`` does what ``wanted`` does: on for on (1, ON,
    true), a level at least the one wanted, or a comma list (log_output) that includes it."""
    have, want = value.strip().lower(), wanted.strip().lower()
    if want in TRUE_VALUES:
        return have in TRUE_VALUES
    levels = _LEVELS.get(name)
    if levels and have in levels and want in levels:
        return levels.index(have) >= levels.index(want)
    return want in have.replace(" ", "").split(",")


def option_names(group: PolicyResource | None) -> set[str]:
    """The options an option group carries (none for the default group, ``None``)."""
    entries = prop(group.props, "options", default=[]) if group is not None else []
    if not isinstance(entries, list):
        return set()
    return {
        str(o["optionName"])
        for o in entries
        if isinstance(o, Mapping) and isinstance(o.get("optionName"), str)
    }


# The RDS engine whose facts hold for an Aurora engine where Aurora documents no others of its
# own (DMS's MySQL and PostgreSQL source pages cover Aurora; AWS's rotation templates are per
# MySQL and PostgreSQL, Aurora's included).
AURORA_AS = {"aurora-mysql": "mysql", "aurora-postgresql": "postgres"}


def engine_facts(engine: str | None) -> RdsEngine | None:
    """``awsdata.rds_engines``' engine for an RDS or Aurora engine name (None: neither)."""
    return RDS_ENGINES.get(AURORA_AS.get(engine or "", engine or ""))


def replica_source(
    instance: PolicyResource, instances: Sequence[PolicyResource]
) -> PolicyResource | None:
    """The instance a read replica replicates, by dependency or identifier (None: not a
    replica, or its source is not in the plan)."""
    if prop(instance.props, "replicateSourceDb") is None:
        return None
    sources = linked(instance, "replicateSourceDb", instances, "identifier")
    return sources[0] if sources else None


def instance_engine(
    instance: PolicyResource, instances: Sequence[PolicyResource]
) -> tuple[str | None, str | None]:
    """An RDS instance's engine and version: its own, or for a read replica (which names
    neither) its source's; None when not known."""
    engine, version = prop(instance.props, "engine"), prop(instance.props, "engineVersion")
    source = replica_source(instance, instances) if engine is None else None
    if source is not None:
        engine, version = prop(source.props, "engine"), prop(source.props, "engineVersion")
    return known_str(engine), known_str(version)


def instance_group(
    instance: PolicyResource,
    key: str,
    groups: Sequence[PolicyResource],
    instances: Sequence[PolicyResource],
) -> Group:
    """The parameter (``parameterGroupName``) or option group (``optionGroupName``) an
    instance runs with. A read replica that names none runs with its source's, but for a
    cross-region replica's parameter group, which is the engine's default (CreateDBInstance
    ReadReplica DBParameterGroupName and OptionGroupName, botocore's rds model)."""
    group = Group(instance, key, groups)
    source = replica_source(instance, instances) if group.default else None
    cross_region = str(prop(instance.props, "replicateSourceDb")).startswith("arn:")
    if source is not None and not (cross_region and key == "parameterGroupName"):
        return Group(source, key, groups)
    return group


def string_list(value: Any) -> list[str] | None:
    """A known list of strings; None when unknown (the list or any element)."""
    if value is None:
        return []
    if is_unknown(value) or not isinstance(value, list):
        return None
    if any(is_unknown(v) for v in value):
        return None
    return [str(v) for v in value]


class Group:
    """What a database's parameter group input resolves to."""

    def __init__(self, owner: PolicyResource, key: str, groups: Sequence[PolicyResource]) -> None:
        value = prop(owner.props, key)
        found = linked(owner, key, groups, "name")
        self.unknown = is_unknown(value) and not found
        # No group named: the engine's default group, whose log parameters are all off.
        self.default = value is None and not found
        # A group named that the plan does not hold: someone else's, unknowable here.
        self.external = not self.unknown and not self.default and not found
        self.resource = found[0] if found else None

    @property
    def knowable(self) -> bool:
        return not self.unknown and not self.external


# -- event source mappings and their failure destinations ------------------------------------


def _is_dynamodb_stream(mapping: PolicyResource, tables: Sequence[PolicyResource]) -> bool:
    source = prop(mapping.props, "eventSourceArn")
    if known_str(source) is not None:
        return ":dynamodb:" in source and "/stream/" in source
    return any(d.resource_type == TABLE for d in deps_of(mapping, "eventSourceArn")) and bool(
        tables
    )


ON_FAILURE = ("onFailure", "destinationArn")


def _destination(mapping: PolicyResource) -> Any:
    return prop(mapping.props, "destinationConfig", *ON_FAILURE)


def dlq_retention(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A DynamoDB stream's on-failure queue keeps pointers, not records: at most 24 h is useful.

    For stream sources Lambda sends SQS/SNS destinations only metadata (shard, sequence numbers);
    the stream trims the records 24 h after they were written. A longer queue retention keeps
    dead pointers, and a maximum record age over 24 h never applies.
    https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
    """
    tables = of_type(resources, TABLE)
    queues = of_type(resources, QUEUE)
    for mapping in of_type(resources, ESM):
        if not _is_dynamodb_stream(mapping, tables):
            continue
        age = as_number(prop(mapping.props, "maximumRecordAgeInSeconds"))
        if age is not None and age > DYNAMODB_STREAM_RETENTION:
            yield (
                mapping.urn,
                f"Event source mapping '{mapping.name}' gives up on records after {age:g} s, but"
                " DynamoDB Streams trim them after 86400 s: the setting never applies"
                " (dbtier:dynamo.tables[].streamProcessor.maximumRecordAgeSeconds).",
            )
        for queue in linked(mapping, "destinationConfig", queues, "name", "arn", path=ON_FAILURE):
            raw = prop(queue.props, "messageRetentionSeconds")
            if is_unknown(raw):
                continue
            retention = as_number(raw) or SQS_DEFAULT_RETENTION
            if retention > DYNAMODB_STREAM_RETENTION:
                yield (
                    queue.urn,
                    f"Queue '{queue.name}' keeps failure records of the DynamoDB stream mapping"
                    f" '{mapping.name}' for {retention:g} s, but they only point at stream"
                    " records trimmed after 86400 s: keep them at most 86400 s and replay in"
                    " time (dbtier:dynamo.tables[].streamProcessor.dlqRetentionSeconds).",
                )


def _statements(document: Any) -> list[Mapping[str, Any]]:
    doc = parse_json(document)
    if not isinstance(doc, Mapping):
        return []
    statements = doc.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def allows(statements: Sequence[Mapping[str, Any]], action: str, resource: str) -> bool:
    """Whether an Allow statement (no condition evaluated) grants `action` on `resource`."""
    for s in statements:
        if s.get("Effect") != "Allow" or "NotAction" in s or "NotResource" in s:
            continue
        actions = [a.lower() for a in _as_list(s.get("Action"))]
        if not any(fnmatch.fnmatchcase(action.lower(), a) for a in actions):
            continue
        if any(fnmatch.fnmatchcase(resource, r) for r in _as_list(s.get("Resource"))):
            return True
    return False


def destination_permissions(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """The function's role can send to its mapping's on-failure destination (and use its key).

    Lambda sends with the function's execution role; without sqs:SendMessage (sns:Publish) and,
    for an encrypted queue, kms:GenerateDataKey on its key, the failure records are lost and
    only DestinationDeliveryFailures counts them.
    https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
    """
    functions = of_type(resources, FUNCTION)
    roles = of_type(resources, ROLE)
    queues = of_type(resources, QUEUE)
    policies = of_type(resources, ROLE_POLICY)
    attachments = of_type(resources, *ROLE_ATTACHMENTS)
    for mapping in of_type(resources, ESM):
        destination = known_str(_destination(mapping))
        if destination is None:
            continue
        service = destination.split(":")[2] if destination.count(":") >= 5 else ""
        action = {"sqs": "sqs:SendMessage", "sns": "sns:Publish"}.get(service)
        if action is None:
            continue
        for function in linked(mapping, "functionName", functions, "name", "arn"):
            for role in linked(function, "role", roles, "arn", "name"):
                if any(linked(a, "role", [role], "name") for a in attachments):
                    continue  # a managed policy may grant it: not knowable from the plan
                documents = [
                    prop(p.props, "policy") for p in policies if linked(p, "role", [role], "name")
                ]
                inline = prop(role.props, "inlinePolicies", default=[]) or []
                documents += [i.get("policy") for i in inline if isinstance(i, Mapping)]
                if not documents or any(is_unknown(d) for d in documents):
                    continue
                statements = [s for d in documents for s in _statements(d)]
                missing = [] if allows(statements, action, destination) else [action]
                for queue in linked(
                    mapping, "destinationConfig", queues, "name", "arn", path=ON_FAILURE
                ):
                    key = known_str(prop(queue.props, "kmsMasterKeyId"))
                    if (
                        key
                        and key.startswith("arn:")
                        and not allows(statements, "kms:GenerateDataKey", key)
                    ):
                        missing.append("kms:GenerateDataKey on the queue's key")
                if missing:
                    yield (
                        mapping.urn,
                        f"Event source mapping '{mapping.name}' sends failed records to"
                        f" {destination}, but role '{role.name}' of '{function.name}' lacks"
                        f" {' and '.join(missing)}: they would be lost (the DynamoTable"
                        " processor's role policy, dbtier:dynamo.tables[].streamProcessor).",
                    )


def relation_meta(
    name: str,
    description: str,
    docs: str,
    fixes: tuple[str, ...],
    remediation: str,
    *,
    severity: Severity = Severity.HIGH,
    **more: Any,
) -> RuleMeta:
    """A deployability rule's metadata: AWS's page that states the constraint and the keys that
    fix it (every deployability module builds its rules with this)."""
    return RuleMeta(
        name=name,
        description=description,
        severity=severity,
        category="deployability",
        remediation=remediation,
        docs=docs,
        fixes=fixes,
        **more,
    )


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-dlq-retention",
            "A DynamoDB stream mapping's failure queue keeps messages no longer than the stream"
            " keeps records (24 h), and its maximum record age is within it.",
            "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
            (
                "dbtier:dynamo.tables[].streamProcessor.dlqRetentionSeconds",
                "dbtier:dynamo.tables[].streamProcessor.maximumRecordAgeSeconds",
            ),
            "set dlqRetentionSeconds and maximumRecordAgeSeconds to at most 86400 in"
            " dbtier:dynamo.tables[].streamProcessor.",
        ),
        stack_check=dlq_retention,
    ),
    Rule(
        relation_meta(
            "deploy-esm-destination-permissions",
            "The function of an event source mapping may send to its on-failure destination.",
            "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
            ("dbtier:dynamo.tables[].streamProcessor",),
            "grant the function's role sqs:SendMessage on the destination queue and"
            " kms:GenerateDataKey on its key (the DynamoTable processor policy does).",
        ),
        stack_check=destination_permissions,
    ),
]
