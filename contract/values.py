"""What a contract string or number is beyond its JSON type, and the check of each kind.

A section field is annotated with its kind (`Host`, `Port`, `Region`, `Url`, `Arn`, ...); the
reader (`contract.reading`) checks a value of that kind here. A kind and its check live side by
side, so a new kind is one `Annotated` name and one function in this module.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from contract.echo import echo

# What a string or number is, beyond its JSON type: `read_section` checks each (see `_CHECKS`).
Host = Annotated[str, "host"]  # a DNS name or an IP address
Port = Annotated[int, "port"]  # 1-65535
Secret = Annotated[str, "secret"]  # never echoed in a message
Region = Annotated[str, "region"]  # an AWS region name
Url = Annotated[str, "url"]  # an http(s) URL
DynamoTableName = Annotated[str, "dynamo-table"]
Arn = Annotated[str, "arn"]  # an Amazon Resource Name
IamPolicy = Annotated[str, "iam-policy"]  # an IAM policy document as a JSON string

MAX_TEXT = 4096  # the longest string any output holds (an ARN is at most 2048)
PORTS = range(1, 65536)
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?", re.ASCII)
_REGION = re.compile(r"[a-z]{2,}(?:-[a-z]+)+-[0-9]{1,2}", re.ASCII)
_DYNAMO_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}", re.ASCII)
_ARN = re.compile(r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:\S+", re.ASCII)


class Refused(ValueError):
    """A value of the right JSON type that the contract still refuses; the message says why."""


def describe_value(value: Any) -> str:
    """How an error message names a JSON value's kind: "a string", "a number", "null" ..."""
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "an object"


def _shown(value: Any) -> str:
    """A refused value as a message shows it: quoted if a string, escaped and cut."""
    return f'"{echo(value, 60)}"' if isinstance(value, str) else echo(value, 60)


# Unicode categories no text may hold, in outputs and in config (components.fieldcheck): controls
# (C0, DEL, C1), format characters (bidi controls, zero-width characters, BOM, soft hyphen), line
# and paragraph separators, lone surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text)


def is_host(text: str) -> bool:
    """A DNS host name (ASCII labels of at most 63 characters, 253 in all) or an IP address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return True
    if not 0 < len(text) <= 253:
        return False
    labels = text.removesuffix(".").split(".")
    return all(_HOST_NAME.fullmatch(label) for label in labels)


def _check_host(value: str) -> None:
    if not is_host(value):
        raise Refused(f"expected a host name or IP address, got {_shown(value)}")


def _check_region(value: str) -> None:
    if not _REGION.fullmatch(value):
        raise Refused(f"expected an AWS region such as us-east-1, got {_shown(value)}")


def _check_url(value: str) -> None:
    parts = urlsplit(value) if value.isascii() and not _has_control(value) else None
    try:
        port = parts.port if parts is not None else None
    except ValueError:  # a port that is not a number or is out of range
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or not is_host(parts.hostname)
        or (port is not None and port not in PORTS)
        or any(char.isspace() for char in value)
    ):
        raise Refused(f"expected an http(s) URL, got {_shown(value)}")


def _check_dynamo_table(value: str) -> None:
    if not _DYNAMO_TABLE.fullmatch(value):
        raise Refused(
            f"expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {_shown(value)}"
        )


def _check_arn(value: str) -> None:
    if not _ARN.fullmatch(value):
        raise Refused(
            f"expected an ARN (arn:partition:service:region:account:resource), got {_shown(value)}"
        )


def _check_iam_policy(value: str) -> None:
    try:
        policy = json.loads(value)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
        raise Refused("expected an IAM policy document (JSON with a Statement list)")


# Checks by field kind, after the JSON type was checked; plain text is checked by `check_text`.
_CHECKS: dict[str, Callable[[str], None]] = {
    "host": _check_host,
    "region": _check_region,
    "url": _check_url,
    "dynamo-table": _check_dynamo_table,
    "arn": _check_arn,
    "iam-policy": _check_iam_policy,
}


def check_text(value: str, kind: str) -> None:
    """`value`, a string of field kind `kind`: bounded, no control characters, and its kind's
    check passed; Refused otherwise (a secret is never shown)."""
    if len(value) > MAX_TEXT:
        raise Refused(f"a string of {len(value)} characters, at most {MAX_TEXT} allowed")
    if _has_control(value):
        shown = "" if kind == "secret" else f": {_shown(value)}"
        raise Refused(f"contains a control or invisible formatting character{shown}")
    check = _CHECKS.get(kind)
    if check is not None:
        check(value)


def read_port(value: Any) -> int:
    """A port number from JSON; Refused otherwise."""
    # JSON has one number type: accept "5432" and 5432, never true, 5432.0, "٥٤٣٢" or "5_432".
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused(f"expected a port number 1-65535, got {describe_value(value)}")
    if value not in PORTS:
        raise Refused(f"expected a port number 1-65535, got {echo(value, 20)}")
    return value
