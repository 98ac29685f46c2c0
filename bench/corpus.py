"""The real-world corpus through the oracle: real upgrades of reusable apps, per vendor.

    .venv/bin/python bench/corpus.py [--vendor sqlite --vendor postgresql ...]
        [--upgrade guardian ...] [--build-only]

Each upgrade of ``bench/corpus_project/upgrades.py`` (an app from an old
released version to a new one, both on Django 5.2) gets two virtualenvs,
built once into ``.corpus-venvs/`` (``pip`` must reach the package index; a
few minutes each the first time). The oracle then runs on each vendor: the
old release's worker migrates, fills and exercises the app's models, the new
release judges its plan (``safe_migrate --check``) and applies it one
operation at a time. Prints one line per operation that is not a true
negative and writes ``bench/results/corpus.json`` in the format of every
oracle bench (see ``bench/oracle_scenarios.py``), with ``per_upgrade``
scores beside the per-vendor ``totals``. ``bench/report.py`` renders it
(``bench/tables/corpus.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus_project.upgrades import UPGRADES, Upgrade  # noqa: E402
from bench.corpus_project.venvs import build  # noqa: E402
from bench.oracle import Release, Row, Server, judge_upgrade, score  # noqa: E402
from bench.record import add_notes_option, provenance, write_result  # noqa: E402

SETTINGS = "bench.corpus_project.settings"
QUIET = {"true-negative", "not-reached"}


def releases(upgrade: Upgrade) -> tuple[Release, Release]:
    """The old and the new release of ``upgrade``, each in its own virtualenv."""
    env = {"CORPUS_APPS": ",".join(upgrade.installed)}

    def side(version: str) -> Release:
        python = build(upgrade.package, version, upgrade.extra)
        name = f"{upgrade.package}-{version}"
        return Release(name, python, SETTINGS, upgrade.labels, env=env)

    return side(upgrade.old), side(upgrade.new)


def line(name: str, vendor: str, row: Row) -> str:
    said = ", ".join(f"{p.verdict} {p.rule or ''} {p.harm or ''}".strip() for p in row.predictions)
    where = f"{row.app}.{row.migration}#{row.index}"
    seen = ",".join(row.observed) or "-"
    return f"{name:14} {vendor:10} {where:60} {said:50} {seen:20} {row.outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--upgrade", action="append", choices=[u.name for u in UPGRADES])
    parser.add_argument("--build-only", action="store_true", help="build the virtualenvs only")
    add_notes_option(parser)
    options = parser.parse_args()
    vendors = options.vendor or ["sqlite", "postgresql", "mariadb"]
    chosen = [u for u in UPGRADES if not options.upgrade or u.name in options.upgrade]
    pairs = {upgrade.name: releases(upgrade) for upgrade in chosen}
    if options.build_only:
        return
    environment = provenance(options.notes, ["model-bakery", "psycopg"])
    environment["releases"] = {u.name: [u.package, u.old, u.new] for u in chosen}
    upgrades: list[dict[str, Any]] = []
    totals: dict[str, list[Row]] = {vendor: [] for vendor in vendors}
    started = time.monotonic()
    for vendor in vendors:
        for upgrade in chosen:
            if vendor == "mariadb" and not upgrade.mariadb:
                continue
            began = time.monotonic()
            judged = judge_upgrade(*pairs[upgrade.name], Server.local(vendor))
            for row in judged.rows:
                if row.outcome not in QUIET:
                    print(line(upgrade.name, vendor, row), flush=True)
            totals[vendor] += judged.rows
            seconds = round(time.monotonic() - began, 1)
            upgrades.append({"name": upgrade.name, "seconds": seconds, **judged.as_json()})
            print(f"{upgrade.name} on {vendor}: {len(judged.rows)} operations, {seconds} s")
    data = {
        "upgrades": upgrades,
        "totals": {vendor: score(rows) for vendor, rows in totals.items()},
        "seconds": round(time.monotonic() - started, 1),
    }
    given = {"vendor": options.vendor, "upgrade": options.upgrade}
    write_result("corpus", environment, {k: v for k, v in given.items() if v}, data)
    for vendor, counts in data["totals"].items():
        print(vendor, {k: v for k, v in counts.items() if k != "harms"})


if __name__ == "__main__":
    main()
