"""The database side of ``expand_contract``: a second column, kept equal to the first.

Each operation names the column pair the same way (the model, the old field
and its name, the new field and its name) and changes no migration state: the
switch step's state change is a plain RenameField or AlterField beside them.
The SQL lives in ``django_zerodowntime.expand``, imported only when an
operation runs, so web workers that load these migrations never load it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.db.migrations.operations.base import Operation
from django.db.models import F, Q
from django.db.models.functions import Cast

from django_zerodowntime.operations.backfill import Backfill, BackfillError


def sqlite_transaction(schema_editor: Any) -> Any:
    """One transaction around a SQLite remake (others wait on its lock, never see it half done);
    elsewhere nothing: MariaDB cannot roll DDL back, PostgreSQL's steps commit one by one."""
    if schema_editor.connection.vendor == "sqlite":
        return transaction.atomic(using=schema_editor.connection.alias)
    return contextlib.nullcontext()


class ColumnPairOperation(Operation):
    __module__ = "django_zerodowntime.operations"  # how migration files import it
    reduces_to_sql = True
    step = ""  # the expand_contract step it belongs to

    def __init__(
        self, model_name: str, old_name: str, old_field: Any, new_name: str, new_field: Any
    ) -> None:
        self.model_name = model_name
        self.old_name = old_name
        self.old_field = old_field
        self.new_name = new_name
        self.new_field = new_field

    @property
    def model_name_lower(self) -> str:
        return self.model_name.lower()

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return type(self).__qualname__, [], self.pair_kwargs()

    def pair_kwargs(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "old_name": self.old_name,
            "old_field": self.old_field,
            "new_name": self.new_name,
            "new_field": self.new_field,
        }

    def columns(self) -> tuple[str, str]:
        from django_zerodowntime.expand.shadow import column_of

        return column_of(self.old_name, self.old_field), column_of(self.new_name, self.new_field)

    def describe(self) -> str:
        old, new = self.columns()
        return f"{type(self).__name__} {self.model_name}: {old} -> {new}"

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # the database only

    def shadow(self, app_label: str, state: Any, schema_editor: Any) -> Any:
        from django_zerodowntime.expand.shadow import shadow

        return shadow(self, app_label, state, schema_editor.connection)

    def migrates(self, schema_editor: Any, model: Any) -> bool:
        return bool(self.allow_migrate_model(schema_editor.connection.alias, model))

    def run(self, schema_editor: Any, statements: list[str]) -> None:
        from django_zerodowntime.expand.shadow import execute

        execute(schema_editor, statements)

    def sync_sql(self, schema_editor: Any, pair: Any, install: bool) -> list[str]:
        from django_zerodowntime.expand import triggers

        connection = schema_editor.connection
        make = triggers.install if install else triggers.remove
        return make(pair, connection.vendor, connection.ops.quote_name)


class AddShadowColumn(ColumnPairOperation):
    """Expand: the new column, nullable, on the database only (the state does not change).

    On SQLite the old column becomes nullable too (a table remake): SQLite checks
    NOT NULL before its triggers run, and release N+1 inserts rows without it.
    """

    __module__ = "django_zerodowntime.operations"

    step = "expand"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        from django_zerodowntime.expand.shadow import needs_relaxing

        shadow = self.shadow(app_label, from_state, schema_editor)
        if not self.migrates(schema_editor, shadow.model):
            return
        schema_editor.add_field(shadow.model, shadow.new)
        if schema_editor.connection.vendor == "sqlite" and needs_relaxing(self.old_field):
            from django_zerodowntime.expand import sqlite

            with sqlite_transaction(schema_editor):
                sqlite.set_null(schema_editor, shadow.pair.table, shadow.pair.old, null=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, to_state, schema_editor)
        if self.migrates(schema_editor, shadow.model):
            schema_editor.remove_field(shadow.model, shadow.new)


class SyncColumns(ColumnPairOperation):
    """Expand: triggers that copy every write of one column to the other, both ways."""

    __module__ = "django_zerodowntime.operations"

    step = "expand"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, from_state, schema_editor)
        if self.migrates(schema_editor, shadow.model):
            self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=True))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, to_state, schema_editor)
        if self.migrates(schema_editor, shadow.model):
            self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=False))


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


