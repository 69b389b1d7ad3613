"""`dbtier:alarms`: whether to alarm, whom to email, and every threshold the watches use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.settings import ConfigError, Fields


@dataclass(frozen=True)
class AlarmsConfig:
    enabled: bool = False
    email: str | None = None
    """Who the alarm topic notifies (an email subscription); required when `enabled`."""
    cpu_percent: float = 80.0
    free_storage_gib: float = 5.0
    replica_lag_seconds: float = 60.0
    acu_percent: float = 90.0
    iterator_age_seconds: float = 60.0
    memory_percent: float = 80.0
    evictions: float = 100.0
    disk_percent: float = 80.0
    cdc_latency_seconds: float = 300.0
    throttles: float = 1.0
    queued_queries: float = 5.0
    connections_percent: float = 80.0
    """Connections above this share of the engine's default max_connections for the class."""
    free_memory_percent: float = 10.0
    """Freeable memory below this share of the class's memory."""
    latency_ms: float = 20.0
    """Average read or write I/O latency above this many milliseconds."""
    cpu_credit_balance: float = 20.0
    """CPU credits left on a burstable (db.t*, cache.t*) class below this."""


def parse_alarms(raw: Any) -> AlarmsConfig:
    d = AlarmsConfig()
    f = Fields("dbtier:alarms", raw)
    cfg = AlarmsConfig(
        enabled=f.flag("enabled", d.enabled),
        email=f.text("email", None, r"[^@\s]+@[^@\s]+\.[^@\s]+", "an email address"),
        cpu_percent=f.number("cpuPercent", d.cpu_percent, 1, 100),
        free_storage_gib=f.number("freeStorageGib", d.free_storage_gib, 1, 65536),
        replica_lag_seconds=f.number("replicaLagSeconds", d.replica_lag_seconds, 1, 86400),
        acu_percent=f.number("acuPercent", d.acu_percent, 1, 100),
        iterator_age_seconds=f.number("iteratorAgeSeconds", d.iterator_age_seconds, 1, 604800),
        memory_percent=f.number("memoryPercent", d.memory_percent, 1, 100),
        evictions=f.number("evictions", d.evictions, 0, 1e9),
        disk_percent=f.number("diskPercent", d.disk_percent, 1, 100),
        cdc_latency_seconds=f.number("cdcLatencySeconds", d.cdc_latency_seconds, 1, 86400),
        throttles=f.number("throttles", d.throttles, 1, 1e9),
        queued_queries=f.number("queuedQueries", d.queued_queries, 1, 1e6),
        connections_percent=f.number("connectionsPercent", d.connections_percent, 1, 100),
        free_memory_percent=f.number("freeMemoryPercent", d.free_memory_percent, 1, 99),
        latency_ms=f.number("latencyMs", d.latency_ms, 0.1, 60000),
        cpu_credit_balance=f.number("cpuCreditBalance", d.cpu_credit_balance, 1, 10000),
    )
    f.done()
    if cfg.enabled and cfg.email is None:
        raise ConfigError(
            "dbtier:alarms.email is required when dbtier:alarms.enabled is true"
            " (alarms would notify nobody)"
        )
    return cfg
