"""safe_migrate --rehearse in real processes, on a real database of each vendor.

Each test makes its own target database (tests.releases.scenario_database), applies
testapp's first migration, fills Post with rows, then rehearses a history from
tests/rehearsals or tests/scenarios. The truths asserted are the vendors' own
(PostgreSQL's lock table, MariaDB's ALGORITHM rules, SQLite's table remake).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.testapp_project import env_for, manage, ok
from tests.releases import ROOT, VENDOR, scenario_database

pytestmark = pytest.mark.db

ROWS = 3000
SNAPSHOT = """
import hashlib, json
from django.db import connection as c
out = {}
with c.cursor() as cur:
    for table in sorted(c.introspection.table_names(cur)):
        columns = [(d.name, str(d.type_code), d.null_ok) for d in
                   c.introspection.get_table_description(cur, table)]
        constraints = sorted((name, json.dumps(v, sort_keys=True, default=str)) for name, v in
                             c.introspection.get_constraints(cur, table).items())
        cur.execute("SELECT * FROM " + c.ops.quote_name(table))
        rows = sorted(repr(row) for row in cur.fetchall())
        digest = hashlib.sha256("\\n".join(rows).encode()).hexdigest()
        out[table] = [columns, constraints, len(rows), digest]
print(json.dumps(out))
"""
FILL = f"""
from django.db import connection as c, transaction
with transaction.atomic(), c.cursor() as cur:
    authors = [("a%d" % i,) for i in range(50)]
    cur.executemany("INSERT INTO testapp_author (name) VALUES (%s)", authors)
    cur.execute("SELECT MIN(id) FROM testapp_author")
    first = cur.fetchone()[0]
    cur.executemany(
        "INSERT INTO testapp_post (title, body, views, author_id, created) "
        "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)",
        [("t%d" % (i % 100), "body", i, first + i % 50) for i in range({ROWS})],
    )
"""


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """A database with testapp 0001 applied and ROWS posts by 50 authors."""
    with scenario_database(tmp_path) as url:
        ok(manage(url, "tests.rehearsals.known", "migrate", "testapp", "0001", "-v0"))
        ok(manage(url, "tests.rehearsals.known", "shell", "-v0", "-c", FILL))
        yield url


def snapshot(url: str) -> dict[str, Any]:
    return json.loads(ok(manage(url, "tests.rehearsals.known", "shell", "-v0", "-c", SNAPSHOT)))


def rehearse(url: str, history: str, *args: str, **env: str) -> tuple[int, dict[str, Any], str]:
    command = ["safe_migrate", "testapp", "--rehearse", "--format", "json", *args]
    result = manage(url, history, *command, **env)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rehearsal's operations by migration name."""
    found = {}
    for migration in document["rehearsal"]["migrations"]:
        (operation,) = migration["operations"]
        found[migration["name"]] = operation
    return found


def locks(operation: dict[str, Any]) -> set[tuple[str, str]]:
    return {(lock["table"], lock["mode"]) for s in operation["statements"] for lock in s["locks"]}


def blocking(operation: dict[str, Any]) -> dict[str, set[str]]:
    """{mode: what it blocks} of the locks on testapp_post that block something."""
    found: dict[str, set[str]] = {}
    for statement in operation["statements"]:
        for lock in statement["locks"]:
            if lock["table"] == "testapp_post" and lock["blocks"]:
                found.setdefault(lock["mode"], set()).update(lock["blocks"])
    return found


def rewrote(operation: dict[str, Any]) -> set[str]:
    return {table for statement in operation["statements"] for table in statement["rewrote"]}


