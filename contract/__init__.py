"""The stack-output contract: one definition of what `pulumi stack output --json` holds."""

from contract.echo import echo
from contract.outputs import (
    SECTIONS,
    AuroraOutputs,
    ContractError,
    DynamoOutputs,
    DynamoPoliciesOutputs,
    DynamoTableOutputs,
    MigrationOutputs,
    RedisOutputs,
    RelationalOutputs,
    WarehouseOutputs,
    export_fields,
    exported,
    read_section,
    to_json,
)

__all__ = [
    "SECTIONS",
    "AuroraOutputs",
    "ContractError",
    "DynamoOutputs",
    "DynamoPoliciesOutputs",
    "DynamoTableOutputs",
    "MigrationOutputs",
    "RedisOutputs",
    "RelationalOutputs",
    "WarehouseOutputs",
    "echo",
    "export_fields",
    "exported",
    "read_section",
    "to_json",
]
