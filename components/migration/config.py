"""`dbtier:migration`: the DMS instance, migration type, table patterns and service roles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import dms, rds_engines, support
from awsdata.rds_engine_rules import database_name_problem
from awsdata.rds_reserved import reserved
from components.fieldcheck import check_object
from components.settings import ConfigError, Fields, describe, offered
from contract.fielddoc import doc

# A DMS selection pattern: schema.table, each part letters, digits, _ or $ with % as wildcard.
_TABLE_PATTERN = r"[A-Za-z0-9_$%]{1,128}\.[A-Za-z0-9_$%]{1,128}"
# Each pattern is one selection rule of the task's table mappings; dbtier bounds them at 100 a
# list (a readable mapping, and far inside the task settings' size limit):
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html
MAX_PATTERNS = 100
PATTERNS_WHY = "each is a DMS selection rule; dbtier allows 100 per list"
# A certificate imported into DMS (ImportCertificate): arn:<partition>:dms:<region>:<account>:cert:<id>.
_CERTIFICATE_ARN = (
    r"arn:aws(?:-[a-z]+)*:dms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:cert:[A-Za-z0-9-]{1,255}"
)
# A database DMS reads: an identifier every source engine accepts unquoted.
_DATABASE = r"[A-Za-z_][A-Za-z0-9_$]{0,127}"
SOURCE_DATABASE_KEY = "dbtier:migration.sourceDatabase"
CERTIFICATE_KEY = "dbtier:migration.sourceCertificateArn"


@dataclass(frozen=True)
class MigrationConfig:
    enabled: bool = field(
        default=False,
        metadata=doc(
            "Create the DMS migration (needs dbtier:relational and dbtier:aurora enabled, and"
            " generated credentials on both)."
        ),
    )
    instance_class: str = field(
        default="dms.t3.medium",
        metadata=doc(
            "The replication instance class.",
            rule="a current-generation class DMS offers",
            aws="https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html",
        ),
    )
    source: Literal["relational"] = field(
        default="relational", metadata=doc("Where data comes from: the RDS primary.")
    )
    target: Literal["aurora"] = field(
        default="aurora", metadata=doc("Where data goes: the Aurora writer.")
    )
    migration_type: Literal["full-load", "cdc", "full-load-and-cdc"] = field(
        default="full-load-and-cdc", metadata=doc("What the task migrates.")
    )
    include: tuple[str, ...] = field(
        default=("%.%",),
        metadata=doc(
            "schema.table patterns to migrate (% is a wildcard).",
            rule="letters, digits, _ and $ with % wildcards; none repeated",
            most=MAX_PATTERNS,
            quota=PATTERNS_WHY,
            aws="https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html",
        ),
    )
    exclude: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "schema.table patterns left out of include's.",
            rule="as include; none may cancel an include pattern",
            most=MAX_PATTERNS,
            quota=PATTERNS_WHY,
            aws="https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html",
        ),
    )
    source_database: str | None = field(
        default=None,
        metadata=doc(
            "The database DMS reads on the source (required for SQL Server, on which RDS creates"
            " none; ignored for MySQL and MariaDB, whose endpoints read every schema).",
            rule="a letter or _ then letters, digits, _ or $, at most 128; and a database name"
            " by the source engine's rules (length, form, reserved words)",
            default="dbtier:relational.databaseName",
            aws="https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html",
        ),
    )
    source_certificate_arn: str | None = field(
        default=None,
        metadata=doc(
            "The DMS certificate (an Oracle wallet holding the RDS CA, imported with aws dms"
            " import-certificate) an Oracle source is verified with: DMS encrypts Oracle"
            " endpoints only in verify-ca mode. Required for an Oracle source, refused otherwise.",
            rule="a DMS certificate ARN (arn:aws:dms:<region>:<account>:cert:<id>)",
            aws="https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html",
        ),
    )
    create_service_roles: bool = field(
        default=False,
        metadata=doc(
            "Create DMS's account-wide dms-vpc-role and dms-cloudwatch-logs-role: true in the"
            " one stack per account that should own them.",
            aws="https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.VPC.html",
        ),
    )
    multi_az: bool = field(
        default=False,
        metadata=doc(
            "A standby replication instance in another zone.",
            aws="https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html",
        ),
    )
    allocated_storage: int = field(
        default=50,
        metadata=doc(
            "Replication instance storage in GiB.",
            lo=5,
            hi=6144,
            aws="https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html",
        ),
    )


def parse_migration(raw: Any, region: str | None = None) -> MigrationConfig:
    """Parse `dbtier:migration`; the replication instance class is checked against the classes
    DMS offers through AWS's data (`awsdata`, which the policy pack reads too) (DMS classes are not regional in our data)."""
    d = MigrationConfig()
    check_object("dbtier:migration", raw, MigrationConfig)
    f = Fields("dbtier:migration", raw)

    def check_pattern(name: str, value: str) -> None:
        if not re.fullmatch(_TABLE_PATTERN, value):
            raise ConfigError(
                f"{name} must be a schema.table pattern of letters, digits, _ and $ with %"
                f" wildcards (got {describe(value)})"
            )

    cfg = MigrationConfig(
        enabled=f.flag("enabled", d.enabled),
        instance_class=f.text(
            "instanceClass",
            d.instance_class,
            r"dms\.[a-z0-9]+\.[a-z0-9]+",
            "a DMS class like dms.t3.medium",
        ),
        source=f.choice("source", d.source, ("relational",)),
        target=f.choice("target", d.target, ("aurora",)),
        migration_type=f.choice(
            "migrationType", d.migration_type, ("full-load", "cdc", "full-load-and-cdc")
        ),
        include=f.strings("include", check_pattern) or d.include,
        exclude=f.strings("exclude", check_pattern) or (),
        source_database=f.text(
            "sourceDatabase", d.source_database, _DATABASE, "a database name (a letter or _ first)"
        ),
        source_certificate_arn=f.text(
            "sourceCertificateArn",
            d.source_certificate_arn,
            _CERTIFICATE_ARN,
            "a DMS certificate ARN (arn:aws:dms:<region>:<account>:cert:<id>)",
        ),
        create_service_roles=f.flag("createServiceRoles", d.create_service_roles),
        multi_az=f.flag("multiAz", d.multi_az),
        allocated_storage=f.integer("allocatedStorage", d.allocated_storage, 5, 6144),
    )
    f.done()
    if f.raw.get("include") == []:
        raise ConfigError(
            "dbtier:migration.include is empty, which DMS would read as every table; list the"
            " schema.table patterns to migrate (or leave include out for %.%)"
        )
    for label, patterns in (("include", cfg.include), ("exclude", cfg.exclude)):
        seen = [p.lower() for p in patterns]
        for i, pattern in enumerate(seen):
            if seen.index(pattern) != i:
                raise ConfigError(
                    f"dbtier:migration.{label}[{i}] repeats an earlier pattern (letters compare"
                    " without case); list each pattern once"
                )
    for i, pattern in enumerate(cfg.include):
        for j, excluded in enumerate(cfg.exclude):
            # A LIKE pattern in exclude that matches the include pattern itself removes every
            # table the include selects: the task would migrate nothing from it.
            like = "".join(".*" if c == "%" else re.escape(c) for c in excluded)
            if re.fullmatch(like, pattern, re.IGNORECASE | re.ASCII):
                raise ConfigError(
                    f"dbtier:migration.exclude[{j}] removes every table include[{i}] selects;"
                    " narrow the exclude pattern"
                )
    both = sorted({p.lower() for p in cfg.include} & {p.lower() for p in cfg.exclude})
    if both:
        raise ConfigError(
            f"dbtier:migration.exclude cancels the include pattern {both[0]!r}; remove one of them"
        )
    if cfg.enabled:
        offered(
            "dbtier:migration.instanceClass",
            lambda: dms.dms_class_problem(cfg.instance_class),
            lambda: support.generation_problem("dms", cfg.instance_class),
        )
    return cfg


