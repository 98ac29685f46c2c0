"""Operation classes as third-party packages ship them (judged by what their SQL does)."""

from typing import Any

from django.db import migrations


class AddFieldQuietly(migrations.AddField):
    """A subclass that keeps AddField's SQL: judged as AddField."""


class AddFieldWithTrigger(migrations.AddField):
    """A subclass with SQL of its own: an unknown operation."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        super().database_forwards(app_label, schema_editor, *args)
        schema_editor.execute(
            "CREATE TRIGGER catalog_tag_weight AFTER INSERT ON catalog_tag BEGIN SELECT 1; END"
        )


class NoteOnly(migrations.operations.base.Operation):
    """An unknown operation that emits no SQL."""

    reversible = True

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, *args: Any) -> None:
        pass

    def database_backwards(self, *args: Any) -> None:
        pass


class Vacuum(NoteOnly):
    """An unknown operation that emits SQL."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        schema_editor.execute("VACUUM")
