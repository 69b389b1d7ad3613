"""`dbtier:regions` (the stack's secondary regions) and `dbtier:network.regions.<region>` (the
network of a part that needs a VPC there), parsed and checked against AWS's data and the rest of
the config.

Its own module while the stack's config parsing is being reworked (issue 23): the stack config
calls `split_network` and `parse_regions` and holds the result; nothing else of it changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsdata import global_databases
from components.aurora.config import AuroraConfig
from components.dynamo.config import DynamoConfig
from components.fieldcheck import check_value, text_problem
from components.network.config import NetworkConfig, parse_network
from components.relational.config import RelationalConfig
from components.relational.cross_region_config import check_cross_region
from components.settings import ConfigError, describe
from contract.echo import echo
from contract.fielddoc import METADATA_KEY, doc

KEY = "dbtier:regions"
NETWORK_KEY = "dbtier:network.regions"
# A sanity bound: every secondary region is a provider, a key and a copy of every table.
MAX_REGIONS = 10


REGIONS_DOC = doc(
    "Secondary regions, in order: each gets a provider and a customer managed key of its own and"
    " a global table replica of every DynamoDB table (see docs/regions.md); empty: one region.",
    rule="region names AWS has, in aws:region's partition, not aws:region, each once;"
    f" at most {MAX_REGIONS}",
    aws=global_databases.GLOBAL_TABLES_DOCS,
    key="regions",
)
NETWORK_REGIONS_DOC = doc(
    "The network of each secondary region where a part needs a VPC there: the fields of"
    " dbtier:network, by region name; {} for that region's default VPC.",
    rule="a region of dbtier:regions; every one of them when Aurora is enabled",
    key="network.regions",
)


@dataclass(frozen=True)
class RegionsConfig:
    """What `parse_regions` reads: the secondary regions and their networks (the stack config
    holds them as `regions` and `network_regions`, documented by the two docs above)."""

    regions: tuple[str, ...] = ()
    networks: Mapping[str, NetworkConfig] = field(default_factory=dict)

    def fields(self, parsed: Mapping[str, Any]) -> dict[str, Any]:
        """The stack config's `regions` and `network_regions`, once the other keys (`parsed`,
        by bare name) are known to work across these regions (`check_regions`)."""
        check_regions(self, parsed["dynamo"], parsed["aurora"], parsed["relational"])
        return {"regions": self.regions, "network_regions": dict(self.networks)}


@dataclass(frozen=True)
class RegionFields:
    """The stack config's fields for secondary regions (`StackConfig` derives from it, so they
    are declared here, beside their parser)."""

    regions: tuple[str, ...] = field(default=(), metadata=REGIONS_DOC)
    network_regions: Mapping[str, NetworkConfig] = field(
        default_factory=dict, metadata=NETWORK_REGIONS_DOC
    )


def split_network(raw: Any) -> tuple[Any, Any]:
    """`dbtier:network` without its `regions` entry, and that entry (None when absent): the
    home network is `dbtier:network`'s own parser's, the regions' are `parse_regions`'."""
    if isinstance(raw, Mapping) and "regions" in raw:
        return {k: v for k, v in raw.items() if k != "regions"}, raw["regions"]
    return raw, None


def take(values: dict[str, Any], home: str | None) -> RegionsConfig:
    """Parse `regions` and `network.regions` out of the stack's decoded keys (bare names), and
    remove them, so the other keys' parsers see what they always saw."""
    network, network_regions = split_network(values.get("network"))
    if network_regions is not None:
        values["network"] = network
    return parse_regions(values.pop("regions", None), network_regions, home)


def parse_regions(raw: Any, raw_networks: Any = None, home: str | None = None) -> RegionsConfig:
    """Parse `dbtier:regions` (a list of region names) and `dbtier:network.regions`."""
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        raise ConfigError(f"{KEY} must be a list of region names (got {describe(raw)})")
    # The shape and text rules every config field has (no control or invisible characters).
    check_value(KEY, list(raw), tuple[str, ...], REGIONS_DOC[METADATA_KEY])
    if len(raw) > MAX_REGIONS:
        raise ConfigError(f"{KEY} lists {len(raw)} regions; at most {MAX_REGIONS}")
    regions: list[str] = []
    for i, region in enumerate(raw):
        where = f"{KEY}[{i}]"
        if not isinstance(region, str) or not region:
            raise ConfigError(f"{where} must be a region name (got {describe(region)})")
        if region in regions:
            raise ConfigError(f"{where}: {echo(region, 40)} is listed twice")
        if home is not None and (
            problem := global_databases.secondary_region_problem(home, region)
        ):
            raise ConfigError(f"{where}: {echo(problem, 200)}")
        regions.append(region)
    return RegionsConfig(tuple(regions), _networks(raw_networks, regions))


