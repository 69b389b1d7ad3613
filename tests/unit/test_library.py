"""dbtier as a library: the components a Python program builds from typed args are dbtier's own
(same type tokens, children and inputs as the stack's program for the same settings), each can
be built alone with its own provider, key and network or dbtier's, and a bad or missing arg
stops it with one line naming the field, the stack config's message when it is a setting."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

import dbtier
from components.stack_config import ConfigError, parse
from dbtier.catalog import PUBLISHED
from dbtier.convert import _PENDING, prompt_value
from preflight.plan import Plan, PlannedResource, plan_stack
from tests.unit.package_support import below, run_program, shape, snake_args

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TABLE = {
    "name": "Orders",
    "hashKey": "customerId",
    "rangeKey": "placedAt",
    "attributes": {"customerId": "S", "placedAt": "N", "status": "S"},
    "indexes": [{"name": "ByStatus", "hashKey": "status", "projection": "KEYS_ONLY"}],
    "stream": "NEW_AND_OLD_IMAGES",
    "streamProcessor": {"batchSize": 50},
    "ttlAttribute": "expiresAt",
}
RELATIONAL = {
    "instanceClass": "db.t4g.small",
    "allocatedStorage": 30,
    "credentials": {"mode": "generated"},
    "parameters": {"max_connections": 200},
}
# The fewest args each component is built from (the wiring it requires, the settings its key
# requires): the cases of the missing-arg test below.
MINIMAL: dict[str, dict[str, Any]] = {
    "DatabaseNetwork": {},
    "RelationalTier": {"subnet_group_name": "db", "security_group_id": "sg-1", "kms_key_arn": KEY},
    "ServerlessAurora": {
        "subnet_group_name": "db",
        "security_group_id": "sg-1",
        "kms_key_arn": KEY,
    },
    "DynamoTable": {
        "kms_key_arn": KEY,
        "name": "Orders",
        "hash_key": "id",
        "attributes": {"id": "S"},
    },
    "RedisCluster": {"subnet_group_name": "cache", "security_group_id": "sg-1", "kms_key_arn": KEY},
    "Warehouse": {
        "subnet_ids": ["subnet-1", "subnet-2"],
        "security_group_id": "sg-1",
        "kms_key_arn": KEY,
        "subnet_group_name": "redshift",
    },
    "Migration": {
        "subnet_ids": ["subnet-1", "subnet-2"],
        "security_group_id": "sg-1",
        "kms_key_arn": KEY,
        "source_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:src",
        "target_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dst",
    },
    "Alarms": {"kms_key_arn": KEY, "watched": [], "email": "oncall@example.com"},
    "Backup": {"kms_key_arn": KEY, "resources": {"DynamoDB": ["arn:aws:dynamodb:table/x"]}},
}


def build(component: str, name: str, args: dict[str, Any]) -> Any:
    return getattr(dbtier, component)(name, args)


# -- dbtier's program and the library agree ---------------------------------------------------


@pytest.fixture(scope="module")
def stack_plan() -> Plan:
    """dbtier's own program for the dev stack, with the table and database of this module."""
    return plan_stack(
        "dev",
        config_overrides={"dbtier:dynamo": {"tables": [TABLE]}, "dbtier:relational": RELATIONAL},
    )


def _input(resources: list[PlannedResource], type_: str, key: str) -> Any:
    (found,) = [r for r in resources if r.type == type_]
    return found.inputs[key]


def test_a_table_from_its_args_is_the_stack_programs_table(stack_plan: Plan) -> None:
    ours = below(stack_plan.resources, "dbtier:components:DynamoTable", "dynamo-Orders")
    kms_key_arn = _input(ours, "aws:dynamodb/table:Table", "serverSideEncryption")["kmsKeyArn"]
    args = {**snake_args(TABLE), "kms_key_arn": kms_key_arn}
    theirs = run_program(lambda: dbtier.DynamoTable("dynamo-Orders", args), "dbtier", "dev")
    assert shape(below(theirs, "dbtier:components:DynamoTable", "dynamo-Orders")) == shape(ours)


def test_a_database_from_its_args_is_the_stack_programs_database(stack_plan: Plan) -> None:
    ours = below(stack_plan.resources, "dbtier:components:RelationalTier", "relational")
    primary = "aws:rds/instance:Instance"
    args = {
        **snake_args(RELATIONAL),
        "subnet_group_name": _input(ours, primary, "dbSubnetGroupName"),
        "security_group_id": _input(ours, primary, "vpcSecurityGroupIds")[0],
        "kms_key_arn": _input(ours, primary, "kmsKeyId"),
    }
    theirs = run_program(lambda: dbtier.RelationalTier("relational", args), "dbtier", "dev")
    assert shape(below(theirs, "dbtier:components:RelationalTier", "relational")) == shape(ours)


