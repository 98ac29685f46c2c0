"""The three steps of a rename or retype: which is next, and the operations of each.

- expand (release N, models.py unchanged): the new column, nullable, on the
  database only; the triggers; the backfill. Non-atomic: each batch commits.
- switch (release N+1, models.py changed): the state change (RenameField or
  AlterField) with no SQL, and the new column NOT NULL if the old one was.
- contract (release N+2): the triggers and the old column go.

Which steps exist is read from the app's migration files (``history.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from django_zerodowntime.expand import target
from django_zerodowntime.expand.history import STEPS, recorded_expand
from django_zerodowntime.expand.shadow import column_of
from django_zerodowntime.expand.target import Change, bad_input
from django_zerodowntime.operations import (
    AddShadowColumn,
    CopyToNewColumn,
    DropOldColumn,
    SetNewColumnNotNull,
    SyncColumns,
)

__all__ = ["STEPS", "Request", "operations", "resolve"]
IGNORED_KWARGS = ("db_column", "null")


@dataclass(frozen=True)
class Request:
    kind: str  # rename | retype
    target: str  # APP_LABEL.Model.field
    argument: str  # NEW_NAME | FIELD_EXPRESSION
    step: str
    name: str | None = None  # the migration's name after its number
    column: str | None = None  # retype: the new column's name
    batch_size: int = 1000
    database: str = "default"


def resolve(loader: MigrationLoader, request: Request) -> Change:
    app_label, model, field_name = target.split_target(request.target)
    if app_label not in loader.migrated_apps:
        known = ", ".join(sorted(loader.migrated_apps))
        raise bad_input(f"no installed app {app_label!r} with migrations (apps: {known})")
    recorded = recorded_expand(loader, app_label, model, field_name)
    if recorded is not None:
        return from_recorded(loader, request, recorded, app_label)
    if request.step != "expand":
        raise bad_input(
            f"{request.target} has no expand step in the migrations of {app_label}: "
            f"run `--step expand` first, in a release of its own"
        )
    state = target.model_state(loader, app_label, model)
    old = target.check_field(app_label, state, field_name)
    columns = {column_of(n, f): n for n, f in state.fields.items()}
    if request.kind == "rename":
        new_name, new = renamed(request, state, old, field_name, columns)
    else:
        new_name, new = retyped(request, state, old, field_name, columns)
    return Change(
        request.kind,
        app_label,
        state.name,
        state.name_lower,
        table_of(loader, app_label, state),
        field_name,
        old.clone(),
        new_name,
        new,
        request.argument,
    )


def table_of(loader: MigrationLoader, app_label: str, state: Any) -> str:
    return str(loader.project_state().apps.get_model(app_label, state.name)._meta.db_table)


def renamed(
    request: Request, state: Any, old: Any, name: str, columns: dict[str, str]
) -> tuple[str, Any]:
    new_name, label = request.argument, f"{request.target}"
    if not target.valid_name(new_name):
        raise bad_input(f"{new_name!r} is not a valid field name for {label}")
    if old.db_column:
        raise bad_input(
            f"{label} pins its column with db_column={old.db_column!r}: renaming the attribute "
            "needs no SQL (a RenameField is safe); expand_contract renames columns"
        )
    if new_name in state.fields or new_name in columns:
        raise bad_input(f"{state.name}.{new_name} is already taken (a field or a column)")
    return new_name, old.clone()


def retyped(
    request: Request, state: Any, old: Any, name: str, columns: dict[str, str]
) -> tuple[str, Any]:
    new = target.parse_field(request.argument)
    label = request.target
    if new.primary_key or new.unique or new.db_index or new.is_relation:
        raise bad_input(f"{request.argument} is a key, indexed or a relation: not supported")
    if "null" in new.deconstruct()[3] and new.null != old.null:
        raise bad_input(
            f"{request.argument} sets null={new.null} but {label} has null={old.null}: both "
            "columns are written while two releases run; change nullability separately"
        )
    if same_definition(old, new):
        raise bad_input(f"{label} already is {request.argument}: nothing to retype")
    column = request.column or target.next_column(column_of(name, old), set(columns))
    if column in columns or not target.valid_name(column):
        raise bad_input(f"column {column!r} is taken or invalid on {state.name}: pass --column")
    *_, args, kwargs = new.deconstruct()
    kwargs.update(null=old.null, db_column=column)
    return name, type(new)(*args, **kwargs)


def same_definition(a: Any, b: Any) -> bool:
    *_, a_args, a_kwargs = a.deconstruct()
    *_, b_args, b_kwargs = b.deconstruct()
    for key in IGNORED_KWARGS:
        a_kwargs.pop(key, None)
        b_kwargs.pop(key, None)
    return bool(type(a) is type(b) and a_args == b_args and a_kwargs == b_kwargs)


def from_recorded(loader: MigrationLoader, request: Request, op: Any, app_label: str) -> Change:
    label = request.target
    if request.kind == "rename" and (op.new_name != request.argument or op.old_name == op.new_name):
        was = f"rename to {op.new_name}" if op.old_name != op.new_name else "retype"
        raise bad_input(
            f"the expand step of {label} was a {was}, not a rename to {request.argument!r}: "
            "pass the same arguments at every step"
        )
    if request.kind == "retype" and (
        op.old_name != op.new_name
        or not same_definition(op.new_field, target.parse_field(request.argument))
    ):
        raise bad_input(
            f"the expand step of {label} made it {describe_field(op.new_field)}, not "
            f"{request.argument}: pass the same arguments at every step"
        )
    graph_state = loader.project_state()
    model = next(
        (m for (a, m) in graph_state.models if a == app_label and m == op.model_name.lower()), None
    )
    if model is None:
        raise bad_input(f"{app_label}.{op.model_name} is gone from the migrations")
    state = graph_state.models[app_label, model]
    return Change(
        request.kind,
        app_label,
        state.name,
        state.name_lower,
        table_of(loader, app_label, state),
        op.old_name,
        op.old_field.clone(),
        op.new_name,
        op.new_field.clone(),
        request.argument,
    )


def describe_field(field: Any) -> str:
    from django.db.migrations.writer import MigrationWriter

    return str(MigrationWriter.serialize(field)[0])


def operations(change: Change, step: str, batch_size: int) -> tuple[list[Any], bool]:
    """The step's operations and whether its migration is atomic."""
    kw = change.operation_kwargs()
    if step == "expand":
        return [
            AddShadowColumn(**kw),
            SyncColumns(**kw),
            CopyToNewColumn(**kw, batch_size=batch_size),
        ], False
    if step == "switch":
        if change.kind == "rename":
            state_op: Any = migrations.RenameField(
                change.model_name, change.old_name, change.new_name
            )
        else:
            state_op = migrations.AlterField(
                change.model_name, change.new_name, change.new_field.clone()
            )
        together = migrations.SeparateDatabaseAndState(
            database_operations=[SetNewColumnNotNull(**kw)], state_operations=[state_op]
        )
        return [together], False
    return [DropOldColumn(**kw)], True
