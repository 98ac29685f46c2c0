"""safe_migrate --rehearse of expand_contract's steps and a Backfill, on each vendor.

One target database per module (testapp 0001, ROWS posts), rehearsed on
``tests/rehearsals/renamed``: the expand step of a rename of ``body`` (its
``CopyToNewColumn`` in batches of 500), a ``Backfill`` of ``subtitle`` in batches
of 1,000, the switch step and the contract step. The truths are the vendors':
a batch holds its row locks (PostgreSQL, MariaDB) or the database's write lock
(SQLite) until it commits; triggers lock their table; MariaDB's contract step
holds ``LOCK TABLES ... WRITE`` until ``UNLOCK TABLES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.testapp_project import manage, ok
from tests.releases import VENDOR, scenario_database
from tests.test_rehearse import FILL, ROWS, rehearse

pytestmark = pytest.mark.db

HISTORY = "tests.rehearsals.renamed"


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with testapp 0001 applied and ROWS posts (body set, subtitle NULL)."""
    with scenario_database(tmp_path_factory.mktemp("target")) as url:
        ok(manage(url, HISTORY, "migrate", "testapp", "0001", "-v0"))
        ok(manage(url, HISTORY, "shell", "-v0", "-c", FILL))
        yield url


@pytest.fixture(scope="module")
def rehearsed(target: str) -> tuple[int, dict[str, Any]]:
    code, document, _err = rehearse(target, HISTORY)
    return code, document


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The rehearsal's operations by (migration, operation class)."""
    return {
        (migration["name"], operation["operation"]): operation
        for migration in document["rehearsal"]["migrations"]
        for operation in migration["operations"]
    }


