"""How user input is shown in a one-line message.

Anything a user (or an attacker) wrote that an error message repeats goes through `echo`: a key
name, a host, a file name, a value that failed validation. The result is safe to print on a
terminal and in CI logs: one line, no raw control characters or escape sequences, no lone
surrogates that would make writing it fail, and bounded in length. Standard library only, so the
workloads, the preflight and config validation can all import it without importing each other.

Never echo a secret: this shows text safely, it does not hide it.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"

# Named escapes for the usual suspects; everything else unsafe becomes \xNN, \uNNNN or \UNNNNNNNN.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Unicode categories never shown raw: controls (C0, DEL, C1), format characters (bidi overrides,
# zero-width joiners, BOM), line and paragraph separators, surrogates, private use, unassigned.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value[:1024]).decode("utf-8", errors="backslashreplace")
    try:
        return str(value) if isinstance(value, int | float) else repr(value)
    except (ValueError, RecursionError, MemoryError):  # a 5,000-digit int, a 100,000-deep list
        return f"<{type(value).__name__}>"


def echo(value: object, limit: int = 80) -> str:
    """``value`` as one printable line of at most ``limit`` characters.

    Control characters, escape sequences, bidi overrides and newlines are shown escaped
    (``\\x1b``, ``\\n``, ``\\u202e``), so they neither act on the terminal nor split the line;
    text longer than ``limit`` is cut and ends with "…". Strings are shown as they are (the
    caller adds quotes); other values by their ``repr`` (numbers by ``str``).
    """
    limit = max(limit, 2)
    text = _text(value)
    # Only the first `limit` characters can be shown, so a 100 MB value costs nothing extra.
    shown = [_escape(char) for char in text[: limit + 1]]
    if len(text) <= limit and sum(map(len, shown)) <= limit:
        return "".join(shown)
    out: list[str] = []
    used = 0
    for piece in shown:  # room for the mark, and never half an escape
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS
