"""The rehearsal's pure parts for expand_contract and Backfill, without a database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from django_zerodowntime.migrate.rehearsal import report, statements
from django_zerodowntime.migrate.rehearsal.batches import BatchSeen, summary
from django_zerodowntime.migrate.rehearsal.mariadb import rows_locked
from django_zerodowntime.migrate.rehearsal.model import Batches, Lock, OperationRun
from django_zerodowntime.migrate.rehearsal.observe import BatchLocks, Observation, Taken
from django_zerodowntime.migrate.rehearsal.runner import operation_run
from django_zerodowntime.migrate.rehearsal.tracker import OperationLog, Ran
from django_zerodowntime.migrate.rehearsal.verdicts import contradiction, locks_harm
from django_zerodowntime.safety.findings import Verdict

SQLITE_TRIGGER = (
    'CREATE TRIGGER "zdt_sync_shop_item_1a2b3c4d_ai" AFTER INSERT ON "shop_item" '
    'FOR EACH ROW WHEN NEW."b" IS NOT NEW."a" BEGIN UPDATE "shop_item" SET "a" = 1; END'
)
MARIADB_TRIGGER = (
    "CREATE TRIGGER `zdt_sync_shop_item_1a2b3c4d_bu` BEFORE UPDATE ON `shop_item` FOR EACH "
    "ROW BEGIN IF NEW.`b` IS NOT NULL THEN SET NEW.`a` = NEW.`b`; END IF; END"
)
PG_TRIGGER = (
    'CREATE TRIGGER "zdt_sync_shop_item_1a2b3c4d" BEFORE INSERT OR UPDATE ON "shop_item" '
    'FOR EACH ROW EXECUTE FUNCTION "zdt_sync_shop_item_1a2b3c4d"()'
)
PG_FUNCTION = (
    'CREATE OR REPLACE FUNCTION "zdt_sync_shop_item_1a2b3c4d"() RETURNS trigger\n'
    "LANGUAGE plpgsql AS $zdt$\nBEGIN\n    UPDATE other SET x = 1;\n    RETURN NEW;\nEND\n$zdt$"
)


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        (SQLITE_TRIGGER, "shop_item"),
        (MARIADB_TRIGGER, "shop_item"),
        (PG_TRIGGER, "shop_item"),
        ('DROP TRIGGER IF EXISTS "zdt_sync_shop_item_1a2b3c4d" ON "shop_item"', "shop_item"),
        ("DROP TRIGGER IF EXISTS `zdt_sync_shop_item_1a2b3c4d_bi`", None),  # asks the database
        (PG_FUNCTION, None),
        ('DROP FUNCTION IF EXISTS "zdt_sync_shop_item_1a2b3c4d"()', None),
        ("LOCK TABLES `shop_item` WRITE", "shop_item"),
        ("UNLOCK TABLES", None),
    ],
)
def test_table_of_expand_statements(sql: str, table: str | None) -> None:
    assert statements.table_of(sql) == table
    assert not statements.only_reads(sql)


def test_a_trigger_function_locks_no_table_and_drop_trigger_names_its_trigger() -> None:
    assert statements.touches_no_table(PG_FUNCTION)
    assert statements.touches_no_table('DROP FUNCTION IF EXISTS "f"()')
    assert not statements.touches_no_table(PG_TRIGGER)
    assert statements.is_ddl(PG_FUNCTION)
    assert statements.dropped_trigger("DROP TRIGGER IF EXISTS `t_bi`") == "t_bi"
    assert statements.dropped_trigger('DROP TRIGGER "t_ai"') == "t_ai"
    assert statements.dropped_trigger('DROP TRIGGER IF EXISTS "t" ON "shop_item"') is None


@pytest.mark.parametrize("sql", ["BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"])
def test_transaction_control_is_not_listed(sql: str) -> None:
    """The locks are the statements' inside the transaction (and a batch's, read before
    it commits); SQLite's BEGIN IMMEDIATE named no table."""
    assert statements.only_reads(sql)