def test_known_truths_and_the_target_is_untouched(target: str) -> None:
    before = snapshot(target)
    code, document, _err = rehearse(target, "tests.rehearsals.known")
    assert snapshot(target) == before  # same schema, same rows, same django_migrations

    rehearsal = document["rehearsal"]
    assert set(rehearsal) == {"vendor", "database", "rows", "seconds", "migrations"}
    assert (rehearsal["database"], rehearsal["rows"]) == ("default", 10_000)
    ops = operations(document)
    assert list(ops) == [
        "0002_add_nullable",
        "0003_add_db_default",
        "0004_add_index",
        "0005_int_to_bigint",
    ]
    for operation in ops.values():
        assert set(operation) == {
            *("index", "operation", "seconds", "statements", "contradicts"),
            "batches",  # null: no Backfill here (tests/test_rehearse_backfill.py)
        }
        assert operation["batches"] is None
        for statement in operation["statements"]:
            assert set(statement) == {"sql", "seconds", "locks", "rewrote"}
            for lock in statement["locks"]:
                assert set(lock) == {"table", "mode", "blocks", "held_seconds"}
                assert set(lock["blocks"]) <= {"reads", "writes"}
                assert lock["held_seconds"] >= statement["seconds"] - 1e-5

    nullable, db_default, index, bigint = ops.values()
    if VENDOR == "postgres":
        assert rehearsal["vendor"] == "postgresql"
        assert rewrote(nullable) == set()
        assert blocking(nullable) == {"AccessExclusiveLock": {"reads", "writes"}}
        assert rewrote(db_default) == set()  # a constant default: PostgreSQL 11+ rewrites nothing
        assert blocking(index) == {"ShareLock": {"writes"}}  # writes wait, reads go on
        assert rewrote(index) == set()
        assert rewrote(bigint) == {"testapp_post"}
        assert blocking(bigint)["AccessExclusiveLock"] == {"reads", "writes"}
        assert code == 0
    elif VENDOR == "mariadb":
        assert rehearsal["vendor"] == "mysql"
        for online in (nullable, db_default, index):  # ALGORITHM=INSTANT or LOCK=NONE
            assert locks(online) == {("testapp_post", "NONE")}
            assert rewrote(online) == set()
        assert locks(bigint) == {("testapp_post", "SHARED")}  # ALGORITHM=COPY
        assert rewrote(bigint) == {"testapp_post"}
        assert code == 0
    else:
        assert rehearsal["vendor"] == "sqlite"
        assert locks(nullable) == {("testapp_post", "EXCLUSIVE")}  # ALTER TABLE ADD COLUMN
        assert rewrote(nullable) == set()
        assert rewrote(index) == set()
        assert rewrote(bigint) == {"testapp_post"}  # Django remakes the table
        assert bigint["contradicts"] is None  # judged a warning: no contradiction
        # A db_default makes Django remake the table on SQLite, which the analysis
        # judges safe: the rehearsal says otherwise.
        assert rewrote(db_default) == {"testapp_post"}
        assert db_default["contradicts"].startswith(
            "judged safe, but it rewrote table testapp_post"
        )
        assert code == 1
    statement = " ".join(s["sql"] for s in nullable["statements"])
    assert "summary" in statement


@pytest.mark.skipif(VENDOR != "postgres", reason="CREATE INDEX CONCURRENTLY is PostgreSQL's")
def test_add_index_concurrently_blocks_neither_reads_nor_writes(target: str) -> None:
    code, document, _err = rehearse(target, "tests.scenarios.concurrent")
    (operation,) = operations(document).values()
    assert locks(operation) == {("testapp_post", "ShareUpdateExclusiveLock")}
    assert blocking(operation) == {}
    assert operation["contradicts"] is None
    assert code == 0


def test_a_quick_statement_outside_a_transaction_still_shows_its_lock(target: str) -> None:
    """On PostgreSQL the lock is gone when the statement returns: the watcher sees it."""
    code, document, _err = rehearse(target, "tests.rehearsals.nonatomic", "--rehearse-rows", "0")
    (operation,) = operations(document).values()
    expected = {"postgres": "AccessExclusiveLock", "mariadb": "NONE", "sqlite": "EXCLUSIVE"}
    assert locks(operation) == {("testapp_post", expected[VENDOR])}
    assert code == 0


def test_deferred_statements_belong_to_the_operation_that_deferred_them(target: str) -> None:
    """CreateModel defers its indexes and foreign keys to the end of the migration."""
    _code, document, _err = rehearse(target, "tests.rehearsals.wide", "--rehearse-rows", "0")
    (migration,) = [m for m in document["rehearsal"]["migrations"] if m["name"] == "0002_gadgets"]
    gadget, slot, *_unmanaged_and_proxy = migration["operations"]
    assert (gadget["operation"], slot["operation"]) == ("CreateModel", "CreateModel")
    gadget_sql = [s["sql"] for s in gadget["statements"]]
    assert any("gadget_price_count" in sql for sql in gadget_sql)  # deferred: Meta.indexes
    assert not any("gadget" in s["sql"] for s in slot["statements"])
    assert all(op["statements"] == [] for op in _unmanaged_and_proxy)


