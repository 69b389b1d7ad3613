"""`dbtier:dynamo`: each table's shape (a `contract.tables.TableSchema`) and what the component adds.

A table's keys, attributes, indexes, capacity mode and stream are its schema, shared with the
local DynamoDB stand-in and the workloads; autoscaling, the stream processor, TTL, recovery and
deletion protection are the DynamoTable component's settings around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.dynamo.processor_config import StreamProcessorConfig, parse_processor
from components.fieldcheck import check_object
from components.settings import ConfigError, Fields, describe, show
from contract.fielddoc import doc
from contract.tables import MAX_PROJECTED, SEED_TABLE, IndexSchema, TableSchema


@dataclass(frozen=True)
class DynamoAutoscalingConfig:
    min_capacity: int = field(
        default=5,
        metadata=doc(
            "The least read and write capacity units autoscaling sets.",
            lo=1,
            hi=40000,
            rule="<= maxCapacity; readCapacity and writeCapacity within min..max",
        ),
    )
    max_capacity: int = field(
        default=100,
        metadata=doc("The most read and write capacity units autoscaling sets.", lo=1, hi=40000),
    )
    target_utilization: float = field(
        default=70.0,
        metadata=doc("The consumed share of capacity autoscaling aims at, percent.", lo=20, hi=90),
    )


@dataclass(frozen=True)
class DynamoTableConfig:
    """One entry of `dbtier:dynamo.tables`."""

    schema: TableSchema = field(
        metadata=doc("Keys, key attributes, indexes, capacity mode and stream.", flat=True)
    )
    autoscaling: DynamoAutoscalingConfig | None = field(
        default=None,
        metadata=doc(
            "Application Auto Scaling of a provisioned table and every index; unset: the"
            " defaults below. pulumi up leaves the capacity it sets alone.",
            rule="billingMode PROVISIONED only",
            aws=(
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html"
            ),
        ),
    )
    stream_processor: bool = field(
        default=False,
        metadata=doc(
            "Whether a Lambda drains the table's stream (set by streamProcessor).", key=""
        ),
    )
    processor: StreamProcessorConfig = field(
        default=StreamProcessorConfig(),
        metadata=doc(
            "A Lambda that drains the stream, with a dead-letter queue: true for the defaults"
            " below, or an object of them.",
            key="streamProcessor",
            rule="needs stream",
            switch=True,
            default="none (false)",
        ),
    )
    ttl_attribute: str | None = field(
        default=None,
        metadata=doc(
            "The number attribute DynamoDB expires items by.",
            rule="an attribute name that is not a key",
        ),
    )
    point_in_time_recovery: bool = field(default=True, metadata=doc("Continuous backups."))
    deletion_protection: bool = field(
        default=True, metadata=doc("DynamoDB refuses to delete the table.")
    )
    regions: tuple[str, ...] | None = field(
        default=None,
        metadata=doc(
            "The secondary regions holding a global table replica: [] keeps the table in the"
            " home region only.",
            rule="each one of dbtier:regions, once",
            default="every region of dbtier:regions",
        ),
    )

    def replica_regions(self, regions: Sequence[str]) -> tuple[str, ...]:
        """The secondary regions holding this table's replicas: its own `regions` (a subset of
        the stack's `regions`, in its order), or every one of them (`regions` unset)."""
        return tuple(r for r in regions if self.regions is None or r in self.regions)


@dataclass(frozen=True)
class DynamoConfig:
    enabled: bool = field(default=True, metadata=doc("Create the DynamoDB tables."))
    tables: tuple[DynamoTableConfig, ...] = field(
        # The UserProfiles table, drained by a stream processor: every stack's default.
        default_factory=lambda: (DynamoTableConfig(schema=SEED_TABLE, stream_processor=True),),
        metadata=doc(
            "The tables, one entry each with the fields below.",
            rule="1-256 per stack, names unique",
            nonempty=True,
            default=f"the seed's {SEED_TABLE.name} table (key {SEED_TABLE.hash_key}; indexes"
            f" {', '.join(i.name for i in SEED_TABLE.indexes)}; stream {SEED_TABLE.stream}) with a"
            " stream processor",
            aws="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
        ),
    )


