"""MariaDB (and MySQL): the lock an ALTER TABLE needs, learnt by asking for less first.

Each ``ALTER TABLE`` and ``CREATE INDEX`` is tried on the copy with
``ALGORITHM=INSTANT``, then ``NOCOPY``/``INPLACE`` with ``LOCK=NONE``, then
``LOCK=SHARED``, then ``COPY``: the server refuses a clause it cannot honour
before it changes anything, and the first one it accepts is what the plain
statement does (it picks the cheapest itself). Nothing accepted: the plain
statement, ``EXCLUSIVE``. Rewrites show as a new InnoDB table id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from django_zerodowntime.migrate.rehearsal import lock_modes
from django_zerodowntime.migrate.rehearsal.observe import Observation, Taken
from django_zerodowntime.migrate.rehearsal.statements import (
    algorithm_variants,
    is_ddl,
    table_of,
)

# ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON), and a parse error: that clause, not here.
NOT_HONOURED = {1845, 1846, 1064}
TABLE_IDS = "SELECT NAME, TABLE_ID FROM information_schema.{view} WHERE NAME LIKE %s"
TABLE_ID_VIEWS = ("INNODB_SYS_TABLES", "INNODB_TABLES")  # MariaDB, MySQL 8


class MariaDBProbe:
    locks_last_until_commit = False

    def __init__(self, scratch: BaseDatabaseWrapper) -> None:
        self.scratch = scratch
        self.schema = str(scratch.settings_dict["NAME"])
        self.view: str | None = None
        for view in TABLE_ID_VIEWS:  # unreadable without the PROCESS privilege
            try:
                self._rows(TABLE_IDS.format(view=view), [self._pattern])
            except Exception:  # the driver's own error: a raw cursor asks
                continue
            self.view = view
            break
        with scratch.cursor() as cursor:
            self.existing = set(scratch.introspection.table_names(cursor))

    def start_operation(self) -> None:
        pass

    def run(self, execute: Callable[[str], Any], sql: str, in_transaction: bool) -> Observation:
        table = table_of(sql)
        before = self._table_ids()
        mode, result, seconds = self._ladder(execute, sql)
        if mode is None and table and is_ddl(sql):
            mode = "EXCLUSIVE"  # DROP, RENAME, TRUNCATE, CREATE TABLE: a metadata lock
        after = self._table_ids()
        if self.view is not None:
            rewrote = [name for name in after if name in before and after[name] != before[name]]
        else:
            rewrote = [table] if table and mode == "SHARED" else []
        locks: tuple[Taken, ...] = ()
        if mode is not None and table:
            blocks = lock_modes.blocks("mysql", mode)
            locks = (Taken(table, mode, blocks, table in self.existing),)
        return Observation(
            result, seconds, locks, tuple((name, name in self.existing) for name in rewrote)
        )

    def close(self) -> None:
        pass

    def _ladder(self, execute: Callable[[str], Any], sql: str) -> tuple[str | None, Any, float]:
        variants = algorithm_variants(sql)
        for mode, variant in variants:
            start = time.perf_counter()
            try:
                result = execute(variant)
            except DatabaseError as error:
                if error.args and error.args[0] in NOT_HONOURED:
                    continue
                raise
            return mode, result, time.perf_counter() - start
        start = time.perf_counter()
        result = execute(sql)
        return ("EXCLUSIVE" if variants else None), result, time.perf_counter() - start

    def _table_ids(self) -> dict[str, int]:
        if self.view is None:
            return {}
        rows = self._rows(TABLE_IDS.format(view=self.view), [self._pattern])
        return {str(name).split("/", 1)[1]: int(table_id) for name, table_id in rows}

    @property
    def _pattern(self) -> str:
        return self.schema.replace("_", "\\_") + "/%"

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        self.scratch.ensure_connection()
        cursor = self.scratch.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()
