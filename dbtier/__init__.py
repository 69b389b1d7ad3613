"""dbtier's database tier as a library: typed Pulumi components for any Python Pulumi program.

    import dbtier

    key = dbtier.stack_key()
    orders = dbtier.DynamoTable(
        "orders",
        dbtier.DynamoTableArgs(
            name="orders", hash_key="id", attributes={"id": "S"}, kms_key_arn=key
        ),
    )

Each component takes `<Name>Args`: its wiring (where it is placed, what it encrypts with) and its
settings, which mirror its `dbtier:` config key field for field (docs/configuration.md) and are
checked by the same parser, so a bad value stops the program with the stack config's one-line
message (`ConfigError`). The components are the ones dbtier's own program builds: same type
tokens (`dbtier:components:<Name>`), children and outputs. docs/library.md says more; the same
components are served to every other Pulumi language by the component package (`dbtier.hosted`).
"""

from components.settings import ConfigError
from dbtier.args import (
    AlarmsArgs,
    BackupArgs,
    BackupRuleArgs,
    CredentialsArgs,
    DatabaseNetworkArgs,
    DynamoAutoscalingArgs,
    DynamoTableArgs,
    IndexArgs,
    MigrationArgs,
    RedisClusterArgs,
    RelationalTierArgs,
    RestoreTestingArgs,
    ServerlessAuroraArgs,
    StreamProcessorArgs,
    VaultLockArgs,
    WarehouseArgs,
)
from dbtier.library import (
    Alarms,
    Backup,
    DatabaseNetwork,
    DynamoTable,
    Migration,
    Placement,
    RedisCluster,
    RelationalTier,
    ServerlessAurora,
    Warehouse,
    stack_key,
)
from dbtier.version import __version__

__all__ = [
    "Alarms",
    "AlarmsArgs",
    "Backup",
    "BackupArgs",
    "BackupRuleArgs",
    "ConfigError",
    "CredentialsArgs",
    "DatabaseNetwork",
    "DatabaseNetworkArgs",
    "DynamoAutoscalingArgs",
    "DynamoTable",
    "DynamoTableArgs",
    "IndexArgs",
    "Migration",
    "MigrationArgs",
    "Placement",
    "RedisCluster",
    "RedisClusterArgs",
    "RelationalTier",
    "RelationalTierArgs",
    "RestoreTestingArgs",
    "ServerlessAurora",
    "ServerlessAuroraArgs",
    "StreamProcessorArgs",
    "VaultLockArgs",
    "Warehouse",
    "WarehouseArgs",
    "__version__",
    "stack_key",
]
