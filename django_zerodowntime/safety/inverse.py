"""Unapplying an operation, expressed as the forwards operation that does the same thing.

A backwards step that drops is a drop: unapplying AddField is judged as the
RemoveField it amounts to, with the states swapped. One function per operation
kind; the registry (``operations.py``) says which kind uses which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import migrations

if TYPE_CHECKING:
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import ProjectState

# (operation, app_label, state before the operation) -> the equivalent forwards operation
Inverse = Callable[[Any, str, "ProjectState"], "Operation"]


class Irreversible(Exception):
    """The operation cannot be unapplied (Django raises IrreversibleError there)."""


def model_state(state: ProjectState, app_label: str, name: str) -> Any:
    return state.models[app_label, name.lower()]


def itself(op: Any, app_label: str, before: ProjectState) -> Operation:
    """Metadata-only operations: unapplying one is the same kind of change back."""
    return op  # type: ignore[no-any-return]


def remove_added_field(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.RemoveField(op.model_name, op.name)


def add_removed_field(op: Any, app_label: str, before: ProjectState) -> Operation:
    field = model_state(before, app_label, op.model_name).fields[op.name]
    return migrations.AddField(op.model_name, op.name, field)


def alter_field_back(op: Any, app_label: str, before: ProjectState) -> Operation:
    field = model_state(before, app_label, op.model_name).fields[op.name]
    return migrations.AlterField(op.model_name, op.name, field)


def rename_field_back(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.RenameField(op.model_name, op.new_name, op.old_name)


def delete_created_model(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.DeleteModel(op.name)


def create_deleted_model(op: Any, app_label: str, before: ProjectState) -> Operation:
    old = model_state(before, app_label, op.name)
    return migrations.CreateModel(old.name, list(old.fields.items()), dict(old.options))


def rename_model_back(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.RenameModel(op.new_name, op.old_name)


def alter_table_back(op: Any, app_label: str, before: ProjectState) -> Operation:
    table = model_state(before, app_label, op.name).options.get("db_table")
    return migrations.AlterModelTable(op.name, table)


def remove_added_index(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.RemoveIndex(op.model_name, op.index.name)


def remove_added_constraint(op: Any, app_label: str, before: ProjectState) -> Operation:
    return migrations.RemoveConstraint(op.model_name, op.constraint.name)


def add_removed_index(op: Any, app_label: str, before: ProjectState) -> Operation:
    old = model_state(before, app_label, op.model_name).get_index_by_name(op.name)
    return migrations.AddIndex(op.model_name, old)


def add_removed_constraint(op: Any, app_label: str, before: ProjectState) -> Operation:
    old = model_state(before, app_label, op.model_name).get_constraint_by_name(op.name)
    return migrations.AddConstraint(op.model_name, old)


def option_back(kind: type[Operation]) -> Inverse:
    """unique_together, index_together, order_with_respect_to: ``kind`` with the old value."""

    def inverse(op: Any, app_label: str, before: ProjectState) -> Operation:
        value = model_state(before, app_label, op.name).options.get(op.option_name)
        return kind(op.name, value)

    return inverse


def reverse_sql(op: Any, app_label: str, before: ProjectState) -> Operation:
    if op.reverse_sql is None:
        raise Irreversible("RunSQL without reverse_sql")
    return migrations.RunSQL(op.reverse_sql, op.sql, hints=op.hints, elidable=op.elidable)


def reverse_code(op: Any, app_label: str, before: ProjectState) -> Operation:
    if op.reverse_code is None:
        raise Irreversible(f"RunPython {op.code.__qualname__} without reverse_code")
    return migrations.RunPython(op.reverse_code, op.code, hints=op.hints, atomic=op.atomic)
