"""The table of bench/reload.py: every way to reload Gunicorn under load."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, rounds_phrase, target


def render(result: dict[str, Any]) -> Rendered:
    modes: dict[str, list[dict[str, Any]]] = result["data"]["modes"]
    n = result["options"]["rounds"]
    median_of, max_over = rounds_phrase(n, "median of"), rounds_phrase(n, "max over")

    def ms(value: float) -> str:
        return f"{value * 1000:,.0f} ms"

    def seconds(values: list[float | None], how: Any = statistics.median) -> str:
        known = [v for v in values if v is not None]
        return f"{how(known):.2f} s" if known else "-"

    rows = []
    for mode, runs in modes.items():
        within = sum(1 for r in runs if r["max"] <= 2 * r["steady_p99"] + 0.1)
        rows.append(
            [
                mode,
                f"{sum(r['failed'] for r in runs):,} / {sum(r['total'] for r in runs):,}",
                ms(statistics.median(r["p50"] for r in runs)),
                ms(statistics.median(r["p99"] for r in runs)),
                ms(max(r["max"] for r in runs)),
                ms(statistics.median(r["steady_p99"] for r in runs)),
                f"{within} of {len(runs)}",
                seconds([r["turnover"] for r in runs]),
                seconds([r["return_after_last_old"] for r in runs], max),
            ]
        )
    table = Table(
        [
            "mode",
            f"failed / requests ({rounds_phrase(n, 'sum of')})",
            f"p50 ({median_of})",
            f"p99 ({median_of})",
            f"max ({max_over})",
            f"steady p99 before ({median_of})",
            "rounds with max <= 2 x steady p99 + 100 ms",
            f"turnover ({median_of})",
            f"return after last old worker ({max_over})",
        ],
        rows,
        "lrrrrrrrr",
    )
    graceful = {mode: runs for mode, runs in modes.items() if mode.startswith("graceful")}
    failures = sum(r["failed"] for runs in graceful.values() for r in runs)
    late = [
        mode
        for mode in ("graceful_reload usr2", "graceful_reload rolling", "graceful_reload auto")
        for r in graceful.get(mode, [])
        if r["max"] > 2 * r["steady_p99"] + 0.1
    ]
    returns = [
        r["return_after_last_old"]
        for mode in ("graceful_reload usr2", "graceful_reload rolling", "graceful_reload auto")
        for r in graceful.get(mode, [])
        if r["return_after_last_old"] is not None
    ]
    slowest = max(returns, default=0.0)
    return Rendered(
        [
            table,
            Text("Against the targets, for `graceful_reload` with usr2, rolling and auto:"),
            Text(
                f"- failed requests (every strategy, {rounds_phrase(n, 'sum of')}): {failures} "
                f"(target 0): {'met' if failures == 0 else 'NOT met'}."
            ),
            Text(
                f"- rounds whose max latency exceeded 2 x steady p99 + 100 ms: {len(late)} "
                f"(target 0): {'met' if not late else 'NOT met'}."
            ),
            target(
                f"return after the last old worker ({max_over})", slowest, 0.5, ".2f", " s", False
            ),
        ]
    )
