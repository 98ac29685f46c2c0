"""The tables of bench/deploy.py: every way to switch or deploy behind Nginx, side by side."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, rounds_phrase

DEPLOY_STREAMS = [
    ("get-keepalive", "GET, keep-alive"),
    ("get-new", "GET, new connection"),
    ("post-keepalive", "POST, keep-alive"),
    ("post-new", "POST, new connection"),
    ("post-slow-body", "POST, slow body"),
    ("slow-get", "slow GET"),
]


def _stream_sums(rounds: list[dict[str, Any]]) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Per stream: failed, total and failures by reason, summed over the rounds."""
    sums: dict[str, tuple[int, int, dict[str, int]]] = {}
    for round_ in rounds:
        for stream, row in round_["streams"].items():
            failed, total, reasons = sums.get(stream, (0, 0, {}))
            for reason, count in row["reasons"].items():
                reasons = {**reasons, reason: reasons.get(reason, 0) + count}
            sums[stream] = (failed + row["failed"], total + row["total"], reasons)
    return sums


def _lost(rounds: list[dict[str, Any]]) -> str:
    return f"{sum(r['failed'] for r in rounds):,} / {sum(r['total'] for r in rounds):,}"


def render(result: dict[str, Any]) -> Rendered:
    data, options = result["data"], result["options"]
    n = options["rounds"]
    sum_of, median_of, max_over = (
        rounds_phrase(n, how) for how in ("sum of", "median of", "max over")
    )
    cases = data["cases"]
    moving = {name: case for name, case in cases.items() if case["strategy"] != "steady"}
    rows, reasons = [], []
    for name, case in moving.items():
        streams = _stream_sums(case["rounds"])
        cells = [
            f"{streams[s][0]:,} / {streams[s][1]:,}" if s in streams else "-"
            for s, _ in DEPLOY_STREAMS
        ]
        rows.append(
            [
                name,
                _lost(case["rounds"]),
                *cells,
                f"{sum(r['extra_hops'] for r in case['rounds']):,}",
                f"{statistics.median(r['quick_p99_ms'] for r in case['rounds']):,.0f} ms",
                f"{max(r['max_ms'] for r in case['rounds']):,.0f} ms",
            ]
        )
        seen = {
            f"{stream} {reason}": count
            for stream, (_, _, by_reason) in streams.items()
            for reason, count in by_reason.items()
        }
        if seen and case["way"] != "naive":
            listed = "; ".join(f"{what}: {count}" for what, count in sorted(seen.items()))
            reasons.append(Text(f"- {name}: {listed}."))
    table = Table(
        [
            "case",
            f"failed / requests ({sum_of})",
            *(label for _, label in DEPLOY_STREAMS),
            f"extra hops ({sum_of})",
            f"p99, GET and POST ({median_of})",
            f"max ({max_over})",
        ],
        rows,
        "l" + "r" * (len(DEPLOY_STREAMS) + 4),
    )
    blocks: list[Table | Text] = [
        Text(
            f"Client: {data['client']}. Nginx {data['nginx']}. The blue-green cases switch "
            f"{options['switches']} times per round; a rolling case is one rolling deploy."
        ),
        table,
    ]
    if reasons:
        blocks += [Text("What failed, by stream and reason (naive cases left out):"), *reasons]
    figures = {
        f"deploy-{case['strategy']}-{case['way']}-failed": _lost(case["rounds"]).replace(
            " / ", " of "
        )
        for case in moving.values()
    }
    figures["deploy-switches"] = str(options["switches"])
    figures["deploy-rounds"] = str(n)
    steady = {case["way"]: case for case in cases.values() if case["strategy"] == "steady"}
    if {"include-file", "drain"} <= set(steady):
        cost_blocks, cost_figures = _deploy_cost(steady["include-file"], steady["drain"], data, n)
        blocks += cost_blocks
        figures.update(cost_figures)
    return Rendered(blocks, figures)


def _deploy_cost(
    old: dict[str, Any], new: dict[str, Any], data: dict[str, Any], n: int
) -> tuple[list[Table | Text], dict[str, str]]:
    median_of = rounds_phrase(n, "median of")

    def median(case: dict[str, Any], key: str) -> float:
        return statistics.median(r[key] for r in case["rounds"])

    extra = sum(r["extra_hops"] for r in new["rounds"])
    answered = sum(r["nginx_requests"] for r in new["rounds"])
    share = 100 * extra / answered if answered else 0.0
    answer_ms = [r["drained_answer_ms_median"] for r in new["rounds"]]
    known = [ms for ms in answer_ms if ms is not None]
    drained_ms = statistics.median(known) if known else 0.0
    rows = []
    for label, key, fmt in [
        ("requests/s", "requests_per_second", "{:,.0f}"),
        ("p50, GET and POST", "quick_p50_ms", "{:,.1f} ms"),
        ("p99, GET and POST", "quick_p99_ms", "{:,.1f} ms"),
    ]:
        a, b = median(old, key), median(new, key)
        rows.append([label, fmt.format(a), fmt.format(b), f"{b / a:.2f}"])
    table = Table(
        [
            f"steady state, {data['steady_seconds']:g} s ({median_of})",
            "one instance out of the include file",
            "one instance draining",
            "draining / out",
        ],
        rows,
        "lrrr",
    )
    answer_how = "median" if n == 1 else "the median of each round's median"
    text = Text(
        f"What the drain way costs while an instance drains: {extra:,} of the {answered:,} "
        f"requests Nginx answered in the steady rounds ({share:.0f} %, "
        f"{rounds_phrase(n, 'sum of')}) went to the draining instance first and took an extra "
        f"hop; its answer took {drained_ms:.1f} ms ({answer_how}). Latency and throughput on "
        "this shared machine are noisy: compare the ratios."
    )
    figures = {
        "deploy-extra-hop-share": f"{share:.0f} %",
        "deploy-drained-answer-ms": f"{drained_ms:.1f} ms",
        "deploy-steady-p50-ratio": f"{rows[1][3]}x",
        "deploy-steady-rps-ratio": f"{rows[0][3]}x",
    }
    return [text, table], figures