_ATTRIBUTE_NAME = r"[A-Za-z0-9_.-]{1,255}"
_TABLE_NAME = r"[A-Za-z0-9_.-]{3,255}"
# DynamoDB quotas: 20 GSIs per table, 100 projected non-key attributes over all of a table's
# indexes, 2,500 tables per account and region. dbtier plans at most 256 tables per stack, so a
# few stacks fit in one account and a plan stays small.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
QUOTAS_DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
MAX_INDEXES = 20
MAX_TABLES = 256


def _attribute(name: str, value: str) -> None:
    if not re.fullmatch(_ATTRIBUTE_NAME, value, re.ASCII):
        raise ConfigError(f"{name} must be 1-255 letters, digits, _ . or - (got {describe(value)})")


def _parse_index(key: str, raw: Any) -> IndexSchema:
    f = Fields(key, raw)
    name = f.text("name", None, _TABLE_NAME, "3-255 letters, digits, _ . or -")
    if name is None:
        raise ConfigError(f"{key}.name is required")
    hash_key = f.text("hashKey", None, _ATTRIBUTE_NAME, "an attribute name")
    if hash_key is None:
        raise ConfigError(f"{key}.hashKey is required")
    index = IndexSchema(
        name=name,
        hash_key=hash_key,
        range_key=f.text("rangeKey", None, _ATTRIBUTE_NAME, "an attribute name"),
        projection=f.choice("projection", "ALL", ("ALL", "KEYS_ONLY", "INCLUDE")),
        non_key_attributes=f.strings("nonKeyAttributes", _attribute) or (),
        read_capacity=f.integer("readCapacity", None, 1, 40000),
        write_capacity=f.integer("writeCapacity", None, 1, 40000),
    )
    f.done()
    if index.projection == "INCLUDE" and not index.non_key_attributes:
        raise ConfigError(f"{key}.nonKeyAttributes is required when projection is INCLUDE")
    if index.projection != "INCLUDE" and index.non_key_attributes:
        raise ConfigError(
            f"{key}.nonKeyAttributes is allowed only with projection INCLUDE (got {index.projection})"
        )
    return index


