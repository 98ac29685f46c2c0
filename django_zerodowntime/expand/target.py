"""What the user asked for, checked: ``blog.Post.title`` and its new name or new field.

Everything here reads the migration files on disk (Django's loader), never a
database: the command runs where the code is, before any deploy.
"""

from __future__ import annotations

import ast
import enum
import keyword
import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.migrations.loader import MigrationLoader

from django_zerodowntime.errors import ExitError


class ExitCode(enum.IntEnum):
    WRITTEN = 0  # the migration file was written
    BAD_INPUT = 2  # nothing was written


def bad_input(message: str) -> ExitError:
    return ExitError(ExitCode.BAD_INPUT, message)


@dataclass(frozen=True)
class Change:
    """A column to rename or retype, as the migrations on disk have it."""

    kind: str  # "rename" or "retype"
    app_label: str
    model: str  # the class name, e.g. "Post"
    model_name: str  # lower case, as operations name it
    table: str
    old_name: str
    old_field: Any
    new_name: str
    new_field: Any
    argument: str  # NEW_NAME or the field expression, as the user typed it

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.model}.{self.old_name}"

    def command(self, step: str) -> str:
        argument = self.argument if self.kind == "rename" else f'"{self.argument}"'
        return f"python manage.py expand_contract {self.kind} {self.label} {argument} --step {step}"

    def operation_kwargs(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "old_name": self.old_name,
            "old_field": self.old_field.clone(),
            "new_name": self.new_name,
            "new_field": self.new_field.clone(),
        }


def split_target(target: str) -> tuple[str, str, str]:
    parts = target.split(".")
    if len(parts) != 3 or not all(parts):
        raise bad_input(f"{target!r} is not APP_LABEL.Model.field (e.g. blog.Post.title)")
    return parts[0], parts[1], parts[2]


def model_state(loader: MigrationLoader, app_label: str, model: str) -> Any:
    state = loader.project_state()
    found = state.models.get((app_label, model.lower()))
    if found is None:
        known = ", ".join(sorted(m.name for (a, _), m in state.models.items() if a == app_label))
        raise bad_input(
            f"the migrations of {app_label} have no model {model!r}: run makemigrations first, "
            f"or check the name (models: {known})"
        )
    return found


def check_field(app_label: str, state: Any, name: str) -> Any:
    """The field ``name`` of the model state, if expand_contract can move its column."""
    label = f"{app_label}.{state.name}.{name}"
    field = state.fields.get(name)
    if field is None:
        raise bad_input(
            f"{app_label}.{state.name} has no field {name!r} in its migrations "
            f"(fields: {', '.join(state.fields)})"
        )
    if field.primary_key or isinstance(field, models.CompositePrimaryKey):
        raise bad_input(f"{label} is the primary key: expand_contract moves other columns only")
    pk = state.fields.get("pk")
    if isinstance(pk, models.CompositePrimaryKey) and name in pk.field_names:
        raise bad_input(f"{label} is part of the composite primary key {pk.field_names}")
    if field.is_relation or isinstance(field, models.GeneratedField):
        kind = "a relation" if field.is_relation else "a generated column"
        raise bad_input(f"{label} is {kind}: expand_contract moves plain columns only")
    if field.unique or field.db_index or _in_options(state, name):
        raise bad_input(
            f"{label} is indexed or constrained (unique, db_index, Meta.indexes or "
            "constraints): expand_contract does not carry indexes yet; drop them first"
        )
    if not state.options.get("managed", True) or state.options.get("proxy"):
        raise bad_input(f"{app_label}.{state.name} is unmanaged or a proxy: Django owns no table")
    return field


def _in_options(state: Any, name: str) -> bool:
    options = state.options
    together = [set(group) for group in options.get("unique_together", ())]
    indexed = [set(getattr(index, "fields", ()) or ()) for index in options.get("indexes", ())]
    for constraint in options.get("constraints", ()):
        indexed.append(set(getattr(constraint, "fields", ()) or ()))
        condition = getattr(constraint, "condition", None) or getattr(constraint, "check", None)
        if condition is not None and re.search(rf"\b{re.escape(name)}(?:__|\b)", str(condition)):
            return True
    return any(name in group for group in [*together, *indexed])


def parse_field(expression: str) -> Any:
    """``models.BigIntegerField()``: a field class of django.db.models and literal arguments."""
    try:
        call = ast.parse(expression.strip(), mode="eval").body
        if not isinstance(call, ast.Call):
            raise ValueError("not a call")
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if isinstance(func, ast.Attribute) and ast.unparse(func.value) not in (
            "models",
            "django.db.models",
        ):
            raise ValueError(f"{ast.unparse(func.value)} is not models")
        cls = getattr(models, name, None)
        if not (isinstance(cls, type) and issubclass(cls, models.Field)):
            raise ValueError(f"{name!r} is not a field class of django.db.models")
        args = [ast.literal_eval(arg) for arg in call.args]
        kwargs = {str(kw.arg): ast.literal_eval(kw.value) for kw in call.keywords}
        return cls(*args, **kwargs)
    except (SyntaxError, ValueError, TypeError) as error:
        raise bad_input(
            f'{expression!r} is not a field expression like "models.BigIntegerField()" '
            f"with literal arguments ({error})"
        ) from None


def valid_name(name: str) -> bool:
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and "__" not in name
        and not name.endswith("_")
    )


def next_column(column: str, taken: set[str]) -> str:
    """``views`` -> ``views_v2``; ``views_v2`` -> ``views_v3``; skipping names in use."""
    match = re.fullmatch(r"(.*)_v(\d+)", column)
    base, number = (match.group(1), int(match.group(2)) + 1) if match else (column, 2)
    while f"{base}_v{number}" in taken:
        number += 1
    return f"{base}_v{number}"
