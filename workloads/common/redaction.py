"""Secrets are registered once and scrubbed from everything printed or logged; the workloads'
logger, whose records go through the redacting formatter."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

SECRET_KEYS = frozenset({"password", "authtoken", "auth_token", "secret", "token"})
REDACTED = "***"

log = logging.getLogger("workloads")  # every workload logs under it; -v turns it to INFO
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret so that ``redact`` scrubs it (and its URL-encoded form) everywhere."""
    if isinstance(value, str) and len(value) >= 4:
        _secrets.add(value)
        _secrets.add(quote(value, safe=""))


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace every registered secret, plus any in ``secrets``, by ``***`` in ``text``."""
    candidates = set(_secrets)
    if secrets is not None:
        candidates.update(s for s in secrets if s)
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted(candidates, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def collect_secrets(value: Any) -> list[str]:
    """Every string under a secret-looking key (``password``, ``authToken`` ...), at any depth."""
    found: list[str] = []
    _collect(value, found)
    return found


def _collect(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and str(key).lower() in SECRET_KEYS:
                out.append(item)
            else:
                _collect(item, out)
    elif isinstance(value, list):
        for item in value:
            _collect(item, out)


class RedactingFormatter(logging.Formatter):
    """A log formatter that scrubs registered secrets from every record it formats."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
