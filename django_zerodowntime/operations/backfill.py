"""``Backfill``: fill one column in primary-key batches, each batch its own short transaction.

A plain ``RunPython`` that updates a big table holds its row locks (and, in an
atomic migration, every DDL lock beside it) until the whole update commits.
``Backfill`` walks the primary key instead: it reads the next ``batch_size``
keys of the rows still to do, updates exactly those in one transaction, commits,
and goes on. It needs ``atomic = False`` on its migration, and it is resumable:
the rows still to do are the rows whose value differs from the expression (or
match ``only``), so a run stopped half way and started again skips what is done.

Loaded by web workers whenever a migration uses it (the health check plans
migrations): it imports Django only, never the migration analysis.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import DatabaseError, router, transaction
from django.db.migrations.operations.base import Operation
from django.db.models import F, Q, Value

from django_zerodowntime.operations.batches import (
    Batch,
    BatchObserver,
    Progress,
    _observers,
    fraction,
    key_range,
    observe_batches,
)
from django_zerodowntime.operations.rows import Differs, write_transaction

__all__ = [
    "Backfill",
    "BackfillError",
    "Batch",
    "BatchObserver",
    "observe_batches",
    "write_transaction",
]


class BackfillError(RuntimeError):
    """A batch could not be written; the message names the row and what to do."""


class Backfill(Operation):
    """Set ``name`` on every row of ``model_name`` from an expression or a function.

    ``source`` is a query expression (``F("title")``, ``Lower("email")``, a
    constant) written with one UPDATE per batch, or a function of one model
    instance returning the value (its batch is read ``FOR UPDATE``, then
    written with ``bulk_update``). ``only`` (a ``Q``) limits the rows; by
    default an expression skips the rows that already hold its value.
    ``reverse`` (an expression or function) is what unapplying does; without
    it unapplying does nothing. ``pause`` seconds are slept between batches
    (default: 0.01 on SQLite, none elsewhere).
    """

    __module__ = "django_zerodowntime.operations"  # how migration files import it
    reduces_to_sql = False
    reversible = True
    atomic = False

    def __init__(
        self,
        model_name: str,
        name: str,
        source: Any,
        *,
        batch_size: int = 1000,
        pause: float | None = None,
        only: Q | None = None,
        reverse: Any = None,
        progress: bool | None = None,
        hints: dict[str, Any] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"Backfill {model_name}.{name}: batch_size must be 1 or more")
        self.model_name = model_name
        self.name = name
        self.source = source
        self.batch_size = batch_size
        self.pause = pause
        self.only = only
        self.reverse = reverse
        self.progress = progress
        self.hints = hints or {}

    @property
    def model_name_lower(self) -> str:
        return self.model_name.lower()

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        defaults = {"batch_size": 1000, "pause": None, "only": None, "reverse": None}
        for key, default in defaults.items():
            if getattr(self, key) != default:
                kwargs[key] = getattr(self, key)
        if self.hints:
            kwargs["hints"] = self.hints
        return type(self).__qualname__, [self.model_name, self.name, self.source], kwargs

    def describe(self) -> str:
        return f"Backfill {self.model_name}.{self.name} in batches of {self.batch_size}"

    @property
    def migration_name_fragment(self) -> str:
        return f"backfill_{self.model_name_lower}_{self.name.lower()}"

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # data only

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.fill(app_label, schema_editor, from_state, self.source)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if self.reverse is not None:
            self.fill(app_label, schema_editor, to_state, self.reverse)

    # --- the batches -------------------------------------------------------------------------

    def target_model(self, app_label: str, state: Any, connection: Any) -> Any:
        """The model whose rows are filled (the expand steps fill a column not in the state)."""
        return state.apps.get_model(app_label, self.model_name)

    def fill(self, app_label: str, schema_editor: Any, state: Any, source: Any) -> None:
        connection = schema_editor.connection
        model = self.target_model(app_label, state, connection)
        if not self.allowed(connection.alias, app_label, model):
            return
        if schema_editor.atomic_migration:
            raise BackfillError(
                f"{self.label(model)}: Backfill runs one transaction per batch; set "
                "`atomic = False` on its migration (in an atomic migration every batch's "
                "locks would be held until the whole backfill commits)"
            )
        self.run_batches(model, connection, source)

    def allowed(self, alias: str, app_label: str, model: Any) -> bool:
        return bool(
            router.allow_migrate_model(alias, model)
            and router.allow_migrate(alias, app_label, **self.hints)
        )

    def label(self, model: Any) -> str:
        return f"{model._meta.app_label}.{model._meta.object_name}.{self.name}"

    def todo(self, model: Any, source: Any) -> Q:
        """The rows still to do: ``only``, or for an expression the rows not holding it yet."""
        if self.only is not None:
            return self.only
        if callable(source) and not hasattr(source, "resolve_expression"):
            return Q()
        return Q(Differs(F(self.name), as_expression(source)))

    def run_batches(self, model: Any, connection: Any, source: Any) -> int:
        manager = model._base_manager.db_manager(connection.alias)
        todo = self.todo(model, source)
        first, last = key_range(manager)
        progress = Progress(self.label(model), self.progress)
        pause = default_pause(connection) if self.pause is None else self.pause
        rows = batches = 0
        after = None
        while True:
            pending = manager.filter(todo).order_by("pk")
            if after is not None:
                pending = pending.filter(pk__gt=after)
            pks = list(pending.values_list("pk", flat=True)[: self.batch_size])
            if not pks:
                break
            batch = Batch(self.label(model), batches, pks[0], pks[-1], 0)
            written, seconds = self.write_batch(model, connection, batch, pks, todo, source)
            rows += written
            batches += 1
            for observer in list(_observers):
                observer.committed(
                    Batch(batch.label, batch.index, pks[0], pks[-1], written, seconds)
                )
            after = pks[-1]
            progress.show(rows, batches, fraction(first, last, after))
            if pause:
                time.sleep(pause)
        progress.show(rows, batches, 1.0, done=True)
        return rows

    def write_batch(
        self, model: Any, connection: Any, batch: Batch, pks: list[Any], todo: Q, source: Any
    ) -> tuple[int, float]:
        """Write one batch in its own transaction; (rows written, seconds it held its locks)."""
        started = time.perf_counter()
        try:
            with write_transaction(connection):
                written = self.update(model, connection, pks, todo, source)
                done = Batch(batch.label, batch.index, batch.first_pk, batch.last_pk, written)
                for observer in list(_observers):
                    observer.before_commit(done, connection)
        except DatabaseError as error:
            failing = self.failing_row(model, connection, pks, todo, source)
            raise BackfillError(
                f"{self.label(model)}: the row with primary key {failing!r} of "
                f"{model._meta.db_table} cannot be written ({error}). Fix that row (or the "
                "backfill's expression), then run the migration again: it resumes where it "
                "stopped."
            ) from error
        return written, time.perf_counter() - started

    def update(self, model: Any, connection: Any, pks: list[Any], todo: Q, source: Any) -> int:
        manager = model._base_manager.db_manager(connection.alias)
        rows = manager.filter(todo, pk__gte=pks[0], pk__lte=pks[-1])
        if hasattr(source, "resolve_expression") or not callable(source):
            return int(rows.update(**{self.name: as_expression(source)}))
        objects = list(rows.select_for_update())
        for obj in objects:
            setattr(obj, self.name, source(obj))
        manager.bulk_update(objects, [self.name])
        return len(objects)

    def failing_row(self, model: Any, connection: Any, pks: list[Any], todo: Q, source: Any) -> Any:
        """The first key of the batch whose row alone cannot be written (None if none does)."""
        for pk in pks:
            try:
                with write_transaction(connection):
                    self.update(model, connection, [pk], todo, source)
                    transaction.set_rollback(True, using=connection.alias)
            except DatabaseError:
                return pk
        return None


def default_pause(connection: Any) -> float:
    """0.01 s on SQLite, where back-to-back batches starve other writers (bench/backfill.py:
    a waiting writer's busy handler sleeps, and the next batch takes the lock first)."""
    return 0.01 if connection.vendor == "sqlite" else 0.0


def as_expression(source: Any) -> Any:
    return source if hasattr(source, "resolve_expression") else Value(source)