# -- one component alone ----------------------------------------------------------------------


def test_a_table_alone_with_its_own_provider_and_key() -> None:
    def program() -> None:
        provider = aws.Provider("mine", region="eu-west-1")
        key = aws.kms.Key(
            "mine", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider)
        )
        args = dbtier.DynamoTableArgs(
            name="Orders", hash_key="id", attributes={"id": "S"}, kms_key_arn=key.arn
        )
        dbtier.DynamoTable("orders", args, pulumi.ResourceOptions(provider=provider))

    registered = run_program(program)
    (table,) = [r for r in registered if r.type == "aws:dynamodb/table:Table"]
    (key,) = [r for r in registered if r.type == "aws:kms/key:Key"]
    assert "$pulumi:providers:aws::mine::" in table.provider
    assert table.property_dependencies["serverSideEncryption"] == [key.urn]
    assert table.inputs["name"] == "shop-dev-Orders"
    assert {r.type for r in registered} == {
        "pulumi:providers:aws",
        "aws:kms/key:Key",
        "dbtier:components:DynamoTable",
        "aws:dynamodb/table:Table",
    }


def test_dbtiers_stack_key_in_a_program_of_its_own() -> None:
    def program() -> None:
        key_arn = dbtier.stack_key()
        dbtier.DynamoTable("orders", {**MINIMAL["DynamoTable"], "kms_key_arn": key_arn})

    registered = run_program(program)
    (key,) = [r for r in registered if r.type == "aws:kms/key:Key"]
    (alias,) = [r for r in registered if r.type == "aws:kms/alias:Alias"]
    assert (key.name, key.inputs["enableKeyRotation"]) == ("stack-key", True)
    assert alias.inputs["name"] == "alias/dbtier-dev"


def test_a_database_on_dbtiers_network_and_on_a_network_of_its_own() -> None:
    def program() -> None:
        network = dbtier.DatabaseNetwork(
            "network", dbtier.DatabaseNetworkArgs(engines=["relational"], rotating=["relational"])
        )
        rotating = {"credentials": {"rotation_days": 30}}
        dbtier.RelationalTier(
            "on-dbtiers",
            dbtier.RelationalTierArgs(
                **network.placement("relational"), kms_key_arn=KEY, **rotating
            ),  # type: ignore[typeddict-item]
        )
        dbtier.RelationalTier("on-mine", dbtier.RelationalTierArgs(**MINIMAL["RelationalTier"]))

    registered = run_program(program)
    primaries = {r.name: r for r in registered if r.type == "aws:rds/instance:Instance"}
    subnet_group = "urn:pulumi:dev::shop::dbtier:components:DatabaseNetwork$aws:rds/subnetGroup:SubnetGroup::network-rds-subnets"
    assert primaries["on-dbtiers-primary"].property_dependencies["dbSubnetGroupName"] == [
        subnet_group
    ]
    assert primaries["on-mine-primary"].inputs["dbSubnetGroupName"] == "db"
    assert primaries["on-mine-primary"].inputs["vpcSecurityGroupIds"] == ["sg-1"]
    rotations = [
        r.name for r in registered if r.type == "aws:secretsmanager/secretRotation:SecretRotation"
    ]
    assert rotations == ["on-dbtiers-rotation"]
    (function,) = [r for r in registered if r.name == "on-dbtiers-rotation-function"]
    assert function.property_dependencies["parameters"] == [
        "urn:pulumi:dev::shop::dbtier:components:DatabaseNetwork$aws:ec2/securityGroup:SecurityGroup::network-relational-rotation-sg"
    ]


def test_nested_settings_are_written_as_the_stack_file_writes_them() -> None:
    """A nested object's keys go back to camelCase, a map's keys (parameters) stay as given."""
    args = {
        **MINIMAL["RelationalTier"],
        "credentials": {"mode": "managed", "rotation_days": 30},
        "parameters": {"max_connections": 200},
    }
    registered = run_program(lambda: dbtier.RelationalTier("db", args))
    types = {r.type for r in registered}
    assert "random:index/randomPassword:RandomPassword" not in types  # managed: RDS owns it
    assert "aws:secretsmanager/secretRotation:SecretRotation" in types
    (group,) = [r for r in registered if r.type == "aws:rds/parameterGroup:ParameterGroup"]
    assert {
        "name": "max_connections",
        "value": "200",
        "applyMethod": "pending-reboot",
    } in group.inputs["parameters"]


