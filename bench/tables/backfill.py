"""The tables of bench/backfill.py: Backfill beside one whole-table UPDATE, per vendor."""

from __future__ import annotations

from typing import Any

from bench.tables import Rendered, Table, Text

VENDOR_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}


def render(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    rows: list[list[str]] = []
    figures: dict[str, str] = {}

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.0f} ms"

    for vendor, run in data.items():
        name = VENDOR_NAMES.get(vendor, vendor)
        fill, paused, update = run["backfill"], run["backfill_paused"], run["single_update"]
        for label, figures_of, lock in [
            (f"`Backfill`, batches of {run['batch_size']:,}", fill, fill["max_batch_s"]),
            (f"the same, pause {ms(paused['pause_s'])}", paused, paused["max_batch_s"]),
            ("one `UPDATE`", update, update["lock_s"]),
        ]:
            probe = figures_of["probe"]
            rows.append(
                [
                    name,
                    label,
                    f"{figures_of['rows_per_s']:,.0f}",
                    ms(lock),
                    ms(probe["max_wait_s"]),
                    ms(probe["p99_wait_s"]),
                ]
            )
        figures[f"backfill-{vendor}-rows-per-s"] = f"{fill['rows_per_s']:,.0f}"
        figures[f"backfill-{vendor}-longest-batch"] = ms(fill["max_batch_s"])
        figures[f"backfill-{vendor}-update-lock"] = ms(update["lock_s"])
    some = next(iter(data.values()))
    table = Table(
        [
            "vendor",
            f"fill of {some['rows']:,} rows",
            "rows/s",
            "longest lock, one transaction (1 round)",
            "worst probe wait (1 round)",
            "probe p99 wait (1 round)",
        ],
        rows,
        "llrrrr",
    )
    return Rendered(
        [
            table,
            Text(
                "1 round per vendor and fill, each fill on a fresh copy of the table, one after "
                "the other in one process. A lock's length is how long one transaction held its "
                "row locks: a batch from BEGIN to COMMIT (its `BatchObserver`), or the whole "
                "UPDATE. The probe updates a random row every 5 ms, each in its own transaction, "
                "during each fill; its waits are what a request writing that table felt. On "
                "SQLite every write waits for the one database lock."
            ),
        ],
        figures,
    )