def test_lock_tables_and_their_span() -> None:
    assert statements.tables_locked("LOCK TABLES `shop_item` WRITE") == [("shop_item", "EXCLUSIVE")]
    assert statements.tables_locked("LOCK TABLES `a` AS x READ, b LOW_PRIORITY WRITE") == [
        ("a", "SHARED"),
        ("b", "EXCLUSIVE"),
    ]
    assert statements.tables_locked("LOCK TABLE a IN ACCESS EXCLUSIVE MODE") == []  # PostgreSQL
    sqls = ["LOCK TABLES `t` WRITE", "DROP TRIGGER x", "ALTER TABLE t DROP c", "UNLOCK TABLES"]
    assert statements.lock_spans(sqls) == {0: 3}
    assert statements.lock_spans(sqls[:3]) == {}  # never unlocked: the caller decides
    assert statements.lock_spans(["LOCK TABLES a WRITE", "LOCK TABLES b WRITE"]) == {0: 1}


def test_a_statement_with_its_own_clause_is_run_as_written() -> None:
    """Another ALGORITHM/LOCK appended after the statement's own would override it."""
    own = "ALTER TABLE `t` MODIFY `c` longtext NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"
    assert statements.algorithm_variants(own) == [("NONE", own)]
    shared = "CREATE INDEX `i` ON `t` (`c`) LOCK=SHARED"
    assert statements.algorithm_variants(shared) == [("SHARED", shared)]
    algorithm_only = "ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=COPY"
    assert statements.algorithm_variants(algorithm_only) == [
        ("NONE", algorithm_only + ", LOCK=NONE"),
        ("SHARED", algorithm_only + ", LOCK=SHARED"),
    ]
    default = "ALTER TABLE `t` ADD COLUMN `c` int NULL, LOCK=DEFAULT"
    assert len(statements.algorithm_variants(default)) == len(statements.LADDER)


def seen(rows: int, seconds: float, locked: int | None, *locks: Taken) -> BatchSeen:
    return BatchSeen(rows, seconds, BatchLocks(locks, locked), ("shop_item",), 1)


ROW_EXCLUSIVE = Taken("shop_item", "RowExclusiveLock", (), True)


def test_batches_are_one_aggregate() -> None:
    batches = summary(
        [
            seen(500, 0.010, 500, ROW_EXCLUSIVE),
            seen(500, 0.030, 500, ROW_EXCLUSIVE),
            seen(200, 0.020, 200, ROW_EXCLUSIVE),
        ]
    )
    assert batches == Batches(
        count=3,
        rows=1200,
        longest_seconds=0.030,
        median_seconds=0.020,
        table="shop_item",
        rows_locked=500,
        locks=(Lock("shop_item", "RowExclusiveLock", (), 0.030, True),),
        statements=3,
    )
    assert summary([]) is None
    assert summary([seen(10, 0.1, None)]).rows_locked is None  # type: ignore[union-attr]


def batched(longest: float, locked: int | None = 1000, *locks: Lock) -> OperationRun:
    batches = Batches(10, 10_000, longest, longest / 2, "shop_item", locked, locks, 10)
    return OperationRun(0, "Backfill", longest * 10, (), None, batches)


