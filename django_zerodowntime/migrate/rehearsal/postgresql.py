"""PostgreSQL: locks from ``pg_locks``, rewrites from ``pg_class.relfilenode``.

In a transaction, the locks a statement took are still held after it: they are
read from ``pg_locks`` for the rehearsing backend, before and after. A statement
outside a transaction (``CREATE INDEX CONCURRENTLY``, DDL of a non-atomic
migration) has released them when it returns, so a second connection watches it:
it first holds every table of the copy in ACCESS EXCLUSIVE mode, sees the
statement wait for its first lock (table and mode), lets it go, then keeps
reading ``pg_locks`` until the statement ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from django_zerodowntime.migrate.rehearsal import lock_modes
from django_zerodowntime.migrate.rehearsal.observe import Observation, Taken
from django_zerodowntime.migrate.rehearsal.statements import is_ddl

USER_TABLES = (
    "SELECT c.oid, c.relname, c.relfilenode, format('%I.%I', n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname !~ '^pg_' "
    "AND n.nspname <> 'information_schema'"
)
LOCKS_OF = (
    "SELECT l.relation, c.relname, l.mode, l.granted "
    "FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE l.pid = %s AND l.locktype = 'relation' AND c.relkind IN ('r', 'p', 'm') "
    "AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
)
POLL_SECONDS = 0.002

Held = set[tuple[int, str, str]]  # (oid, table, mode)


class PostgresProbe:
    locks_last_until_commit = True

    def __init__(self, scratch: BaseDatabaseWrapper) -> None:
        self.scratch = scratch
        scratch.ensure_connection()
        self.pid = self._rows("SELECT pg_backend_pid()")[0][0]
        self.existing = set(self._tables())
        self.watcher = scratch.get_new_connection(scratch.get_connection_params())
        self.watcher.autocommit = True

    def start_operation(self) -> None:
        pass

    def run(self, execute: Callable[[str], Any], sql: str, in_transaction: bool) -> Observation:
        before = self._tables()
        if in_transaction:
            held = self._held(self._rows(LOCKS_OF, [self.pid]))
            start = time.perf_counter()
            result = execute(sql)
            seconds = time.perf_counter() - start
            taken = self._held(self._rows(LOCKS_OF, [self.pid])) - held
        elif is_ddl(sql):
            result, seconds, taken = self._watched(execute, sql, before)
        else:
            start = time.perf_counter()
            result = execute(sql)
            seconds, taken = time.perf_counter() - start, set()
        after = self._tables()
        rewrote = tuple(
            (after[oid][0], oid in self.existing)
            for oid in after
            if oid in before and after[oid][1] != before[oid][1]
        )
        locks = tuple(
            Taken(table, mode, lock_modes.blocks("postgresql", mode), oid in self.existing)
            for oid, table, mode in sorted(taken, key=lambda lock: (lock[1], lock[2]))
        )
        return Observation(result, seconds, locks, rewrote)

    def close(self) -> None:
        self.watcher.close()

    def _watched(
        self, execute: Callable[[str], Any], sql: str, tables: dict[int, tuple[str, int, str]]
    ) -> tuple[Any, float, Held]:
        seen: Held = set()
        gate = self.watcher.cursor()
        gate.execute("BEGIN")
        if tables:
            names = ", ".join(qualified for _name, _node, qualified in tables.values())
            gate.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
        done = threading.Event()
        watching = threading.Thread(target=self._watch, args=(gate, seen, done), daemon=True)
        watching.start()
        start = time.perf_counter()
        try:
            result = execute(sql)
        finally:
            seconds = time.perf_counter() - start
            done.set()
            watching.join()
        return result, seconds, seen

    def _watch(self, cursor: Any, seen: Held, done: threading.Event) -> None:
        gated = True
        try:
            while True:
                finished = done.is_set()
                cursor.execute(LOCKS_OF, [self.pid])
                for oid, table, mode, granted in cursor.fetchall():
                    seen.add((oid, table, mode))
                    if not granted and gated:
                        cursor.execute("COMMIT")  # seen waiting for its first lock: let it go
                        gated = False
                if finished:
                    return
                time.sleep(POLL_SECONDS)
        finally:
            if gated:
                cursor.execute("COMMIT")

    def _tables(self) -> dict[int, tuple[str, int, str]]:
        return {
            oid: (name, node, qualified) for oid, name, node, qualified in self._rows(USER_TABLES)
        }

    def _held(self, rows: list[tuple[Any, ...]]) -> Held:
        return {(oid, table, mode) for oid, table, mode, granted in rows if granted}

    def _rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        cursor = self.scratch.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()
