"""The examples, each exercised without the Pulumi CLI.

- examples/python-table runs on dbtier's mocks, and dbtier's policy pack, started and driven by
  the preflight's pack client as the engine drives it, judges what it registers: the pack a
  consumer passes to `pulumi preview --policy-pack <dbtier>/policy`.
- examples/yaml-tier and examples/typescript-tier use the component package after
  `pulumi package add`: every dbtier type and property they write, and every output they read,
  is checked against the committed sdk/schema.json; then each component they declare is built by
  the provider itself from their literal settings (their expressions, unknown as at a first
  preview), so a value dbtier would refuse fails here too.
"""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml

from preflight.client import run_policy_report
from preflight.plan import UNKNOWN, Plan
from preflight.policy import PolicyReport
from tests.unit.package_support import ProviderHost, provider_host, run_program

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACK = ROOT / "policy"
PACK_CONFIG = PACK / "config" / "dev.json"
EXPR = object()
"""A value the program computes (a reference, a call): not a literal the test can read."""


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads((ROOT / "sdk" / "schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    with provider_host() as running:
        yield running


# -- the Python example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def table_plan() -> Plan:
    folder = EXAMPLES / "python-table"
    resources = run_program(
        lambda: runpy.run_path(str(folder), run_name="__main__"), "python-table", "dev"
    )
    return Plan("dev", "python-table", {"aws:region": "us-east-1"}, resources, {})


@pytest.fixture(scope="module")
def table_report(table_plan: Plan) -> PolicyReport:
    return run_policy_report(table_plan, PACK, PACK_CONFIG)


def test_the_python_example_builds_one_table_on_its_own_provider_and_key(
    table_plan: Plan,
) -> None:
    kinds = sorted({r.type for r in table_plan.resources})
    assert "dbtier:components:DynamoTable" in kinds
    assert "aws:lambda/function:Function" in kinds  # its stream processor
    (table,) = table_plan.by_type("aws:dynamodb/table:Table")
    (key,) = table_plan.by_type("aws:kms/key:Key")
    (provider,) = table_plan.by_type("pulumi:providers:aws")
    assert table.inputs["name"] == "python-table-dev-Orders"
    assert table.property_dependencies["serverSideEncryption"] == [key.urn]
    assert table.provider.startswith(provider.urn)


@pytest.mark.policy
def test_the_python_example_passes_the_pack(table_report: PolicyReport) -> None:
    assert [v for v in table_report.violations if v.blocking] == []
    assert len(table_report.policies) > 100  # the whole pack ran, not an empty one


@pytest.mark.policy
def test_the_pack_does_judge_the_example(table_plan: Plan) -> None:
    """The same plan with the table's encryption off is refused: the pass above is a verdict."""
    resources = [
        replace(r, inputs={**r.inputs, "serverSideEncryption": {"enabled": False}})
        if r.type == "aws:dynamodb/table:Table"
        else r
        for r in table_plan.resources
    ]
    report = run_policy_report(replace(table_plan, resources=resources), PACK, PACK_CONFIG)
    assert any(v.blocking and v.urn.endswith("::orders-table") for v in report.violations)


# -- what a YAML or TypeScript program declares ------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """One dbtier component a program declares: its type, name and properties (literals as
    written, anything computed as EXPR), and the outputs the program reads from it."""

    type: str
    name: str
    properties: dict[str, Any]
    reads: frozenset[str]


def _yaml_value(value: Any) -> Any:
    if isinstance(value, str) and "${" in value:
        return EXPR
    if isinstance(value, dict):
        return {k: _yaml_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    return value


def yaml_program(folder: Path) -> tuple[dict[str, Any], list[Declared]]:
    program = yaml.safe_load((folder / "Pulumi.yaml").read_text(encoding="utf-8"))
    text = (folder / "Pulumi.yaml").read_text(encoding="utf-8")
    declared = []
    for name, resource in program.get("resources", {}).items():
        if not resource["type"].startswith("dbtier:"):
            continue
        reads = frozenset(re.findall(rf"\$\{{{re.escape(name)}\.([A-Za-z0-9]+)", text))
        declared.append(
            Declared(resource["type"], name, _yaml_value(resource.get("properties", {})), reads)
        )
    return program, declared


_TOKEN = re.compile(
    r"""\s+|//[^\n]*|/\*.*?\*/|(?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""
    r"""|(?P<num>\d+(?:\.\d+)?)|(?P<word>[A-Za-z_$][A-Za-z0-9_$]*)|(?P<op>=>|[^\s])""",
    re.DOTALL,
)