def lock_rows(locks: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    return [(lock["table"], lock["mode"], lock["blocks"]) for lock in locks]


def test_backfills_report_their_batches_not_each_update(
    rehearsed: tuple[int, dict[str, Any]],
) -> None:
    code, document = rehearsed
    ops = operations(document)
    copy = ops[("0002_expand", "CopyToNewColumn")]  # the expand step's Backfill
    backfill = ops[("0003_backfill", "Backfill")]
    for operation, size in ((copy, 500), (backfill, 1000)):
        batches = operation["batches"]
        count = ROWS // size
        assert operation["statements"] == []  # one aggregate, not one line per UPDATE
        assert (batches["count"], batches["rows"], batches["statements"]) == (count, ROWS, count)
        assert batches["table"] == "testapp_post"
        # Per batch, BEGIN to COMMIT: each a part of the whole operation's time.
        assert 0 < batches["median_seconds"] <= batches["longest_seconds"]
        assert batches["longest_seconds"] < operation["seconds"]
        for lock in batches["locks"]:
            assert lock["held_seconds"] == batches["longest_seconds"]
        if VENDOR == "sqlite":  # the database's write lock; no row locks
            assert batches["rows_locked"] is None
            assert lock_rows(batches["locks"]) == [
                ("testapp_post", "EXCLUSIVE", ["reads", "writes"])
            ]
        elif VENDOR == "postgres":  # row locks live in the rows: the rows it wrote
            assert batches["rows_locked"] == size
            assert lock_rows(batches["locks"]) == [("testapp_post", "RowExclusiveLock", [])]
        else:  # InnoDB's own count (READ COMMITTED: exactly the rows written)
            assert batches["rows_locked"] == size
            assert batches["locks"] == []
        assert operation["contradicts"] is None
    assert [op for op in ops.values() if op["batches"]] == [copy, backfill]
    assert code == 0


def test_trigger_statements_name_their_table(rehearsed: tuple[int, dict[str, Any]]) -> None:
    """CREATE TRIGGER ... ON t, and DROP TRIGGER, which names no table on MariaDB and SQLite."""
    _code, document = rehearsed
    ops = operations(document)
    triggers = [
        statement
        for key in (("0002_expand", "SyncColumns"), ("0005_contract", "DropOldColumn"))
        for statement in ops[key]["statements"]
        if " TRIGGER " in statement["sql"]
    ]
    assert len(triggers) == {"postgres": 2, "mariadb": 4, "sqlite": 4}[VENDOR]
    expected = {
        "postgres": {"CREATE": "ShareRowExclusiveLock", "DROP": "AccessExclusiveLock"},
        "mariadb": {"CREATE": "EXCLUSIVE", "DROP": "EXCLUSIVE"},
        "sqlite": {"CREATE": "EXCLUSIVE", "DROP": "EXCLUSIVE"},
    }[VENDOR]
    for statement in triggers:
        verb = statement["sql"].split()[0]
        assert ("testapp_post", expected[verb]) in {
            (lock["table"], lock["mode"]) for lock in statement["locks"]
        }, statement
    every_lock = [
        lock for op in ops.values() for statement in op["statements"] for lock in statement["locks"]
    ]
    assert every_lock
    assert all(lock["table"] for lock in every_lock)  # no "EXCLUSIVE on " without a table
    if VENDOR == "postgres":  # the trigger function locks no table
        function = ops[("0002_expand", "SyncColumns")]["statements"][0]
        assert function["sql"].startswith("CREATE OR REPLACE FUNCTION")
        assert function["locks"] == []


@pytest.mark.skipif(VENDOR != "mariadb", reason="LOCK TABLES is MariaDB's contract step")
def test_mariadb_contract_lock_tables_blocks_reads_and_writes_until_unlock(
    rehearsed: tuple[int, dict[str, Any]],
) -> None:
    _code, document = rehearsed
    contract = operations(document)[("0005_contract", "DropOldColumn")]
    statements = contract["statements"]
    assert statements[0]["sql"] == "LOCK TABLES `testapp_post` WRITE"
    assert statements[-1]["sql"] == "UNLOCK TABLES"
    (lock,) = statements[0]["locks"]
    assert lock_rows([lock]) == [("testapp_post", "EXCLUSIVE", ["reads", "writes"])]
    # Held from LOCK TABLES to the end of UNLOCK TABLES: the whole span, every statement in it.
    assert lock["held_seconds"] >= sum(s["seconds"] for s in statements) - 1e-5
    assert lock["held_seconds"] > max(s["seconds"] for s in statements)
    switch = operations(document)[("0004_switch", "SeparateDatabaseAndState")]
    (modify,) = switch["statements"]
    assert modify["sql"].endswith("ALGORITHM=INPLACE, LOCK=NONE")
    assert lock_rows(modify["locks"]) == [("testapp_post", "NONE", [])]


def test_a_batch_held_longer_than_the_setting_contradicts_a_safe_verdict(target: str) -> None:
    result = manage(
        target,
        HISTORY,
        "safe_migrate",
        "testapp",
        "0003",
        "--rehearse",
        ZDT_MAX_LOCK_SECONDS="0.000001",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("  #0 Backfill ")]
    assert ": 3 batch(es) (3 statement(s)) wrote 3,000 row(s), each holding " in line
    held = {
        "sqlite": "EXCLUSIVE on testapp_post (blocks reads and writes)",
        "postgres": "row locks on 1,000 row(s) of testapp_post (the serving code's writes to "
        "them wait)",
        "mariadb": "row locks on 1,000 row(s) of testapp_post (the serving code's writes to "
        "them wait)",
    }[VENDOR]
    sentence = (
        f"contradicts the analysis: judged safe, but its longest batch (of 3) held {held} for"
    )
    assert sentence in result.stdout
    assert "over REHEARSE_MAX_LOCK_SECONDS (1e-06 s)" in result.stdout


@pytest.mark.skipif(VENDOR != "mariadb", reason="ALGORITHM and LOCK clauses are MariaDB's")
def test_mariadb_statement_with_its_own_lock_clause_runs_as_written(tmp_path: Path) -> None:
    """A type change needs ALGORITHM=COPY: with LOCK=NONE the server refuses it, in
    production as on the copy; no clause of the rehearsal's may let it through."""
    with scenario_database(tmp_path) as url:
        ok(manage(url, "tests.rehearsals.own_clause", "migrate", "testapp", "0001", "-v0"))
        code, document, _err = rehearse(url, "tests.rehearsals.own_clause")
    (migration,) = document["rehearsal"]["migrations"]
    (operation,) = migration["operations"]
    assert operation["contradicts"].startswith("failed on the copy: ")
    assert "ALGORITHM=INPLACE is not supported" in operation["contradicts"]
    assert code == 1