def parse_dynamo_table(key: str, raw: Any) -> DynamoTableConfig:
    """Parse one entry of dbtier:dynamo.tables; `key` is its config path for messages."""
    check_object(key, raw, DynamoTableConfig)
    f = Fields(key, raw)
    name = f.text("name", None, _TABLE_NAME, "3-255 letters, digits, _ . or -")
    hash_key = f.text("hashKey", None, _ATTRIBUTE_NAME, "an attribute name")
    if name is None or hash_key is None:
        raise ConfigError(f"{key}.{'name' if name is None else 'hashKey'} is required")
    attrs_raw = f.get("attributes")
    if not isinstance(attrs_raw, Mapping) or not attrs_raw:
        raise ConfigError(
            f"{key}.attributes must be an object of name: S|N|B (got {show(attrs_raw)})"
        )
    for attr, kind in attrs_raw.items():
        if not isinstance(attr, str) or not re.fullmatch(_ATTRIBUTE_NAME, attr, re.ASCII):
            raise ConfigError(
                f"{key}.attributes: each name must be 1-255 letters, digits, _ . or -"
                f" (got {describe(attr)})"
            )
        if kind not in ("S", "N", "B"):
            raise ConfigError(f"{key}.attributes.{attr} must be S, N or B (got {show(kind)})")
    indexes_raw = f.get("indexes") or []
    if not isinstance(indexes_raw, list):
        raise ConfigError(f"{key}.indexes must be a list (got {describe(indexes_raw)})")
    if len(indexes_raw) > MAX_INDEXES:
        raise ConfigError(
            f"{key}.indexes has {len(indexes_raw)} global secondary indexes; DynamoDB allows"
            f" {MAX_INDEXES} per table ({QUOTAS_DOCS})"
        )
    indexes = tuple(_parse_index(f"{key}.indexes[{i}]", item) for i, item in enumerate(indexes_raw))
    autoscaling = None
    if f.has("autoscaling"):
        a = f.obj("autoscaling")
        autoscaling = DynamoAutoscalingConfig(
            min_capacity=a.integer("minCapacity", 5, 1, 40000),
            max_capacity=a.integer("maxCapacity", 100, 1, 40000),
            target_utilization=a.number("targetUtilization", 70.0, 20, 90),
        )
        a.done()
        if autoscaling.max_capacity < autoscaling.min_capacity:
            raise ConfigError(
                f"{key}.autoscaling.maxCapacity must be >= minCapacity"
                f" (got {autoscaling.max_capacity} < {autoscaling.min_capacity})"
            )
    processor = parse_processor(f"{key}.streamProcessor", f.get("streamProcessor"))
    schema = TableSchema(
        name=name,
        hash_key=hash_key,
        attributes=dict(attrs_raw),
        range_key=f.text("rangeKey", None, _ATTRIBUTE_NAME, "an attribute name"),
        indexes=indexes,
        billing_mode=f.choice("billingMode", "PAY_PER_REQUEST", ("PAY_PER_REQUEST", "PROVISIONED")),
        read_capacity=f.integer("readCapacity", None, 1, 40000),
        write_capacity=f.integer("writeCapacity", None, 1, 40000),
        stream=f.choice(
            "stream", None, ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
        ),
    )
    table = DynamoTableConfig(
        schema=schema,
        autoscaling=autoscaling,
        stream_processor=processor is not None,
        processor=processor or StreamProcessorConfig(),
        ttl_attribute=f.text("ttlAttribute", None, _ATTRIBUTE_NAME, "an attribute name"),
        point_in_time_recovery=f.flag("pointInTimeRecovery", True),
        deletion_protection=f.flag("deletionProtection", True),
        regions=f.strings("regions"),
    )
    f.done()
    _validate_table(key, table)
    return table