def test_a_migration_that_fails_on_the_copy_is_a_contradiction(target: str) -> None:
    """Titles repeat in the target: a unique constraint on them cannot be built."""
    before = snapshot(target)
    code, document, _err = rehearse(target, "tests.scenarios.add_unique")
    (operation,) = operations(document).values()
    assert operation["contradicts"].startswith("failed on the copy: ")
    assert code == 1
    assert snapshot(target) == before


def test_lock_held_longer_than_the_setting_contradicts_a_safe_verdict(target: str) -> None:
    history = "tests.scenarios.add_nullable"  # safe on every vendor
    code, document, _err = rehearse(target, history)
    (operation,) = operations(document).values()
    assert (code, operation["contradicts"]) == (0, None)
    if VENDOR == "mariadb":
        return  # ALGORITHM=INSTANT: no lock that blocks anything, however short the limit
    code, document, _err = rehearse(target, history, ZDT_MAX_LOCK_SECONDS="0.000001")
    (operation,) = operations(document).values()
    assert code == 1
    assert "over REHEARSE_MAX_LOCK_SECONDS (1e-06 s)" in operation["contradicts"]


@pytest.mark.parametrize("rows", [0, 20])
def test_rows_per_table_and_no_orphan(target: str, rows: int) -> None:
    """The copy holds at most N rows per table, no post whose author was not copied, and
    RunPython sees it under the target's alias."""
    code, document, _err = rehearse(
        target, "tests.rehearsals.counted", "--rehearse-rows", str(rows)
    )
    (operation,) = operations(document).values()
    sentence = operation["contradicts"]
    assert code == 1
    assert "COPY HOLDS" in sentence
    counts = dict(word.split("=", 1) for word in sentence.split("COPY HOLDS ")[1].split())
    assert counts["authors"] == str(rows)
    assert 0 <= int(counts["posts"]) <= rows
    assert counts["orphans"] == "0"
    assert counts["alias"] == "default"
    assert "zdt_rehearse_" in counts["name"]


def exists(name: str) -> bool:
    """Whether the scratch database ``name`` is still on the server (or its file on disk)."""
    if VENDOR == "sqlite":
        return Path(name).exists()
    if VENDOR == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as admin:
            row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return row.fetchone() is not None
    import MySQLdb

    admin = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    try:
        cursor = admin.cursor()
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None
    finally:
        admin.close()


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_scratch_database_is_dropped_when_the_rehearsal_is_killed(
    target: str, signal_number: int
) -> None:
    """Ctrl-C and SIGTERM unwind and drop it; after SIGKILL the watchdog drops it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "safe_migrate", "testapp", "--rehearse"],
        cwd=ROOT,
        env=env_for(target, "tests.rehearsals.slow"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job starts with SIGINT ignored, and a Python started so
        # installs no KeyboardInterrupt handler: give the child the default a terminal's
        # Ctrl-C meets.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    name = ""
    for line in process.stderr:  # ends when the process does, if it never gets there
        if line.startswith("scratch copy ") and line.rstrip().endswith(" created"):
            name = line.split()[2]
        if line.startswith("rehearsing testapp.0002_sleep"):
            break
    assert name
    assert exists(name)
    process.send_signal(signal_number)
    code = process.wait(timeout=60)
    if signal_number == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:  # unwound: its own ``finally`` dropped the copy before the process ended
        assert code == (128 + signal.SIGTERM if signal_number == signal.SIGTERM else -signal.SIGINT)
        assert not exists(name)
    deadline = time.monotonic() + 60
    while exists(name) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not exists(name)


def test_a_backwards_plan_is_bad_input(target: str) -> None:
    result = manage(
        target, "tests.rehearsals.known", "safe_migrate", "testapp", "zero", "--rehearse"
    )
    assert result.returncode == 2
    assert "--rehearse runs forwards plans only" in result.stderr
    assert "scratch copy" not in result.stderr  # refused before any copy was made


def test_negative_rows_is_bad_input(target: str) -> None:
    result = manage(
        target, "tests.rehearsals.known", "safe_migrate", "--rehearse", "--rehearse-rows", "-1"
    )
    assert result.returncode == 2
    assert "--rehearse-rows must be 0" in result.stderr


def test_nothing_pending_makes_no_copy_and_an_empty_rehearsal(target: str) -> None:
    """Exit 0: with 0001 the target, nothing runs, so no scratch database is made."""
    result = manage(
        target, "tests.rehearsals.known", "safe_migrate", "testapp", "0001", "--rehearse",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["migrations"] == []
    assert document["rehearsal"]["migrations"] == []
    assert "scratch copy" not in result.stderr
