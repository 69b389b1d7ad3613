"""The stack outputs, defined once.

Each enabled component exports one object under a fixed key (`relational`, `aurora`, ...). The
dataclasses below are that shape: the program builds its exports through `exported` (which
refuses a field the contract does not name, or a missing one), the local stand-ins build
instances and write them with `to_json`, and the workloads read them with
`contract.reading.read_section`, which validates every value against its kind
(`contract.values`). Attribute names are snake_case; the JSON names are their camelCase forms.

Fields marked `local` exist only in a local run (`tls: false`, the moto `endpointUrl`); the
deployed stack never exports them and readers fall back to their defaults.

Credentials: every database section names the Secrets Manager secret that holds its credentials
(`secretArn`); after a rotation that secret is the truth. `password` is the initial password of
the `generated` credentials mode and is absent in `managed` mode (the service owns the password);
readers resolve the secret first and the password second (`workloads.common.credentials`). A
local run may write a placeholder that is not an ARN (`"local"`): readers treat it as no secret.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from contract.values import Arn, DynamoTableName, Host, IamPolicy, Port, Region, Secret, Url


def _local(default: Any) -> Any:
    """A field only local stand-ins write; the deployed stack leaves it to the default."""
    return field(default=default, metadata={"local": True})


def _optional(default: Any = None) -> Any:
    """A field the program may leave out of an export (readers use the default)."""
    return field(default=default, metadata={"optional": True})


@dataclass(frozen=True)
class RelationalOutputs:
    """`relational`: the RDS MySQL primary, its read replicas and credentials."""

    KEY: ClassVar[str] = "relational"
    endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    reader_endpoints: tuple[Host, ...] = ()
    secret_arn: str | None = None  # required in an export
    engine: str = "mysql"
    tls: bool = _local(True)
    # DB instance identifiers, primary first: what the RDS API calls (a forced-failover reboot,
    # a point-in-time restore) name. Required in an export; older outputs files lack it.
    instance_ids: tuple[str, ...] = ()
    # IAM database authentication: the user, its `rds-db:connect` ARN on the primary, and a
    # policy for every instance (primary and replicas). Optional: a local run has none.
    iam_user: str | None = _optional()
    iam_connect_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    iam_connect_policy: IamPolicy | None = _optional()  # noqa: RUF009 - a field() spec
    # Cross-region read replicas (dbtier:relational.crossRegionReplicas): each one's host name,
    # by region; left out without them.
    region_reader_endpoints: dict[str, Host] | None = _optional()  # noqa: RUF009 - a field() spec


@dataclass(frozen=True)
class AuroraRegionOutputs:
    """One secondary cluster of the Aurora Global Database (`dbtier:regions`): read-only until a
    switchover or failover makes it the primary."""

    region: Region
    reader_endpoint: Host
    cluster_id: str


@dataclass(frozen=True)
class AuroraOutputs:
    """`aurora`: the Aurora Serverless v2 cluster's writer and reader endpoints."""

    KEY: ClassVar[str] = "aurora"
    writer_endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    reader_endpoint: Host | None = None
    secret_arn: str | None = None  # required in an export
    engine: str = "aurora-mysql"
    tls: bool = _local(True)
    # The DB cluster identifier the RDS API calls name (failover, point-in-time restore).
    # Required in an export; older outputs files lack it.
    cluster_id: str | None = None
    # IAM database authentication on the cluster (see RelationalOutputs).
    iam_user: str | None = _optional()
    iam_connect_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    iam_connect_policy: IamPolicy | None = _optional()  # noqa: RUF009 - a field() spec
    # With `dbtier:regions` (an Aurora Global Database): the writer endpoint that follows the
    # primary through a switchover or failover, and each secondary region's cluster.
    global_writer_endpoint: Host | None = _optional()  # noqa: RUF009 - a field() spec
    regions: tuple[AuroraRegionOutputs, ...] | None = _optional()


@dataclass(frozen=True)
class WarehouseOutputs:
    """`warehouse`: the Redshift cluster or serverless workgroup endpoint."""

    KEY: ClassVar[str] = "warehouse"
    endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    secret_arn: str | None = None  # required in an export
    tls: bool = _local(True)
    # The role COPY assumes (the cluster's default role) and the S3 sources it may read.
    copy_role_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    copy_sources: tuple[str, ...] = _optional(())


@dataclass(frozen=True)
class RedisUserOutputs:
    """One user of `redis.users` (RBAC): the name it logs in with and how it authenticates."""

    username: str
    user_id: str
    auth: str  # "password" (its secret holds it) or "iam" (a token signed with AWS credentials)
    secret_arn: str | None = _optional()  # password users
    # IAM users: the policy a client's role needs (elasticache:Connect on the cache and the user).
    connect_policy: IamPolicy | None = _optional()  # noqa: RUF009 - a field() spec


