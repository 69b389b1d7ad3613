"""pulumi-random's resources: passwords that obey their inputs, ids of the asked length."""

from __future__ import annotations

import random
import string
from typing import Any

from preflight.mocks.account import Account, Builder, hexdigits


def random_password(name: str, inputs: dict[str, Any]) -> str:
    """A RandomPassword's result: its length, a character of every class it asks for, seeded by
    the resource name."""
    length = int(inputs.get("length", 16))
    rng = random.Random(name)
    pools = []
    if inputs.get("upper", True):
        pools.append(string.ascii_uppercase)
    if inputs.get("lower", True):
        pools.append(string.ascii_lowercase)
    if inputs.get("numeric", True):
        pools.append(string.digits)
    if inputs.get("special", True):
        pools.append(inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?")
    chars = [rng.choice(pool) for pool in pools]
    alphabet = "".join(pools)
    chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def _random_password(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    result = random_password(name, i)
    return "none", {"result": result, "bcryptHash": "$2a$10$" + hexdigits(result, 53)}


def _random_id(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    raw = bytes.fromhex(hexdigits(name, int(i.get("byteLength", 8)) * 2))
    return raw.hex(), {
        "hex": raw.hex(),
        "b64Url": raw.hex(),
        "b64Std": raw.hex(),
        "dec": str(int(raw.hex(), 16)),
    }


BUILDERS: dict[str, Builder] = {
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomId:RandomId": _random_id,
}
