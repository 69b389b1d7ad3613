"""The components dbtier publishes, and what each one's args are derived from.

Each entry names the config dataclass its settings mirror (and the `dbtier:` key that dataclass
parses, which messages name), its wiring (`dbtier.wiring`), the module of `dbtier/args/` its
args class is written to, and whether the component package serves it to other languages.
`dbtier.codegen` reads this table; so do the tests that check every config field has its arg.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.alarms.config import AlarmsConfig
from components.aurora.config import AuroraConfig
from components.backup.config import BackupConfig
from components.dynamo.config import DynamoTableConfig
from components.migration.config import MigrationConfig
from components.network.config import NetworkConfig
from components.redis.config import RedisConfig
from components.relational.config import RelationalConfig
from components.warehouse.config import WarehouseConfig
from dbtier import wiring


@dataclass(frozen=True)
class Published:
    """One component of the library, and of the package unless `hosted` is false."""

    name: str
    """The component's class name, in `dbtier`, in the package (`dbtier:index:<name>`) and in
    its type token (`dbtier:components:<name>`)."""
    config: type
    """The config dataclass its settings mirror, field for field."""
    key: str
    """The `dbtier:` key that dataclass is parsed from, as messages and the reference name it."""
    wiring: type
    """Its args besides the settings (a TypedDict of `dbtier.wiring`)."""
    module: str
    """The module of `dbtier/args/` its args class is written to."""
    hosted: bool = True
    """Served by the component package. Alarms is not: what it watches are the other
    components' Python objects (their `watches()`), which no other language can pass."""

    @property
    def args(self) -> str:
        """Its args class: `<name>Args`."""
        return f"{self.name}Args"


PUBLISHED = (
    Published(
        "DatabaseNetwork", NetworkConfig, "dbtier:network", wiring.DatabaseNetworkWiring, "network"
    ),
    Published(
        "RelationalTier",
        RelationalConfig,
        "dbtier:relational",
        wiring.RelationalTierWiring,
        "relational",
    ),
    Published(
        "ServerlessAurora", AuroraConfig, "dbtier:aurora", wiring.ServerlessAuroraWiring, "aurora"
    ),
    Published(
        "DynamoTable",
        DynamoTableConfig,
        "dbtier:dynamo.tables[]",
        wiring.DynamoTableWiring,
        "dynamo",
    ),
    Published("RedisCluster", RedisConfig, "dbtier:redis", wiring.RedisClusterWiring, "redis"),
    Published(
        "Warehouse", WarehouseConfig, "dbtier:warehouse", wiring.WarehouseWiring, "warehouse"
    ),
    Published(
        "Migration", MigrationConfig, "dbtier:migration", wiring.MigrationWiring, "migration"
    ),
    Published("Alarms", AlarmsConfig, "dbtier:alarms", wiring.AlarmsWiring, "alarms", hosted=False),
    Published("Backup", BackupConfig, "dbtier:backup", wiring.BackupWiring, "backup"),
)
"""Every published component, in the order the package's schema and the docs list them."""

BY_NAME = {p.name: p for p in PUBLISHED}
