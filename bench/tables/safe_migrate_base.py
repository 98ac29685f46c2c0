"""The tables of bench/safe_migrate_base.py: ``--check --base`` beside ``--check``."""

from __future__ import annotations

import statistics
from typing import Any

from bench.tables import Rendered, Table, Text, rounds_phrase, target

BASE_ROWS = [
    ("check", "`safe_migrate --check` on an empty database (the whole history judged)"),
    ("base", "`safe_migrate --check --base main` (main built on a scratch SQLite file)"),
    ("check_at_base", "`safe_migrate --check` on a database already migrated to main"),
]


def render(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    samples, facts = data["samples"], data["facts"]

    def median(name: str, key: str) -> float:
        return float(statistics.median(s[key] for s in samples[name]))

    rounds = rounds_phrase(len(samples["check"]), "median of")
    rows = [
        [
            label,
            rounds,
            f"{median(name, 'wall'):.2f} s / {median(name, 'cpu'):.2f} s",
            f"{median(name, 'wall') / median('check', 'wall'):.2f}x / "
            f"{median(name, 'cpu') / median('check', 'cpu'):.2f}x",
        ]
        for name, label in BASE_ROWS
    ]
    table = Table(["command", "rounds", "wall / CPU", "vs `--check` wall / CPU"], rows, "lrrr")
    added = {
        key: (median("base", key) - median("check_at_base", key)) / median("check", key)
        for key in ("wall", "cpu")
    }
    base, check = facts["base"], facts["check"]
    return Rendered(
        [
            table,
            Text(
                f"`--check` judged {check['migrations']:,} migrations ({check['operations']:,} "
                f"operations). `--base main` built main's {base['applied_at_base']:,} applied "
                f"migrations on its scratch database, then judged the change's "
                f"{base['migrations']} migration ({base['operations']} operations) and refused "
                "its drop of a column main reads, as it must. CPU is the command's user + "
                "system time with its children (the subprocess that loads main's code, git)."
            ),
            Text("Against the target (issue 12), what `--base` adds to the check it replaces:"),
            target(
                "(`--base` - `--check` at main) / `--check`, CPU",
                added["cpu"],
                1.0,
                ".2f",
                "",
                at_least=False,
            ),
            target("the same, wall time", added["wall"], 1.0, ".2f", "", at_least=False),
        ],
        {"base-added-cpu": f"{added['cpu']:.2f}", "base-added-wall": f"{added['wall']:.2f}"},
    )