class SetNewColumnNotNull(ColumnPairOperation):
    """Switch: the new column NOT NULL when the old one was, without a long lock.

    PostgreSQL: a NOT VALID check, VALIDATE, SET NOT NULL. MariaDB/MySQL: an
    online rebuild (ALGORITHM=INPLACE, LOCK=NONE). Their BEFORE triggers fill
    the new column before NOT NULL is checked, so release N's INSERTs go on.
    SQLite checks NOT NULL before its (AFTER) triggers run: there the column
    stays nullable until the contract step, when release N is gone.
    """

    __module__ = "django_zerodowntime.operations"

    step = "switch"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.change(app_label, schema_editor, from_state, null=False)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.change(app_label, schema_editor, to_state, null=True)

    def change(self, app_label: str, schema_editor: Any, state: Any, null: bool) -> None:
        from django_zerodowntime.expand import triggers
        from django_zerodowntime.expand.shadow import nullable_copy

        connection = schema_editor.connection
        if self.old_field.null or connection.vendor == "sqlite":
            return
        shadow = self.shadow(app_label, state, schema_editor)
        if not self.migrates(schema_editor, shadow.model):
            return
        target = nullable_copy(shadow.new, shadow.new.column, null=null)
        target.set_attributes_from_name(shadow.new.name)
        target.model = shadow.model
        definition = str(schema_editor.column_sql(shadow.model, target)[0])
        change = triggers.not_null if not null else triggers.drop_not_null
        self.run(
            schema_editor,
            change(shadow.pair, connection.vendor, connection.ops.quote_name, definition),
        )


class DropSync(ColumnPairOperation):
    """The triggers alone go (what unapplying SyncColumns does); the contract step uses
    DropOldColumn, which drops them with the old column."""

    __module__ = "django_zerodowntime.operations"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, from_state, schema_editor)
        if self.migrates(schema_editor, shadow.model):
            self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=False))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, to_state, schema_editor)
        if not self.migrates(schema_editor, shadow.model):
            return
        self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=True))


class DropOldColumn(ColumnPairOperation):
    """Contract: the triggers and the old column go, together.

    Together, because once the triggers are gone the old column must be gone
    too: release N+1's INSERTs leave it out, and a NOT NULL column without a
    default refuses them. PostgreSQL and SQLite drop both in the migration's
    transaction; MariaDB/MySQL, which cannot roll DDL back, under one
    ``LOCK TABLES ... WRITE`` (writers wait the instant the two drops take).
    safe_migrate refuses it while a running release uses the old column.
    """

    __module__ = "django_zerodowntime.operations"

    step = "contract"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        shadow = self.shadow(app_label, from_state, schema_editor)
        if not self.migrates(schema_editor, shadow.model):
            return
        drop_triggers = self.sync_sql(schema_editor, shadow.pair, install=False)
        connection = schema_editor.connection
        if connection.vendor == "mysql":
            q = connection.ops.quote_name
            drop_column = f"ALTER TABLE {q(shadow.pair.table)} DROP COLUMN {q(shadow.pair.old)}"
            self.run(schema_editor, [f"LOCK TABLES {q(shadow.pair.table)} WRITE"])
            try:
                self.run(schema_editor, [*drop_triggers, drop_column])
            finally:
                self.run(schema_editor, ["UNLOCK TABLES"])
            return
        with sqlite_transaction(schema_editor):
            self.run(schema_editor, drop_triggers)
            schema_editor.remove_field(shadow.model, shadow.old)
            self.sqlite_not_null(app_label, schema_editor, from_state, null=False)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        """The old column back (nullable), the triggers back, then its values from the new one."""
        shadow = self.shadow(app_label, to_state, schema_editor)
        if not self.migrates(schema_editor, shadow.model):
            return
        with sqlite_transaction(schema_editor):
            self.sqlite_not_null(app_label, schema_editor, to_state, null=True)
            schema_editor.add_field(shadow.model, shadow.old)
            self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=True))
        old, new = shadow.old.name, shadow.new.name
        source: Any = F(new)
        if shadow.pair.retyped:
            source = Cast(F(new), output_field=self.old_field)
        refill = Backfill(
            self.model_name,
            old,
            source,
            only=Q(**{f"{old}__isnull": True, f"{new}__isnull": False}),
        )
        refill.run_batches(shadow.model, schema_editor.connection, source)

    def sqlite_not_null(self, app_label: str, schema_editor: Any, state: Any, null: bool) -> None:
        """SQLite: the new column becomes NOT NULL only now, when release N is gone."""
        if schema_editor.connection.vendor != "sqlite" or self.old_field.null:
            return
        from django_zerodowntime.expand import sqlite

        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        sqlite.set_null(schema_editor, table, self.columns()[1], null=null)
