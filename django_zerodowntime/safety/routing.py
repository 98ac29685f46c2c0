"""Operations Django skips on this database because the router says no.

Django's built-in operations run their SQL only when
``allow_migrate_model(connection.alias, model)`` is true (database routers'
``allow_migrate``), so an operation the router keeps off this database cannot
break the code reading it: it is judged safe, whatever it would do elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db import router

from django_zerodowntime.safety.findings import Finding, safe
from django_zerodowntime.safety.identity import ModelClass, Related, model_label, rendered_model
from django_zerodowntime.safety.operations import Routing
from django_zerodowntime.safety.step import Step


def not_routed_here(step: Step, routing: Routing) -> Finding | None:
    """A safe finding when the routers keep this operation's model off this database."""
    if not router.routers:  # no router: every model is allowed; the rules check the rest
        return None
    model = _operation_model(step, routing)
    if model is None or router.allow_migrate_model(step.connection.alias, model):
        return None
    return safe(
        f"{model_label(model)} is not migrated on database {step.connection.alias!r} by the "
        "router (allow_migrate says no): Django skips this operation here"
    )


def _operation_model(step: Step, routing: Routing) -> ModelClass | None:
    op: Any = step.operation
    if routing is Routing.FIELD:
        name = str(getattr(op, "model_name", ""))
        names = [(step.after, name), (step.before, name)]
    elif routing is Routing.MODEL:
        # RenameModel: Django asks about the model under its new name.
        new_name = str(getattr(op, "new_name", op.name))
        names = [(step.after, new_name), (step.before, op.name)]
    else:  # RunSQL / RunPython carry their own hints; their rules ask the router
        return None
    for state, model_name in names:
        model = rendered_model(state, step.app_label, model_name, Related.ALL)
        if model is not None:
            return model
    return None
