"""Chunking for batched writes and the percentile every latency report uses."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (0.0 when it is empty).

    The value at rank ceil(pct/100 * n): the smallest value that at least ``pct`` percent of the
    values do not exceed. The rank is computed in exact arithmetic, so 95 % of 20 values is rank
    19, never 20 by a rounding error.
    """
    if not sorted_values:
        return 0.0
    rank = math.ceil(Fraction(str(pct)) * len(sorted_values) / 100)
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]
