"""`dbtier:alarms`: whether to alarm, whom to email, and every threshold the watches use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.fieldcheck import check_object
from components.settings import ConfigError, Fields
from contract.fielddoc import doc


@dataclass(frozen=True)
class AlarmsConfig:
    enabled: bool = field(
        default=False,
        metadata=doc("Create CloudWatch alarms for every enabled part and one dashboard."),
    )
    email: str | None = field(
        default=None,
        metadata=doc(
            "Who the alarm topic emails (confirm the subscription AWS sends).",
            rule="required when enabled, refused when not",
            kind="email",
            aws="https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
        ),
    )
    cpu_percent: float = field(
        default=80.0,
        metadata=doc(
            "CPU utilization above this percent (RDS, Aurora, Redis, Redshift, DMS).", lo=1, hi=100
        ),
    )
    free_storage_gib: float = field(
        default=5.0,
        metadata=doc(
            "Free storage below this many GiB (RDS instances, the DMS instance).", lo=1, hi=65536
        ),
    )
    replica_lag_seconds: float = field(
        default=60.0,
        metadata=doc(
            "Replica lag above this many seconds (RDS replicas, Aurora readers, Redis replicas).",
            lo=1,
            hi=86400,
        ),
    )
    acu_percent: float = field(
        default=90.0,
        metadata=doc("Aurora capacity used above this percent of maxCapacity.", lo=1, hi=100),
    )
    iterator_age_seconds: float = field(
        default=60.0,
        metadata=doc(
            "A stream processor this many seconds behind its DynamoDB stream.", lo=1, hi=604800
        ),
    )
    memory_percent: float = field(
        default=80.0,
        metadata=doc("Redis memory used above this percent.", lo=1, hi=100),
    )
    evictions: float = field(
        default=100.0,
        metadata=doc("Redis keys evicted in 5 minutes above this.", lo=0, hi=1e9),
    )
    disk_percent: float = field(
        default=80.0,
        metadata=doc("Redshift disk used above this percent.", lo=1, hi=100),
    )
    cdc_latency_seconds: float = field(
        default=300.0,
        metadata=doc("DMS change data capture later than this many seconds.", lo=1, hi=86400),
    )
    throttles: float = field(
        default=1.0,
        metadata=doc(
            "DynamoDB read or write throttle events per table and index at or above this.",
            lo=1,
            hi=1e9,
        ),
    )
    queued_queries: float = field(
        default=5.0,
        metadata=doc("Redshift Serverless queries queued above this.", lo=1, hi=1e6),
    )
    connections_percent: float = field(
        default=80.0,
        metadata=doc(
            "Connections above this percent of the class's default max_connections (Redis: of maxclients 65000).",
            lo=1,
            hi=100,
        ),
    )
    free_memory_percent: float = field(
        default=10.0,
        metadata=doc(
            "Freeable memory below this percent of the class's memory (Aurora: of maxCapacity x 2 GiB).",
            lo=1,
            hi=99,
        ),
    )
    latency_ms: float = field(
        default=20.0,
        metadata=doc(
            "Average read or write I/O latency above this many milliseconds (RDS, Aurora).",
            lo=0.1,
            hi=60000,
        ),
    )
    cpu_credit_balance: float = field(
        default=20.0,
        metadata=doc(
            "CPU credits left below this on burstable db.t* and cache.t* classes.", lo=1, hi=10000
        ),
    )


def parse_alarms(raw: Any) -> AlarmsConfig:
    d = AlarmsConfig()
    check_object("dbtier:alarms", raw, AlarmsConfig)
    f = Fields("dbtier:alarms", raw)
    cfg = AlarmsConfig(
        enabled=f.flag("enabled", d.enabled),
        email=f.text("email", None),
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
