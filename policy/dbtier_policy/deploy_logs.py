"""Deployability rules on log exports: each exported log has what makes the engine write it.

RDS, Aurora and Redshift accept a log export whatever the parameter group says; when the
parameters leave the log off, its CloudWatch log group simply stays empty. Graph helpers are in
`deploy_relations`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata.log_groups import (
    dms_task_log_group,
    lambda_log_group,
    rds_cluster_log_group,
    rds_instance_log_group,
    redshift_cluster_log_group,
)
from awsdata.rds_engines import RDS_ENGINES, RdsEngine

from ._common import Rule, is_unknown, prop
from .deploy_relations import (
    DMS_INSTANCE,
    DMS_TASK,
    FUNCTION,
    RDS_CLUSTER,
    RDS_CLUSTER_PARAMS,
    RDS_INSTANCE,
    RDS_OPTIONS,
    RDS_PARAMS,
    REDSHIFT_CLUSTER,
    REDSHIFT_LOGGING,
    REDSHIFT_PARAMS,
    RS_NAMESPACE,
    RS_WORKGROUP,
    Group,
    instance_engine,
    instance_group,
    is_true,
    known_str,
    linked,
    of_type,
    option_names,
    parameters,
    relation_meta,
    satisfies,
    string_list,
)

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SAR_STACK = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"


def missing_log_parameters(
    engine: RdsEngine,
    exports: Sequence[str],
    params: Mapping[str, str],
    defaults: Mapping[str, str],
) -> Iterator[tuple[str, str]]:
    """(export, why it stays empty) for each of ``exports`` whose parameters ``params`` (or,
    unset, ``defaults``) leave off: the first one that does, per export. Thresholds a user may
    tune (long_query_time, log_min_duration_statement) decide what is written, not whether."""
    for export in exports:
        log = engine.logs.get(export)
        if log is None:
            continue  # not a log of the engine: deploy-rds-log-exports
        for name, wanted in log.parameters.items():
            if name in log.tunable:
                continue
            value = params.get(name, defaults.get(name))
            if value is None:
                yield export, f"{name} is not {wanted}"
                break
            if not satisfies(name, value, wanted):
                yield export, f"{name} is {value}, not {wanted}"
                break


# MySQL's log_output when a group leaves it unset: TABLE on RDS (the slow and general logs go to
# mysql.* tables), FILE on Aurora MySQL (the USER_LogAccess and Aurora pages below).
_RDS_DEFAULTS = {"log_output": "TABLE"}
_AURORA_DEFAULTS = {"log_output": "FILE"}


def rds_log_parameters(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """An RDS instance writes a log to CloudWatch only when what its engine needs turns it on.

    What each engine's exports need is ``awsdata.rds_engines``': on MySQL and MariaDB, slowquery
    needs slow_query_log=1, general general_log=1, both log_output=FILE (the default TABLE
    writes them to mysql.* tables), audit the MARIADB_AUDIT_PLUGIN option
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html);
    on PostgreSQL, the postgresql log's DDL statements need log_statement=ddl
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html);
    SQL Server's and Oracle's logs are written whatever the groups say.
    """
    instances = of_type(resources, RDS_INSTANCE)
    groups = of_type(resources, RDS_PARAMS)
    options = of_type(resources, RDS_OPTIONS)
    for inst in instances:
        engine = RDS_ENGINES.get(instance_engine(inst, instances)[0] or "")
        exports = string_list(prop(inst.props, "enabledCloudwatchLogsExports"))
        if engine is None or not exports:
            continue
        group = instance_group(inst, "parameterGroupName", groups, instances)
        if group.knowable:
            params = parameters(group.resource)
            for export, why in missing_log_parameters(engine, exports, params, _RDS_DEFAULTS):
                yield (
                    inst.urn,
                    f"RDS instance '{inst.name}' exports the {export} log but its parameter group"
                    f" never writes it ({why}): the CloudWatch log group stays empty. Set it in"
                    " the parameter group or drop the export (dbtier:relational).",
                )
        option = instance_group(inst, "optionGroupName", options, instances)
        for export in exports:
            log = engine.logs.get(export)
            needed = log.option.name if log is not None and log.option is not None else None
            if needed and option.knowable and needed not in option_names(option.resource):
                yield (
                    inst.urn,
                    f"RDS instance '{inst.name}' exports the {export} log but has no option group"
                    f" with {needed}: RDS never writes it (dbtier:relational).",
                )


def aurora_log_parameters(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Aurora MySQL writes the audit, slow query and general logs only when turned on.

    audit needs Advanced Auditing (server_audit_logging=1 with server_audit_events), slowquery
    and general what they need on MySQL (``awsdata.rds_engines``); a log_output without FILE
    keeps them out of the files CloudWatch reads: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
    """
    groups = of_type(resources, RDS_CLUSTER_PARAMS)
    mysql = RDS_ENGINES["mysql"]
    for cluster in of_type(resources, RDS_CLUSTER):
        if prop(cluster.props, "engine") != "aurora-mysql":
            continue
        exports = string_list(prop(cluster.props, "enabledCloudwatchLogsExports"))
        if not exports:
            continue
        group = Group(cluster, "dbClusterParameterGroupName", groups)
        if not group.knowable:
            continue
        params = parameters(group.resource)
        plain = [e for e in exports if e != "audit"]  # Aurora audits without the plugin
        problems = list(missing_log_parameters(mysql, plain, params, _AURORA_DEFAULTS))
        if "audit" in exports:
            if not is_true(params.get("server_audit_logging")):
                problems.append(("audit", "server_audit_logging is not 1"))
            elif not params.get("server_audit_events"):
                problems.append(("audit", "server_audit_events is empty"))
        for export, why in problems:
            yield (
                cluster.urn,
                f"Aurora cluster '{cluster.name}' exports the {export} log but its cluster"
                f" parameter group never writes it ({why}): the CloudWatch log group stays"
                " empty. Set it in the cluster parameter group or drop the export (dbtier:aurora).",
            )


