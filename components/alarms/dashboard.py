"""The dashboard body: one graph per component and metric, a line per watched resource."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.alarms.watch import Watch


def dashboard_body(
    region: str, watches: Sequence[Watch], dims: Sequence[Sequence[dict[str, str]]]
) -> str:
    """A dashboard with one graph per component and metric, a line per watched resource.

    `dims` holds, for each watch, the resolved dimensions of each of its series.
    """
    graphs: dict[tuple[str, str, str], dict[str, Any]] = {}
    for watch, resolved in zip(watches, dims, strict=True):
        graph = graphs.setdefault(
            (watch.component, watch.namespace, watch.metric),
            {"watch": watch, "lines": [], "seen": set()},
        )
        for series in resolved:
            line = [
                watch.namespace,
                watch.metric,
                *[v for kv in sorted(series.items()) for v in kv],
            ]
            if tuple(line) not in graph["seen"]:
                graph["seen"].add(tuple(line))
                graph["lines"].append([*line, {"stat": watch.statistic}])
    widgets: list[dict[str, Any]] = []
    y = 0
    for section in dict.fromkeys(w.component for w in watches):
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 1,
                "properties": {"markdown": f"## {section}"},
            }
        )
        y += 1
        x = 0
        for (component, _, metric), graph in graphs.items():
            if component != section:
                continue
            watch = graph["watch"]
            widgets.append(
                {
                    "type": "metric",
                    "x": x,
                    "y": y,
                    "width": 8,
                    "height": 6,
                    "properties": {
                        "title": f"{section}: {metric}",
                        "region": region,
                        "view": "timeSeries",
                        "period": watch.period,
                        "metrics": graph["lines"],
                        "annotations": {
                            "horizontal": [{"label": "alarm", "value": watch.threshold}]
                        },
                    },
                }
            )
            x = (x + 8) % 24
            if x == 0:
                y += 6
        if x:
            y += 6
    return json.dumps({"widgets": widgets}, sort_keys=True)
