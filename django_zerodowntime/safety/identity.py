"""Real database names (tables, columns, M2M through tables) read from migration state."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django_zerodowntime.usage import Usage

if TYPE_CHECKING:
    from django.db.migrations.state import ProjectState
    from django.db.models import Field, Model

ModelClass = type["Model"]


class Related(enum.Enum):
    """Which other models a fact needs rendered beside the model and its bases (each costs).

    Relations to models left out stay pending: the model's own table, columns,
    field attributes and auto-created M2M tables are the same either way.
    """

    NONE = "only the model and its bases"
    TARGETS = "the models its relations point at: their tables, pk types, labels"
    M2M_IN = "the models with a ManyToManyField to it: their M2M tables name it"
    ALL = "every model related to it either way, as routers are shown it"


def rendered_model(
    state: ProjectState, app_label: str, model_name: str, related: Related = Related.NONE
) -> ModelClass | None:
    """The historical model class, or None when the state does not hold it."""
    from django_zerodowntime.safety.states import PlanState

    try:
        if isinstance(state, PlanState):
            return state.model(app_label, model_name, related)
        return state.apps.get_model(app_label, model_name)
    except LookupError:
        return None


def model_field(model: ModelClass | None, name: str) -> Field[Any, Any] | None:
    if model is None:
        return None
    for field in model._meta.get_fields(include_hidden=True):
        if getattr(field, "name", None) == name and not field.auto_created:
            return field  # type: ignore[return-value]
    return None


def with_targets(state: ProjectState, model: ModelClass, field: Any) -> Any:
    """``field`` of ``model`` in ``state``, rendered with the models it points at.

    A relational field's deconstruction (``to``, ``to_field``, ``through``), column
    type and target table depend on its target; other fields are returned as they are.
    """
    if not field.is_relation:
        return field
    meta = model._meta
    rendered = rendered_model(state, meta.app_label, str(meta.model_name), Related.TARGETS)
    targeted = model_field(rendered, field.name)
    if targeted is None:
        raise LookupError(f"field {model_label(model)}.{field.name} is not in the migration state")
    return targeted


def auto_through(field: Any) -> ModelClass | None:
    """The auto-created M2M table model of ``field``, if Django owns that table."""
    if not getattr(field, "many_to_many", False) or field.auto_created:
        return None
    through: Any = getattr(field.remote_field, "through", None)
    meta = getattr(through, "_meta", None) if isinstance(through, type) else None
    return through if meta is not None and meta.auto_created else None


def table_names(through: ModelClass) -> list[Usage]:
    table = through._meta.db_table
    return [Usage(table)] + [Usage(table, f.column) for f in through._meta.local_fields]


def field_usages(model: ModelClass, field: Any) -> list[Usage]:
    """What dropping ``field`` would drop: its column, or its M2M table and columns."""
    through = auto_through(field)
    if through is not None:
        return table_names(through)
    column = getattr(field, "column", None)
    if getattr(field, "concrete", False) and column:
        return [Usage(model._meta.db_table, column)]
    return []


def model_usages(model: ModelClass) -> list[Usage]:
    """The model's table, its columns and every auto-created M2M table touching it."""
    table = model._meta.db_table
    names = [Usage(table)] + [Usage(table, f.column) for f in model._meta.local_concrete_fields]
    for field in model._meta.local_many_to_many:
        through = auto_through(field)
        if through is not None:
            names += table_names(through)
    for relation in model._meta.related_objects:
        through = auto_through(relation.field) if relation.many_to_many else None
        if through is not None and relation.field.model is not model:
            names += table_names(through)
    return names


def dropped_tables(model: ModelClass) -> list[Usage]:
    """Tables a DeleteModel drops: the model's own and its auto-created M2M tables."""
    tables = [Usage(model._meta.db_table)]
    for field in model._meta.local_many_to_many:
        through = auto_through(field)
        if through is not None:
            tables.append(Usage(through._meta.db_table))
    return tables


def model_label(model: ModelClass) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def model_target(model: ModelClass) -> str:
    return f"{model_label(model)} ({model._meta.db_table})"


def field_target(model: ModelClass, field: Any) -> str:
    usages = field_usages(model, field)
    where = str(usages[0]) if usages else model._meta.db_table
    return f"{model_label(model)}.{field.name} ({where})"


def installed_package(model: ModelClass) -> str | None:
    """The app's package name when it is installed (site-packages), not the project's code."""
    from django.apps import apps

    try:
        config = apps.get_app_config(model._meta.app_label)
    except LookupError:
        return None
    parts = Path(config.path).parts
    return config.name if {"site-packages", "dist-packages"} & set(parts) else None


def models_file(model: ModelClass) -> str:
    """Where the user's model lives, e.g. ``blog/models.py``."""
    from django.apps import apps

    try:
        module = apps.get_app_config(model._meta.app_label).name
    except LookupError:
        module = model._meta.app_label
    return module.replace(".", "/") + "/models.py"
