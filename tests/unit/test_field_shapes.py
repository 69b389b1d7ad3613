"""Every `dbtier:` field, found from the config dataclasses' declarations (a new field is covered
by being declared), against every wrong shape and every class of control, bidi and invisible
character: each is refused with one `ConfigError` naming the field's key. Plus the checks with a
meaning (emails, EC2 ids, reserved names), a setting spelled two ways, and YAML anchors and merge
keys read as the Pulumi CLI reads them. In-process parsing only: no plan, no subprocess."""

from __future__ import annotations

import dataclasses
import shutil
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from components.fieldcheck import text_problem
from components.reference import sections
from components.stack_config import ConfigError, StackConfig, parse
from contract.fielddoc import FieldDoc, config_key, field_doc
from preflight.stackfile import load_project, load_stack, merged_config
from preflight.yamlfile import StackFileError, parse_yaml

ROOT = Path(__file__).resolve().parents[2]

# A valid entry of each list of objects, so a field of an entry sits among valid siblings.
ENTRIES: dict[str, dict[str, Any]] = {
    "DynamoTableConfig": {"name": "Orders", "hashKey": "id", "attributes": {"id": "S"}},
    "IndexSchema": {"name": "byId", "hashKey": "id", "projection": "ALL"},
    "RedisUserConfig": {"name": "app", "access": "on ~* +@read"},
}

