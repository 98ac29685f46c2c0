"""Each vendor's table lock modes, and which of the serving code's queries each one blocks.

The serving code reads (PostgreSQL: ``AccessShareLock``) and writes
(``RowExclusiveLock``); a mode blocks reads when it conflicts with the first,
writes when it conflicts with the second (PostgreSQL's lock conflict table).
MariaDB's ``LOCK=`` levels and SQLite's write lock say it in their names.
``docs/rehearsal.rst`` shows this table; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

READS, WRITES = "reads", "writes"


@dataclass(frozen=True)
class Mode:
    name: str
    blocks: tuple[str, ...]
    taken_by: str  # the statements that take it, for the docs


POSTGRESQL = (
    Mode("AccessShareLock", (), "SELECT"),
    Mode("RowShareLock", (), "SELECT ... FOR UPDATE / FOR SHARE"),
    Mode("RowExclusiveLock", (), "INSERT, UPDATE, DELETE"),
    Mode(
        "ShareUpdateExclusiveLock",
        (),
        "CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, ANALYZE",
    ),
    Mode("ShareLock", (WRITES,), "CREATE INDEX (without CONCURRENTLY)"),
    Mode("ShareRowExclusiveLock", (WRITES,), "ADD FOREIGN KEY, CREATE TRIGGER"),
    Mode("ExclusiveLock", (WRITES,), "REFRESH MATERIALIZED VIEW CONCURRENTLY"),
    Mode(
        "AccessExclusiveLock",
        (READS, WRITES),
        "most ALTER TABLE forms, DROP TABLE, TRUNCATE",
    ),
)
MARIADB = (
    Mode("NONE", (), "ALTER TABLE that succeeds with ALGORITHM=INSTANT or LOCK=NONE"),
    Mode("SHARED", (WRITES,), "ALTER TABLE that needs LOCK=SHARED (ALGORITHM=COPY at best)"),
    Mode("EXCLUSIVE", (READS, WRITES), "ALTER TABLE that needs LOCK=EXCLUSIVE, DROP, RENAME"),
)
# SQLite has one write lock for the whole database; readers wait for it too unless
# the database is in WAL mode.
SQLITE = (Mode("EXCLUSIVE", (WRITES,), "every write, in WAL mode"),)
SQLITE_ROLLBACK_JOURNAL = (Mode("EXCLUSIVE", (READS, WRITES), "every write, rollback journal"),)

TABLES: dict[str, tuple[Mode, ...]] = {
    "postgresql": POSTGRESQL,
    "mysql": MARIADB,
    "sqlite": SQLITE,
}
DATABASE_WIDE = {"sqlite"}  # one lock for every table: a new table's lock blocks the others


def blocks(vendor: str, mode: str) -> tuple[str, ...]:
    """What ``mode`` blocks; a mode this table does not know is taken to block both."""
    for known in TABLES.get(vendor, ()):
        if known.name == mode:
            return known.blocks
    return (READS, WRITES)