def _networks(raw: Any, regions: list[str]) -> dict[str, NetworkConfig]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{NETWORK_KEY} must be an object of region: network (got {describe(raw)})"
        )
    networks = {}
    for i, (region, value) in enumerate(raw.items()):
        if problem := text_problem(str(region)):
            raise ConfigError(f"{NETWORK_KEY} key #{i + 1} {problem}")
        if isinstance(value, str) and (problem := text_problem(value)):
            # Bad text is named as such before it is found to be no network at all.
            raise ConfigError(f"{NETWORK_KEY}.{region} {problem}")
        try:
            network = parse_network(value)
        except ConfigError as exc:
            # The network parser names its own key; here it is the region's.
            raise ConfigError(
                str(exc).replace("dbtier:network", f"{NETWORK_KEY}.{region}")
            ) from None
        if region not in regions:
            raise ConfigError(
                f"{NETWORK_KEY}.{echo(str(region), 40)} is not a region of {KEY}"
                f" ({', '.join(regions) or 'none listed'})"
            )
        networks[str(region)] = network
    return networks


def check_regions(
    cfg: RegionsConfig,
    dynamo: DynamoConfig,
    aurora: AuroraConfig,
    relational: RelationalConfig | None = None,
) -> None:
    """What the parts need to span the regions. A table (DynamoDB global tables 2019.11.21): a
    stream of both images, or none (the replicas turn it on); a provisioned table's writes are
    always auto scaled (`components.dynamo.shape.scaling_plan`), as replicas need. Aurora (an
    Aurora Global Database): a version that has it in the home region and every secondary one,
    and no backtrack (`awsdata.global_databases`)."""
    if relational is not None and relational.enabled:
        check_cross_region(relational, cfg.regions, cfg.networks)
    for i, table in enumerate(dynamo.tables if dynamo.enabled else ()):
        check_table_regions(f"dbtier:dynamo.tables[{i}]", table.regions, cfg.regions)
    if not cfg.regions:
        return
    if aurora.enabled:
        _check_aurora(cfg, aurora)
    for i, table in enumerate(dynamo.tables if dynamo.enabled else ()):
        key = f"dbtier:dynamo.tables[{i}]"
        if not table.replica_regions(cfg.regions):
            continue
        stream = table.schema.stream
        if stream is not None and stream != global_databases.GLOBAL_TABLES_STREAM_VIEW:
            raise ConfigError(
                f"{key}.stream must be {global_databases.GLOBAL_TABLES_STREAM_VIEW} with"
                f" {KEY} (got {stream}): global tables replicate from both images"
            )


def check_table_regions(key: str, own: Sequence[str] | None, regions: Sequence[str]) -> None:
    # (An item listed twice is refused by the field check, before this.)
    for j, region in enumerate(own or ()):
        if region not in regions:
            raise ConfigError(
                f"{key}.regions[{j}]: {echo(region, 40)} is not one of {KEY}"
                f" ({', '.join(regions) or 'none'})"
            )


def _check_aurora(cfg: RegionsConfig, aurora: AuroraConfig) -> None:
    for region in (None, *cfg.regions):
        problem = global_databases.global_database_problem(
            aurora.engine, aurora.engine_version, region
        )
        if problem:
            raise ConfigError(
                f"dbtier:aurora.engineVersion: {problem}, and {KEY} makes Aurora a global"
                f" database ({global_databases.GLOBAL_DATABASE_DOCS})"
            )
    if aurora.backtrack_hours:
        raise ConfigError(
            f"dbtier:aurora.backtrackHours must be 0 with {KEY} (got {aurora.backtrack_hours}):"
            " Aurora Global Database does not support backtrack"
        )
    for region in cfg.regions:
        if region not in cfg.networks:
            raise ConfigError(
                f"{NETWORK_KEY}.{region} is missing: an Aurora Global Database puts a secondary"
                f" cluster in {region}, which needs a VPC there ({{}} for its default VPC)"
            )
