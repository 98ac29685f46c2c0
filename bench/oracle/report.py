"""The tables of an oracle bench's result: per vendor totals, and every operation side by side.

Registered in ``bench/report.py`` for ``bench/results/oracle_scenarios.json``;
a corpus bench writing the same format (see ``bench/oracle_scenarios.py``)
can register it too.
"""

from __future__ import annotations

from typing import Any

from bench.oracle.truth import ORACLE_HARMS
from bench.tables import Rendered, Table, Text

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def totals(data: dict[str, Any]) -> Table:
    rows = []
    for vendor, score in data["totals"].items():
        harms = [
            f"{share(score['harms'][h]['precision'])} / {share(score['harms'][h]['recall'])}"
            for h in ORACLE_HARMS
        ]
        counts = [
            score[key]
            for key in ("operations", "blocked", "warnings", "false_positives", "false_negatives")
        ]
        rows.append([VENDORS.get(vendor, vendor), *map(str, counts), *harms])
    return Table(
        [
            "vendor",
            "operations",
            "blocked",
            "warnings",
            "false positives",
            "false negatives",
            *(f"{h} precision / recall" for h in ORACLE_HARMS),
        ],
        rows,
        "lrrrrrrrr",
    )


def cell(row: dict[str, Any]) -> str:
    said = ", ".join(
        " ".join(part for part in (p["verdict"], p["rule"], p["harm"]) if part)
        for p in row["predictions"]
    )
    seen = ", ".join(row["observed"]) or "nothing"
    return f"{said}; saw {seen}: {row['outcome']}"


def operations(data: dict[str, Any]) -> Table:
    vendors = list(data["totals"])
    cells: dict[tuple[str, int], dict[str, str]] = {}
    names: dict[tuple[str, int], str] = {}
    for upgrade in data["upgrades"]:
        for row in upgrade["rows"]:
            if row["migration"] == "0001_initial" or row["app"] != "testapp":
                continue
            key = (upgrade["name"], row["index"])
            names[key] = f"`{upgrade['name']}` #{row['index']} {row['operation']}"
            cells.setdefault(key, {})[upgrade["vendor"]] = cell(row)
    rows = [
        [names[key], *(cells[key].get(vendor, "not run") for vendor in vendors)]
        for key in sorted(cells)
    ]
    return Table(["scenario operation", *(VENDORS.get(v, v) for v in vendors)], rows, "l" * 4)


def figures(data: dict[str, Any]) -> dict[str, str]:
    """``oracle-<vendor>-operations``, ``-false-positives``, ``-false-negatives``."""
    named: dict[str, str] = {}
    for vendor, score in data["totals"].items():
        for key in ("operations", "false_positives", "false_negatives"):
            named[f"oracle-{vendor}-{key.replace('_', '-')}"] = str(score[key])
    return named


def render(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    return Rendered(
        [
            Text(
                "Per vendor, over every operation of every scenario: a false positive is a "
                "blocked operation whose predicted harm did not happen; a false negative, a "
                "harm no finding of the operation predicted. Precision and recall per harm "
                "count warnings as predictions too; `locks` is not measured by the oracle."
            ),
            totals(data),
            Text("Each operation: what safe_migrate said; what the oracle saw; the outcome."),
            operations(data),
        ],
        figures(data),
    )
