"""The stack-output contract: one definition of what `pulumi stack output --json` holds.

`outputs`: the sections (dataclasses) and how a program or stand-in writes them; `values`: the
kinds of value a field holds and their checks; `reading`: reading and validating outputs;
`tables`: the DynamoDB table schemas; `echo`: showing input safely in a message.
"""

from contract.echo import echo
from contract.outputs import (
    SECTIONS,
    AuroraOutputs,
    AuroraRegionOutputs,
    DynamoOutputs,
    DynamoPoliciesOutputs,
    DynamoReplicaOutputs,
    DynamoTableOutputs,
    MigrationOutputs,
    RedisOutputs,
    RedisUserOutputs,
    RelationalOutputs,
    StackOutputs,
    WarehouseOutputs,
    export_fields,
    exported,
    to_json,
)
from contract.reading import ContractError, read_section

__all__ = [
    "SECTIONS",
    "AuroraOutputs",
    "AuroraRegionOutputs",
    "ContractError",
    "DynamoOutputs",
    "DynamoPoliciesOutputs",
    "DynamoReplicaOutputs",
    "DynamoTableOutputs",
    "MigrationOutputs",
    "RedisOutputs",
    "RedisUserOutputs",
    "RelationalOutputs",
    "StackOutputs",
    "WarehouseOutputs",
    "echo",
    "export_fields",
    "exported",
    "read_section",
    "to_json",
]
