"""What an operation acts on, as reports name it: ``blog.Post.subtitle (blog_post.subtitle)``."""

from __future__ import annotations

from typing import Any

from django_zerodowntime.safety import sql
from django_zerodowntime.safety.identity import (
    field_target,
    model_field,
    model_target,
    rendered_model,
)
from django_zerodowntime.safety.step import Step


def of_model(step: Step, model_name: Any, field_name: Any) -> str:
    """The model (and field, index or constraint) the operation names, in the states around it."""
    op: Any = step.operation
    if not isinstance(model_name, str):
        return str(op.describe())
    model = rendered_model(step.after, step.app_label, model_name) or rendered_model(
        step.before, step.app_label, model_name
    )
    if model is None:
        return str(op.describe())
    if hasattr(op, "model_name") and isinstance(field_name, str):
        field = model_field(model, field_name) or model_field(
            rendered_model(step.before, step.app_label, model_name), field_name
        )
        if field is not None:
            return field_target(model, field)
    index = getattr(op, "index", None) or getattr(op, "constraint", None)
    suffix = f" {index.name}" if index is not None else ""
    return model_target(model) + suffix


def generic(step: Step) -> str:
    op: Any = step.operation
    model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
    return of_model(step, model_name, getattr(op, "name", None))


def renamed_model(step: Step) -> str:
    op: Any = step.operation
    return of_model(step, op.new_name, None)


def renamed_field(step: Step) -> str:
    op: Any = step.operation
    return of_model(step, op.model_name, op.new_name)


def sql_statement(step: Step) -> str:
    op: Any = step.operation
    first = next(sql.statements(op.sql), "")
    return f"SQL: {first[:70]}" if first else "SQL: (none)"


def code(step: Step) -> str:
    op: Any = step.operation
    return f"code: {getattr(op.code, '__module__', '?')}.{op.code.__qualname__}"


def database_and_state(step: Step) -> str:
    op: Any = step.operation
    return f"{len(op.database_operations)} database / {len(op.state_operations)} state operations"
