"""AWS's data as dbtier reads it: what each service offers (engine versions, instance classes,
node types, runtimes, regions) and the names AWS gives what it creates (log groups).

One module per service, each naming its sources: ``rds`` (RDS and Aurora versions and classes),
``rds_insights`` (Performance and Database Insights), ``aurora`` (Serverless v2 capacity and
auto-pause, backtrack), ``instance_classes`` (memory, default max_connections, CPU credits),
``rds_engines`` (what each RDS engine is: port, TLS, logs, licenses, names, limits, rotation),
``rds_engine_rules`` (what each refuses, its default version and class), ``rds_reserved`` (the
words each reserves), ``families`` (parameter group families), ``elasticache``, ``redshift``,
``dms``, ``lambda_runtimes``, ``regions`` (and partitions), ``global_databases`` (what spans
regions: Aurora Global Database, DynamoDB global tables, cross-region backups), ``cloudwatch``
(the metrics AWS publishes), ``log_groups``;
``support`` holds what spans services (standard support, current generations, engine labels) and
``_cfnlint`` reads cfn-lint's data files, where most of this comes from.

Pure standard library: the stack's config validation, the components and the policy pack all
import it under this one name, so what one accepts the other accepts.
"""
