"""The table of bench/worker_footprint.py: what the app costs a web worker, tree beside tree."""

from __future__ import annotations

from typing import Any

from bench.tables import Rendered, Table, Text


def render(result: dict[str, Any]) -> Rendered:
    trees = result["data"]
    first = trees[0]
    rows = []
    for tree in trees:
        ratio = tree["import_seconds_median"] / first["import_seconds_median"]
        rows.append(
            [
                tree["label"],
                f"{tree['import_seconds_median'] * 1000:,.0f} ms",
                f"{ratio:.2f}x",
                f"{tree['worker_rss_mib']:.1f} MiB",
                f"{tree['worker_uss_mib']:.1f} MiB",
            ]
        )
    runs = result["options"]["runs"]
    return Rendered(
        [
            Table(
                [
                    "tree",
                    f"import of config.wsgi (median of {runs})",
                    f"vs {first['label']}",
                    "worker RSS (1 round)",
                    "worker USS (1 round)",
                ],
                rows,
                "lrrrr",
            ),
            Text(
                "The example project under a real Gunicorn (1 sync worker, heartbeats on), "
                "after one `/healthz` and one page; each tree's package first on `PYTHONPATH`. "
                "The import is a fresh Python importing the example's WSGI module."
            ),
        ]
    )
