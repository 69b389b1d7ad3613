"""Deployability rules on log exports: each exported log has what makes the engine write it.

RDS, Aurora and Redshift accept a log export whatever the parameter group says; when the
parameters leave the log off, its CloudWatch log group simply stays empty. Graph helpers are in
`deploy_relations`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ._common import Rule, prop
from .deploy_relations import (
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
    is_true,
    linked,
    of_type,
    parameters,
    relation_meta,
    string_list,
    writes_file,
)


def _missing_mysql_log_parameters(
    exports: Sequence[str], params: Mapping[str, str], log_output_default: str
) -> Iterator[tuple[str, str]]:
    for export, switch in (("slowquery", "slow_query_log"), ("general", "general_log")):
        if export not in exports:
            continue
        if not is_true(params.get(switch)):
            yield export, f"{switch} is not 1"
        elif not writes_file(params, log_output_default):
            yield export, f"log_output is {params.get('log_output', log_output_default)}, not FILE"


def rds_log_parameters(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """RDS for MySQL/MariaDB writes a log to CloudWatch only when its parameters turn it on.

    slowquery needs slow_query_log=1, general needs general_log=1, both need log_output=FILE
    (the default TABLE writes them to mysql.* tables), audit needs the MARIADB_AUDIT_PLUGIN
    option: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
    """
    instances = of_type(resources, RDS_INSTANCE)
    groups = of_type(resources, RDS_PARAMS)
    options = of_type(resources, RDS_OPTIONS)
    for inst in instances:
        engine = prop(inst.props, "engine")
        if engine is None:  # a read replica: its source's engine
            sources = linked(inst, "replicateSourceDb", instances, "identifier")
            engine = prop(sources[0].props, "engine") if sources else None
        if engine not in ("mysql", "mariadb"):
            continue
        exports = string_list(prop(inst.props, "enabledCloudwatchLogsExports"))
        if not exports:
            continue
        group = Group(inst, "parameterGroupName", groups)
        if group.knowable:
            params = parameters(group.resource)
            for export, why in _missing_mysql_log_parameters(exports, params, "TABLE"):
                yield (
                    inst.urn,
                    f"RDS instance '{inst.name}' exports the {export} log but its parameter group"
                    f" never writes it ({why}): the CloudWatch log group stays empty. Set it in"
                    " the parameter group or drop the export (dbtier:relational).",
                )
        if "audit" in exports:
            option = Group(inst, "optionGroupName", options)
            if not option.knowable:
                continue
            entries = prop(option.resource.props, "options", default=[]) if option.resource else []
            names = {o.get("optionName") for o in entries or [] if isinstance(o, Mapping)}
            if "MARIADB_AUDIT_PLUGIN" not in names:
                yield (
                    inst.urn,
                    f"RDS instance '{inst.name}' exports the audit log but has no option group"
                    " with MARIADB_AUDIT_PLUGIN: RDS never writes it (dbtier:relational).",
                )


def aurora_log_parameters(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Aurora MySQL writes the audit, slow query and general logs only when turned on.

    audit needs Advanced Auditing (server_audit_logging=1 with server_audit_events), slowquery
    slow_query_log=1, general general_log=1; a log_output without FILE keeps them out of the
    files CloudWatch reads: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
    """
    groups = of_type(resources, RDS_CLUSTER_PARAMS)
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
        problems = list(_missing_mysql_log_parameters(exports, params, "FILE"))
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


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-rds-log-parameters",
            "RDS MySQL/MariaDB log exports have the parameters (and option group) that write them.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html",
            ("dbtier:relational",),
            "keep RelationalTier's LOG_PARAMETERS for every export in LOG_EXPORTS"
            " (slow_query_log/general_log=1, log_output=FILE; audit needs MARIADB_AUDIT_PLUGIN).",
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
