"""Operations Django skips on this database because the router says no.

Django's built-in operations run their SQL only when
``allow_migrate_model(connection.alias, model)`` is true (database routers'
``allow_migrate``), so an operation the router keeps off this database cannot
break the code reading it: it is judged safe, whatever it would do elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db import router
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.fields import FieldOperation
from django.db.migrations.operations.models import IndexOperation, ModelOperation

from django_zerodowntime.safety.context import Step, safe
from django_zerodowntime.safety.findings import Finding
from django_zerodowntime.safety.identity import ModelClass, model_label, rendered_model

# Django refuses these inside a transaction before it asks the router: their rule decides.
CHECKED_BEFORE_ROUTING = {"AddIndexConcurrently", "RemoveIndexConcurrently"}


def not_routed_here(step: Step) -> Finding | None:
    """A safe finding when the routers keep this operation's model off this database."""
    if not router.routers:  # no router: every model is allowed; the rules check the rest
        return None
    op: Any = step.operation
    if type(op).__name__ in CHECKED_BEFORE_ROUTING:
        return None
    model = _operation_model(step)
    if model is None or router.allow_migrate_model(step.connection.alias, model):
        return None
    return safe(
        f"{model_label(model)} is not migrated on database {step.connection.alias!r} by the "
        "router (allow_migrate says no): Django skips this operation here"
    )


def _operation_model(step: Step) -> ModelClass | None:
    op: Operation = step.operation
    if isinstance(op, FieldOperation | IndexOperation):
        name = str(getattr(op, "model_name", ""))
        names = [(step.after, name), (step.before, name)]
    elif isinstance(op, ModelOperation):
        # RenameModel: Django asks about the model under its new name.
        new_name = str(getattr(op, "new_name", op.name))
        names = [(step.after, new_name), (step.before, op.name)]
    else:  # RunSQL / RunPython carry their own hints; their rules ask the router
        return None
    for state, model_name in names:
        model = rendered_model(state, step.app_label, model_name)
        if model is not None:
            return model
    return None