# One character of every class refused in text: C0 controls, DEL, C1 controls, bidi embeddings,
# overrides, isolates and marks, zero-width and other invisible format characters, BOM, soft
# hyphen, line and paragraph separators, a lone surrogate.
CHARACTERS = {
    "NUL": "\x00", "BEL": "\x07", "TAB": "\t", "LF": "\n", "CR": "\r", "ESC": "\x1b",
    "DEL": "\x7f", "NEL (C1)": "\x85", "CSI (C1)": "\x9b", "LRE": "\u202a", "RLO": "\u202e",
    "LRI": "\u2066", "PDI": "\u2069", "LRM": "\u200e", "RLM": "\u200f", "ALM": "\u061c",
    "ZWSP": "\u200b", "ZWJ": "\u200d", "BOM": "\ufeff", "soft hyphen": "\u00ad",
    "line separator": "\u2028", "paragraph separator": "\u2029", "surrogate": "\ud800",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Declared:
    """A field where a stack file writes it: the path of keys (and list entries) from `dbtier:`."""

    path: tuple[str | tuple[int, str], ...]
    hint: Any
    doc: FieldDoc

    @property
    def key(self) -> str:
        out = f"dbtier:{self.path[0]}"
        for part in self.path[1:]:
            out += f"[{part[0]}]" if isinstance(part, tuple) else f".{part}"
        return out


def _unwrap(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        (hint,) = [a for a in get_args(hint) if a is not type(None)]
    return hint


def _is_dataclass(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _walk(cls: type, path: tuple[Any, ...]) -> list[Declared]:
    found: list[Declared] = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        meta, key = field_doc(f), config_key(f)
        assert meta is not None, f"{cls.__name__}.{f.name} has no doc()"
        if not key:
            continue
        hint = _unwrap(hints[f.name])
        if meta.flat:
            found.extend(_walk(hint, path))
            continue
        here = Declared((*path, key), hints[f.name], meta)
        found.append(here)
        if meta.type:
            continue
        if _is_dataclass(hint):
            found.extend(_walk(hint, here.path))
        elif get_origin(hint) is tuple and _is_dataclass(get_args(hint)[0]):
            item = get_args(hint)[0]
            found.extend(_walk(item, (*here.path, (0, item.__name__))))
    return found


FIELDS = _walk(StackConfig, ())


def _place(field: Declared, value: Any) -> dict[str, Any]:
    """The raw config with `value` at `field`'s place (list entries valid around it); a dotted
    key (`network.regions`) is the object path it names."""
    top, *rest = (*field.path[0].split("."), *field.path[1:])
    if not rest:
        return {f"dbtier:{top}": value}
    root: dict[str, Any] = {}
    node: Any = root
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        if isinstance(part, tuple):
            continue
        nxt = rest[i + 1] if not last else None
        if last:
            node[part] = value
        elif isinstance(nxt, tuple):
            entry = dict(ENTRIES[nxt[1]])
            node[part] = [entry]
            node = entry
        else:
            node = node.setdefault(part, {})
    return {f"dbtier:{top}": root}


def _scalar(hint: Any) -> Any:
    hint = _unwrap(hint)
    if get_origin(hint) is Literal:
        return type(get_args(hint)[0])
    return hint


def _wrong_shapes(field: Declared) -> list[Any]:
    """Every value of a shape `field` does not take."""
    hint, meta = _unwrap(field.hint), field.doc
    if meta.type:  # parameters: a map
        return ["x", ["a"], 5, True]
    if _is_dataclass(hint):
        return ["x", ["a"], 5] + ([] if meta.switch else [True])
    origin = get_origin(hint)
    if origin is tuple:
        item = get_args(hint)[0]
        items: list[Any] = [[None]]
        if not _is_dataclass(item):
            items += [[["a"]], [{"a": "b"}], [True], [""]]
        else:
            items += [["x"], [5]]
        return ["x", {"a": "b"}, True, 5] + items + ([[]] if meta.nonempty else [])
    if origin is Mapping:
        return ["x", ["a"], True, 5, {"k": ["a"]}, {"k": {"a": "b"}}, {"": "S"}] + (
            [{}] if meta.nonempty else []
        )
    wanted = _scalar(hint)
    common: list[Any] = [["a"], {"a": "b"}, [], {}]
    if wanted is bool:
        return [*common, "yes", 1, 0.5, "maybe"]
    if wanted is int:
        return [*common, True, "five", 1.5, "1.5", "\u0665", "5_0", "+5"]
    if wanted is float:
        return [*common, True, "five", "nan", "Infinity", "1_0"]
    return [*common, True, 5, 1.5, ""]


def _texts(field: Declared, char: str) -> list[tuple[str, Any]]:
    """(where the message names, value) for `char` in each text place of `field`."""
    hint, meta = _unwrap(field.hint), field.doc
    text = f"ab{char}cd"
    if meta.type:
        return [(f"{field.key}.p", {"p": text}), (f"{field.key} key #1", {text: "1"})]
    if _is_dataclass(hint):
        return [(f"{field.key} key #1", {text: "1"})]
    origin = get_origin(hint)
    if origin is tuple:
        if _is_dataclass(get_args(hint)[0]):
            return []  # its entries' fields are fields of their own
        return [(f"{field.key}[0]", [text])]
    if origin is Mapping:
        return [(f"{field.key} key #1", {text: "S"}), (f"{field.key}.k", {"k": text})]
    return [(field.key, text)]


def _refusal(raw: dict[str, Any]) -> str | None:
    try:
        parse(raw)
    except ConfigError as exc:
        return str(exc)
    return None


def test_every_declared_field_is_enumerated() -> None:
    # The reference shows one row per field of a config object: the same fields, plus the
    # `dbtier:` keys that are objects themselves.
    documented = {
        r.key if r.key.startswith("dbtier:") else f"{s.title}.{r.key}".replace("[]", "[0]")
        for s in sections()
        for r in s.rows
    }
    objects = {s.title for s in sections() if len(s.path) == 1 and s.rows[0].key != s.title}
    keys = [f.key for f in FIELDS]
    assert len(keys) == len(set(keys)) and set(keys) == documented | objects
    assert len(FIELDS) >= 200


@pytest.mark.parametrize("field", FIELDS, ids=[f.key for f in FIELDS])
def test_a_wrong_shape_is_refused_naming_the_key(field: Declared) -> None:
    missed = []
    for value in _wrong_shapes(field):
        message = _refusal(_place(field, value))
        if message is None or field.key not in message:
            missed.append(f"{value!r}: {message}")
    assert not missed, f"{field.key} took a wrong shape:\n" + "\n".join(missed)


@pytest.mark.parametrize("field", FIELDS, ids=[f.key for f in FIELDS])
def test_every_control_bidi_and_invisible_character_is_refused(field: Declared) -> None:
    # A flag or a number with a character in it is the wrong shape before it is bad text.
    text = _scalar(field.hint) not in (bool, int, float)
    missed = []
    for name, char in CHARACTERS.items():
        for where, value in _texts(field, char):
            message = _refusal(_place(field, value))
            if (
                message is None
                or where not in message
                or (text and "control character" not in message)
            ):
                missed.append(f"{name} at {where}: {message}")
            elif char in message:
                missed.append(f"{name} echoed raw: {message!r}")
    assert not missed, f"{field.key} took a refused character:\n" + "\n".join(missed)


BOUNDED = [f for f in FIELDS if f.doc.most is not None]


def test_list_bounds_are_declared_on_their_fields() -> None:
    # Every list a part bounds by an AWS quota says so where it is declared (the parsers pass
    # no bound of their own): these at least.
    assert {f.key for f in BOUNDED} >= {
        "dbtier:network.subnetIds",
        "dbtier:network.allowedCidrs",
        "dbtier:network.allowedSecurityGroupIds",
        "dbtier:relational.logExports",
        "dbtier:relational.replicaAvailabilityZones",
        "dbtier:warehouse.copySources",
        "dbtier:warehouse.copyKmsKeyArns",
        "dbtier:migration.include",
        "dbtier:migration.exclude",
        "dbtier:dynamo.tables[0].indexes[0].nonKeyAttributes",
    }


@pytest.mark.parametrize("field", BOUNDED, ids=[f.key for f in BOUNDED])
def test_a_list_longer_than_its_declared_bound_is_refused_before_its_items(field: Declared) -> None:
    # Items that are each wrong: the count is refused first, naming the key and the bound.
    most = field.doc.most or 0
    message = _refusal(_place(field, [f"\x00{i}" for i in range(most + 1)]))
    assert message is not None and field.key in message, message
    assert f"has {most + 1} items; at most {most} are allowed" in message


def test_a_key_with_a_control_character_is_refused() -> None:
    assert "dbtier:relational key #1 contains a control character (U+202E" in str(
        _refusal({"dbtier:relational": {"engine\u202e": "mysql"}})
    )


def test_valid_shapes_as_the_cli_writes_them_are_accepted() -> None:
    cfg = parse(
        {
            "dbtier:protect": "true",
            "dbtier:relational": {"multiAz": "TRUE", "readReplicas": "2", "backupRetentionDays": 9},
            "dbtier:aurora": {"maxCapacity": "8", "minCapacity": 1},
            "dbtier:dynamo": {
                "tables": [dict(ENTRIES["DynamoTableConfig"], streamProcessor=False)]
            },
            "dbtier:tags": {"Team": "Data Platform", "Cost-Center": "42"},
        }
    )
    assert cfg.protect and cfg.relational.multi_az and cfg.relational.read_replicas == 2
    assert cfg.aurora.max_capacity == 8.0 and cfg.tags["Team"] == "Data Platform"
    # Printable text beyond ASCII stays text where a field takes free text.
    assert text_problem("Équipe données — 東京") is None


@pytest.mark.parametrize(
    "email",
    ["oncall@example.com", "first.last+db@sub.example.org", "o'neil@example.co.uk", "a@b.io"],
)
def test_email_addresses_sns_delivers_to_are_accepted(email: str) -> None:
    assert parse({"dbtier:alarms": {"enabled": True, "email": email}}).alarms.email == email


@pytest.mark.parametrize(
    "email",
    [
        "dba", "dba@", "@corp.test", "d ba@corp.test", "dba@corp", "d@@corp.test",
        ".dba@corp.test", "d..ba@corp.test", "dba@-corp.test", "dba@corp.t", "døa@corp.test",
        "x" * 65 + "@corp.test", "d@" + "b" * 250 + ".test", "dba@corp.test,ops@corp.test",
        "<dba@corp.test>",
    ],
)  # fmt: skip
def test_email_addresses_sns_would_not_take_are_refused(email: str) -> None:
    message = _refusal({"dbtier:alarms": {"enabled": True, "email": email}})
    assert message is not None and "dbtier:alarms.email must be an email address" in message
    assert email not in message


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("vpcId", "vpc-0123abcd", "vpc-0123abcde"),
        ("vpcId", "vpc-0123456789abcdef0", "vpc-0123456789ABCDEF0"),
        ("vpcId", "vpc-0123abcd", "subnet-0123abcd"),
        ("s3EndpointId", "vpce-0123456789abcdef0", "vpce-0123abc"),
        ("secretsManagerEndpointId", "vpce-0123abcd", "vpc-0123abcd"),
    ],
)
def test_ec2_ids_take_their_documented_form(key: str, good: str, bad: str) -> None:
    assert _refusal({"dbtier:network": {key: good}}) is None
    message = _refusal({"dbtier:network": {key: bad}})
    assert message is not None and f"dbtier:network.{key} must be an id like" in message


def test_subnet_and_security_group_ids_take_their_documented_form() -> None:
    good = {"vpcId": "vpc-0123abcd", "subnetIds": ["subnet-0123abcd", "subnet-0123456789abcdef0"]}
    assert parse({"dbtier:network": good}).network.subnet_ids == tuple(good["subnetIds"])
    for raw, key in (
        (dict(good, subnetIds=["subnet-0123abcd", "subnet-12345"]), "subnetIds[1]"),
        (
            {"allowedSecurityGroupIds": ["sg-0123abcd", "sg-0123abcd0"]},
            "allowedSecurityGroupIds[1]",
        ),
        ({"allowedSecurityGroupIds": ["vpc-0123abcd"]}, "allowedSecurityGroupIds[0]"),
    ):
        message = _refusal({"dbtier:network": raw})
        assert message is not None and f"dbtier:network.{key} must be an id like" in message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"engine": "aurora-mysql", "username": "select"}, "aurora.username 'select' is a word"),
        ({"engine": "aurora-mysql", "databaseName": "table"}, "aurora.databaseName 'table'"),
        ({"engine": "aurora-postgresql", "databaseName": "user"}, "aurora.databaseName 'user'"),
        ({"engine": "aurora-postgresql", "iamUser": "Grant"}, "aurora.iamUser 'grant'"),
        ({"username": "rdsadmin"}, "aurora.username 'rdsadmin' is reserved"),
        ({"username": "1admin"}, "aurora.username must be 1-16 letters"),
        ({"username": "a" * 17}, "aurora.username must be 1-16 letters"),
        ({"databaseName": "_db"}, "aurora.databaseName must be a letter"),
    ],
)
def test_aurora_names_follow_the_engine(raw: dict[str, Any], message: str) -> None:
    assert message in str(_refusal({"dbtier:aurora": raw}))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"engine": "mysql", "username": "select"}, "relational.username 'select' is reserved"),
        ({"engine": "postgres", "databaseName": "user"}, "relational.databaseName 'user'"),
        ({"engine": "oracle-se2", "databaseName": "appdb"}, "relational.databaseName must be"),
        ({"engine": "sqlserver-ex", "username": "sa"}, "relational.username 'sa' is reserved"),
    ],
)
def test_relational_names_follow_the_engine(raw: dict[str, Any], message: str) -> None:
    assert message in str(_refusal({"dbtier:relational": raw}))


