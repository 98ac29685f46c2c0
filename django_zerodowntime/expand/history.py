"""Which steps of a rename or retype are written already, read from the app's migration files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.migrations.loader import MigrationLoader

from django_zerodowntime.expand.shadow import column_of
from django_zerodowntime.expand.target import Change, bad_input
from django_zerodowntime.operations import (
    ColumnPairOperation,
    DropOldColumn,
    SetNewColumnNotNull,
    SyncColumns,
)

STEPS = ("expand", "switch", "contract")
# The operation that is in a step's migration whatever the field.
MARKERS = {"expand": SyncColumns, "switch": SetNewColumnNotNull, "contract": DropOldColumn}


def pair_operations(loader: MigrationLoader, app_label: str) -> Iterator[tuple[str, Any]]:
    """(migration name, operation) for every column-pair operation in the app's files."""
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app != app_label:
            continue
        pending = list(migration.operations)
        while pending:
            operation = pending.pop(0)
            pending += list(getattr(operation, "database_operations", ()))
            if isinstance(operation, ColumnPairOperation):
                yield name, operation


def recorded_expand(loader: MigrationLoader, app_label: str, model: str, field: str) -> Any:
    for _name, operation in pair_operations(loader, app_label):
        if (
            isinstance(operation, SyncColumns)
            and operation.model_name.lower() == model.lower()
            and operation.old_name == field
        ):
            return operation
    return None


def done_steps(loader: MigrationLoader, change: Change) -> dict[str, str]:
    """step -> the migration that holds it, for the steps already written."""
    done: dict[str, str] = {}
    old_column, new_column = (
        column_of(change.old_name, change.old_field),
        column_of(change.new_name, change.new_field),
    )
    for name, operation in pair_operations(loader, change.app_label):
        for step, marker in MARKERS.items():
            if (
                isinstance(operation, marker)
                and operation.model_name.lower() == change.model_name
                and operation.columns() == (old_column, new_column)
            ):
                done.setdefault(step, name)
    return done


def check_order(change: Change, done: dict[str, str], step: str) -> None:
    if step in done:
        following = STEPS[STEPS.index(step) + 1 :]
        after = f"; next: --step {following[0]}" if following else "; nothing is left to do"
        raise bad_input(
            f"the {step} step of {change.label} is already written in {done[step]}{after}"
        )
    previous = STEPS[STEPS.index(step) - 1] if step != "expand" else None
    if previous and previous not in done:
        raise bad_input(
            f"the {step} step of {change.label} comes after the {previous} step, which is not "
            f"written yet: run `{change.command(previous)}` first, in its own release"
        )