def check_endpoints(
    cfg: MigrationConfig, source_engine: str, source_database: str | None, target_engine: str
) -> None:
    """Refuse a source and target pair DMS does not migrate, or a source it cannot reach the
    way dbtier connects (encrypted, to a named database), naming the keys that fix it.

    ``source_engine`` is `dbtier:relational.engine`, ``source_database`` its databaseName (None
    when the engine creates none), ``target_engine`` `dbtier:aurora.engine`.
    """
    if problem := dms.source_problem(source_engine):
        raise ConfigError(
            f"dbtier:relational.engine {source_engine} cannot be the source of dbtier:migration:"
            f" {problem} ({dms.DMS_SOURCE_DOCS}); choose another engine or set"
            " dbtier:migration.enabled false"
        )
    if target_engine not in dms.TARGET_ENGINE_NAMES:
        raise ConfigError(
            f"dbtier:aurora.engine {target_engine} is not a DMS target dbtier:migration writes to"
            f" (only {', '.join(dms.TARGET_ENGINE_NAMES)})"
        )
    oracle = dms.SOURCE_ENGINE_NAMES[source_engine] == "oracle"
    if oracle and cfg.source_certificate_arn is None:
        raise ConfigError(
            f"{CERTIFICATE_KEY} is required for an Oracle source (dbtier:relational.engine"
            f" {source_engine}): DMS encrypts Oracle endpoints only in verify-ca mode, with the"
            f" RDS CA imported as an Oracle wallet ({dms.DMS_SSL_DOCS})"
        )
    if not oracle and cfg.source_certificate_arn is not None:
        raise ConfigError(
            f"{CERTIFICATE_KEY} is only for an Oracle source (dbtier:relational.engine is"
            f" {source_engine}, whose endpoint encrypts without one); remove it"
        )
    if (
        cfg.source_database is not None
        and not mysql_family(source_engine)
        and (problem := source_database_problem(source_engine, cfg.source_database))
    ):
        raise ConfigError(f"{SOURCE_DATABASE_KEY} {problem}")
    if source_database_of(cfg, source_engine, source_database) is None and not mysql_family(
        source_engine
    ):
        raise ConfigError(
            f"{SOURCE_DATABASE_KEY} is required for a {source_engine} source: RDS creates no"
            " database on it (dbtier:relational.databaseName is unset), and DMS reads one named"
            " database (CreateEndpoint DatabaseName)"
        )