def _tokens(source: str) -> list[tuple[str, str]]:
    found = []
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup
        if kind is not None:
            found.append((kind, m.group(kind)))
    return found


class _Parser:
    """Enough of TypeScript for a program's object literals: objects, arrays, strings, numbers,
    true/false; anything else is an expression (EXPR), skipped to the next `,` at its depth."""

    def __init__(self, tokens: list[tuple[str, str]], at: int) -> None:
        self.tokens, self.at = tokens, at

    def peek(self) -> str:
        return self.tokens[self.at][1]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def value(self) -> Any:
        kind, text = self.tokens[self.at]
        ends = {",", "}", "]", ")"}
        literal: Any = EXPR
        if text == "{":
            literal = self.obj()
        elif text == "[":
            literal = self.array()
        elif kind == "str":
            self.take()
            literal = json.loads(text) if text.startswith('"') else text[1:-1]
        elif kind == "num":
            self.take()
            literal = float(text) if "." in text else int(text)
        elif text in ("true", "false"):
            self.take()
            literal = text == "true"
        if self.peek() in ends and literal is not EXPR:
            return literal
        depth = 0
        while depth or self.peek() not in ends:
            text = self.take()[1]
            if text in ("(", "[", "{"):
                depth += 1
            elif text in (")", "]", "}"):
                depth -= 1
        return EXPR

    def obj(self) -> dict[str, Any]:
        assert self.take()[1] == "{"
        found: dict[str, Any] = {}
        while self.peek() != "}":
            kind, key = self.take()
            key = json.loads(key) if kind == "str" else key
            if self.peek() == ":":
                self.take()
                found[key] = self.value()
            else:
                found[key] = EXPR  # `{ provider }`
            if self.peek() == ",":
                self.take()
        self.take()
        return found

    def array(self) -> list[Any]:
        assert self.take()[1] == "["
        found = []
        while self.peek() != "]":
            found.append(self.value())
            if self.peek() == ",":
                self.take()
        self.take()
        return found


def typescript_program(source: str, module: str) -> list[Declared]:
    """Each `const x = new <module>.<Type>("name", {...})` and the `x.<output>` the source reads."""
    tokens = _tokens(source)
    words = [t for _, t in tokens]
    declared = []
    for i in range(len(tokens) - 6):
        if words[i : i + 3] != ["new", module, "."]:
            continue
        variable = words[i - 2] if words[i - 1] == "=" else ""
        assert words[i + 4] == "(" and tokens[i + 5][0] == "str", f"new {module}.{words[i + 3]}"
        parser = _Parser(tokens, i + 7)
        properties = parser.obj()
        reads = frozenset(
            words[j + 2]
            for j in range(len(words) - 2)
            if variable and words[j] == variable and words[j + 1] == "."
        )
        declared.append(
            Declared(f"dbtier:index:{words[i + 3]}", json.loads(words[i + 5]), properties, reads)
        )
    return declared


# -- checked against the schema ----------------------------------------------------------------


def _problems(
    where: str, values: dict[str, Any], spec: dict[str, Any], schema: dict[str, Any]
) -> Iterator[str]:
    """What `values` (an object of properties) writes that `spec` (a resource's inputs or a
    type) does not take, or leaves out that it requires."""
    properties = spec.get("inputProperties", spec.get("properties", {}))
    required = spec.get("requiredInputs", spec.get("required", []))
    for missing in sorted(set(required) - set(values)):
        yield f"{where}.{missing} is required"
    for key, value in values.items():
        prop = properties.get(key)
        if prop is None:
            yield f"{where}.{key} is not a property (known: {', '.join(properties)})"
            continue
        if prop.get("plain") and value is EXPR:
            yield f"{where}.{key} decides what is built: write it as a value, not an expression"
        yield from _value_problems(f"{where}.{key}", value, prop, schema)


def _value_problems(
    where: str, value: Any, prop: dict[str, Any], schema: dict[str, Any]
) -> Iterator[str]:
    if value is EXPR:
        return
    ref = prop.get("$ref", "")
    if ref.startswith("#/types/"):
        if not isinstance(value, dict):
            yield f"{where} must be an object"
            return
        yield from _problems(where, value, schema["types"][ref.removeprefix("#/types/")], schema)
        return
    kind = prop.get("type")
    expected = {"string": str, "boolean": bool, "array": list, "object": dict}
    if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        yield f"{where} must be an integer"
    elif kind == "number" and not isinstance(value, int | float):
        yield f"{where} must be a number"
    elif kind in expected and not isinstance(value, expected[kind]):
        yield f"{where} must be a {kind}"
    elif kind == "array":
        for i, item in enumerate(value):
            yield from _value_problems(f"{where}[{i}]", item, prop["items"], schema)
    elif kind == "object" and "additionalProperties" in prop:
        for k, item in value.items():
            yield from _value_problems(f"{where}.{k}", item, prop["additionalProperties"], schema)


