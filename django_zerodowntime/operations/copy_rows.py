"""Expand: the existing rows copied into the new column, in batches, through the triggers."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from django_zerodowntime.operations.backfill import Backfill, BackfillError
from django_zerodowntime.operations.columns import ColumnPairOperation


class CopyToNewColumn(ColumnPairOperation, Backfill):
    """Expand: fill the new column of every existing row, in batches, through the triggers.

    Each batch rewrites the old column with its own value; the trigger converts it
    into the new one, so the backfill and the live writes convert the same way.
    For a type change, a value that does not read back unchanged from the new
    column stops the step with its row's primary key.
    """

    __module__ = "django_zerodowntime.operations"

    step = "expand"
    reduces_to_sql = False

    def __init__(
        self,
        model_name: str,
        old_name: str,
        old_field: Any,
        new_name: str,
        new_field: Any,
        batch_size: int = 1000,
        pause: float | None = None,
    ) -> None:
        ColumnPairOperation.__init__(self, model_name, old_name, old_field, new_name, new_field)
        Backfill.__init__(self, model_name, new_name, None, batch_size=batch_size, pause=pause)
        self.current: Any = None

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = self.pair_kwargs()
        if self.batch_size != 1000:
            kwargs["batch_size"] = self.batch_size
        if self.pause is not None:
            kwargs["pause"] = self.pause
        return type(self).__qualname__, [], kwargs

    def describe(self) -> str:
        old, new = self.columns()
        return f"Copy {self.model_name}.{old} into {new} in batches of {self.batch_size}"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.current = self.shadow(app_label, from_state, schema_editor)
        self.name = self.current.new.name
        self.fill(app_label, schema_editor, from_state, None)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass  # the new column is dropped by unapplying AddShadowColumn

    def target_model(self, app_label: str, state: Any, connection: Any) -> Any:
        return self.current.model

    def label(self, model: Any) -> str:
        old, new = self.columns()
        return f"{model._meta.app_label}.{model._meta.object_name} {old} -> {new}"

    def todo(self, model: Any, source: Any) -> Q:
        old, new = self.current.old.name, self.current.new.name
        return Q(**{f"{new}__isnull": True, f"{old}__isnull": False})

    def update(self, model: Any, connection: Any, pks: list[Any], todo: Q, source: Any) -> int:
        manager = model._base_manager.db_manager(connection.alias)
        old = self.current.old.name
        written = int(manager.filter(todo, pk__gte=pks[0], pk__lte=pks[-1]).update(**{old: F(old)}))
        if self.current.pair.retyped:
            self.check_converted(model, connection, pks)
        return written

    def check_converted(self, model: Any, connection: Any, pks: list[Any]) -> None:
        from django_zerodowntime.expand import triggers

        pair = self.current.pair
        with connection.cursor() as cursor:
            cursor.execute(
                triggers.unconverted(pair, connection.vendor, connection.ops.quote_name),
                [pks[0], pks[-1]],
            )
            row = cursor.fetchone()
        if row is not None:
            raise BackfillError(
                f"{self.label(model)}: the row with primary key {row[0]!r} of {pair.table} holds "
                f"{row[1]!r}, which does not convert to {pair.new_type} and back unchanged. "
                "Fix that row (release N's code still writes the old column), then run the "
                "migration again: it resumes where it stopped."
            )
