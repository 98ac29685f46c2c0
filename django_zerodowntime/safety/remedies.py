"""Remedy texts: the exact code to write, with the user's real names."""
# ruff: noqa: E501  (code samples in remedies are kept on one line so users can paste them)

from __future__ import annotations

import textwrap
from typing import Any

from django.db.migrations.writer import MigrationWriter

from django_zerodowntime.safety.identity import ModelClass, installed_package, models_file

ROLLOUT = (
    "Roll that release out everywhere (graceful_reload records the rollout; other deploy "
    "systems run `python manage.py safe_migrate --mark-live` on each host)."
)


def code(text: str) -> str:
    """Indent a code sample the way the reports print it."""
    return textwrap.indent(textwrap.dedent(text).strip("\n"), "    ")


def field_code(field: Any, **changes: Any) -> str:
    """``models.CharField(max_length=200, null=True)``: the field as a migration writes it."""
    if changes:
        *_, args, kwargs = field.deconstruct()
        kwargs.update(changes)
        field = type(field)(*args, **kwargs)
    return MigrationWriter.serialize(field)[0]


def package_note(model: ModelClass) -> list[str]:
    """For an installed app: the user cannot edit its models; its versions must do the steps."""
    package = installed_package(model)
    if package is None:
        return []
    return [
        f"`{package}` is an installed package, not your code: the two steps below are two "
        "versions of it. Deploy the version that stops using it everywhere first, then the "
        "one that drops it; until the first exists, keep the version before the drop.",
    ]


def drop_field(model: ModelClass, field: Any) -> str:
    name, label = field.name, model._meta.object_name
    return "\n".join(
        [
            "Drop it in two deploys.",
            *package_note(model),
            f"1. In {models_file(model)} keep the field but stop using it, then run makemigrations",
            "   (it emits the AlterField that lets the new code insert rows without it):",
            code(
                f"""
                from django_zerodowntime import unused

                class {label}(models.Model):
                    {name} = unused({field_code(field)})
                """
            ),
            f"   {ROLLOUT}",
            f"2. In the next release delete the `{name}` line and run makemigrations; "
            "safe_migrate then applies the removal.",
        ]
    )


def drop_model(model: ModelClass) -> str:
    label = model._meta.object_name
    return "\n".join(
        [
            "Drop it in two deploys.",
            *package_note(model),
            f"1. In {models_file(model)} keep the model but stop using it:",
            code(
                f"""
                from django_zerodowntime import unused_model

                @unused_model
                class {label}(models.Model):
                    ...
                """
            ),
            f"   {ROLLOUT}",
            f"2. In the next release delete `{label}` and run makemigrations; safe_migrate then "
            "applies the DeleteModel.",
        ]
    )


def drop_by_sql(what: str) -> str:
    return "\n".join(
        [
            f"Stop using {what} first: mark the field `unused(...)` (or the model "
            "`@unused_model`) in this release and roll it out",
            f"({ROLLOUT[0].lower() + ROLLOUT[1:]})",
            "Ship the RunSQL that drops it in the next release.",
        ]
    )


def add_not_null(model: ModelClass, field: Any, table: str, column: str) -> str:
    has_literal = field.has_default() and not callable(field.default)
    placeholder = "__zdt_value__"
    with_default = field_code(field, db_default=field.default if has_literal else placeholder)
    with_default = with_default.replace(repr(placeholder), "<a constant the old rows can take>")
    return "\n".join(
        [
            "Give the column a database default, so rows the old code inserts get it:",
            code(f"{field.name} = {with_default}"),
            "or add it nullable first, backfill, and make it NOT NULL in a later release:",
            code(f"{field.name} = {field_code(field, null=True)}"),
            f"then backfill {table}.{column} in batches (RunPython), and once every running",
            "release writes it, AlterField to null=False.",
        ]
    )


