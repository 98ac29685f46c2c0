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
import datetime
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.oracle import Row, Server, judge_upgrade, score  # noqa: E402
from bench.oracle.scenarios import SCENARIOS, releases  # noqa: E402

RESULTS = REPO / "bench" / "results" / "oracle_scenarios.json"


def provenance(notes: str) -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout

    import django

    changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    return {
        "commit": git("rev-parse", "HEAD").strip(),
        "uncommitted_changes": sorted(line[3:] for line in changed),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "notes": notes,
    }


def line(name: str, vendor: str, row: Row) -> str:
    said = ", ".join(f"{p.verdict} {p.rule or ''} {p.harm or ''}".strip() for p in row.predictions)
    seen = ", ".join(row.observed) or "-"
    return f"{name:32} {vendor:10} #{row.index} {said:58} {seen:28} {row.outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--notes", default="")
    options = parser.parse_args()
    vendors = options.vendor or ["sqlite", "postgresql", "mariadb"]
    names = options.scenario or sorted(SCENARIOS)
    environment = provenance(options.notes)
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
    document = {
        "bench": "oracle_scenarios",
        "script": "bench/oracle_scenarios.py",
        "environment": environment,
        "options": {"vendor": vendors, "scenario": names},
        "data": {
            "upgrades": upgrades,
            "totals": {vendor: score(rows) for vendor, rows in totals.items()},
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=1) + "\n")
    print(json.dumps(document["data"]["totals"], indent=1))
    print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
