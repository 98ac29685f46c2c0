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

from django.db.migrations.operations.base import Operation

from django_zerodowntime.operations.rows import write_transaction


def sqlite_transaction(schema_editor: Any) -> Any:
    """One transaction around a SQLite remake (others wait on its lock, never see it half done);
    elsewhere nothing: MariaDB cannot roll DDL back, PostgreSQL's steps commit one by one."""
    if schema_editor.connection.vendor == "sqlite":
        return write_transaction(schema_editor.connection)
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

    def set_sync(self, app_label: str, state: Any, schema_editor: Any, install: bool) -> None:
        """Install or remove the triggers (what SyncColumns and DropSync do, each way)."""
        shadow = self.shadow(app_label, state, schema_editor)
        if self.migrates(schema_editor, shadow.model):
            self.run(schema_editor, self.sync_sql(schema_editor, shadow.pair, install=install))


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
        self.set_sync(app_label, from_state, schema_editor, install=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.set_sync(app_label, to_state, schema_editor, install=False)


class DropSync(ColumnPairOperation):
    """The triggers alone go (what unapplying SyncColumns does); the contract step uses
    DropOldColumn, which drops them with the old column."""

    __module__ = "django_zerodowntime.operations"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.set_sync(app_label, from_state, schema_editor, install=False)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self.set_sync(app_label, to_state, schema_editor, install=True)
