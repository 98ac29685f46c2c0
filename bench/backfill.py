"""Backfill against one whole-table UPDATE, per vendor: rows per second and the longest lock.

For each vendor (SQLite, PostgreSQL, MariaDB) a child process makes a scratch
database with a table of ``--rows`` rows (``id``, ``a``, ``b`` NULL), then
fills ``b`` from ``a`` twice, on a fresh table each time:

- ``Backfill("row", "b", F("a"), batch_size=...)`` run as a non-atomic
  migration runs it (each batch its own transaction);
- the same with ``pause`` (``--pause``, 10 ms) between batches;
- one ``UPDATE t SET b = a`` in one transaction.

Figures: rows per second; the longest time one transaction held its row locks
(each batch's transaction for the backfill, measured by its ``BatchObserver``
from BEGIN to COMMIT; the whole statement for the UPDATE); and what the site
feels: a probe thread keeps updating random rows (its own short transactions)
all along, and its longest wait is reported. The two fills run back to back in
one child, so they share the machine's load; compare them as ratios.

    python bench/backfill.py [--rows 1000000] [--vendors sqlite,postgres,mariadb]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.record import (  # noqa: E402
    add_notes_option,
    parse_json,
    provenance,
    run_child,
    write_result,
)

VENDORS = ("sqlite", "postgres", "mariadb")


@contextmanager
def scratch(vendor: str, directory: Path) -> Any:
    """A database URL on ``vendor``, dropped afterwards."""
    name = f"zdt_bench_{uuid.uuid4().hex[:10]}"
    if vendor == "sqlite":
        yield f"sqlite:///{directory / name}.sqlite3"
        return
    if vendor == "postgres":
        import psycopg

        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        return
    import MySQLdb

    admin = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield f"mysql://root@127.0.0.1:3306/{name}"
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


# --- the child: one vendor ------------------------------------------------------------------


class Probe(threading.Thread):
    """Updates random rows, one short transaction each, and keeps its longest wait."""

    def __init__(self, table: str, rows: int) -> None:
        super().__init__(daemon=True)
        self.table, self.rows = table, rows
        self.stop = threading.Event()
        self.waits: list[float] = []

    def run(self) -> None:
        from django.db import connection, transaction

        rng = random.Random(7)
        q = connection.ops.quote_name
        sql = f"UPDATE {q(self.table)} SET {q('a')} = {q('a')} WHERE {q('id')} = %s"
        while not self.stop.is_set():
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [rng.randint(1, self.rows)])
            self.waits.append(time.perf_counter() - started)
            time.sleep(0.005)
        connection.close()

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.waits)
        return {
            "writes": len(ordered),
            "max_wait_s": ordered[-1] if ordered else 0.0,
            "p99_wait_s": ordered[int(len(ordered) * 0.99)] if ordered else 0.0,
        }


class Batches:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def before_commit(self, batch: Any, connection: Any) -> None:
        pass

    def committed(self, batch: Any) -> None:
        self.seconds.append(batch.seconds)


def child(vendor: str, url: str, rows: int, batch_size: int, pause: float) -> dict[str, Any]:
    import dj_database_url
    import django
    from django.conf import settings

    database = dj_database_url.parse(url)
    if vendor == "sqlite":
        database["OPTIONS"] = {"timeout": 600}  # the probe waits out the whole-table UPDATE
    settings.configure(
        DATABASES={"default": database},
        INSTALLED_APPS=[],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()
    from django.db import connection, models, transaction
    from django.db.migrations.state import ModelState, ProjectState
    from django.db.models import F

    from django_zerodowntime.operations import Backfill, observe_batches

    state = ProjectState()
    fields = [
        ("id", models.BigAutoField(primary_key=True)),
        ("a", models.IntegerField()),
        ("b", models.IntegerField(null=True)),
    ]
    state.add_model(ModelState("bench", "Row", fields, {"db_table": "bench_row"}))
    model = state.apps.get_model("bench", "Row")
    q = connection.ops.quote_name

    def fresh_table() -> None:
        with connection.schema_editor() as editor:
            if "bench_row" in connection.introspection.table_names():
                editor.delete_model(model)
            editor.create_model(model)
        with connection.cursor() as cursor:
            if vendor == "postgres":
                cursor.execute(
                    f"INSERT INTO bench_row (a) SELECT g FROM generate_series(1, {rows}) g"
                )
                cursor.execute("VACUUM ANALYZE bench_row")
            elif vendor == "mariadb":
                cursor.execute(f"INSERT INTO bench_row (a) SELECT seq FROM seq_1_to_{rows}")
            else:
                cursor.execute(
                    "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g "
                    f"WHERE n < {rows}) INSERT INTO bench_row (a) SELECT n FROM g"
                )

    def probed(run: Any) -> tuple[float, dict[str, float]]:
        probe = Probe("bench_row", rows)
        probe.start()
        time.sleep(0.2)
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
        probe.stop.set()
        probe.join()
        return seconds, probe.figures()

    def filled() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM bench_row WHERE {q('b')} = {q('a')}")
            return int(cursor.fetchone()[0])

    def backfill(pause: float) -> dict[str, Any]:
        fresh_table()
        batches = Batches()
        operation = Backfill("row", "b", F("a"), batch_size=batch_size, pause=pause)

        def run() -> None:
            with observe_batches(batches), connection.schema_editor(atomic=False) as editor:
                operation.database_forwards("bench", editor, state, state)

        seconds, probe = probed(run)
        assert filled() == rows, "the backfill left rows behind"
        return {
            "pause_s": pause,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "batches": len(batches.seconds),
            "max_batch_s": max(batches.seconds),
            "median_batch_s": statistics.median(batches.seconds),
            "probe": probe,
        }

    backfilled = backfill(0.0)
    paused = backfill(pause)

    fresh_table()

    def single_update() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE bench_row SET {q('b')} = {q('a')}")

    update_seconds, update_probe = probed(single_update)
    assert filled() == rows, "the UPDATE left rows behind"
    return {
        "rows": rows,
        "batch_size": batch_size,
        "backfill": backfilled,
        "backfill_paused": paused,
        "single_update": {
            "seconds": update_seconds,
            "rows_per_s": rows / update_seconds,
            "lock_s": update_seconds,
            "probe": update_probe,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=0.01, help="the paused backfill's pause")
    parser.add_argument("--vendors", default=",".join(VENDORS))
    parser.add_argument("--child", nargs=2, metavar=("VENDOR", "URL"), help=argparse.SUPPRESS)
    add_notes_option(parser)
    options = parser.parse_args()
    if options.child:
        vendor, url = options.child
        print(json.dumps(child(vendor, url, options.rows, options.batch_size, options.pause)))
        return
    environment = provenance(options.notes, ["psycopg", "mysqlclient"])
    vendors = [v for v in options.vendors.split(",") if v]
    data: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as directory:
        for vendor in vendors:
            with scratch(vendor, Path(directory)) as url:
                print(f"{vendor}: {options.rows:,} rows...", file=sys.stderr, flush=True)
                args = ["--rows", str(options.rows), "--batch-size", str(options.batch_size)]
                args += ["--pause", str(options.pause)]
                result = run_child(
                    [sys.executable, __file__, *args, "--child", vendor, url],
                    env={**os.environ, "PYTHONPATH": str(REPO)},
                    timeout=3600,
                )
                data[vendor] = parse_json(result.stdout, f"the {vendor} child")
    write_result(
        "backfill",
        environment,
        {
            "rows": options.rows,
            "batch_size": options.batch_size,
            "pause": options.pause,
            "vendors": options.vendors,
        },
        data,
    )


if __name__ == "__main__":
    main()
