"""`dbtier:warehouse`: Redshift mode (provisioned RA3 or Serverless), size, database, snapshots."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import redshift, support
from components.credentials import CredentialsConfig, parse_credentials
from components.fieldcheck import check_object
from components.parameters import Parameter, check_not_enforced, parse_parameters
from components.partitions import partition_of
from components.settings import (
    KMS_KEY_ARN,
    RESERVED_USERS,
    ConfigError,
    Fields,
    offered,
)
from components.windows import REDSHIFT_WINDOW_MINUTES, REDSHIFT_WINDOWS_DOCS, weekly
from contract.fielddoc import doc

# Provisioned Redshift runs on RA3 only: the older node types lack managed storage.
REDSHIFT_NODE_TYPES = ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge")
# A provisioned cluster's weekly maintenance, after the other engines' (Redshift takes
# snapshots by data change and time, not in a window).
MAINTENANCE_WINDOW = "sun:06:30-sun:07:30"
# What the Warehouse's parameter group (and a Serverless workgroup) always sets: TLS only, and
# the user activity log its audit logging exports.
ENFORCED_PARAMETERS = {"require_ssl": "true", "enable_user_activity_logging": "true"}

# General purpose bucket names: 3-63 lower-case letters, digits, dots and hyphens, a letter or
# digit at each end, no two adjacent dots, not an IP address, and none of the prefixes and
# suffixes S3 reserves: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", re.ASCII)
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# An object key is at most 1024 bytes of UTF-8: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
S3_KEY_BYTES = 1024
# The COPY role's inline policy grows by about 300 characters a source, and IAM allows 10,240
# characters of inline policy per role: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
MAX_COPY_SOURCES = 25


@dataclass(frozen=True)
class WarehouseConfig:
    enabled: bool = field(default=True, metadata=doc("Create the Redshift warehouse."))
    mode: Literal["provisioned", "serverless"] = field(
        default="provisioned",
        metadata=doc(
            "A provisioned RA3 cluster, or a Redshift Serverless namespace and workgroup;"
            " settings of the other mode are refused."
        ),
    )
    node_type: str = field(
        default="ra3.large",
        metadata=doc(
            "Provisioned: the node type (RA3 only, for managed storage).",
            allowed=REDSHIFT_NODE_TYPES,
            rule="offered in the region",
            aws="https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info",
        ),
    )
    nodes: int = field(
        default=1,
        metadata=doc(
            "Provisioned: the number of nodes.",
            lo=1,
            hi=128,
            rule="within what the node type allows",
            aws="https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info",
        ),
    )
    base_capacity: int = field(
        default=8,
        metadata=doc(
            "Serverless: the workgroup's base capacity in RPUs.",
            lo=8,
            hi=1024,
            rule="a multiple of 8",
            aws="https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html",
        ),
    )
    database_name: str = field(
        default="analytics",
        metadata=doc(
            "The database created in the warehouse.",
            rule="a lower-case letter, then up to 63 lower-case letters, digits or _; not a word"
            " Redshift reserves",
            aws=(
                "https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html",
                redshift.RESERVED_DOCS,
            ),
        ),
    )
    username: str = field(
        default="whadmin",
        metadata=doc(
            "The admin user.",
            rule="1-16 lower-case letters, digits or _, a letter first; not a word Redshift"
            " reserves, not public",
            aws=(
                "https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html",
                redshift.RESERVED_DOCS,
            ),
        ),
    )
    snapshot_retention_days: int = field(
        default=7,
        metadata=doc(
            "Provisioned: days automated snapshots are kept.",
            lo=1,
            hi=35,
            aws="https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html",
        ),
    )
    credentials: CredentialsConfig = field(
        default_factory=CredentialsConfig,
        metadata=doc("Who owns the admin password and how often it rotates."),
    )
    copy_sources: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "`bucket` or `bucket/prefix` entries the COPY role may read; none: no S3 access at"
            " all.",
            rule="bucket names by S3's rules, prefixes without * or ? and at most 1024 bytes",
            most=MAX_COPY_SOURCES,
            quota="the IAM inline policy size quota",
            aws=(
                "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
            ),
        ),
    )
    copy_kms_key_arns: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Customer managed keys of SSE-KMS objects in the sources (kms:Decrypt through S3"
            " only).",
            rule="KMS key ARNs; only with copySources",
            most=MAX_COPY_SOURCES,
            aws="https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN",
        ),
    )
    maintenance_window: str = field(
        default=MAINTENANCE_WINDOW,
        metadata=doc(
            "Provisioned: weekly maintenance window, UTC.",
            rule="ddd:hh24:mi-ddd:hh24:mi with a lower-case day, at least 30 minutes",
            aws=REDSHIFT_WINDOWS_DOCS,
        ),
    )
    apply_immediately: bool = field(
        default=False,
        metadata=doc("Provisioned: apply modifications now instead of in the maintenance window."),
    )
    parameters: tuple[Parameter, ...] = field(
        default=(),
        metadata=doc(
            "Provisioned: parameters merged over dbtier's (never over require_ssl and"
            " enable_user_activity_logging).",
            rule="at most 100; names of letters, digits, _ . -; values printable ASCII up to"
            " 4096, a number or true/false",
            aws="https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html",
            type="map: name to value",
        ),
    )


def parse_warehouse(raw: Any, region: str | None = None) -> WarehouseConfig:
    """Parse `dbtier:warehouse`; a provisioned cluster's node type and count are checked against
    what Redshift offers (in `region`, when known) through AWS's data (`awsdata`, which the policy pack reads too)."""
    d = WarehouseConfig()
    check_object("dbtier:warehouse", raw, WarehouseConfig)
    f = Fields("dbtier:warehouse", raw)
    cfg = WarehouseConfig(
        enabled=f.flag("enabled", d.enabled),
        mode=f.choice("mode", d.mode, ("provisioned", "serverless")),
        node_type=f.choice("nodeType", d.node_type, REDSHIFT_NODE_TYPES),
        nodes=f.integer("nodes", d.nodes, 1, 128),
        base_capacity=f.integer("baseCapacity", d.base_capacity, 8, 1024),
        database_name=f.text(
            "databaseName",
            d.database_name,
            r"[a-z][a-z0-9_]{0,63}",
            "lower-case letters, digits or _",
        ),
        # CreateCluster MasterUsername: "Must contain only lowercase letters, numbers,
        # underscore, ..." (dbtier keeps its 16-character bound of every engine's master user).
        username=f.text(
            "username",
            d.username,
            r"[a-z][a-z0-9_]{0,15}",
            "1-16 lower-case letters, digits or _, starting with a letter",
        ),
        snapshot_retention_days=f.integer(
            "snapshotRetentionDays", d.snapshot_retention_days, 1, 35
        ),
        credentials=parse_credentials(f),
        copy_sources=f.strings("copySources", check_copy_source) or (),
        copy_kms_key_arns=f.strings("copyKmsKeyArns", check_kms_key_arn) or (),
        maintenance_window=weekly(
            f,
            "maintenanceWindow",
            MAINTENANCE_WINDOW,
            REDSHIFT_WINDOW_MINUTES,
            REDSHIFT_WINDOWS_DOCS,
        ).text,
        apply_immediately=f.flag("applyImmediately", False),
        parameters=parse_parameters("dbtier:warehouse.parameters", f.get("parameters"), "redshift"),
    )
    f.done()
    check_reserved(cfg)
    if region:
        # A bucket may be in another region (COPY's REGION option), not another partition: the
        # COPY role's policy is in the stack's partition and cannot name the key.
        for i, arn in enumerate(cfg.copy_kms_key_arns):
            if arn.split(":")[1] != partition_of(region):
                raise ConfigError(
                    f"dbtier:warehouse.copyKmsKeyArns[{i}] must be a key of partition"
                    f" {partition_of(region)}, the stack's (region {region})"
                )
    if cfg.copy_kms_key_arns and not cfg.copy_sources:
        raise ConfigError(
            "dbtier:warehouse.copyKmsKeyArns applies only with copySources (the keys decrypt"
            " objects COPY reads from them); add copySources or remove it"
        )
    # A setting of the other mode would be dropped without a word: refuse it, naming the mode.
    # Redshift Serverless has no maintenance window, no pending modifications and no parameter
    # group: AWS patches it and its workgroup takes only a fixed set of config parameters.
    inapplicable = {
        "serverless": (
            "nodes",
            "nodeType",
            "snapshotRetentionDays",
            "maintenanceWindow",
            "applyImmediately",
            "parameters",
        ),
        "provisioned": ("baseCapacity",),
    }
    for name in inapplicable[cfg.mode]:
        if f.has(name):
            raise ConfigError(
                f"dbtier:warehouse.{name} does not apply to mode {cfg.mode}; remove it"
                f" (or set mode {'provisioned' if cfg.mode == 'serverless' else 'serverless'})"
            )
    check_not_enforced("dbtier:warehouse.parameters", cfg.parameters, ENFORCED_PARAMETERS)
    if cfg.base_capacity % 8:
        raise ConfigError(
            f"dbtier:warehouse.baseCapacity must be a multiple of 8 RPUs (got {cfg.base_capacity})"
        )
    if cfg.enabled and cfg.mode == "provisioned":
        offered(
            "dbtier:warehouse.nodeType",
            lambda: support.generation_problem("redshift", cfg.node_type),
            lambda: region and redshift.redshift_node_type_problem(cfg.node_type, region),
        )
        offered(
            "dbtier:warehouse.nodes",
            lambda: redshift.redshift_node_count_problem(cfg.node_type, cfg.nodes),
        )
    return cfg