@pytest.mark.parametrize(
    ("raw", "both"),
    [
        (
            {"dbtier:relational": {"backupRetentionDays": 7, "backup_retention_days": 9}},
            ("relational.backupRetentionDays", "relational.backup_retention_days"),
        ),
        (
            {"dbtier:aurora": {"maxCapacity": 8, "MaxCapacity": 4}},
            ("aurora.maxCapacity", "aurora.MaxCapacity"),
        ),
        (
            {"dbtier:redis": {"node-type": "cache.t4g.small", "nodeType": "cache.t4g.micro"}},
            ("redis.node-type", "redis.nodeType"),
        ),
        (
            {"dbtier:dynamo": {"tables": [dict(ENTRIES["DynamoTableConfig"], hash_key="pk")]}},
            ("tables[0].hashKey", "tables[0].hash_key"),
        ),
    ],
)
def test_a_setting_given_twice_under_two_spellings_is_refused_naming_both(
    raw: dict[str, Any], both: tuple[str, str]
) -> None:
    message = str(_refusal(raw))
    assert all(key in message for key in both) and "spelled two ways" in message


def test_a_setting_misspelled_once_is_refused_with_its_spelling() -> None:
    message = str(_refusal({"dbtier:relational": {"multi_az": True}}))
    assert "dbtier:relational.multi_az is not a known setting; it is spelled multiAz" in message


