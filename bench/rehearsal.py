"""A real ``safe_migrate --rehearse`` on each vendor, recorded for the docs.

Not a timing comparison: the run whose output ``docs/rehearsal.rst`` shows. For
each vendor it can reach (SQLite always; PostgreSQL on 127.0.0.1:5432 and
MariaDB on 127.0.0.1:3306 as the test suite uses them), it makes a target
database of its own, applies testapp's first migration of
``tests/rehearsals/known``, fills ``testapp_post`` with ``--rows`` rows, then
runs ``safe_migrate testapp --rehearse --format json`` on it (and, on
PostgreSQL, ``tests/scenarios/concurrent`` as well) and drops the target.
The documents go to bench/results/rehearsal.json; bench/report.py makes the tables.
Usage: ``python bench/rehearsal.py [--rows N] [--notes TEXT]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.record import (  # noqa: E402
    add_notes_option,
    parse_json,
    provenance,
    run_child,
    write_result,
)

HISTORIES = {
    "sqlite": ["tests.rehearsals.known"],
    "postgresql": ["tests.rehearsals.known", "tests.scenarios.concurrent"],
    "mysql": ["tests.rehearsals.known"],
}
FILL = """
from django.db import connection as c, transaction
with transaction.atomic(), c.cursor() as cur:
    authors = [("a%d" % i,) for i in range(100)]
    cur.executemany("INSERT INTO testapp_author (name) VALUES (%s)", authors)
    cur.execute("SELECT MIN(id) FROM testapp_author")
    first = cur.fetchone()[0]
    cur.executemany(
        "INSERT INTO testapp_post (title, body, views, author_id, created) "
        "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)",
        [("title %d" % i, "body " * 20, i, first + i % 100) for i in range({rows})],
    )
"""
SERVER_VERSION = """
from django.db import connection as c
with c.cursor() as cur:
    if c.vendor == "sqlite":
        import sqlite3
        print("SQLite", sqlite3.sqlite_version)
    elif c.vendor == "postgresql":
        cur.execute("SHOW server_version")
        print("PostgreSQL", cur.fetchone()[0].split()[0])
    else:
        cur.execute("SELECT VERSION()")
        print("MariaDB" if c.mysql_is_mariadb else "MySQL", cur.fetchone()[0].split("-")[0])
"""


@contextmanager
def target_database(vendor: str) -> Iterator[str | None]:
    """The URL of a new database of ``vendor`` (None if its server is not reachable)."""
    name = "zdt_bench_" + uuid.uuid4().hex[:12]
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/{name}.sqlite3"
        return
    try:
        if vendor == "postgresql":
            import psycopg

            admin: Any = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
            admin.autocommit = True
            admin.execute(f'CREATE DATABASE "{name}"')
            url = f"postgres://postgres@127.0.0.1:5432/{name}"
        else:
            import MySQLdb

            admin = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
            admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            url = f"mysql://root@127.0.0.1:3306/{name}"
    except Exception as error:  # the server is not there: say so, skip it
        print(f"{vendor} not reachable ({error}); skipped", file=sys.stderr)
        yield None
        return
    try:
        yield url
    finally:
        if vendor == "postgresql":
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def manage(url: str, history: str, *args: str, expect: tuple[int, ...] = (0,)) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.rehearsal_settings",
        "DATABASE_URL": url,
        "ZDT_TESTAPP_MIGRATIONS": history,
        "PYTHONPATH": str(ROOT),
    }
    return run_child(
        [sys.executable, "-m", "django", *args], cwd=ROOT, env=env, expect=expect
    ).stdout


def rehearse(vendor: str, rows: int) -> dict[str, Any] | None:
    with target_database(vendor) as url:
        if url is None:
            return None
        first = HISTORIES[vendor][0]
        manage(url, first, "migrate", "testapp", "0001", "-v0")
        manage(url, first, "shell", "-v0", "-c", FILL.format(rows=rows))
        server = manage(url, first, "shell", "-v0", "-c", SERVER_VERSION).strip()
        runs = []
        for history in HISTORIES[vendor]:
            command = ["safe_migrate", "testapp", "--rehearse", "--format", "json"]
            out = manage(url, history, *command, expect=(0, 1))
            runs.append({"history": history, "document": parse_json(out, "--rehearse")})
        return {"vendor": vendor, "server": server, "rows_in_target": rows, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of testapp_post")
    add_notes_option(parser)
    options = parser.parse_args()
    environment = provenance(options.notes, ["psycopg", "mysqlclient"])
    data = [found for vendor in HISTORIES if (found := rehearse(vendor, options.rows))]
    write_result("rehearsal", environment, {"rows": options.rows}, data)


if __name__ == "__main__":
    main()
