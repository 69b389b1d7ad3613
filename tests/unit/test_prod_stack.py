"""Pulumi.prod.yaml against the defaults it restates: prod spells out the seed UserProfiles table
only to give its stream processor prod settings, so a change of the seed (contract/tables.py) must
not leave prod silently on the old table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.dynamo.config import DynamoConfig, DynamoTableConfig
from components.stack_config import StackConfig, parse
from preflight import stackfile

ROOT = Path(__file__).resolve().parents[2]


def prod_config() -> StackConfig:
    """Pulumi.prod.yaml over Pulumi.yaml, read and parsed the way the preflight reads them."""
    project = stackfile.load_project(ROOT)
    stack = stackfile.load_stack(ROOT, "prod", project.name)
    config = stackfile.merged_config(project, stack)
    own = {k: v for k, v in config.items() if k.startswith(f"{project.name}:")}
    return parse(own, region=config.get("aws:region"), stack="prod", project=project.name)


def without_processor_settings(table: DynamoTableConfig) -> DynamoTableConfig:
    """`table` with the default stream processor's settings in place of its own."""
    default = DynamoTableConfig(schema=table.schema)
    return dataclasses.replace(table, processor=default.processor)


def test_prod_dynamo_table_is_the_seed_table_but_for_its_stream_processor_settings() -> None:
    (seed,) = DynamoConfig().tables
    (prod,) = prod_config().dynamo.tables
    # Everything but the processor's settings is the seed's: keys, attributes, indexes, billing,
    # stream, TTL, recovery, deletion protection, autoscaling, and that a processor drains it.
    assert without_processor_settings(prod) == without_processor_settings(seed), (
        "Pulumi.prod.yaml's dbtier:dynamo table no longer matches the seed table "
        "(contract/tables.py SEED_TABLE): update it, keeping only its streamProcessor settings"
    )
    # And the copy is there for a reason: prod's processor settings are not the defaults.
    assert prod.processor != seed.processor
