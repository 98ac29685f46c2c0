"""Which operation each statement belongs to, while Django's executor runs a migration.

Nothing of Django is patched: the migration is handed to
``MigrationExecutor.apply_migration`` as a copy whose operations are wrapped in
``Marked`` (it notes which operation is running), and every statement passes
through ``Tracker``, a database instrumentation wrapper
(``connection.execute_wrapper``). Statements Django defers to the end of the
migration (indexes and foreign keys of a new table) go to the operation that
deferred them.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation

from django_zerodowntime.migrate.rehearsal.observe import Observation, Probe
from django_zerodowntime.migrate.rehearsal.statements import only_reads


@dataclass
class Ran:
    """One statement as it ran, before its locks' durations are known."""

    sql: str
    started: float
    observation: Observation
    in_transaction: bool


@dataclass
class OperationLog:
    index: int
    operation: str
    seconds: float = 0.0
    ended: float = 0.0
    statements: list[Ran] = field(default_factory=list)
    error: str | None = None


class Tracker:
    def __init__(self, connection: BaseDatabaseWrapper, probe: Probe) -> None:
        self.connection = connection
        self.probe = probe
        self.current: OperationLog | None = None
        self.last: OperationLog | None = None
        self.logs: list[OperationLog] = []
        self.deferred: list[tuple[Any, OperationLog]] = []  # (Statement or str, its operation)
        self.quoter: BaseDatabaseSchemaEditor | None = None

    def marked(self, migration: Migration) -> Migration:
        """A copy of ``migration`` whose operations report to this tracker."""
        marked = copy.copy(migration)
        marked.operations = [Marked(op, i, self) for i, op in enumerate(migration.operations)]  # type: ignore[misc]
        return marked

    @contextmanager
    def operation(
        self, index: int, operation: Operation, editor: BaseDatabaseSchemaEditor
    ) -> Iterator[None]:
        log = OperationLog(index, type(operation).__name__)
        self.logs.append(log)
        self.current = self.last = log
        known = {id(sql) for sql in editor.deferred_sql}
        self.probe.start_operation()
        start = time.perf_counter()
        try:
            yield
        finally:
            log.seconds += time.perf_counter() - start
            log.ended = time.perf_counter()
            self.current = None
            self.deferred += [(sql, log) for sql in editor.deferred_sql if id(sql) not in known]

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        owner = self.current or self._deferred_owner(sql)
        if owner is None or only_reads(sql):
            return execute(sql, params, many, context)
        self.last = owner
        text = self._text(sql, params, many)
        started = time.perf_counter()
        observation = self.probe.run(
            lambda statement: execute(statement, params, many, context),
            sql,
            self.connection.in_atomic_block,
        )
        owner.statements.append(Ran(text, started, observation, self.connection.in_atomic_block))
        if self.current is None:  # a deferred statement: its time counts for its operation
            owner.seconds += observation.seconds
            owner.ended = time.perf_counter()
        return observation.result

    def fail(self, error: BaseException) -> None:
        """Note ``error`` on the operation that was running (or last ran a statement)."""
        log = self.current or self.last
        if log is not None:
            log.error = " ".join(str(error).split()) or type(error).__name__

    def _deferred_owner(self, sql: str) -> OperationLog | None:
        for statement, log in self.deferred:
            if str(statement) == sql:
                return log
        return None

    def _text(self, sql: str, params: Any, many: bool) -> str:
        if many or not params:
            return sql
        self.quoter = self.quoter or self.connection.schema_editor()
        try:
            return sql % tuple(self.quoter.quote_value(p) for p in params)
        except (TypeError, ValueError, NotImplementedError):
            return sql


class Marked:
    """An operation that tells the tracker when Django runs it; otherwise the operation."""

    def __init__(self, operation: Operation, index: int, tracker: Tracker) -> None:
        self._operation = operation
        self._index = index
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._operation, name)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: Any,
        to_state: Any,
    ) -> None:
        with self._tracker.operation(self._index, self._operation, schema_editor):
            self._operation.database_forwards(app_label, schema_editor, from_state, to_state)
