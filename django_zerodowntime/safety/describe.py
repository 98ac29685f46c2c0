"""Facts about a step for the report and the plan: its target, DDL, what it creates."""

from __future__ import annotations

from typing import Any

from django_zerodowntime.safety import columns, sql
from django_zerodowntime.safety.context import Step
from django_zerodowntime.safety.findings import Usage
from django_zerodowntime.safety.identity import (
    field_target,
    model_field,
    model_target,
    model_usages,
    rendered_model,
)

NO_DDL = {"RunPython", "AlterModelOptions", "AlterModelManagers", "AlterConstraint"}


def target(step: Step) -> str:
    """``blog.Post.subtitle (blog_post.subtitle)``, ``blog.Post (blog_post)``, ..."""
    op: Any = step.operation
    try:
        return described(step, op)
    except Exception:  # the target is decoration: never let it fail the analysis
        return str(op.describe())


def described(step: Step, op: Any) -> str:
    kind = type(op).__name__
    if kind == "RunSQL":
        first = next(sql.statements(op.sql), "")
        return f"SQL: {first[:70]}" if first else "SQL: (none)"
    if kind == "RunPython":
        return f"code: {getattr(op.code, '__module__', '?')}.{op.code.__qualname__}"
    if kind == "SeparateDatabaseAndState":
        return (
            f"{len(op.database_operations)} database / {len(op.state_operations)} state operations"
        )
    model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
    if kind == "RenameModel":
        model_name = op.new_name
    if not isinstance(model_name, str):
        return str(op.describe())
    model = rendered_model(step.after, step.app_label, model_name) or rendered_model(
        step.before, step.app_label, model_name
    )
    if model is None:
        return str(op.describe())
    name = getattr(op, "new_name", None) if kind == "RenameField" else getattr(op, "name", None)
    if hasattr(op, "model_name") and isinstance(name, str):
        field = model_field(model, name) or model_field(
            rendered_model(step.before, step.app_label, model_name), name
        )
        if field is not None:
            return field_target(model, field)
    index = getattr(op, "index", None) or getattr(op, "constraint", None)
    suffix = f" {index.name}" if index is not None else ""
    return model_target(model) + suffix


def changes_schema(step: Step) -> bool:
    """Does this operation run DDL (so it takes locks held until the migration commits)?"""
    try:
        return runs_ddl(step)
    except Exception:  # when unsure, assume it does: that only makes RunPython stricter
        return True


def runs_ddl(step: Step) -> bool:
    op: Any = step.operation
    kind = type(op).__name__
    if kind in NO_DDL:
        return False
    if kind == "RunSQL":
        return sql.has_ddl(op.sql)
    if kind == "SeparateDatabaseAndState":
        return any(type(o).__name__ not in NO_DDL for o in op.database_operations)
    if kind == "AlterField":
        old = model_field(rendered_model(step.before, step.app_label, op.model_name), op.name)
        new = model_field(rendered_model(step.after, step.app_label, op.model_name), op.name)
        return old is None or new is None or not columns.metadata_only(old, new)
    return True


def created(step: Step) -> set[Usage]:
    """Tables and columns that exist only from this step on (new in this plan).

    Names a rename moves count as new only when what they replace was new too.
    """
    op: Any = step.operation
    name = getattr(op, "model_name", None) or getattr(op, "name", None)
    old_name, new_name = (
        (op.old_name, op.new_name) if type(op).__name__ == "RenameModel" else (name, name)
    )
    if not isinstance(old_name, str) or not isinstance(new_name, str):
        return set()
    try:  # models render lazily: a state broken by an earlier step may fail here
        old_model = rendered_model(step.before, step.app_label, old_name)
        new_model = rendered_model(step.after, step.app_label, new_name)
        before = set(model_usages(old_model)) if old_model else set()
        after = set(model_usages(new_model)) if new_model else set()
    except Exception:  # decoration for later rules: never fail the analysis here
        return set()
    gone = before - after
    if gone and not gone <= step.fresh:
        return set()
    return after - before
