"""What an RDS or ElastiCache instance class implies: its memory, the engine's default
max_connections on it (what the alarms measure connections against), and whether it runs on CPU
credits.

Not in cfn-lint; our own, from AWS's pages:

- memory per class: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html;
- default max_connections: RDS MySQL
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections,
  Aurora MySQL https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections,
  Aurora PostgreSQL https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html.
"""

from __future__ import annotations

import math
import re

# GiB of memory per family letter at the `large` size; each size up doubles it, `xlarge` is 2x.
_LARGE_GIB = {"t": 8, "m": 8, "r": 16, "x": 32, "z": 16, "c": 4}
_SMALL_SIZES = {"nano": 0.5, "micro": 1, "small": 2, "medium": 4}
MAX_CONNECTIONS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections"


def class_memory_gib(instance_class: str) -> float | None:
    """Memory of a db./cache. class from its family letter and size; None for shapes not known
    (then the memory-relative alarms are left out rather than guessed)."""
    m = re.fullmatch(
        r"(?:db|cache)\.([a-z])[0-9][a-z-]*\.([0-9]*)(nano|micro|small|medium|large|xlarge)",
        instance_class,
    )
    if not m or m.group(1) not in _LARGE_GIB:
        return None
    family, count, size = m.group(1), m.group(2), m.group(3)
    if size in _SMALL_SIZES:
        return float(_SMALL_SIZES[size]) if family == "t" else None
    large = _LARGE_GIB[family]
    if size == "large":
        return float(large)
    return float(large * 2 * (int(count) if count else 1))


def default_max_connections(engine: str, memory_gib: float) -> int | None:
    """The engine's default max_connections for an instance of ``memory_gib`` (the parameter
    group formulas over DBInstanceClassMemory; total memory stands in for it, which slightly
    overstates the limit: the alarms use a percentage of it); None where the default sets no
    limit to measure against.

    RDS MySQL and MariaDB {DBInstanceClassMemory/12582880}: MAX_CONNECTIONS_DOCS. Aurora MySQL
    GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000}),
    log base 2: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections
    RDS and Aurora PostgreSQL LEAST({DBInstanceClassMemory/9531392},5000): MAX_CONNECTIONS_DOCS
    and https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html
    RDS for Oracle's `processes` LEAST({DBInstanceClassMemory/9868951},20000): MAX_CONNECTIONS_DOCS.
    RDS for SQL Server's user connections default to 0, unlimited (32,767): None.
    """
    memory = memory_gib * 1024**3
    if engine == "aurora-mysql":
        return max(
            int(math.log2(memory / 805306368) * 45), int(math.log2(memory / 8187281408) * 1000)
        )
    if engine in ("aurora-postgresql", "postgres"):
        return int(min(memory / 9531392, 5000))
    if engine.startswith("oracle-"):
        return int(min(memory / 9868951, 20000))
    if engine.startswith("sqlserver-"):
        return None
    return int(memory / 12582880)


def is_burstable(instance_class: str) -> bool:
    """db.t* and cache.t*: classes that run on CPU credits (and publish CPUCreditBalance)."""
    return bool(re.fullmatch(r"(db|cache)\.t[0-9].*", instance_class))
