"""Facts about a step for the report and the plan: its target, DDL, what it creates."""

from __future__ import annotations

from typing import Any

from django_zerodowntime.safety import targets
from django_zerodowntime.safety.identity import Related, model_usages, rendered_model
from django_zerodowntime.safety.operations import Kind, State, kind_of, state_effect
from django_zerodowntime.safety.step import Step
from django_zerodowntime.usage import Usage


def target(step: Step) -> str:
    """``blog.Post.subtitle (blog_post.subtitle)``, ``blog.Post (blog_post)``, ..."""
    known = kind_of(step.operation)
    describe = known.kind.target if known is not None else targets.generic
    try:
        return describe(step)
    except Exception:  # the target is decoration: never let it fail the analysis
        return str(step.operation.describe())


def changes_schema(step: Step) -> bool:
    """Does this operation run DDL (so it takes locks held until the migration commits)?"""
    try:
        return runs_ddl(step)
    except Exception:  # when unsure, assume it does: that only makes RunPython stricter
        return True


def runs_ddl(step: Step) -> bool:
    known = kind_of(step.operation)
    if known is None or not known.same_sql:
        return True
    if known.kind.composite:
        operations: Any = getattr(step.operation, "database_operations", ())
        return any(_may_run_ddl(operation) for operation in operations)
    ddl = known.kind.ddl
    return ddl if isinstance(ddl, bool) else ddl(step)


def _may_run_ddl(operation: object) -> bool:
    """Without the states around it: only kinds that never run DDL say no."""
    known = kind_of(operation)
    kind: Kind | None = known.kind if known is not None and known.same_sql else None
    return kind is None or kind.ddl is not False


def created(step: Step) -> set[Usage]:
    """Tables and columns that exist only from this step on (new in this plan).

    Names a rename moves count as new only when what they replace was new too.
    """
    op: Any = step.operation
    name = getattr(op, "model_name", None) or getattr(op, "name", None)
    old_name, new_name = (op.old_name, op.new_name) if _renames_model(op) else (name, name)
    if not isinstance(old_name, str) or not isinstance(new_name, str):
        return set()
    # Other models' M2M tables name this one: they change only when it appears or is
    # renamed, or when the operation may change any model (else they cancel out below).
    appears = (step.app_label, old_name.lower()) not in step.before.models
    renames = state_effect(op)[0] in (State.RENAMES_MODEL, State.ANY)
    related = Related.M2M_IN if appears or renames else Related.NONE
    try:  # models render lazily: a state broken by an earlier step may fail here
        old_model = rendered_model(step.before, step.app_label, old_name, related)
        new_model = rendered_model(step.after, step.app_label, new_name, related)
        before = set(model_usages(old_model)) if old_model else set()
        after = set(model_usages(new_model)) if new_model else set()
    except Exception:  # decoration for later rules: never fail the analysis here
        return set()
    gone = before - after
    if gone and not gone <= step.fresh:
        return set()
    return after - before


def _renames_model(operation: object) -> bool:
    known = kind_of(operation)
    return known is not None and known.kind.state is State.RENAMES_MODEL