STACK = """\
config:
  aws:region: us-east-1
  dbtier:tags: &tags
    Team: data
  dbtier:relational: &rds
    engine: mysql
    backupRetentionDays: 14
    multiAz: true
  dbtier:aurora:
    <<: [{backupRetentionDays: 21, readers: 1}, {readers: 3, username: auroraadmin}]
    readers: 2
  dbtier:migration:
    enabled: false
    <<: {}
"""


def _stack(tmp_path: Path, text: str) -> dict[str, str]:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.anchors.yaml").write_text(text, encoding="utf-8")
    return merged_config(load_project(tmp_path), load_stack(tmp_path, "anchors"))


def test_anchors_aliases_and_merge_keys_read_as_the_pulumi_cli_reads_them(tmp_path: Path) -> None:
    config = _stack(tmp_path, STACK)
    raw = {k: v for k, v in config.items() if k.startswith("dbtier:")}
    cfg = parse(raw)
    # Keys written in the object win over merged ones; of merged objects, the first wins.
    assert (cfg.aurora.readers, cfg.aurora.backup_retention_days) == (2, 21)
    assert cfg.aurora.username == "auroraadmin"
    assert cfg.relational.backup_retention_days == 14 and cfg.relational.multi_az
    assert cfg.tags == {"Team": "data"}


