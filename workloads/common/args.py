"""Argument types for the workloads' command lines: numbers checked against their bounds."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def bounded(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: an integer between ``lo`` and ``hi`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi} (got {value})")
        return value

    return parse
