"""One renderer per bench: its results file in, tables, sentences and named figures out.

A renderer never measures and never reads anything but the result it is
given, so the committed tables can always be made again from the committed
results (``bench/report.py --check``). Every aggregate says what it is:
"median of N rounds", "max over N rounds", "sum of N rounds".
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    aligns: str  # one letter per column: "l" or "r"


@dataclass(frozen=True)
class Text:
    text: str  # one paragraph or one "- " bullet; `code` in single backquotes


@dataclass(frozen=True)
class Rendered:
    blocks: list[Table | Text]
    figures: dict[str, str] = field(default_factory=dict)


def command(result: dict[str, Any]) -> str:
    """The command line that made this result (notes left out)."""
    parts = [result["script"]]
    for key, value in result["options"].items():
        parts += [
            f"--{key.replace('_', '-')}",
            f"{value:g}" if isinstance(value, float) else str(value),
        ]
    return " ".join(parts)


def provenance_text(result: dict[str, Any]) -> str:
    env = result["environment"]
    changed = env["uncommitted_changes"]  # a list of paths (True in older results)
    changes = ""
    if changed is True:
        changes = " (with uncommitted changes)"
    elif changed:
        changes = f" (with uncommitted changes to {len(changed)} files)"
    versions = ", ".join(f"{name} {v}" for name, v in sorted(env["versions"].items()) if v)
    start, end = env["load_average_start"][0], env["load_average_end"][0]
    notes = f" Notes: {env['notes']}" if env["notes"] else ""
    return (
        f"Run of {env['date']} at commit {env['commit'][:10]}{changes}, "
        f"`{command(result)}`: Python {env['python']}, Django {env['django']}, {versions}; "
        f"{env['cpu_count']} CPUs, 1-minute load average {start:.1f} at the start and "
        f"{end:.1f} at the end.{notes}"
    )


def rounds_phrase(n: int, how: str) -> str:
    """ "median of 5 rounds", "max over 3 rounds"; one round is just "1 round"."""
    return "1 round" if n == 1 else f"{how} {n} rounds"


def target(
    what: str, value: float, goal: float, fmt: str, unit: str = "x", at_least: bool = True
) -> Text:
    """A bullet that says whether a figure meets its target, computed, never typed."""
    met = value >= goal if at_least else value <= goal
    bound = "at least" if at_least else "at most"
    verdict = "met" if met else "NOT met"
    return Text(f"- {what}: {value:{fmt}}{unit} (target: {bound} {goal:{fmt}}{unit}): {verdict}.")


def spread(values: list[float], fmt: str) -> str:
    """Median and, in brackets, the range over rounds."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:{fmt}}"
    return f"{median:{fmt}} ({min(values):{fmt}} to {max(values):{fmt}})"


# --- health -------------------------------------------------------------------------------

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


def health(result: dict[str, Any]) -> Rendered:
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


# --- reload -------------------------------------------------------------------------------


def reload(result: dict[str, Any]) -> Rendered:
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


# --- safe_migrate -------------------------------------------------------------------------


