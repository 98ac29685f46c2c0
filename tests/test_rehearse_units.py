"""The rehearsal's pure parts, without a database: statements, verdicts, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_zerodowntime.migrate.rehearsal import lock_modes, report, statements
from django_zerodowntime.migrate.rehearsal.model import (
    Lock,
    MigrationRun,
    OperationRun,
    Rehearsal,
    Statement,
)
from django_zerodowntime.migrate.rehearsal.verdicts import (
    contradiction,
    locks_harm,
    measured_harms,
    static_verdicts,
)
from django_zerodowntime.safety.findings import (
    Finding,
    MigrationReport,
    OperationReport,
    Verdict,
)

EXCLUSIVE = Lock("shop_item", "AccessExclusiveLock", ("reads", "writes"), 0.02)


@pytest.mark.parametrize(
    ("sql", "reads"),
    [
        ("SELECT 1", True),
        ("  select * from t", True),
        ("SELECT * FROM t FOR UPDATE", False),
        ("PRAGMA foreign_key_check", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("WITH x AS (SELECT 1) UPDATE t SET a = 1", False),
        ('ALTER TABLE "t" ADD COLUMN "c" int NULL', False),
        ("INSERT INTO t VALUES (1)", False),
        ("SET CONSTRAINTS ALL IMMEDIATE", False),
    ],
)
def test_only_reads(sql: str, reads: bool) -> None:
    assert statements.only_reads(sql) is reads


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('ALTER TABLE "shop_item" ALTER COLUMN "n" TYPE bigint', "shop_item"),
        ("ALTER TABLE `shop_item` MODIFY `n` bigint NOT NULL", "shop_item"),
        ('CREATE INDEX CONCURRENTLY "i" ON "shop_item" ("n")', "shop_item"),
        ('CREATE UNIQUE INDEX "i" ON "shop_item" ("n") WHERE "n" > 0', "shop_item"),
        ("DROP INDEX `i` ON `shop_item`", "shop_item"),
        ('INSERT INTO "new__shop_item" ("id") SELECT "id" FROM "shop_item"', "new__shop_item"),
        ('DROP TABLE "shop_item"', "shop_item"),
        ("RENAME TABLE `a` TO `b`", "a"),
        ('UPDATE "shop_item" SET "n" = 0', "shop_item"),
        ("SET CONSTRAINTS ALL IMMEDIATE", None),
    ],
)
def test_table_of(sql: str, table: str | None) -> None:
    assert statements.table_of(sql) == table


def test_algorithm_variants_least_locking_first() -> None:
    variants = statements.algorithm_variants("ALTER TABLE `t` ADD COLUMN `c` int NULL")
    assert [mode for mode, _sql in variants] == ["NONE", "NONE", "NONE", "SHARED", "SHARED"]
    assert variants[0][1] == "ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT"
    assert variants[-1][1].endswith(", ALGORITHM=COPY, LOCK=SHARED")


def test_algorithm_variants_for_index_statements() -> None:
    created = statements.algorithm_variants("CREATE INDEX `i` ON `t` (`c`)")
    assert created[1][1] == "CREATE INDEX `i` ON `t` (`c`) ALGORITHM=NOCOPY LOCK=NONE"
    dropped = statements.algorithm_variants("DROP INDEX `i` ON `t`")
    assert dropped[0][1] == "ALTER TABLE `t` DROP INDEX `i`, ALGORITHM=INSTANT"
    assert statements.algorithm_variants("DROP TABLE `t`") == []


def test_lock_modes_block_what_the_vendors_say() -> None:
    assert lock_modes.blocks("postgresql", "AccessExclusiveLock") == ("reads", "writes")
    assert lock_modes.blocks("postgresql", "ShareLock") == ("writes",)
    assert lock_modes.blocks("postgresql", "ShareUpdateExclusiveLock") == ()
    assert lock_modes.blocks("mysql", "SHARED") == ("writes",)
    assert lock_modes.blocks("mysql", "NONE") == ()
    assert lock_modes.blocks("postgresql", "SomeFutureLock") == ("reads", "writes")


def op(*statements_: Statement, error: str | None = None) -> OperationRun:
    return OperationRun(0, "AlterField", 0.1, statements_, error)


def test_a_safe_operation_that_rewrote_an_existing_table_contradicts() -> None:
    rewrite = Statement("ALTER ...", 0.01, (EXCLUSIVE,), ("shop_item",), ("shop_item",))
    sentence = contradiction(op(rewrite), Verdict.SAFE, 1.0)
    assert sentence == (
        "judged safe, but it rewrote table shop_item under AccessExclusiveLock "
        "(blocks reads and writes of the serving code)"
    )
    assert contradiction(op(rewrite), Verdict.WARNING, 1.0) is None
    assert contradiction(op(rewrite), Verdict.BLOCKED, 1.0) is None
    assert locks_harm(op(rewrite), 1.0)


def test_rewrites_that_block_nothing_or_of_new_tables_do_not_contradict() -> None:
    online = Lock("shop_item", "NONE", (), 5.0)
    rebuilt_online = Statement("ALTER ...", 5.0, (online,), ("shop_item",), ("shop_item",))
    assert contradiction(op(rebuilt_online), Verdict.SAFE, 1.0) is None
    new_table = Statement("ALTER ...", 0.01, (EXCLUSIVE,), ("shop_new",), ())
    assert contradiction(op(new_table), Verdict.SAFE, 1.0) is None
    assert not locks_harm(op(rebuilt_online, new_table), 1.0)


def test_a_blocking_lock_held_too_long_contradicts() -> None:
    held = Lock("shop_item", "ShareLock", ("writes",), 2.5)
    statement = Statement("CREATE INDEX ...", 2.4, (held,))
    sentence = contradiction(op(statement), Verdict.SAFE, 1.0)
    assert sentence == (
        "judged safe, but it held ShareLock on shop_item (blocks writes) for 2.500 s at the "
        "copied size, over REHEARSE_MAX_LOCK_SECONDS (1 s)"
    )
    assert contradiction(op(statement), Verdict.SAFE, 3.0) is None
    unseen = Lock("shop_new", "ShareLock", ("writes",), 2.5, reaches_serving_code=False)
    assert contradiction(op(Statement("x", 2.4, (unseen,))), Verdict.SAFE, 1.0) is None
    assert locks_harm(op(statement), 1.0)
    assert not locks_harm(op(statement), 3.0)


def test_a_failure_on_the_copy_contradicts_every_verdict() -> None:
    failed = op(error="could not create unique index")
    for verdict in (Verdict.SAFE, Verdict.BLOCKED, None):
        assert (
            contradiction(failed, verdict, 1.0)
            == "failed on the copy: could not create unique index"
        )


def test_static_verdicts_keep_the_worst_finding_of_an_operation() -> None:
    findings = (
        OperationReport(0, "AddField", "t", Finding(Verdict.SAFE, None, "")),
        OperationReport(0, "AddField", "t", Finding(Verdict.BLOCKED, "ZDT301", "")),
        OperationReport(1, "AddIndex", "t", Finding(Verdict.WARNING, "ZDT301", "")),
    )
    verdicts = static_verdicts([MigrationReport("shop", "0002", findings)])
    assert verdicts == {("shop", "0002", 0): Verdict.BLOCKED, ("shop", "0002", 1): Verdict.WARNING}


def test_the_json_has_exactly_the_documented_keys() -> None:
    statement = Statement('ALTER TABLE "shop_item"', 0.0123456789, (EXCLUSIVE,), ("shop_item",))
    migration = MigrationRun("shop", "0002", 0.5, (op(statement),))
    rehearsal = Rehearsal("postgresql", "default", 100, 0.6, (migration,))
    document = report.as_json(rehearsal, {("shop", "0002", 0): "judged safe, but ..."})
    assert document == {
        "vendor": "postgresql",
        "database": "default",
        "rows": 100,
        "seconds": 0.6,
        "migrations": [
            {
                "app": "shop",
                "name": "0002",
                "seconds": 0.5,
                "operations": [
                    {
                        "index": 0,
                        "operation": "AlterField",
                        "seconds": 0.1,
                        "statements": [
                            {
                                "sql": 'ALTER TABLE "shop_item"',
                                "seconds": 0.012346,
                                "locks": [
                                    {
                                        "table": "shop_item",
                                        "mode": "AccessExclusiveLock",
                                        "blocks": ["reads", "writes"],
                                        "held_seconds": 0.02,
                                    }
                                ],
                                "rewrote": ["shop_item"],
                            }
                        ],
                        "contradicts": "judged safe, but ...",
                        "batches": None,
                    }
                ],
            }
        ],
    }
    text = "\n".join(
        "".join(part for _style, part in line)
        for line in report.text_lines(rehearsal, {("shop", "0002", 0): "judged safe, but ..."})
    )
    assert "AccessExclusiveLock on shop_item (blocks reads and writes)" in text
    assert "contradicts the analysis: judged safe, but ..." in text


def test_the_docs_lock_table_is_the_code_table() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "rehearsal.rst").read_text()
    names = {"postgresql": "PostgreSQL", "mysql": "MariaDB"}
    for vendor, label in names.items():
        for mode in lock_modes.TABLES[vendor]:
            blocks = " and ".join(mode.blocks) or "nothing"
            row = f"   * - {label}\n     - ``{mode.name}``\n     - {blocks}\n"
            assert row in page, row
    sqlite_row = "   * - SQLite\n     - ``EXCLUSIVE``\n     - writes (WAL mode); reads and writes"
    assert sqlite_row in page
    assert lock_modes.SQLITE[0].blocks == ("writes",)
    assert lock_modes.SQLITE_ROLLBACK_JOURNAL[0].blocks == ("reads", "writes")


def test_measured_harms_per_operation() -> None:
    rewrite = Statement("ALTER ...", 0.01, (EXCLUSIVE,), ("shop_item",), ("shop_item",))
    quiet = Statement("ALTER ...", 0.01, (Lock("shop_item", "NONE", (), 0.01),))
    migration = MigrationRun(
        "shop", "0002", 0.1, (op(rewrite), OperationRun(1, "AddField", 0.01, (quiet,)))
    )
    rehearsal = Rehearsal("postgresql", "default", 10, 0.1, (migration,))
    assert measured_harms(rehearsal, 1.0) == {
        ("shop", "0002", 0): "locks",
        ("shop", "0002", 1): None,
    }


def test_a_rehearsal_failed_when_an_operation_failed_on_the_copy() -> None:
    """What other tools read from rehearse()'s result (docs/rehearsal.rst)."""
    good = MigrationRun("shop", "0002", 0.1, (op(),))
    bad = MigrationRun("shop", "0003", 0.1, (op(), op(error="column exists")))
    assert (good.failed, bad.failed) == (False, True)
    assert not Rehearsal("sqlite", "default", 10, 0.2, (good,)).failed
    assert Rehearsal("sqlite", "default", 10, 0.2, (good, bad)).failed