def check_reserved(cfg: WarehouseConfig) -> None:
    """No master user or database name Redshift refuses (its reserved words, PUBLIC, the
    accounts every dbtier engine keeps), in either mode: a Serverless namespace's names are
    the same engine's."""
    if cfg.username.lower() in RESERVED_USERS:
        raise ConfigError(
            f"dbtier:warehouse.username {cfg.username.lower()!r} is reserved by Redshift;"
            " choose another name"
        )
    for name, value, user in (
        ("username", cfg.username, True),
        ("databaseName", cfg.database_name, False),
    ):
        if redshift.redshift_reserved(value, user=user):
            raise ConfigError(
                f"dbtier:warehouse.{name} {value.lower()!r} is a word Redshift reserves;"
                f" choose another name ({redshift.RESERVED_DOCS})"
            )


def warehouse_identifier(stack: str, name: str) -> str:
    """The Redshift cluster identifier (or Serverless namespace and workgroup name) of the
    component `name` in `stack`; config validation checks it against AWS's rules."""
    return f"{stack}-{name}".lower()


def s3_bucket_problem(bucket: str) -> str | None:
    """Why S3 would refuse `bucket` as a general purpose bucket name (None when it accepts it)."""
    if not 3 <= len(bucket) <= 63:
        return f"a bucket name must be 3-63 characters (got {len(bucket)})"
    if not _S3_BUCKET.fullmatch(bucket):
        return (
            "a bucket name may contain only lower-case letters, digits, . and -,"
            " and must begin and end with a letter or digit"
        )
    if ".." in bucket:
        return "a bucket name may not contain two adjacent periods"
    try:
        ipaddress.IPv4Address(bucket)
    except ValueError:
        pass
    else:
        return "a bucket name may not be formatted as an IP address"
    if bucket.startswith(S3_RESERVED_PREFIXES) or bucket.endswith(S3_RESERVED_SUFFIXES):
        return "a bucket name may not use a prefix or suffix S3 reserves"
    return None


def check_copy_source(key: str, source: str) -> None:
    """`bucket` or `bucket/prefix`: a valid bucket name, and a prefix that is a key prefix and
    nothing wider (IAM reads `*` and `?` in a resource ARN as wildcards)."""
    bucket, slash, prefix = source.partition("/")
    problem = s3_bucket_problem(bucket)
    if problem:
        raise ConfigError(f"{key} must be bucket or bucket/prefix: {problem} ({S3_BUCKET_DOCS})")
    if slash and not prefix:
        raise ConfigError(f"{key} ends with / and no prefix; write the bucket name alone")
    # Control characters are refused with every text (components.fieldcheck).
    if any(char in prefix for char in "*?"):
        raise ConfigError(
            f"{key} prefix may not contain * or ? (a wildcard would widen the COPY role's access"
            " beyond the prefix)"
        )
    if len(prefix.encode("utf-8", "surrogatepass")) > S3_KEY_BYTES:
        raise ConfigError(f"{key} prefix is longer than an S3 object key ({S3_KEY_BYTES} bytes)")


def check_kms_key_arn(key: str, arn: str) -> None:
    if not re.fullmatch(KMS_KEY_ARN, arn, re.ASCII):
        raise ConfigError(f"{key} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)")
