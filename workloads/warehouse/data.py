"""The warehouse's sample data: the seed's products, then generated products, customers and
sales, deterministic for a seed, as CSV for COPY.

Sales come as CSV text in chunks, fast enough to outrun the server's COPY; above a few chunks they
are generated in a separate process that writes into a pipe (``generate_into_pipe``).
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workloads.common.interrupts import quiet_child

SEED_PRODUCTS = [
    (1, 'Laptop Pro 15"', "Electronics", Decimal("800.00"), Decimal("1200.00")),
    (2, "Wireless Mouse", "Electronics", Decimal("15.00"), Decimal("25.00")),
    (3, "Office Chair", "Furniture", Decimal("120.00"), Decimal("200.00")),
    (4, "Standing Desk", "Furniture", Decimal("300.00"), Decimal("500.00")),
    (5, 'Monitor 27"', "Electronics", Decimal("200.00"), Decimal("350.00")),
]
CITIES = [
    ("New York", "NY"),
    ("Los Angeles", "CA"),
    ("Chicago", "IL"),
    ("Houston", "TX"),
    ("Phoenix", "AZ"),
]
REGIONS = ["North", "South", "East", "West"]
SALES_REPS = ["Alice Johnson", "Bob Smith", "Carol Davis", "David Wilson"]
CATEGORIES = ["Electronics", "Furniture", "Office", "Accessories"]

COLUMNS = {
    "products": ["product_id", "product_name", "category", "cost_price", "list_price"],
    "customers": [
        "customer_id",
        "customer_name",
        "email",
        "phone",
        "address",
        "city",
        "state",
        "country",
        "registration_date",
    ],
    "sales": [
        "sale_id",
        "customer_id",
        "sale_date",
        "product_id",
        "quantity",
        "unit_price",
        "total_amount",
        "region",
        "sales_rep",
    ],
}

CHUNK_ROWS = 20_000


def product_rows(count: int, seed: int) -> list[tuple[Any, ...]]:
    """The seed's five products first, then generated ones."""
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = list(SEED_PRODUCTS[:count])
    for pid in range(len(rows) + 1, count + 1):
        cost = Decimal(rng.randint(500, 100_000)) / 100
        rows.append((pid, f"Product {pid}", rng.choice(CATEGORIES), cost, cost * Decimal("1.6")))
    return rows


def customer_rows(count: int, seed: int, today: date) -> list[tuple[Any, ...]]:
    rng = random.Random(seed + 1)
    rows = []
    for i in range(1, count + 1):
        city, state = rng.choice(CITIES)
        rows.append(
            (
                i,
                f"Customer {i}",
                f"customer{i}@example.com",
                f"555-{rng.randint(1000, 9999)}",
                f"{rng.randint(100, 999)} Main St",
                city,
                state,
                "USA",
                today - timedelta(days=rng.randint(30, 365)),
            )
        )
    return rows


def sales_csv_chunks(
    count: int, products: int, customers: int, seed: int, today: date
) -> Iterator[str]:
    """CSV text of the sales rows, CHUNK_ROWS rows at a time.

    Fast enough to outrun the server's COPY: each row is three C-level random choices
    (customer, date, and a precomputed product/quantity/region/rep body) and one f-string.
    """
    rng = random.Random(seed + 2)
    prices = {p[0]: p[4] for p in product_rows(products, seed)}
    bodies = [
        f"{pid},{qty},{price:.2f},{price * qty:.2f},{region},{rep}"
        for pid, price in prices.items()
        for qty in range(1, 11)
        for region in REGIONS
        for rep in SALES_REPS
    ]
    customer_ids = [str(i) for i in range(1, customers + 1)]
    dates = [(today - timedelta(days=d)).isoformat() for d in range(1, 366)]
    for start in range(1, count + 1, CHUNK_ROWS):
        n = min(CHUNK_ROWS, count + 1 - start)
        rows = zip(
            range(start, start + n),
            rng.choices(customer_ids, k=n),
            rng.choices(dates, k=n),
            rng.choices(bodies, k=n),
            strict=True,
        )
        yield "".join([f"{i},{c},{d},{b}\n" for i, c, d, b in rows])


def rows_csv(rows: list[tuple[Any, ...]]) -> str:
    """CSV for the small tables (values never contain quotes or commas except product names)."""
    out = io.StringIO()
    for row in rows:
        out.write(",".join(_csv_value(v) for v in row) + "\n")
    return out.getvalue()


def _csv_value(value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def generate_into_pipe(read_fd: int, write_fd: int, args: tuple[int, int, int, int, str]) -> None:
    """A generator process's body: the sales CSV written into the pipe's write end.

    It ignores Ctrl-C and dies with its parent (``quiet_child``); when the parent stops reading
    (its COPY failed or was interrupted), it ends at once and silently.
    """
    quiet_child()
    os.close(read_fd)
    count, products, customers, seed, today = args
    try:
        with os.fdopen(write_fd, "wb", buffering=1 << 20) as out:
            for chunk in sales_csv_chunks(
                count, products, customers, seed, date.fromisoformat(today)
            ):
                out.write(chunk.encode())
    except BrokenPipeError:
        os._exit(0)  # nobody reads any more; the parent reports why (no traceback here)
