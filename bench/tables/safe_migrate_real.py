"""The tables of bench/safe_migrate_real.py: safe_migrate on a real project's history."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, spread, target

REAL_COMMANDS = [
    ("startup", 'start-up (`python -c "import django; django.setup()"`)'),
    ("plan", "`migrate --plan`"),
    ("ours", "`safe_migrate --check --format json`"),
    ("lint", "`lintmigrations --ignore-sqlmigrate-errors`"),
]


def render(result: dict[str, Any]) -> Rendered:
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