# -- bad and missing args ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "field"),
    [(p.name, field) for p in PUBLISHED for field in MINIMAL[p.name]],
)
def test_each_required_arg_missing_is_one_line_naming_it(component: str, field: str) -> None:
    args = {k: v for k, v in MINIMAL[component].items() if k != field}
    with pytest.raises(ConfigError) as caught:
        build(component, "it", args)
    message = str(caught.value)
    assert message.startswith(f"{component} 'it': ")
    assert "\n" not in message
    camel = "".join(w.capitalize() if i else w for i, w in enumerate(field.split("_")))
    assert camel in message


def test_a_bad_setting_is_the_stack_configs_message() -> None:
    with pytest.raises(ConfigError) as stack:
        parse({"dbtier:relational": {"readReplicas": 20}})
    with pytest.raises(ConfigError) as library:
        build("RelationalTier", "db", {**MINIMAL["RelationalTier"], "read_replicas": 20})
    assert str(library.value) == f"RelationalTier 'db': {stack.value}"
    assert "dbtier:relational.readReplicas" in str(library.value)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"protect": "yes"}, "protect must be true or false"),
        ({"log_retention_days": 2}, "logRetentionDays must be a CloudWatch Logs retention period"),
        (
            {"credentials": {"rotation_days": 7}},
            "rotationSecurityGroupId and rotationSubnetIds are required",
        ),
        (
            {"rotation_subnet_ids": ["subnet-1"]},
            "rotationSecurityGroupId is required with rotationSubnetIds",
        ),
        ({"cdc_source": True, "parameters": {"binlog_format": "MIXED"}}, "binlog_format"),
        ({"read_replica": 1}, "dbtier:relational.readReplica is not a known setting"),
        # The library's RelationalTier has no secondary regions to send backups or replicas to.
        (
            {"cross_region_replicas": ["eu-west-1"]},
            "dbtier:relational.crossRegionReplicas[0]: eu-west-1 is not one of dbtier:regions (none)",
        ),
        (
            {"backups_to": {"region": "eu-west-1"}},
            "dbtier:relational.backupsTo.region: eu-west-1 is not one of dbtier:regions (none)",
        ),
    ],
)
def test_bad_wiring_and_settings_across_them_are_one_line(
    args: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build("RelationalTier", "db", {**MINIMAL["RelationalTier"], **args})
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_table_of_the_library_has_no_secondary_region_to_be_replicated_to() -> None:
    args = {**MINIMAL["DynamoTable"], "regions": ["eu-west-1"]}
    with pytest.raises(ConfigError) as caught:
        build("DynamoTable", "orders", args)
    assert (
        "dbtier:dynamo.tables[].regions[0]: eu-west-1 is not one of dbtier:regions (none)"
        in str(caught.value)
    )


def test_args_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"^DynamoTable 'x': args must be a DynamoTableArgs"):
        build("DynamoTable", "x", ["name"])  # type: ignore[arg-type]


# -- Outputs as settings ----------------------------------------------------------------------


def test_a_setting_whose_value_is_at_hand_is_used() -> None:
    """An Output already resolved (a plain value or a secret wrapped in one) is read at once."""
    args = {**MINIMAL["DynamoTable"], "billing_mode": pulumi.Output.secret("PAY_PER_REQUEST")}
    registered = run_program(lambda: dbtier.DynamoTable("orders", args))
    assert [
        r.inputs["billingMode"] for r in registered if r.type == "aws:dynamodb/table:Table"
    ] == ["PAY_PER_REQUEST"]


def test_a_setting_not_known_yet_is_refused_naming_it() -> None:
    def program() -> None:
        key = aws.kms.Key("key")
        pending = key.key_id.apply(lambda _: "PAY_PER_REQUEST")
        dbtier.DynamoTable("orders", {**MINIMAL["DynamoTable"], "billing_mode": pending})

    with pytest.raises(ConfigError, match=r"DynamoTable 'orders': billingMode must be known when"):
        run_program(program)


def test_prompt_values_read_the_output_future_the_sdk_has() -> None:
    """The SDK's private Output future this relies on (`_data`): resolved and known, a value;
    pending or unknown, not."""

    async def check() -> None:
        assert prompt_value(pulumi.Output.from_input(3)) == 3
        pending: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        assert prompt_value(pulumi.Output.from_input(pending)) is _PENDING
        unknown = pulumi.Output(set(), pending, asyncio.sleep(0, False))
        pending.set_result(3)
        await asyncio.sleep(0)
        assert prompt_value(unknown) is _PENDING

    # Not asyncio.run: it leaves the thread without an event loop, which the mocks' runs need.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(check())
    finally:
        loop.close()


def test_every_published_component_and_its_args_are_public() -> None:
    for p in PUBLISHED:
        assert p.name in dbtier.__all__ and p.args in dbtier.__all__
        assert issubclass(getattr(dbtier, p.name), pulumi.ComponentResource)
    for name in dbtier.__all__:
        assert getattr(dbtier, name) is not None
