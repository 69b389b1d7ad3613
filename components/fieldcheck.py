"""Every raw `dbtier:` value checked against its field's one declaration, before a part parses it.

The config dataclasses declare each field once: its annotation says the shape (an object, a list,
a map, true or false, a number, text) and its `contract.fielddoc.doc` metadata the rest (the
key, a text `kind`, whether a list or map needs entries). `check_object` walks a raw object
against its dataclass with those declarations, so every field of every part is refused the same
way when it has the wrong shape, and every text value, key or list item that can reach AWS is
refused when it holds a control, bidi or invisible character, whatever the part does next. The
parts then read their values (`components.settings.Fields`) and keep only what is theirs: ranges,
patterns that depend on other fields, relations between fields.

Values arrive as the Pulumi engine passes them: a scalar may be a string (`"true"`, `"5"`), so a
flag or a number written as a string is accepted as the CLI's `pulumi config set` writes it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from components.settings import INTEGER, NUMBER, ConfigError, describe
from contract.fielddoc import FieldDoc, config_key, field_doc
from contract.values import MAX_TEXT, REFUSED_CATEGORIES

# How a message names each category of `contract.values.REFUSED_CATEGORIES`.
_REFUSED_WORDS = {
    "Cc": "",
    "Cf": ": bidi, zero-width, BOM or other invisible formatting",
    "Zl": ": line separator",
    "Zp": ": paragraph separator",
    "Cs": ": lone surrogate",
}
MAX_ENTRIES = 1000
"""The most entries any list or map holds (AWS's quotas keep every one far smaller)."""

# SNS email subscriptions: the endpoint is "an email address"
# (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html); SMTP bounds an address at 254
# characters and its local part at 64 (RFC 5321 section 4.5.3.1), and SNS delivers over SMTP
# (https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html).
EMAIL_DOCS = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_DOMAIN = re.compile(
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}", re.ASCII
)
# EC2 resource ids: the prefix, a hyphen and 8 (older) or 17 hexadecimal digits
# (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html).
EC2_ID_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html"


def _ec2_id(prefix: str) -> Callable[[str], str | None]:
    pattern = re.compile(rf"{prefix}-([0-9a-f]{{8}}|[0-9a-f]{{17}})", re.ASCII)

    def problem(value: str) -> str | None:
        if pattern.fullmatch(value):
            return None
        return f"must be an id like {prefix}-0123abcd ({prefix}- and 8 or 17 hex digits)"

    return problem


def email_problem(value: str) -> str | None:
    """Why SNS would not deliver to `value` as an email address (None when it would)."""
    local, at, domain = value.rpartition("@")
    if (
        not at
        or len(value) > EMAIL_MAX
        or not 0 < len(local) <= EMAIL_LOCAL_MAX
        or not value.isascii()
        or not _EMAIL_LOCAL.fullmatch(local)
        or not _EMAIL_DOMAIN.fullmatch(domain)
    ):
        return (
            f"must be an email address like oncall@example.com (at most {EMAIL_MAX} characters,"
            f" {EMAIL_LOCAL_MAX} before the @; ASCII; a domain with a dot) ({EMAIL_DOCS})"
        )
    return None


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of text: what the reference says about it and why a value is refused."""

    words: str
    problem: Callable[[str], str | None]


KINDS: dict[str, Kind] = {
    "email": Kind("an email address SNS delivers to", email_problem),
    "vpc-id": Kind("a VPC id: vpc- and 8 or 17 hex digits", _ec2_id("vpc")),
    "subnet-id": Kind("subnet ids: subnet- and 8 or 17 hex digits", _ec2_id("subnet")),
    "sg-id": Kind("security group ids: sg- and 8 or 17 hex digits", _ec2_id("sg")),
    "vpce-id": Kind("a VPC endpoint id: vpce- and 8 or 17 hex digits", _ec2_id("vpce")),
}
TEXT_RULE = "text: no control, bidi or invisible formatting characters"


def text_problem(value: str, kind: str = "") -> str | None:
    """Why `value` is refused as text of `kind` ("" for free text), None when it is not. The
    reason names a refused character by code point, never the value (it may be a secret)."""
    if len(value) > MAX_TEXT:
        return f"is {len(value)} characters; at most {MAX_TEXT}"
    for i, char in enumerate(value):
        category = unicodedata.category(char)
        if category in REFUSED_CATEGORIES:
            what = _REFUSED_WORDS.get(category, "")
            return f"contains a control character (U+{ord(char):04X}{what}) at character {i + 1}"
    return KINDS[kind].problem(value) if kind else None


def spelling(key: str) -> str:
    """A key with case, `_` and `-` ignored: `backup_retention_days` is `backupRetentionDays`."""
    return re.sub(r"[_-]", "", key).lower()


@dataclasses.dataclass(frozen=True)
class Declared:
    """One field as a config object spells it: its key, annotation and documentation."""

    key: str
    hint: Any
    doc: FieldDoc


@functools.cache
def declared(cls: type) -> dict[str, Declared]:
    """The keys of config object `cls`, a flat nested dataclass's written in place."""
    hints = get_type_hints(cls, include_extras=True)
    found: dict[str, Declared] = {}
    for f in dataclasses.fields(cls):
        meta = field_doc(f)
        key = config_key(f)
        if meta is None or not key:
            continue
        if meta.flat:
            found.update(declared(hints[f.name]))
            continue
        found[key] = Declared(key, hints[f.name], meta)
    return found


