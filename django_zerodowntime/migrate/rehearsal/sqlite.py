"""SQLite: one write lock for the whole database; a table remake is a rewrite.

Every statement that writes takes the database's write lock (``EXCLUSIVE`` by
the time it commits), which blocks every other writer, and readers too unless
the database is in WAL mode. Django changes most columns by remaking the table
(create ``new__t``, copy the rows, drop ``t``, rename): a table whose b-tree root
page is not the one it had when the operation began was rewritten.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from django_zerodowntime.migrate.rehearsal import lock_modes
from django_zerodowntime.migrate.rehearsal.observe import Observation, Taken
from django_zerodowntime.migrate.rehearsal.statements import table_of

ROOT_PAGES = (
    "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
)


class SqliteProbe:
    locks_last_until_commit = True

    def __init__(self, scratch: BaseDatabaseWrapper, target: BaseDatabaseWrapper) -> None:
        self.scratch = scratch
        with target.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            row = cursor.fetchone()
        wal = bool(row) and str(row[0]).lower() == "wal"
        modes = lock_modes.SQLITE if wal else lock_modes.SQLITE_ROLLBACK_JOURNAL
        self.mode = modes[0]
        self.existing = set(self._root_pages())
        self.baseline: dict[str, int] = {}
        self.reported: set[str] = set()

    def start_operation(self) -> None:
        self.baseline, self.reported = self._root_pages(), set()

    def run(self, execute: Callable[[str], Any], sql: str, in_transaction: bool) -> Observation:
        start = time.perf_counter()
        result = execute(sql)
        seconds = time.perf_counter() - start
        after = self._root_pages()
        rewrote = [
            name
            for name, page in after.items()
            if name in self.baseline and page != self.baseline[name] and name not in self.reported
        ]
        self.reported.update(rewrote)
        # Database-wide: whichever table it names, every other writer waits, and
        # the table it rewrote (the remake's rename) is under that lock too.
        tables = dict.fromkeys([table_of(sql) or "", *rewrote])
        locks = tuple(Taken(table, self.mode.name, self.mode.blocks, True) for table in tables)
        return Observation(
            result, seconds, locks, tuple((name, name in self.existing) for name in rewrote)
        )

    def close(self) -> None:
        pass

    def _root_pages(self) -> dict[str, int]:
        self.scratch.ensure_connection()
        cursor = self.scratch.connection.cursor()
        try:
            cursor.execute(ROOT_PAGES)
            return {str(name): int(page) for name, page in cursor.fetchall()}
        finally:
            cursor.close()