def schema_problems(declared: list[Declared], schema: dict[str, Any]) -> list[str]:
    problems = []
    for d in declared:
        resource = schema["resources"].get(d.type)
        if resource is None:
            problems.append(f"{d.name}: no type {d.type} in the schema")
            continue
        problems += _problems(d.name, d.properties, resource, schema)
        outputs = set(resource["properties"]) | {"urn"}
        problems += [f"{d.name}.{o} is not an output" for o in sorted(d.reads - outputs)]
    return problems


def _unknowns(value: Any) -> Any:
    """A program's properties as a first preview sends them: what it computes is unknown."""
    if value is EXPR:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v) for v in value]
    return value


def construct_problems(declared: list[Declared], host: ProviderHost) -> list[str]:
    problems = []
    for d in declared:
        try:
            host.construct(d.type, d.name, _unknowns(d.properties))
        except grpc.RpcError as exc:
            problems.append(f"{d.name}: {exc.details()}")  # type: ignore[attr-defined]
    return problems


# -- the YAML and TypeScript examples ----------------------------------------------------------


def _uses_the_package(folder: Path) -> None:
    """Its Pulumi.yaml names the package as `pulumi package add` records it: the plugin folder."""
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text(encoding="utf-8"))
    plugin = (folder / project["packages"]["dbtier"]).resolve()
    assert plugin == ROOT / "provider"
    assert yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text())["runtime"]["name"] == "python"


def test_the_yaml_example_matches_the_schema(schema: dict[str, Any]) -> None:
    folder = EXAMPLES / "yaml-tier"
    _uses_the_package(folder)
    program, declared = yaml_program(folder)
    assert program["runtime"] == "yaml"
    assert {d.type for d in declared} == {
        "dbtier:index:DatabaseNetwork",
        "dbtier:index:RelationalTier",
        "dbtier:index:DynamoTable",
    }
    assert schema_problems(declared, schema) == []


def test_the_typescript_example_matches_the_schema(schema: dict[str, Any]) -> None:
    folder = EXAMPLES / "typescript-tier"
    _uses_the_package(folder)
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["@pulumi/dbtier"] == "file:sdks/dbtier"
    source = (folder / "index.ts").read_text(encoding="utf-8")
    assert 'import * as dbtier from "@pulumi/dbtier";' in source
    declared = typescript_program(source, "dbtier")
    assert {d.type for d in declared} == {
        "dbtier:index:RelationalTier",
        "dbtier:index:RedisCluster",
        "dbtier:index:DynamoTable",
    }
    assert all(d.reads for d in declared)
    assert schema_problems(declared, schema) == []


@pytest.mark.parametrize("folder", ["yaml-tier", "typescript-tier"])
def test_the_provider_builds_what_the_example_declares(folder: str, host: ProviderHost) -> None:
    path = EXAMPLES / folder
    declared = (
        yaml_program(path)[1]
        if folder == "yaml-tier"
        else typescript_program((path / "index.ts").read_text(encoding="utf-8"), "dbtier")
    )
    assert construct_problems(declared, host) == []


def test_the_schema_check_catches_what_it_should(schema: dict[str, Any]) -> None:
    """The checks above fail on a wrong type, property, value type, expression or output."""
    source = """
        const t = new dbtier.DynamoTable("t", {
            kmsKeyArn: key.arn, name: "T", hashKey: "id", attributes: { id: "S" },
            readCapcity: 5, indexes: [{ name: "I", hashKey: 7 }], billingMode: mode(),
        });
        export const x = t.tableArn;
        new dbtier.Lake("l", {});
    """
    problems = schema_problems(typescript_program(source, "dbtier"), schema)
    assert any(p.startswith("t.readCapcity is not a property") for p in problems)
    assert "t.indexes[0].hashKey must be a string" in problems
    assert any(p.startswith("t.billingMode decides what is built") for p in problems)
    assert "t.tableArn is not an output" in problems
    assert "l: no type dbtier:index:Lake in the schema" in problems