def source_database_problem(source_engine: str, database: str) -> str | None:
    """Why `source_engine` would not have `database` (the one DMS reads), by the rules RDS
    names its databases with; SQL Server, on which RDS creates none, by its reserved words."""
    e = rds_engines.engine(source_engine)
    if e.database_name is not None:
        # An Oracle SID or service name is case-insensitive; RDS's rule is written upper-case.
        return database_name_problem(
            source_engine, database.upper() if e.family == "oracle" else database
        )
    if reserved(e.family, database, user=False):
        return f"{database!r} is a word {e.label} reserves; choose another name"
    return None


def mysql_family(source_engine: str) -> bool:
    """MySQL and MariaDB: DMS endpoints that read every schema and take no database name."""
    return dms.SOURCE_ENGINE_NAMES.get(source_engine) in ("mysql", "mariadb")


def source_database_of(
    cfg: MigrationConfig, source_engine: str, relational_database: str | None
) -> str | None:
    """The database the source endpoint names: none for MySQL and MariaDB (DMS: "For a MySQL
    source or target endpoint, do not specify DatabaseName"), else sourceDatabase or the
    relational tier's database."""
    if mysql_family(source_engine):
        return None
    return cfg.source_database or relational_database


def dms_identifier(project: str, stack: str, name: str, role: str) -> str:
    """DMS identifiers: per project and stack; config validation checks them against AWS's rules
    (a letter first, letters, digits and single hyphens; 63 characters for an instance)."""
    return f"{project}-{stack}-{name}-{role}".lower()