def volatile_default(field: Any, table: str, column: str) -> str:
    return "\n".join(
        [
            "Add the column without a database default, then fill it in batches:",
            code(f"{field.name} = {field_code(field, db_default=None, null=True)}"),
            f"backfill {table}.{column} with a RunPython in its own migration, and only then",
            "add the default (a later AlterField) so new rows get it.",
        ]
    )


def callable_unique(field: Any, table: str, column: str) -> str:
    return "\n".join(
        [
            "Add the column nullable and not unique, backfill one value per row, then add unique:",
            code(f"{field.name} = {field_code(field, null=True, unique=False)}"),
            f"1. a RunPython that sets a fresh value on every row of {table} (in batches);",
            f"2. a later migration making {column} unique (on PostgreSQL with "
            "AddIndexConcurrently, see ZDT302).",
        ]
    )


def set_not_null(model_name: str, name: str, table: str, column: str, vendor: str) -> str:
    lines = [
        f"First ship code that always writes {table}.{column} and backfill the NULL rows;",
        "only then add NOT NULL.",
    ]
    if vendor == "postgresql":
        lines += [
            "On PostgreSQL avoid the full-table scan under an exclusive lock: add a check",
            "constraint NOT VALID, validate it, then SET NOT NULL (it reuses the constraint):",
            code(
                f"""
                from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint

                AddConstraintNotValid("{model_name}", models.CheckConstraint(
                    condition=models.Q({name}__isnull=False), name="{column}_not_null")),
                # next migration:
                ValidateConstraint("{model_name}", name="{column}_not_null"),
                """
            ),
        ]
    return "\n".join(lines)


def movable(field: Any) -> bool:
    """Can ``expand_contract`` move this field's column (a plain, unindexed column)?"""
    return not (
        field.primary_key
        or field.is_relation
        or field.unique
        or field.db_index
        or getattr(field, "generated", False)
    )


def expand_contract(kind: str, label: str, argument: str) -> str:
    """The three ``expand_contract`` commands, one per release, for this field."""
    shown = argument if kind == "rename" else f'"{argument}"'
    command = f"python manage.py expand_contract {kind} {label} {shown} --step"
    return "\n".join(
        [
            "Or let expand_contract write the three releases (delete this migration and undo its "
            "models.py change first):",
            code(
                f"""
                {command} expand    # release N: models.py unchanged
                {command} switch    # release N+1: models.py as it prints
                {command} contract  # release N+2, once N+1 runs everywhere
                """
            ),
        ]
    )


def new_column(table: str, column: str, what: str, commands: str = "") -> str:
    lines = [
        f"{what} in place rewrites {table} under a lock. Expand and contract instead:",
        f"1. add a new nullable column beside {column} with the new type;",
        "2. write both columns from the code, backfill the new one in batches;",
        "3. switch reads to the new column and mark the old field `unused(...)`;",
        "4. drop the old column in a later release.",
    ]
    return "\n".join([*lines, commands] if commands else lines)


def add_index_concurrently(model_name: str, index_code: str) -> str:
    return "\n".join(
        [
            "Build the index without blocking writes, in a migration of its own:",
            code(
                f"""
                from django.contrib.postgres.operations import AddIndexConcurrently

                class Migration(migrations.Migration):
                    atomic = False

                    operations = [
                        AddIndexConcurrently("{model_name}", {index_code}),
                    ]
                """
            ),
        ]
    )


def unique_concurrently(model_name: str, table: str, name: str, columns: str, state: str) -> str:
    return "\n".join(
        [
            "Build the unique index concurrently, then attach it as the constraint:",
            code(
                f"""
                class Migration(migrations.Migration):
                    atomic = False

                    operations = [
                        migrations.SeparateDatabaseAndState(
                            database_operations=[
                                migrations.RunSQL(
                                    'CREATE UNIQUE INDEX CONCURRENTLY "{name}" ON "{table}" ({columns})',
                                    'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
                                ),
                                migrations.RunSQL(
                                    'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"',
                                    'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
                                ),
                            ],
                            state_operations=[{state}],
                        ),
                    ]
                """
            ),
        ]
    )