def redshift_user_activity_log(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Redshift writes the user activity log only with enable_user_activity_logging=true.

    https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html ("To enable the user
    activity log, you must also enable the enable_user_activity_logging database parameter")
    """
    clusters = of_type(resources, REDSHIFT_CLUSTER)
    groups = of_type(resources, REDSHIFT_PARAMS)
    for logging in of_type(resources, REDSHIFT_LOGGING):
        exports = string_list(prop(logging.props, "logExports"))
        if not exports or "useractivitylog" not in exports:
            continue
        for cluster in linked(logging, "clusterIdentifier", clusters, "clusterIdentifier"):
            group = Group(cluster, "clusterParameterGroupName", groups)
            if group.knowable and not is_true(
                parameters(group.resource).get("enable_user_activity_logging")
            ):
                yield (
                    logging.urn,
                    f"'{logging.name}' exports the useractivitylog of '{cluster.name}', whose"
                    " parameter group does not set enable_user_activity_logging=true: the log"
                    " stays empty (dbtier:warehouse).",
                )
    workgroups = of_type(resources, RS_WORKGROUP)
    for namespace in of_type(resources, RS_NAMESPACE):
        exports = string_list(prop(namespace.props, "logExports"))
        if not exports or "useractivitylog" not in exports:
            continue
        for wg in workgroups:
            if namespace not in linked(wg, "namespaceName", [namespace], "namespaceName"):
                continue
            value = parameters(wg, "configParameters").get("enable_user_activity_logging")
            if value is not None and not is_true(value):
                yield (
                    namespace.urn,
                    f"Namespace '{namespace.name}' exports the useractivitylog but workgroup"
                    f" '{wg.name}' sets enable_user_activity_logging={value}: the log stays"
                    " empty (dbtier:warehouse).",
                )


def _expected_log_groups(
    resources: Sequence[PolicyResource],
) -> Iterator[tuple[PolicyResource, str | None, str, str]]:
    """(resource, AWS's group name or None when it cannot be known, what writes it, the key).

    None: the resource has no identifier of its own (an autonamed database), so its groups
    cannot be declared before AWS creates them.
    """
    for kind, ident_key, name_of, key in (
        (RDS_INSTANCE, "identifier", rds_instance_log_group, "dbtier:relational"),
        (RDS_CLUSTER, "clusterIdentifier", rds_cluster_log_group, "dbtier:aurora"),
    ):
        for db in of_type(resources, kind):
            exports = string_list(prop(db.props, "enabledCloudwatchLogsExports")) or []
            ident = prop(db.props, ident_key)
            for log in exports:
                if ident is None:
                    yield db, None, f"its {log} log export", key
                elif known_str(ident) is not None:
                    yield db, name_of(str(ident).lower(), log), f"its {log} log export", key
    for logging in of_type(resources, REDSHIFT_LOGGING):
        ident = known_str(prop(logging.props, "clusterIdentifier"))
        if prop(logging.props, "logDestinationType") != "cloudwatch" or ident is None:
            continue
        for log in string_list(prop(logging.props, "logExports")) or []:
            yield (
                logging,
                redshift_cluster_log_group(ident, log),
                f"the {log} audit log",
                "dbtier:warehouse",
            )
    instances = of_type(resources, DMS_INSTANCE)
    for task in of_type(resources, DMS_TASK):
        settings = known_str(prop(task.props, "replicationTaskSettings"))
        try:
            logging_on = bool(json.loads(settings or "{}").get("Logging", {}).get("EnableLogging"))
        except (ValueError, AttributeError):
            continue
        if not logging_on:
            continue
        for instance in linked(task, "replicationInstanceArn", instances, "replicationInstanceArn"):
            ident = known_str(prop(instance.props, "replicationInstanceId"))
            if ident is not None:
                yield task, dms_task_log_group(ident), "its task logs", "dbtier:migration"
    for sar in of_type(resources, SAR_STACK):
        rotator = known_str(prop(sar.props, "parameters", "functionName"))
        if rotator is not None:
            yield (
                sar,
                lambda_log_group(rotator),
                f"function {rotator}",
                "credentials.rotationDays",
            )
    for fn in of_type(resources, FUNCTION):
        own = prop(fn.props, "loggingConfig", "logGroup")
        if own is not None:
            if known_str(own) is not None:
                yield fn, str(own), "its logging config", "dbtier:dynamo"
            continue
        name = known_str(prop(fn.props, "name"))
        if name is not None:
            yield fn, lambda_log_group(name), "the function", "dbtier:dynamo"


def log_groups_declared(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Every log group AWS would create for a resource of the stack is declared by the stack.

    AWS creates a missing group on first write: no retention (logs kept forever) and no
    customer key, outside the stack and its policies. Declared with AWS's exact name (and
    created before the writer), the group is the stack's, with its retention and key.
    """
    declared = {
        str(prop(g.props, "name"))
        for g in of_type(resources, LOG_GROUP)
        if known_str(prop(g.props, "name"))
    }
    if any(is_unknown(prop(g.props, "name")) for g in of_type(resources, LOG_GROUP)):
        return  # a group whose name is not known yet may be the one expected
    for resource, group, what, key in _expected_log_groups(resources):
        if group is None:
            yield (
                resource.urn,
                f"'{resource.name}' has no identifier of its own, so the log group of {what}"
                " cannot be declared before AWS creates it (kept forever, without the stack"
                f" key). Give it an explicit identifier ({key}; dbtier's components do).",
            )
        elif group not in declared:
            yield (
                resource.urn,
                f"'{resource.name}': AWS writes {what} to log group '{group}', which the stack"
                " does not declare: AWS creates it keeping logs forever, without the stack key."
                f" Declare it with retention and the key before the resource ({key};"
                " dbtier:logs.retentionDays).",
            )


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-log-groups-declared",
            "Every log group AWS creates for a database export, a function or a DMS task is"
            " declared by the stack under AWS's name.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
            ("dbtier:logs.retentionDays",),
            "declare the group with AWS's name (/aws/rds/instance/<id>/<log>,"
            " /aws/rds/cluster/<id>/<log>, /aws/redshift/cluster/<id>/<log>,"
            " /aws/lambda/<function>, dms-tasks-<instance>) before the resource that writes it;"
            " dbtier's components do (components.logs).",
        ),
        stack_check=log_groups_declared,
    ),
    Rule(
        relation_meta(
            "deploy-rds-log-parameters",
            "RDS log exports have the parameters (and option group) that write them: MySQL and"
            " MariaDB slow, general and audit logs, PostgreSQL's DDL statements.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html",
            ("dbtier:relational",),
            "keep what RelationalTier sets for every export (awsdata.rds_engines: slow_query_log/"
            "general_log=1, log_output=FILE, audit MARIADB_AUDIT_PLUGIN; log_statement=ddl).",
        ),
        stack_check=rds_log_parameters,
    ),
    Rule(
        relation_meta(
            "deploy-aurora-log-parameters",
            "Aurora MySQL log exports have the cluster parameters that write them.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html",
            ("dbtier:aurora",),
            "keep ServerlessAurora's AURORA_MYSQL_LOG_PARAMETERS for every exported log"
            " (server_audit_logging/events, slow_query_log, log_output=FILE).",
        ),
        stack_check=aurora_log_parameters,
    ),
    Rule(
        relation_meta(
            "deploy-redshift-user-activity-log",
            "A Redshift useractivitylog export has enable_user_activity_logging=true.",
            "https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html",
            ("dbtier:warehouse",),
            "set enable_user_activity_logging=true in the cluster's parameter group or the"
            " workgroup's configParameters (the Warehouse component does).",
        ),
        stack_check=redshift_user_activity_log,
    ),
]
