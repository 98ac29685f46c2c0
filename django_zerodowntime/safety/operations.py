"""Everything the analysis knows about each kind of migration operation, in one table.

An operation is looked up one way: along its class's MRO, the first class in
``KINDS``. A third-party subclass is judged as its base for each facet it
inherits unchanged: the rule and whether it runs DDL need the base's
``database_forwards``, the state effect its ``state_forwards``, the inverse its
``database_backwards``. A facet it overrides is judged by what it really does
(the SQL it emits, a full state copy).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import migrations

from django_zerodowntime.safety import (
    expand_rules,
    field_rules,
    index_rules,
    inverse,
    model_rules,
    sql,
    targets,
)
from django_zerodowntime.safety.findings import Finding
from django_zerodowntime.safety.step import Step

Rule = Callable[[Step], list[Finding]]


class State(enum.Enum):
    """How ``state_forwards`` changes the project state (what the planner must copy)."""

    NONE = "changes nothing"
    ONE_MODEL = "changes one ModelState, named by Kind.model_attr"
    # The planner reuses the class rendered before. Not for adding an index, a constraint or
    # Meta options: Django checks those when it renders (names are %-formatted, Meta keys
    # checked), and a step that breaks the state must fail where Django's migrate would.
    SAME_RENDER = (
        "changes one ModelState in nothing the rules read off its class, nor anything "
        "Django checks when rendering it (unique_together, index_together, removals)"
    )
    RENAMES_MODEL = "repoints the fields of every model referencing the renamed one"
    RENAMES_FIELD = "edits the referencing Field objects in place"
    SUB_OPERATIONS = "its state_operations' effects"
    ANY = "unknown: may change any model, in place"


class Routing(enum.Enum):
    """Which model Django asks the routers about before running the operation."""

    FIELD = "the model named by model_name"
    MODEL = "the model named by name (RenameModel: its new name)"
    RULE = "the operation asks the router itself (hints), or fails before asking"


@dataclass(frozen=True)
class Kind:
    rule: Rule
    state: State
    routing: Routing
    # The forwards operation equal to unapplying it; None: judged by the SQL it emits backwards.
    inverse: inverse.Inverse | None = None
    # Runs DDL, whose locks last until the migration commits (RunPython beside it matters).
    ddl: bool | Callable[[Step], bool] = True
    target: Callable[[Step], str] = targets.generic
    model_attr: str = "model_name_lower"
    # Its database side is other operations (``database_operations``), judged one by one.
    composite: bool = False


def _field(rule: Rule, undo: inverse.Inverse, **more: Any) -> Kind:
    more.setdefault("state", State.ONE_MODEL)
    return Kind(rule, routing=Routing.FIELD, inverse=undo, **more)


def _model(rule: Rule, undo: inverse.Inverse, **more: Any) -> Kind:
    more.setdefault("model_attr", "name_lower")
    more.setdefault("state", State.ONE_MODEL)
    return Kind(rule, routing=Routing.MODEL, inverse=undo, **more)


def _metadata_model() -> Kind:
    return _model(model_rules.metadata, inverse.itself, ddl=False)


def _pair(rule: Rule, undo: inverse.Inverse | None, ddl: bool = True) -> Kind:
    """expand_contract's column-pair operations: no state change, one model's table."""
    return Kind(rule, State.NONE, Routing.FIELD, undo, ddl=ddl, target=expand_rules.pair_target)


def _swapped(cls_name: str) -> inverse.Inverse:
    """Unapplying is the other operation, on the pair seen from the other side."""

    def undo(op: Any, app_label: str, before: Any) -> Any:
        from django_zerodowntime import operations

        return expand_rules.swapped(op, getattr(operations, cls_name))

    return undo


def _same_pair(cls_name: str) -> inverse.Inverse:
    def undo(op: Any, app_label: str, before: Any) -> Any:
        from django_zerodowntime import operations

        return getattr(operations, cls_name)(**op.pair_kwargs())

    return undo


OPS = "django.db.migrations.operations."
PG = "django.contrib.postgres.operations."
ZDT = "django_zerodowntime.operations."
KINDS: dict[str, Kind] = {
    OPS + "fields.AddField": _field(field_rules.add_field, inverse.remove_added_field),
    OPS + "fields.RemoveField": _field(field_rules.remove_field, inverse.add_removed_field),
    OPS + "fields.AlterField": _field(
        field_rules.alter_field, inverse.alter_field_back, ddl=field_rules.changes_column
    ),
    OPS + "fields.RenameField": Kind(
        field_rules.rename_field,
        State.RENAMES_FIELD,
        Routing.FIELD,
        inverse.rename_field_back,
        target=targets.renamed_field,
    ),
    OPS + "models.CreateModel": _model(model_rules.create_model, inverse.delete_created_model),
    OPS + "models.DeleteModel": _model(model_rules.delete_model, inverse.create_deleted_model),
    OPS + "models.RenameModel": _model(
        model_rules.rename_model,
        inverse.rename_model_back,
        state=State.RENAMES_MODEL,
        target=targets.renamed_model,
    ),
    OPS + "models.AlterModelTable": _model(model_rules.alter_model_table, inverse.alter_table_back),
    OPS + "models.AlterModelTableComment": _model(model_rules.metadata, inverse.itself),
    OPS + "models.AlterModelOptions": _metadata_model(),
    OPS + "models.AlterModelManagers": _metadata_model(),
    OPS + "models.AlterUniqueTogether": _model(
        index_rules.together,
        inverse.option_back(migrations.AlterUniqueTogether),
        state=State.SAME_RENDER,
    ),
    OPS + "models.AlterIndexTogether": _model(
        index_rules.together,
        inverse.option_back(migrations.AlterIndexTogether),
        state=State.SAME_RENDER,
    ),
    OPS + "models.AlterOrderWithRespectTo": _model(
        model_rules.order_with_respect_to, inverse.option_back(migrations.AlterOrderWithRespectTo)
    ),
    OPS + "models.AddIndex": _field(index_rules.add_index, inverse.remove_added_index),
    OPS + "models.RemoveIndex": _field(
        index_rules.remove_index, inverse.add_removed_index, state=State.SAME_RENDER
    ),
    OPS + "models.RenameIndex": _field(model_rules.metadata, inverse.itself),
    OPS + "models.AddConstraint": _field(
        index_rules.add_constraint, inverse.remove_added_constraint
    ),
    OPS + "models.RemoveConstraint": _field(
        index_rules.remove_index, inverse.add_removed_constraint, state=State.SAME_RENDER
    ),
    OPS + "models.AlterConstraint": _field(model_rules.metadata, inverse.itself, ddl=False),
    OPS + "special.RunSQL": Kind(
        model_rules.run_sql,
        State.SUB_OPERATIONS,
        Routing.RULE,
        inverse.reverse_sql,
        ddl=sql.runs_ddl,
        target=targets.sql_statement,
    ),
    OPS + "special.RunPython": Kind(
        model_rules.run_python,
        State.NONE,
        Routing.RULE,
        inverse.reverse_code,
        ddl=False,
        target=targets.code,
    ),
    OPS + "special.SeparateDatabaseAndState": Kind(
        model_rules.metadata,  # not used: its database_operations are judged instead
        State.SUB_OPERATIONS,
        Routing.RULE,
        target=targets.database_and_state,
        composite=True,
    ),
    PG + "AddIndexConcurrently": Kind(
        index_rules.add_index_concurrently,
        State.ONE_MODEL,
        Routing.RULE,
        inverse.remove_added_index,
    ),
    PG + "RemoveIndexConcurrently": Kind(
        index_rules.remove_index_concurrently,
        State.SAME_RENDER,
        Routing.RULE,
        inverse.add_removed_index,
    ),
    PG + "AddConstraintNotValid": _field(
        index_rules.add_constraint_not_valid, inverse.remove_added_constraint
    ),
    PG + "ValidateConstraint": Kind(
        index_rules.validate_constraint, State.NONE, Routing.RULE, inverse.itself
    ),
    PG + "CreateExtension": Kind(model_rules.extension, State.NONE, Routing.RULE),
    ZDT + "Backfill": Kind(
        expand_rules.backfill, State.NONE, Routing.FIELD, inverse.itself, ddl=False
    ),
    ZDT + "AddShadowColumn": _pair(expand_rules.add_shadow_column, _swapped("DropOldColumn")),
    ZDT + "SyncColumns": _pair(expand_rules.sync_columns, _swapped("DropSync")),
    ZDT + "CopyToNewColumn": _pair(expand_rules.backfill, inverse.itself, ddl=False),
    ZDT + "SetNewColumnNotNull": _pair(expand_rules.set_not_null, inverse.itself),
    ZDT + "DropSync": _pair(expand_rules.drop_sync, _same_pair("SyncColumns")),
    ZDT + "DropOldColumn": _pair(expand_rules.drop_old_column, _swapped("AddShadowColumn")),
    PG + "CreateCollation": Kind(model_rules.extension, State.NONE, Routing.RULE),
    PG + "RemoveCollation": Kind(model_rules.extension, State.NONE, Routing.RULE),
}


@dataclass(frozen=True)
class Known:
    """An operation class matched to its entry, and which of the entry's facets hold for it."""

    kind: Kind
    same_sql: bool  # keeps the entry class's database_forwards: its rule and DDL apply
    same_state: bool  # keeps its state_forwards: its state effect applies
    same_backwards: bool  # keeps its database_backwards: its inverse applies


def kind_of(operation: object) -> Known | None:
    """The entry of the nearest class on the operation's MRO, or None for an unknown one."""
    kind: Any = type(operation)
    return _lookup(kind)


@functools.lru_cache(maxsize=256)
def _lookup(cls: Any) -> Known | None:
    for base in cls.__mro__:
        kind = KINDS.get(f"{base.__module__}.{base.__qualname__}")
        if kind is not None:
            return Known(
                kind,
                same_sql=_same(cls, base, "database_forwards"),
                same_state=_same(cls, base, "state_forwards"),
                same_backwards=_same(cls, base, "database_backwards"),
            )
    return None


def _same(cls: type, base: type, method: str) -> bool:
    return getattr(cls, method, None) is getattr(base, method, None)


def state_effect(operation: object) -> tuple[State, str]:
    """How the operation changes the state, and the attribute naming its one model."""
    known = kind_of(operation)
    if known is None or not known.same_state:
        return State.ANY, ""
    return known.kind.state, known.kind.model_attr