def _validate_table(key: str, table: DynamoTableConfig) -> None:
    t = table.schema
    if t.range_key is not None and t.range_key == t.hash_key:
        raise ConfigError(f"{key}.rangeKey must differ from hashKey (both {t.hash_key!r})")
    for i, index in enumerate(t.indexes):
        if index.range_key is not None and index.range_key == index.hash_key:
            raise ConfigError(
                f"{key}.indexes[{i}].rangeKey must differ from hashKey (both {index.hash_key!r})"
            )
    key_attrs = {t.hash_key, *([t.range_key] if t.range_key else [])}
    for index in t.indexes:
        key_attrs |= {index.hash_key, *([index.range_key] if index.range_key else [])}
    for attr in sorted(key_attrs):
        if attr not in t.attributes:
            raise ConfigError(f"{key}.attributes must define key attribute {attr!r} (S, N or B)")
    unused = sorted(set(t.attributes) - key_attrs)
    if unused:
        raise ConfigError(
            f"{key}.attributes.{unused[0]} is not a table or index key; DynamoDB rejects unused"
            " attribute definitions (non-key attributes need no definition)"
        )
    seen_names: dict[str, int] = {}
    seen_keys: dict[tuple[str, str | None], int] = {}
    for i, index in enumerate(t.indexes):
        where = f"{key}.indexes[{i}]"
        if index.name in seen_names:
            raise ConfigError(
                f"{where}.name repeats the name of {key}.indexes[{seen_names[index.name]}]"
            )
        seen_names[index.name] = i
        keys = (index.hash_key, index.range_key)
        if keys in seen_keys:
            raise ConfigError(
                f"{where} has the same hashKey and rangeKey as {key}.indexes[{seen_keys[keys]}];"
                " one index serves both (and each costs its own writes)"
            )
        seen_keys[keys] = i
        projected = set(index.non_key_attributes) & (key_attrs | {index.hash_key})
        if projected:
            raise ConfigError(
                f"{where}.nonKeyAttributes lists key attribute {sorted(projected)[0]!r}; DynamoDB"
                " projects keys into every index already"
            )
    projected_total = sum(len(index.non_key_attributes) for index in t.indexes)
    if projected_total > MAX_PROJECTED:
        raise ConfigError(
            f"{key}.indexes project {projected_total} non-key attributes in all; DynamoDB allows"
            f" {MAX_PROJECTED} per table ({QUOTAS_DOCS})"
        )
    if t.billing_mode == "PROVISIONED":
        if t.read_capacity is None or t.write_capacity is None:
            raise ConfigError(
                f"{key}.readCapacity and writeCapacity are required with billingMode PROVISIONED"
            )
        for i, index in enumerate(t.indexes):
            if index.read_capacity is None or index.write_capacity is None:
                raise ConfigError(
                    f"{key}.indexes[{i}].readCapacity and writeCapacity are required with billingMode PROVISIONED"
                )
    else:
        if t.read_capacity is not None or t.write_capacity is not None:
            raise ConfigError(
                f"{key}.readCapacity/writeCapacity apply only with billingMode PROVISIONED"
            )
        if table.autoscaling is not None:
            raise ConfigError(f"{key}.autoscaling applies only with billingMode PROVISIONED")
    if t.billing_mode == "PROVISIONED":
        scaling = table.autoscaling or DynamoAutoscalingConfig()
        capacities = [("", t.read_capacity, t.write_capacity)] + [
            (f".indexes[{i}]", index.read_capacity, index.write_capacity)
            for i, index in enumerate(t.indexes)
        ]
        for where, read, write in capacities:
            for label, value in (("readCapacity", read), ("writeCapacity", write)):
                if value is not None and not scaling.min_capacity <= value <= scaling.max_capacity:
                    raise ConfigError(
                        f"{key}{where}.{label} must be within autoscaling minCapacity..maxCapacity"
                        f" ({scaling.min_capacity}..{scaling.max_capacity}; got {value})"
                    )
    if table.stream_processor and t.stream is None:
        raise ConfigError(
            f"{key}.streamProcessor needs a stream (set {key}.stream, e.g. NEW_AND_OLD_IMAGES)"
        )
    if table.ttl_attribute is not None and table.ttl_attribute in key_attrs:
        raise ConfigError(
            f"{key}.ttlAttribute {table.ttl_attribute!r} is a key attribute; TTL needs a number attribute"
        )


def parse_dynamo(raw: Any) -> DynamoConfig:
    check_object("dbtier:dynamo", raw, DynamoConfig)
    f = Fields("dbtier:dynamo", raw)
    enabled = f.flag("enabled", True)
    tables_raw = f.get("tables")
    f.done()
    if tables_raw is None:
        return DynamoConfig(enabled=enabled)
    if len(tables_raw) > MAX_TABLES:
        raise ConfigError(
            f"dbtier:dynamo.tables has {len(tables_raw)} tables; dbtier plans at most {MAX_TABLES}"
            f" per stack (DynamoDB allows 2,500 per account and region: {QUOTAS_DOCS})"
        )
    tables = tuple(
        parse_dynamo_table(f"dbtier:dynamo.tables[{i}]", t) for i, t in enumerate(tables_raw)
    )
    names = [t.schema.name for t in tables]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise ConfigError(
                f"dbtier:dynamo.tables[{i}].name repeats the name of"
                f" dbtier:dynamo.tables[{names.index(name)}]"
            )
    return DynamoConfig(enabled=enabled, tables=tables)


def table_name(project: str, stack: str, name: str) -> str:
    """The physical name of the table `name`: per project and stack, so stacks share an account.
    Config validation checks it (prefix included) against DynamoDB's 3-255 characters."""
    return f"{project}-{stack}-{name}"
