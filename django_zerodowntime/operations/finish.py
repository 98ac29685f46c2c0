"""Switch and contract: the new column NOT NULL, then the old column and the triggers gone."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Cast

from django_zerodowntime.operations.backfill import Backfill
from django_zerodowntime.operations.columns import ColumnPairOperation, sqlite_transaction


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
