"""The table of bench/safe_migrate.py: safe_migrate vs the linter and migrate."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, rounds_phrase, target


def render(result: dict[str, Any]) -> Rendered:
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