def test_a_merged_object_is_checked_like_a_written_one(tmp_path: Path) -> None:
    text = STACK.replace("readers: 1}", "readers: 1, engineVersion: 8.4}")
    config = _stack(tmp_path, text)
    message = str(_refusal({k: v for k, v in config.items() if k.startswith("dbtier:")}))
    assert (
        "dbtier:aurora.engineVersion must be a non-empty string (got 8.4) (quote it in YAML)"
        in (message)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: {<<: 1}\n", "f.yaml: a merges (<<) something that is not an object"),
        ("a: {<<: [{x: 1}, 2]}\n", "f.yaml: a merges (<<) something that is not an object"),
        ("b: &b {x: 1}\na: {<<: *b, <<: *b}\n", "f.yaml: a has more than one merge key"),
        ("a: {x: 1, x: 2}\n", "f.yaml: a.x is given twice"),
    ],
)
def test_a_bad_merge_is_refused(text: str, message: str) -> None:
    with pytest.raises(StackFileError, match=None) as raised:
        parse_yaml(text, "f.yaml")
    assert message in str(raised.value)


def test_a_quoted_merge_key_is_a_plain_key() -> None:
    assert parse_yaml("a: {'<<': {x: 1}}\n", "f.yaml") == {"a": {"<<": {"x": 1}}}