def test_a_batch_holding_its_row_locks_too_long_contradicts_a_safe_verdict() -> None:
    """A batch's lock time does not grow with the table: the copy measures it as it is."""
    slow = batched(1.5)
    assert contradiction(slow, Verdict.SAFE, 1.0) == (
        "judged safe, but its longest batch (of 10) held row locks on 1,000 row(s) of "
        "shop_item (the serving code's writes to them wait) for 1.500 s, over "
        "REHEARSE_MAX_LOCK_SECONDS (1 s)"
    )
    assert locks_harm(slow, 1.0)
    assert contradiction(slow, Verdict.WARNING, 1.0) is None
    assert contradiction(batched(0.5), Verdict.SAFE, 1.0) is None
    assert not locks_harm(batched(0.5), 1.0)
    write_lock = Lock("shop_item", "EXCLUSIVE", ("reads", "writes"), 1.5)
    sentence = contradiction(batched(1.5, None, write_lock), Verdict.SAFE, 1.0)
    assert sentence is not None
    assert "held EXCLUSIVE on shop_item (blocks reads and writes) for 1.500 s" in sentence
    harmless = Lock("shop_item", "RowExclusiveLock", (), 1.5)
    assert contradiction(batched(1.5, 0, harmless), Verdict.SAFE, 1.0) is None


def test_batches_in_the_json_and_the_text() -> None:
    lock = Lock("shop_item", "RowExclusiveLock", (), 0.0123456789)
    operation = batched(0.0123456789, 1000, lock)
    assert report._batches(operation.batches) == {
        "count": 10,
        "rows": 10_000,
        "table": "shop_item",
        "rows_locked": 1000,
        "longest_seconds": 0.012346,
        "median_seconds": 0.006173,
        "locks": [
            {
                "table": "shop_item",
                "mode": "RowExclusiveLock",
                "blocks": [],
                "held_seconds": 0.012346,
            }
        ],
        "statements": 10,
    }
    assert report._batches(None) is None
    assert report._summary(operation) == (
        "10 batch(es) (10 statement(s)) wrote 10,000 row(s), each holding RowExclusiveLock on "
        "shop_item (blocks nothing) and row locks on up to 1,000 row(s) of shop_item (writes to "
        "them wait) for at most 0.012 s (median 0.006 s), rewrote nothing"
    )


STATUS = """------------
TRANSACTIONS
------------
Trx id counter 296627
LIST OF TRANSACTIONS FOR EACH SESSION:
---TRANSACTION 421, not started
0 lock struct(s), heap size 1128, 0 row lock(s)
MariaDB thread id 7, OS thread handle 1, query id 5 127.0.0.1 root
---TRANSACTION 296626, ACTIVE 0 sec
7 lock struct(s), heap size 1128, 703 row lock(s), undo log entries 700
MariaDB thread id 12540, OS thread handle 14, query id 982564 127.0.0.1 root starting
SHOW ENGINE INNODB STATUS
--------
FILE I/O
"""


def test_row_locks_read_from_the_innodb_status() -> None:
    assert rows_locked(STATUS, 12540) == 703
    assert rows_locked(STATUS, 7) == 0
    assert rows_locked(STATUS, 1254) is None  # not listed: unknown


@dataclass
class Probe:
    locks_last_until_commit: bool = False


def ran(sql: str, started: float, seconds: float, *locks: Taken) -> Ran:
    return Ran(sql, started, Observation(None, seconds, locks), in_transaction=False)


def test_lock_tables_is_held_until_unlock_tables_ends() -> None:
    write = Taken("shop_item", "EXCLUSIVE", ("reads", "writes"), True)
    log = OperationLog(0, "DropOldColumn", seconds=1.0, ended=11.0)
    log.statements = [
        ran("LOCK TABLES `shop_item` WRITE", 10.0, 0.01, write),
        ran("ALTER TABLE `shop_item` DROP COLUMN `a`", 10.01, 0.5),
        ran("UNLOCK TABLES", 10.6, 0.02),
    ]
    run = operation_run(log, Probe(), atomic=False, migration_end=12.0)  # type: ignore[arg-type]
    (lock,) = run.statements[0].locks
    assert lock.held_seconds == pytest.approx(0.62)
    log.statements = log.statements[:2]  # never unlocked: until the operation ended
    run = operation_run(log, Probe(), atomic=False, migration_end=12.0)  # type: ignore[arg-type]
    assert run.statements[0].locks[0].held_seconds == pytest.approx(1.0)
