"""The Migration's DMS endpoints, per engine: what DMS calls the engine, the database it names,
how the link is encrypted, and the settings change data capture needs on that engine.

Pure functions of engine names (`dbtier:relational.engine` for the source, `dbtier:aurora.engine`
for the target) and plain values; `components.migration.config.check_endpoints` has already
refused the pairs DMS does not migrate. Facts about DMS come from `awsdata.dms` and the pages
cited beside each setting; setting names are botocore's dms model's (CreateEndpoint), spelled as
the Pulumi provider takes them.
"""

from __future__ import annotations

from typing import Any

from awsdata import dms

# Encrypted without a CA bundle: verify-ca/verify-full would need the RDS CA imported as a DMS
# certificate. Oracle is the exception: DMS encrypts Oracle endpoints only in verify-ca mode
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html).
SSL_MODE = "require"
ORACLE_SSL_MODE = "verify-ca"
# A full load copies tables in parallel, in no particular order: a MySQL target must not check
# foreign keys while it loads.
MYSQL_TARGET_ATTRIBUTES = "initstmt=SET FOREIGN_KEY_CHECKS=0"
# The logical decoding plugin DMS reads a PostgreSQL source's WAL with. botocore: PluginName
# "The default value is pglogical", which needs the pglogical extension preloaded on the source;
# test_decoding ships with PostgreSQL (RDS included), so the slot needs nothing installed:
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
POSTGRES_PLUGIN = "test-decoding"


def _postgres_source(cdc: bool, boolean_as_boolean: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if cdc:
        # The WAL heartbeat keeps an idle slot's restart_lsn moving, so the slot does not hold
        # WAL until the source's storage fills (botocore: HeartbeatEnable; what the
        # ReplicationSlotDiskUsage alarm watches).
        settings |= {"plugin_name": POSTGRES_PLUGIN, "heartbeat_enable": True}
    if boolean_as_boolean:
        settings["map_boolean_as_boolean"] = True
    return settings


def source_endpoint(
    engine: str,
    database: str | None,
    *,
    cdc: bool,
    target_engine: str,
    certificate_arn: str | None = None,
) -> dict[str, Any]:
    """The source endpoint of an RDS ``engine`` instance (``database``: what it reads, None for
    MySQL and MariaDB), capturing changes when ``cdc``, into a ``target_engine`` cluster."""
    name = dms.SOURCE_ENGINE_NAMES[engine]
    args: dict[str, Any] = {
        "endpoint_type": "source",
        "engine_name": name,
        # DMS: "For a MySQL source or target endpoint, do not specify DatabaseName".
        "database_name": None if name in ("mysql", "mariadb") else database,
        "ssl_mode": ORACLE_SSL_MODE if name == "oracle" else SSL_MODE,
        "extra_connection_attributes": None,
    }
    if name == "postgres":
        # Booleans arrive as varchar(5) unless both endpoints say otherwise (botocore:
        # MapBooleanAsBoolean "You must set this setting on both the source and target").
        settings = _postgres_source(cdc, boolean_as_boolean=target_engine == "aurora-postgresql")
        if settings:
            args["postgres_settings"] = settings
    if name == "oracle":
        args["certificate_arn"] = certificate_arn
        if cdc:
            # LogMiner (DMS's default reader) needs primary-key supplemental logging on every
            # table it captures; the database-level logging stays a step on the instance
            # (rdsadmin.rdsadmin_util.alter_supplemental_logging):
            # https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.Oracle.html
            args["oracle_settings"] = {"add_supplemental_logging": True}
    return args


def target_endpoint(engine: str, database: str, *, source_engine: str) -> dict[str, Any]:
    """The target endpoint of a ``engine`` Aurora cluster (aurora-mysql or aurora-postgresql)
    writing into ``database``, fed from an RDS ``source_engine`` instance."""
    postgres = engine == "aurora-postgresql"
    args: dict[str, Any] = {
        "endpoint_type": "target",
        "engine_name": dms.TARGET_ENGINE_NAMES[engine],
        # DMS needs the database of a PostgreSQL target; MySQL endpoints reach every schema.
        "database_name": database if postgres else None,
        "ssl_mode": SSL_MODE,
        "extra_connection_attributes": None if postgres else MYSQL_TARGET_ATTRIBUTES,
    }
    if postgres and dms.SOURCE_ENGINE_NAMES[source_engine] == "postgres":
        args["postgres_settings"] = {"map_boolean_as_boolean": True}
    return args
