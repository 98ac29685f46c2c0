"""The table as it really is between expand and contract: both columns, whatever the state says.

Between the expand and the contract steps the database holds a column the
migration state does not (the new one before the switch, the old one after it).
Django's schema editor works from models, so each step renders a *shadow*
model: the state's model plus the missing column as a nullable field named
after its column. Django never remakes a SQLite table from it (it would drop
the columns of other pairs in progress): see ``sqlite.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import NOT_PROVIDED

from django_zerodowntime.expand.triggers import Pair


def column_of(name: str, field: Any) -> str:
    return str(field.db_column or (f"{name}_id" if field.is_relation else name))


def nullable_copy(field: Any, column: str, null: bool = True) -> Any:
    """The field as the database holds it: given column, no defaults, ``null`` as given."""
    _name, _path, args, kwargs = field.deconstruct()
    kwargs.update(null=null, db_column=column)
    for key in ("default", "db_default", "unique", "db_index", "primary_key"):
        kwargs.pop(key, None)
    copy = type(field)(*args, **kwargs)
    copy.default, copy.db_default = NOT_PROVIDED, NOT_PROVIDED
    return copy


def needs_relaxing(field: Any) -> bool:
    """SQLite checks NOT NULL before its (AFTER) triggers can fill the old column."""
    return not field.null and field.db_default is NOT_PROVIDED


@dataclass(frozen=True)
class Shadow:
    model: Any  # rendered, with both columns
    old: Any  # the old column's field on ``model``
    new: Any  # the new column's field on ``model``
    pair: Pair


def shadow(op: Any, app_label: str, state: Any, connection: Any) -> Shadow:
    """``op`` stores model_name, old_name, old_field, new_name, new_field."""
    state = state.clone()
    key = (app_label, op.model_name.lower())
    model_state = state.models[key]
    old_column, new_column = (
        column_of(op.old_name, op.old_field),
        column_of(op.new_name, op.new_field),
    )
    columns = {column_of(name, field): name for name, field in model_state.fields.items()}
    if old_column not in columns:
        model_state.fields["zdt_old_" + old_column] = nullable_copy(op.old_field, old_column)
    if new_column not in columns:
        model_state.fields["zdt_new_" + new_column] = nullable_copy(op.new_field, new_column)
    state.reload_model(*key, delay=True)
    model = state.apps.get_model(*key)
    by_column = {f.column: f for f in model._meta.local_concrete_fields}
    old, new = by_column[old_column], by_column[new_column]
    pair = Pair(
        table=model._meta.db_table,
        pk=model._meta.pk.column,
        old=old_column,
        new=new_column,
        old_type=str(op.old_field.db_type(connection)),
        new_type=str(op.new_field.db_type(connection)),
    )
    return Shadow(model, old, new, pair)


def execute(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)
