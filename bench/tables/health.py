"""The tables of bench/health.py: what a health answer costs."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, rounds_phrase, spread, target

PROBE_ROWS = [
    ("bare", None),
    ("livez_wrapper", None),
    ("healthz_wrapper_cached", "dhc_cached"),
    ("healthz_wrapper_uncached", "dhc_uncached"),
    ("livez_middleware", None),
    ("healthz_middleware_cached", "dhc_cached"),
    ("healthz_middleware_uncached", "dhc_uncached"),
    ("dhc_cached", "dhc_cached"),
    ("dhc_uncached", "dhc_uncached"),
]
PAGE_ROWS = ["page_with_middleware", "page_without_middleware"]
HEALTH_TARGETS = [
    ("`/livez` via the wrapper vs the bare app", "livez_wrapper", "bare", 0.8),
    ("cached `/healthz` via the wrapper vs the bare app", "healthz_wrapper_cached", "bare", 0.6),
    ("cached `/healthz` via the wrapper vs django-health-check cached",
     "healthz_wrapper_cached", "dhc_cached", 5.0),
    ("uncached `/healthz` via the wrapper vs django-health-check uncached",
     "healthz_wrapper_uncached", "dhc_uncached", 5.0),
]  # fmt: skip


def render(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    rounds: list[dict[str, dict[str, float]]] = data["rounds"]
    labels = {case["id"]: case["label"] for case in data["cases"]}
    n = len(rounds)
    median_of, summed = rounds_phrase(n, "median of"), rounds_phrase(n, "sum of")

    def capacity(round_: dict[str, dict[str, float]], case: str) -> float:
        return 1e6 / round_[case]["cpu_us"]

    def ratios(case: str, other: str) -> list[float]:
        return [capacity(r, case) / capacity(r, other) for r in rounds]

    def cpu(case: str) -> float:
        return statistics.median(r[case]["cpu_us"] for r in rounds)

    def failed(case: str) -> str:
        failures, requests = (sum(r[case][key] for r in rounds) for key in ("failed", "requests"))
        return f"{failures:,} / {requests:,}"

    probes = Table(
        [
            "what answers",
            f"server CPU per request ({median_of})",
            "capacity vs bare",
            "capacity vs django-health-check, same caching",
            f"requests/s ({median_of})",
            f"failed / requests ({summed})",
        ],
        [
            [
                labels[case],
                f"{cpu(case):,.0f} us",
                spread(ratios(case, "bare"), ".2f"),
                spread(ratios(case, other), ".2f") if other else "-",
                f"{statistics.median(r[case]['rate'] for r in rounds):,.0f}",
                failed(case),
            ]
            for case, other in PROBE_ROWS
        ],
        "lrrrrr",
    )
    pages = Table(
        [
            "normal page `/`",
            f"server CPU per request ({median_of})",
            f"requests/s ({median_of})",
            f"failed / requests ({summed})",
        ],
        [
            [
                labels[case],
                f"{cpu(case):,.0f} us",
                f"{statistics.median(r[case]['rate'] for r in rounds):,.0f}",
                failed(case),
            ]
            for case in PAGE_ROWS
        ],
        "lrrr",
    )
    with_mw, without = PAGE_ROWS
    change = [(r[with_mw]["cpu_us"] / r[without]["cpu_us"] - 1) * 100 for r in rounds]
    own = data["own_cost_us"]
    own_percent = own / cpu(without) * 100

    def figure(case: str, other: str, fmt: str) -> str:
        return f"{statistics.median(ratios(case, other)):{fmt}}x"

    figures = {
        "health-livez-wrapper-vs-bare": figure("livez_wrapper", "bare", ".2f"),
        "health-livez-middleware-vs-bare": figure("livez_middleware", "bare", ".2f"),
        "health-cached-wrapper-vs-bare": figure("healthz_wrapper_cached", "bare", ".2f"),
        "health-cached-wrapper-vs-dhc": figure("healthz_wrapper_cached", "dhc_cached", ".1f"),
        "health-uncached-wrapper-vs-dhc": figure("healthz_wrapper_uncached", "dhc_uncached", ".1f"),
        "health-middleware-own-cost": f"{own_percent:.2f} %",
    }
    return Rendered(
        [
            probes,
            Text(
                "Capacity is 1 / the server's CPU time per request. Ratios are computed per "
                + ("round: the median and, in brackets, the range. " if n > 1 else "round. ")
                + "A failure is any answer but a 200 (3xx included), a socket error or a "
                "timeout."
            ),
            pages,
            Text(
                f"- server CPU per page with the middleware vs without, paired per round: "
                f"{spread(change, '+.1f')} %;"
            ),
            Text(
                f"- the middleware's own cost on a normal request, measured in-process around "
                f"a no-op view (median of 15 timings): {own:.1f} us = {own_percent:.2f} % of "
                f"a page's server CPU ({median_of})."
            ),
            Text(f"Against the targets (capacity, {median_of}):"),
            *(
                target(what, statistics.median(ratios(case, other)), goal, ".2f")
                for what, case, other, goal in HEALTH_TARGETS
            ),
            target("the middleware's own cost on a page", own_percent, 2.0, ".2f", " %", False),
        ],
        figures,
    )
