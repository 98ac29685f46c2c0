"""The rule scenarios through the oracle on each vendor: verdicts beside what really happens.

    .venv/bin/python bench/oracle_scenarios.py [--vendor sqlite --vendor postgresql ...]
        [--scenario add_unique_nullable ...]

Prints one line per operation (scenario, vendor, verdict and predicted harm,
observed harm, outcome) and writes ``bench/results/oracle_scenarios.json``:
the results format every oracle bench writes (``bench/corpus.py`` too)::

    {"bench": ..., "script": ..., "environment": {...provenance...}, "options": {...},
     "data": {"upgrades": [{"name": <scenario or app upgrade>, "old", "new", "vendor",
                            "score": {...}, "rows": [...], "baseline": {...}, "steps": [...]}],
              "totals": {<vendor>: <score of all its rows>}}}

``rows`` and ``score`` are ``bench.oracle.score``'s ``Row.as_json()`` and
``score()``; ``steps`` the oracle's ``StepTruth`` of each operation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.oracle import Row, Server, judge_upgrade, score  # noqa: E402
from bench.oracle.scenarios import SCENARIOS, releases  # noqa: E402
from bench.record import add_notes_option, provenance, write_result  # noqa: E402


def line(name: str, vendor: str, row: Row) -> str:
    said = ", ".join(f"{p.verdict} {p.rule or ''} {p.harm or ''}".strip() for p in row.predictions)
    seen = ", ".join(row.observed) or "-"
    return f"{name:32} {vendor:10} #{row.index} {said:58} {seen:28} {row.outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    add_notes_option(parser)
    options = parser.parse_args()
    vendors = options.vendor or ["sqlite", "postgresql", "mariadb"]
    names = options.scenario or sorted(SCENARIOS)
    environment = provenance(options.notes, ["model-bakery", "psycopg", "mysqlclient"])
    upgrades: list[dict[str, Any]] = []
    totals: dict[str, list[Row]] = {vendor: [] for vendor in vendors}
    for vendor in vendors:
        for name in names:
            if vendor not in SCENARIOS[name]:
                continue
            upgrade = judge_upgrade(*releases(name), Server.local(vendor))
            rows = [row for row in upgrade.rows if row.app == "testapp"]
            for row in rows:
                print(line(name, vendor, row), flush=True)
            totals[vendor] += rows
            upgrades.append({"name": name, **upgrade.as_json()})
    totals_score = {vendor: score(rows) for vendor, rows in totals.items()}
    data = {"upgrades": upgrades, "totals": totals_score}
    # Only the options given: the usual run (every vendor, every scenario) has none.
    given = {"vendor": options.vendor, "scenario": options.scenario}
    write_result("oracle_scenarios", environment, {k: v for k, v in given.items() if v}, data)
    for vendor, counts in totals_score.items():
        print(vendor, {k: v for k, v in counts.items() if k != "harms"})


if __name__ == "__main__":
    main()