@dataclass(frozen=True)
class RedisOutputs:
    """`redis`: the ElastiCache cache's endpoints and how to log in: the AUTH token and its
    secret, or RBAC users (`users`; `username` and `secretArn` name the first password user)."""

    KEY: ClassVar[str] = "redis"
    primary_endpoint: Host
    port: Port
    reader_endpoint: Host | None = None
    auth_token: Secret | None = _optional()  # noqa: RUF009 - the AUTH-token mode only
    secret_arn: str | None = None  # required in an export
    tls: bool = False
    # A Redis Cluster (cluster mode enabled, or serverless): clients must follow redirections.
    cluster_mode: bool = False
    username: str | None = _optional()
    users: dict[str, RedisUserOutputs] | None = _optional()  # noqa: RUF009 - a field() spec
    # What an IAM token is signed for: the replication group id or serverless cache name, whether
    # it is serverless, and its region.
    cache_name: str | None = _optional()
    serverless: bool = _optional(False)
    region: Region | None = _optional()  # noqa: RUF009 - a field() spec
    # The replication group the ElastiCache API calls name (test-failover); none when serverless.
    replication_group_id: str | None = _optional()


@dataclass(frozen=True)
class DynamoPoliciesOutputs:
    """`dynamo.tables.<name>.policies`: least-privilege IAM policies (JSON) for one table."""

    read: IamPolicy
    write: IamPolicy
    stream_read: IamPolicy | None = _optional()  # noqa: RUF009 - a table with a stream only


@dataclass(frozen=True)
class DynamoReplicaOutputs:
    """One global table replica of a table, in a secondary region (`dbtier:regions`): the
    table has the same name there."""

    region: Region
    arn: str | None = None
    stream_arn: str | None = None


@dataclass(frozen=True)
class DynamoTableOutputs:
    """One table of `dynamo.tables`, keyed by its config name."""

    table_name: DynamoTableName
    arn: str | None = None
    stream_arn: str | None = None
    indexes: tuple[str, ...] = ()
    processor_function: str | None = None
    policies: DynamoPoliciesOutputs | None = _optional()  # noqa: RUF009 - not in a local run
    # Global table replicas, one per secondary region; none without `dbtier:regions`.
    replicas: tuple[DynamoReplicaOutputs, ...] = _optional(())


@dataclass(frozen=True)
class DynamoOutputs:
    """`dynamo`: the region and every table (with a local run's moto endpoint URL)."""

    KEY: ClassVar[str] = "dynamo"
    region: Region
    tables: dict[str, DynamoTableOutputs]
    endpoint_url: Url | None = _local(None)  # noqa: RUF009 - a field() spec, not a shared value


@dataclass(frozen=True)
class MigrationOutputs:
    """`migration`: the DMS replication instance, task and endpoints."""

    KEY: ClassVar[str] = "migration"
    task_arn: str
    replication_instance_arn: str | None = None
    source_endpoint_arn: str | None = None
    target_endpoint_arn: str | None = None


@dataclass(frozen=True)
class StackOutputs:
    """`stack`: which stack the outputs are of, its name and the default tags of its resources
    (what a drill reads to know a prod stack when it is given only an outputs file)."""

    KEY: ClassVar[str] = "stack"
    name: str
    tags: dict[str, str] = field(default_factory=dict)


SECTIONS: tuple[type, ...] = (
    RelationalOutputs,
    AuroraOutputs,
    DynamoOutputs,
    RedisOutputs,
    WarehouseOutputs,
    MigrationOutputs,
    StackOutputs,
)


def camel(name: str) -> str:
    """`reader_endpoints` -> `readerEndpoints`: the JSON name of a contract attribute."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# --- producing -----------------------------------------------------------------------------


def export_fields(cls: type) -> tuple[str, ...]:
    """The attributes of section `cls` that a deployed stack exports (every field but the
    local-run ones), in the contract's order."""
    return tuple(f.name for f in dataclasses.fields(cls) if not f.metadata.get("local"))


def exported(cls: type, **values: Any) -> dict[str, Any]:
    """The export object of section `cls` from values named by its attributes.

    Every exported field of the contract must be given (optional ones may be left out, or given
    as None, which leaves them out) and nothing else, so a field renamed on one side only fails
    when the program is planned.
    """
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("local")}
    unknown = sorted(set(values) - set(fields))
    missing = sorted(
        name for name, f in fields.items() if name not in values and not f.metadata.get("optional")
    )
    if unknown or missing:
        raise TypeError(
            f"{cls.__name__}: export does not match the contract "
            f"(unknown {unknown or 'none'}, missing {missing or 'none'})"
        )
    return {
        camel(name): value
        for name, value in values.items()
        if not (value is None and fields[name].metadata.get("optional"))
    }


def to_json(value: Any) -> Any:
    """A contract instance (or a dict of them) as the JSON `pulumi stack output` would hold."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value
