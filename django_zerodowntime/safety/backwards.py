"""Unapplying an operation, expressed as the forwards operation that does the same thing.

A backwards step that drops is a drop: unapplying AddField is judged as the
RemoveField it amounts to, with the states swapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import migrations

if TYPE_CHECKING:
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import ProjectState


class Irreversible(Exception):
    """The operation cannot be unapplied (Django raises IrreversibleError there)."""


def model_state(state: ProjectState, app_label: str, name: str) -> Any:
    return state.models[app_label, name.lower()]


def inverse(op: Operation, app_label: str, before: ProjectState) -> Operation | None:
    """The forwards operation equal to unapplying ``op``; None: judge its emitted SQL."""
    o: Any = op
    kind = type(op).__name__
    if kind == "AddField":
        return migrations.RemoveField(o.model_name, o.name)
    if kind == "RemoveField":
        field = model_state(before, app_label, o.model_name).fields[o.name]
        return migrations.AddField(o.model_name, o.name, field)
    if kind == "AlterField":
        field = model_state(before, app_label, o.model_name).fields[o.name]
        return migrations.AlterField(o.model_name, o.name, field)
    if kind == "RenameField":
        return migrations.RenameField(o.model_name, o.new_name, o.old_name)
    if kind == "CreateModel":
        return migrations.DeleteModel(o.name)
    if kind == "DeleteModel":
        old = model_state(before, app_label, o.name)
        return migrations.CreateModel(old.name, list(old.fields.items()), dict(old.options))
    if kind == "RenameModel":
        return migrations.RenameModel(o.new_name, o.old_name)
    if kind == "AlterModelTable":
        return migrations.AlterModelTable(
            o.name, model_state(before, app_label, o.name).options.get("db_table")
        )
    if kind in ("AddIndex", "AddIndexConcurrently"):
        return migrations.RemoveIndex(o.model_name, o.index.name)
    if kind in ("AddConstraint", "AddConstraintNotValid"):
        return migrations.RemoveConstraint(o.model_name, o.constraint.name)
    if kind in ("RemoveIndex", "RemoveIndexConcurrently"):
        old = model_state(before, app_label, o.model_name).get_index_by_name(o.name)
        return migrations.AddIndex(o.model_name, old)
    if kind == "RemoveConstraint":
        old = model_state(before, app_label, o.model_name).get_constraint_by_name(o.name)
        return migrations.AddConstraint(o.model_name, old)
    if kind in ("AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo"):
        value = model_state(before, app_label, o.name).options.get(o.option_name)
        return type(op)(o.name, value)
    if kind == "RunSQL":
        if o.reverse_sql is None:
            raise Irreversible("RunSQL without reverse_sql")
        return migrations.RunSQL(o.reverse_sql, o.sql, hints=o.hints, elidable=o.elidable)
    if kind == "RunPython":
        if o.reverse_code is None:
            raise Irreversible(f"RunPython {o.code.__qualname__} without reverse_code")
        return migrations.RunPython(o.reverse_code, o.code, hints=o.hints, atomic=o.atomic)
    if kind in (
        "AlterModelOptions",
        "AlterModelManagers",
        "AlterModelTableComment",
        "AlterConstraint",
        "RenameIndex",
        "ValidateConstraint",
    ):
        return op
    return None
