"""What the alarms watch on the Warehouse: CPU and disk (provisioned) or queued queries (serverless)."""

from __future__ import annotations

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, Watch
from components.warehouse.config import WarehouseConfig


def warehouse_watches(
    cfg: WarehouseConfig, alarms: AlarmsConfig, cluster_id: pulumi.Output[str]
) -> list[Watch]:
    """Provisioned: CPU and disk use. Serverless: queries waiting in the queue."""
    if cfg.mode == "serverless":
        return [
            Watch(
                "warehouse",
                "queued-queries",
                f"Redshift Serverless: more than {alarms.queued_queries:g} queries queued;"
                " raise dbtier:warehouse.baseCapacity",
                "AWS/Redshift-Serverless",
                "QueriesQueued",
                {"Workgroup": cluster_id},
                "Average",
                ABOVE,
                alarms.queued_queries,
            )
        ]
    dims = {"ClusterIdentifier": cluster_id}
    return [
        Watch(
            "warehouse",
            "cpu",
            f"Redshift: CPU above {alarms.cpu_percent:g}% for 15 minutes",
            "AWS/Redshift",
            "CPUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "warehouse",
            "disk",
            f"Redshift: more than {alarms.disk_percent:g}% of disk used",
            "AWS/Redshift",
            "PercentageDiskSpaceUsed",
            dims,
            "Maximum",
            ABOVE,
            alarms.disk_percent,
        ),
    ]