def check_object(where: str, raw: Any, cls: type) -> None:
    """Refuse raw object `raw` at `where` unless every declared field in it has its field's shape
    and text rules; the message names the key. Unknown keys are left to the part's reader, which
    lists the known ones; a key spelled two ways is refused here, naming both."""
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be an object (got {describe(raw)})")
    fields = declared(cls)
    seen: dict[str, str] = {}
    for name in raw:
        if not isinstance(name, str):
            raise ConfigError(f"{where} has a key that is not text (got {describe(name)})")
        _check_text(f"{where} key #{len(seen) + 1}", name, "")
        canonical = spelling(name)
        if canonical in seen:
            raise ConfigError(
                f"{where}.{seen[canonical]} and {where}.{name} are one setting spelled two ways;"
                " keep one"
            )
        seen[canonical] = name
    for canonical, name in seen.items():
        wanted = next((k for k in fields if spelling(k) == canonical), None)
        if name not in fields and wanted is not None:
            raise ConfigError(f"{where}.{name} is not a known setting; it is spelled {wanted}")
    for key, field in fields.items():
        if key in raw:
            check_value(f"{where}.{key}", raw[key], field.hint, field.doc)


def check_value(where: str, value: Any, hint: Any, meta: FieldDoc) -> None:
    """Refuse `value` at `where` unless it has the shape of annotation `hint` and, where it is
    text, `meta`'s text rules."""
    if value is None:
        return  # left out: the part's default
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
        origin = get_origin(hint)
    if meta.type:
        # A shape the annotation does not hold (parameters: a map of values or objects): its
        # part reads it; here every text in it is checked.
        if meta.type.startswith("map") and not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be an object of name: value (got {describe(value)})")
        _check_all_text(where, value)
        return
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if meta.switch and (isinstance(value, bool) or str(value).lower() in ("true", "false")):
            return  # on with the defaults, or off
        if meta.switch and not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be true, false or an object (got {describe(value)})")
        check_object(where, value, hint)
    elif origin is tuple:
        _check_collection(where, value, list, meta)
        item = get_args(hint)[0]
        for i, entry in enumerate(value):
            if entry is None:
                raise ConfigError(f"{where}[{i}] is empty (null); give a value or remove it")
            check_value(f"{where}[{i}]", entry, item, meta)
    elif origin in (Mapping, dict):
        _check_collection(where, value, Mapping, meta)
        item = get_args(hint)[1]
        for i, (name, entry) in enumerate(value.items()):
            if not isinstance(name, str) or not name:
                raise ConfigError(
                    f"{where} key #{i + 1} must be non-empty text (got {describe(name)})"
                )
            _check_text(f"{where} key #{i + 1}", name, "")
            if entry is None:
                raise ConfigError(f"{where} key #{i + 1} has no value (null)")
            check_value(f"{where}.{name}", entry, item, FieldDoc(meta.text))
    else:
        _check_scalar(where, value, hint, meta)


def _check_collection(where: str, value: Any, shape: type, meta: FieldDoc) -> None:
    """A list or an object as the field wants it: its shape, an entry when entries are required,
    and at most the field's `most` (else MAX_ENTRIES), counted before any entry is read
    (100,000 entries cost nothing)."""
    words = "a list" if shape is list else "an object of name: value"
    if not isinstance(value, shape):
        raise ConfigError(f"{where} must be {words} (got {describe(value)})")
    if meta.nonempty and not value:
        empty = "list" if shape is list else "object"
        raise ConfigError(f"{where} must be a non-empty {empty} (or be left out)")
    count = len(value) if isinstance(value, list | Mapping) else 0
    if meta.most is not None and count > meta.most:
        why = f" ({meta.quota})" if meta.quota else ""
        raise ConfigError(f"{where} has {count} items; at most {meta.most} are allowed{why}")
    if count > MAX_ENTRIES:
        raise ConfigError(f"{where} has {count:,} entries; at most {MAX_ENTRIES:,} are read")


def _scalar_type(hint: Any) -> Any:
    if get_origin(hint) is Literal:
        return type(get_args(hint)[0])
    return hint


def _check_scalar(where: str, value: Any, hint: Any, meta: FieldDoc) -> None:
    wanted = _scalar_type(hint)
    if isinstance(value, Mapping | list):
        shape = "an object" if isinstance(value, Mapping) else "a list"
        raise ConfigError(f"{where} must be {_WORDS[wanted]}, not {shape}")
    if wanted is bool:
        ok = isinstance(value, bool) or (
            isinstance(value, str) and value.lower() in ("true", "false")
        )
    elif wanted is int:
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and INTEGER.fullmatch(value) is not None
        )
    elif wanted is float:
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and NUMBER.fullmatch(value) is not None
        )
    else:
        ok = isinstance(value, str) and bool(value)
    if not ok:
        quote = (
            " (quote it in YAML)" if wanted is str and isinstance(value, bool | int | float) else ""
        )
        raise ConfigError(f"{where} must be {_WORDS[wanted]} (got {describe(value)}){quote}")
    if isinstance(value, str):
        _check_text(where, value, meta.kind if wanted is str else "")


_WORDS = {
    bool: "true or false",
    int: "an integer in ASCII digits",
    float: "a number in ASCII digits",
    str: "a non-empty string",
}


def _check_text(where: str, value: str, kind: str) -> None:
    if problem := text_problem(value, kind):
        raise ConfigError(f"{where} {problem}")


def _check_all_text(where: str, value: Any) -> None:
    """Every key and text value anywhere in `value` (a part reads its shape)."""
    for path, text in _texts(where, value):
        _check_text(path, text, "")


def _texts(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for i, (name, entry) in enumerate(value.items()):
            if isinstance(name, str):
                yield f"{where} key #{i + 1}", name
                yield from _texts(f"{where}.{name}", entry)
    elif isinstance(value, list):
        for i, entry in enumerate(value):
            yield from _texts(f"{where}[{i}]", entry)
