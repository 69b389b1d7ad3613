"""Documentation metadata on config dataclass fields: the one source of docs/configuration.md.

Every field of a dataclass that a `dbtier:` key parses into says what it is where it is declared:

    backup_retention_days: int = field(
        default=7, metadata=doc("Days RDS keeps automated backups.", lo=1, hi=35, aws=URL)
    )

`components.reference` reads it back to write the reference. What it does not hold it derives:
the camelCase key from the field name, the type and a Literal's values from the annotation, the
default from the dataclass itself. `components.fieldcheck` reads the same declarations to check
every raw value's shape and text before a part parses it. It lives in `contract` because the DynamoDB table shapes there
are parsed from `dbtier:dynamo.tables` too; it imports nothing.
"""

from __future__ import annotations

from dataclasses import Field, dataclass
from typing import Any

METADATA_KEY = "dbtier.doc"


@dataclass(frozen=True)
class FieldDoc:
    """What the reference says about one field, beyond what its declaration already says."""

    text: str
    """One line: what the field is, for a user writing a stack file."""
    allowed: tuple[Any, ...] = ()
    """The values accepted when they are a closed set the annotation does not list (not Literal)."""
    lo: float | None = None
    """The least value accepted (None: no lower bound)."""
    hi: float | None = None
    """The greatest value accepted (None: no upper bound)."""
    rule: str = ""
    """What else a value must satisfy, in words (a pattern, a multiple, a relation to a field)."""
    aws: tuple[str, ...] = ()
    """The AWS documentation pages behind the field's rules."""
    key: str | None = None
    """The config key when it is not the field name in camelCase; "" when the field is not read
    from a key of its own (it is derived from other keys)."""
    flat: bool = False
    """A nested dataclass whose fields are written flat in the parent object."""
    default: str = ""
    """How the default follows other fields, when it does (the dataclass holds the plain one)."""
    type: str = ""
    """The type as a user writes it, when the annotation does not tell it (the reference then
    does not describe the value's own fields)."""
    kind: str = ""
    """What a text value (or each text item of a list) is, beyond text without control or
    invisible characters: one of `components.fieldcheck.KINDS` ("email", "vpc-id", ...); ""
    for free text."""
    nonempty: bool = False
    """A list or map that must hold at least one entry when it is given."""
    switch: bool = False
    """An object that may also be given as true (on, with its defaults) or false (off)."""
    most: int | None = None
    """The most entries a list or map holds (None: `components.fieldcheck.MAX_ENTRIES`),
    counted before any entry is read."""
    quota: str = ""
    """Why `most` is what it is (the AWS quota it keeps), for the message that refuses more."""


def doc(
    text: str,
    *,
    allowed: tuple[Any, ...] = (),
    lo: float | None = None,
    hi: float | None = None,
    rule: str = "",
    aws: str | tuple[str, ...] = (),
    key: str | None = None,
    flat: bool = False,
    default: str = "",
    type: str = "",
    kind: str = "",
    nonempty: bool = False,
    switch: bool = False,
    most: int | None = None,
    quota: str = "",
) -> dict[str, FieldDoc]:
    """Field metadata for `dataclasses.field(metadata=...)`: see `FieldDoc` for each argument."""
    pages = (aws,) if isinstance(aws, str) else aws
    return {
        METADATA_KEY: FieldDoc(
            text,
            tuple(allowed),
            lo,
            hi,
            rule,
            pages,
            key,
            flat,
            default,
            type,
            kind,
            nonempty,
            switch,
            most,
            quota,
        )
    }


def field_doc(f: Field[Any]) -> FieldDoc | None:
    """The documentation of dataclass field `f` (None when it has none)."""
    found = f.metadata.get(METADATA_KEY)
    return found if isinstance(found, FieldDoc) else None


def camel(name: str) -> str:
    """A field name as the config spells its key: `backup_retention_days` -> `backupRetentionDays`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def config_key(f: Field[Any]) -> str:
    """The key field `f` is read from ("" when it is derived, not read)."""
    meta = field_doc(f)
    if meta is not None and meta.key is not None:
        return meta.key
    return camel(f.name)