def safe_migrate(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    analyse, noop = data["analyse"], data["nothing_to_apply"]

    def median(samples: list[dict[str, float]], key: str) -> float:
        return statistics.median(s[key] for s in samples)

    def row(
        label: str, ours: list[dict[str, float]], other: list[dict[str, float]], inverse: bool
    ) -> list[str]:
        ratio = [
            (median(other, k) / median(ours, k))
            if inverse
            else (median(ours, k) / median(other, k))
            for k in ("wall", "cpu")
        ]
        what = "the other takes" if inverse else "safe_migrate takes"
        return [
            label,
            rounds_phrase(len(ours), "median of"),
            f"{median(ours, 'wall'):.2f} s / {median(ours, 'cpu'):.2f} s",
            f"{median(other, 'wall'):.2f} s / {median(other, 'cpu'):.2f} s",
            f"{what} {ratio[0]:.2f}x / {ratio[1]:.2f}x",
        ]

    table = Table(
        [
            f"{data['migrations']:,} migrations",
            "rounds",
            "safe_migrate wall / CPU",
            "other wall / CPU",
            "ratio wall / CPU",
        ],
        [
            row(
                "analyse all: `safe_migrate --check` vs `lintmigrations`",
                analyse["safe_migrate --check"],
                analyse["lintmigrations"],
                True,
            ),
            row(
                "nothing to apply: `safe_migrate` vs `migrate`",
                noop["safe_migrate"],
                noop["migrate"],
                False,
            ),
        ],
        "lrrrr",
    )
    check, lint = data["facts"]["check"], data["facts"]["lint"]
    analyse_cpu = median(analyse["lintmigrations"], "cpu") / median(
        analyse["safe_migrate --check"], "cpu"
    )
    noop_cpu = median(noop["safe_migrate"], "cpu") / median(noop["migrate"], "cpu")
    return Rendered(
        [
            table,
            Text(
                f"The project: {data['apps']} apps, {data['migrations']:,} migrations, "
                f"{data['operations']:,} operations. `safe_migrate --check` judged "
                f"{check['migrations']:,} unapplied migrations ({check['operations']:,} "
                f"operations, {check['blocked']:,} blocked) and refused, as it must; "
                f"`lintmigrations` linted {lint['linted']:,} migrations and reported "
                f"{lint['erroneous']:,} as erroneous. CPU is the child process's user + system "
                "time."
            ),
            Text("Against the targets, by CPU time:"),
            target("`lintmigrations` / `safe_migrate --check`", analyse_cpu, 10.0, ".1f"),
            target(
                "`safe_migrate` / `migrate`, nothing to apply", noop_cpu, 1.3, ".2f", "x", False
            ),
        ]
    )


# --- safe_migrate_real --------------------------------------------------------------------

REAL_COMMANDS = [
    ("startup", 'start-up (`python -c "import django; django.setup()"`)'),
    ("plan", "`migrate --plan`"),
    ("ours", "`safe_migrate --check --format json`"),
    ("lint", "`lintmigrations --ignore-sqlmigrate-errors`"),
]


def safe_migrate_real(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    history, per_round = data["history"], data["rounds"]

    def samples(name: str, key: str) -> list[float]:
        return [r[name][key] for r in per_round if name in r]

    def lint_net_over_ours_net(key: str) -> list[float]:
        return [
            (r["lint"][key] - r["startup"][key]) / (r["ours"][key] - r["startup"][key])
            for r in per_round
            if "lint" in r
        ]

    def ours_over_plan(key: str) -> list[float]:
        return [r["ours"][key] / r["plan"][key] for r in per_round]

    commands = Table(
        [
            f"{history['migrations']} migrations, {history['operations']} operations",
            "rounds",
            "wall (median)",
            "CPU (median)",
        ],
        [
            [
                label,
                str(len(samples(name, "cpu"))),
                f"{statistics.median(samples(name, 'wall')):.2f} s",
                f"{statistics.median(samples(name, 'cpu')):.2f} s",
            ]
            for name, label in REAL_COMMANDS
        ],
        "lrrr",
    )
    lint_cpu, plan_cpu = lint_net_over_ours_net("cpu"), ours_over_plan("cpu")
    ratios = Table(
        ["ratio, per round", "rounds", "CPU: median (range)", "wall: median (range)"],
        [
            [
                "`lintmigrations` / `safe_migrate --check`, both net of start-up",
                str(len(lint_cpu)),
                spread(lint_cpu, ".2f"),
                spread(lint_net_over_ours_net("wall"), ".2f"),
            ],
            [
                "`safe_migrate --check` / `migrate --plan`",
                str(len(plan_cpu)),
                spread(plan_cpu, ".2f"),
                spread(ours_over_plan("wall"), ".2f"),
            ],
        ],
        "lrrr",
    )
    issue, lint, verdicts = history["issue_8"], history["lint"], history["report"]["verdicts"]
    counted = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    return Rendered(
        [
            commands,
            ratios,
            Text(
                f"The history: {history['migrations']} migrations and {history['operations']} "
                f"operations in the plan on an empty SQLite file (issue 8 counted "
                f"{issue['migrations']} and {issue['operations']}); `safe_migrate --check` "
                f"judged them all ({counted}) and its report was {data['golden']}; "
                f"`lintmigrations` linted {lint['linted']} migration files (squashed ones "
                f"included) and reported {lint['erroneous']} as erroneous. CPU is the child "
                "process's user + system time; ratios are taken per round, then the median."
                + (f" Python bytecode: {data['bytecode']}." if "bytecode" in data else "")
            ),
            Text("Against the targets, by CPU time (median of the per-round ratios):"),
            target(
                "`lintmigrations` / `safe_migrate --check`, net of start-up",
                statistics.median(lint_cpu),
                10.0,
                ".1f",
            ),
            target(
                "`safe_migrate --check` / `migrate --plan`",
                statistics.median(plan_cpu),
                2.0,
                ".2f",
                "x",
                False,
            ),
        ]
    )
