"""The component package without the Pulumi CLI: the provider started as the engine starts it
serves the committed schema, and each Construct registers, under the package's own component,
exactly what a Python program registers with the library for the same settings. A bad input comes
back as an error on the field; an input that is an Output is used when its value is there and
refused, naming the field, when it is not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import errors_pb2, status_pb2

import dbtier
from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN
from tests.unit.package_support import (
    PROJECT,
    STACK,
    ProviderHost,
    below,
    provider_host,
    run_program,
    shape,
    snake_args,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
PROVIDER = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::theirs::0a1b2c3d-provider"
# What a program in another language sends for each component: camelCase, numbers as JSON.
INPUTS: dict[str, dict[str, Any]] = {
    "RelationalTier": {
        "subnetGroupName": "app-db-subnets",
        "securityGroupId": "sg-0123456789abcdef0",
        "kmsKeyArn": KEY,
        "availabilityZones": ["us-east-1a", "us-east-1b"],
        "engine": "postgres",
        "instanceClass": "db.t4g.small",
        "readReplicas": 1,
        "multiAz": True,
        "credentials": {"mode": "generated"},
        "parameters": {"max_connections": 150},
    },
    "DynamoTable": {
        "kmsKeyArn": KEY,
        "name": "Orders",
        "hashKey": "customerId",
        "rangeKey": "placedAt",
        "attributes": {"customerId": "S", "placedAt": "N", "status": "S"},
        "indexes": [
            {
                "name": "ByStatus",
                "hashKey": "status",
                "projection": "KEYS_ONLY",
                "readCapacity": 5,
                "writeCapacity": 5,
            }
        ],
        "billingMode": "PROVISIONED",
        "readCapacity": 10,
        "writeCapacity": 5,
        "autoscaling": {"minCapacity": 5, "maxCapacity": 50},
        "stream": "NEW_AND_OLD_IMAGES",
        "streamProcessor": {"batchSize": 25, "logLevel": "WARN"},
    },
    "RedisCluster": {
        "subnetGroupName": "app-cache-subnets",
        "securityGroupId": "sg-0fedcba9876543210",
        "kmsKeyArn": KEY,
        "engine": "valkey",
        "nodes": 2,
        "snapshotRetentionDays": 3,
    },
}
# DynamoTable's nested keys and maps a program writes in camelCase, as snake_case args.
_INDEXES = [
    {
        "name": "ByStatus",
        "hash_key": "status",
        "projection": "KEYS_ONLY",
        "read_capacity": 5,
        "write_capacity": 5,
    }
]


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    with provider_host() as running:
        yield running


def _errors(error: grpc.RpcError) -> list[tuple[str, str]]:
    """The property errors a Construct failed with (pulumirpc.InputPropertiesError details)."""
    found = []
    for key, value in error.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                errors = errors_pb2.InputPropertiesError()
                detail.Unpack(errors)
                found += [(e.property_path, e.reason) for e in errors.errors]
    return found


def test_the_provider_serves_the_committed_schema(host: ProviderHost) -> None:
    committed = json.loads((ROOT / "sdk/schema.json").read_text(encoding="utf-8"))
    assert json.loads(host.schema()) == committed


@pytest.mark.parametrize("component", sorted(INPUTS))
def test_a_construct_registers_what_the_library_registers(
    host: ProviderHost, component: str
) -> None:
    inputs = INPUTS[component]
    response, registered = host.construct(
        f"dbtier:index:{component}", "it", inputs, providers={"aws": PROVIDER}
    )
    # The package's component, holding the library's of the same name.
    assert response.urn == f"urn:pulumi:{STACK}::{PROJECT}::dbtier:index:{component}::it"
    package, library = registered[:2]
    assert (package.type, package.name) == (f"dbtier:index:{component}", "it")
    assert (library.type, library.name, library.parent) == (
        f"dbtier:components:{component}",
        "it",
        package.urn,
    )
    # Aliased to the stack's root, where a Python program builds it.
    (alias,) = host.monitors.monitor.aliases[library.urn]
    assert alias.spec.noParent and not alias.spec.name
    children = below(registered, f"dbtier:components:{component}", "it")
    assert children, "the library component registered nothing"
    assert {r.provider for r in children if r.type.startswith("aws:")} == {PROVIDER}

    args = snake_args(inputs)
    program = run_program(lambda: getattr(dbtier, component)("it", args))
    assert shape(children) == shape(below(program, f"dbtier:components:{component}", "it"))

    schema = json.loads(host.schema())["resources"][f"dbtier:index:{component}"]
    state = json_format.MessageToDict(response.state)
    assert set(schema["required"]) <= set(state) <= set(schema["properties"])


def test_a_bad_setting_is_an_error_on_its_field(host: ProviderHost) -> None:
    inputs = {**INPUTS["DynamoTable"], "billingMode": "ON_DEMAND"}
    with pytest.raises(grpc.RpcError) as caught:
        host.construct("dbtier:index:DynamoTable", "orders", inputs)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    message = (
        "DynamoTable 'orders': dbtier:dynamo.tables[].billingMode must be one of PAY_PER_REQUEST,"
        " PROVISIONED (got a 9-character string)"
    )
    assert error.details() == message  # type: ignore[attr-defined]
    assert _errors(error) == [("billingMode", message)]


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"readReplicas": 16}, "readReplicas", "dbtier:relational.readReplicas must be"),
        ({"credentials": {"mode": "sometimes"}}, "credentials.mode", "must be one of"),
        ({"logRetentionDays": 2}, "logRetentionDays", "CloudWatch Logs retention period"),
        ({"readReplicas": 2.5}, "readReplicas", "must be an integer"),
    ],
)
def test_each_bad_input_names_its_field(
    host: ProviderHost, change: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        host.construct("dbtier:index:RelationalTier", "db", {**INPUTS["RelationalTier"], **change})
    ((path, reason),) = _errors(caught.value)
    assert path == field
    assert reason.startswith("RelationalTier 'db': ") and problem in reason
    assert "\n" not in reason


def test_a_missing_required_input_is_an_error_on_it(host: ProviderHost) -> None:
    inputs = {k: v for k, v in INPUTS["RedisCluster"].items() if k != "kmsKeyArn"}
    with pytest.raises(grpc.RpcError) as caught:
        host.construct("dbtier:index:RedisCluster", "cache", inputs)
    assert _errors(caught.value) == [
        ("kmsKeyArn", "Missing required input 'kmsKeyArn' on 'RedisCluster'")
    ]


def test_a_setting_not_known_yet_is_refused_naming_it(host: ProviderHost) -> None:
    inputs = {**INPUTS["DynamoTable"], "stream": UNKNOWN}
    with pytest.raises(grpc.RpcError) as caught:
        host.construct("dbtier:index:DynamoTable", "orders", inputs)
    ((path, reason),) = _errors(caught.value)
    assert path == "stream"
    assert reason.startswith("DynamoTable 'orders': stream must be known when the component")


def test_settings_that_are_outputs_with_a_value_are_used(host: ProviderHost) -> None:
    """A secret, and a value another resource gave: Construct hands both over as Outputs whose
    value is there."""
    secret = {SECRET_SIG: SECRET_VALUE, "value": "8.4"}
    inputs = {
        **INPUTS["RelationalTier"],
        "engine": "mysql",
        "engineVersion": secret,
        "databaseName": "orders",
    }
    source = f"urn:pulumi:{STACK}::{PROJECT}::random:index/randomPet:RandomPet::name"
    _, registered = host.construct(
        "dbtier:index:RelationalTier", "db", inputs, dependencies={"databaseName": [source]}
    )
    (primary,) = [r for r in registered if r.name == "db-primary"]
    assert primary.inputs["engineVersion"] == "8.4"
    assert primary.inputs["dbName"] == "orders"


def test_wiring_not_known_yet_is_passed_on(host: ProviderHost) -> None:
    """An ARN or an id another resource computes is an input like any other: unknown at
    preview, it stays unknown in the children's inputs."""
    inputs = {**INPUTS["DynamoTable"], "kmsKeyArn": UNKNOWN}
    _, registered = host.construct("dbtier:index:DynamoTable", "orders", inputs)
    (table,) = [r for r in registered if r.type == "aws:dynamodb/table:Table"]
    assert table.inputs["serverSideEncryption"]["kmsKeyArn"] == UNKNOWN


def test_snake_args_keep_map_keys() -> None:
    """The comparison's own conversion: nested objects to snake_case, maps as written."""
    args = snake_args(INPUTS["DynamoTable"])
    assert args["indexes"] == _INDEXES
    assert args["attributes"] == INPUTS["DynamoTable"]["attributes"]
    assert args["stream_processor"] == {"batch_size": 25, "log_level": "WARN"}
