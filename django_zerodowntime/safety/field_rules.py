"""Rules for field operations: AddField, RemoveField, AlterField, RenameField."""
# ruff: noqa: E501  (code samples in remedies are kept on one line so users can paste them)

from __future__ import annotations

from typing import Any

from django_zerodowntime.safety import columns, remedies
from django_zerodowntime.safety.findings import Finding, Harm, blocked, safe, warning
from django_zerodowntime.safety.identity import (
    ModelClass,
    auto_through,
    field_usages,
    model_field,
    model_label,
    rendered_model,
    with_targets,
)
from django_zerodowntime.safety.index_rules import index_findings
from django_zerodowntime.safety.step import Step, drop_findings

NOT_MIGRATED = "this model is not migrated on this database (router, proxy or unmanaged)"
# The deconstruct() keywords of a relational field that depend on its target being rendered.
TARGET_NAMES = {"to", "to_field", "through"}


def field_pair(step: Step, before_name: str, after_name: str) -> tuple[Any, Any, ModelClass]:
    op: Any = step.operation
    old_model = rendered_model(step.before, step.app_label, op.model_name)
    new_model = rendered_model(step.after, step.app_label, op.model_name)
    model = new_model or old_model
    if model is None:
        raise LookupError(f"model {step.app_label}.{op.model_name} is not in the migration state")
    return model_field(old_model, before_name), model_field(new_model, after_name), model


def add_field(step: Step) -> list[Finding]:
    op: Any = step.operation
    _old, field, model = field_pair(step, op.name, op.name)
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe(NOT_MIGRATED)]
    table = model._meta.db_table
    if auto_through(field) is not None:
        return [safe("creates a new M2M table; the old code never reads it")]
    if step.is_fresh(table):
        return [safe(f"{table} is created earlier in this plan; no old code uses it")]
    field = with_targets(step.after, model, field)  # its default, remedies, FK constraint
    column, name = field.column, f"{model_label(model)}.{field.name}"
    findings: list[Finding] = []
    if columns.is_not_null(field) and not columns.has_db_default(field):
        findings.append(not_null_column(step, model, field, name))
    one_value = columns.one_value_for_every_row(field, step.connection) if field.unique else None
    if one_value is not None:
        findings.append(
            blocked(
                "ZDT203",
                f"adds unique {table}.{column} with a {one_value}: Django writes that one value "
                "into every existing row, so building the unique index fails on a table with "
                "two rows or more",
                remedies.callable_unique(field, table, column),
            )
        )
    if step.vendor == "postgresql" and columns.volatile_default(field, step.connection):
        findings.append(
            blocked(
                "ZDT202",
                f"db_default of {table}.{column} is volatile "
                f"({columns.db_default_sql(field, step.connection)}): PostgreSQL rewrites the "
                "whole table under an ACCESS EXCLUSIVE lock to compute it per row",
                remedies.volatile_default(field, table, column),
            )
        )
    findings += index_findings(step, model, field, old=None)
    return findings or [safe(f"adds column {table}.{column}; the old code ignores it")]


def not_null_column(step: Step, model: ModelClass, field: Any, name: str) -> Finding:
    table, column = model._meta.db_table, field.column
    remedy = remedies.add_not_null(model, field, table, column)
    no_value = columns.one_value_for_every_row(field, step.connection) is None
    if no_value and step.vendor != "mysql":  # MySQL fills existing rows with 0 or ''
        return blocked(
            "ZDT201",
            f"adds NOT NULL column {table}.{column} with no default at all: every existing "
            f"row would hold NULL, so {step.database_label} refuses the migration on a "
            "table with rows (and the old code's INSERTs would fail after it)",
            remedy,
            harm=Harm.FAILS_ON_DATA,
        )
    return blocked(
        "ZDT201",
        f"adds NOT NULL column {table}.{column} without a database default: Django "
        "drops the default once the column exists, so every INSERT of the old code "
        f"(which does not know {name}) fails",
        remedy,
    )


def remove_field(step: Step) -> list[Finding]:
    op: Any = step.operation
    field, _new, model = field_pair(step, op.name, op.name)
    if field is None:
        raise LookupError(f"field {model_label(model)}.{op.name} is not in the migration state")
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe(NOT_MIGRATED)]
    usages = field_usages(model, field)
    if not usages:
        return [safe(f"{model_label(model)}.{field.name} has no column of its own")]
    through = auto_through(field)
    rule = "ZDT103" if through is not None else "ZDT101"
    remedy = remedies.drop_field(model, with_targets(step.before, model, field))
    return drop_findings(step, rule, usages[:1], remedy)


def rename_field(step: Step) -> list[Finding]:
    op: Any = step.operation
    old, new, model = field_pair(step, op.old_name, op.new_name)
    if old is None or new is None:
        raise LookupError(f"field {model_label(model)}.{op.old_name} is not in the migration state")
    commands = ""
    if remedies.movable(old) and not old.db_column:
        label = f"{model_label(model)}.{op.old_name}"
        commands = remedies.expand_contract("rename", label, op.new_name)
    what = f"RenameField {op.old_name} -> {op.new_name}"
    return renamed_columns(step, model, old, new, what, commands)


def renamed_columns(
    step: Step, model: ModelClass, old: Any, new: Any, what: str, commands: str = ""
) -> list[Finding]:
    before, after = field_usages(model, old), field_usages(model, new)
    if [str(u) for u in before] == [str(u) for u in after]:
        return [safe(f"{what} keeps the database names ({', '.join(map(str, before))}): no SQL")]
    if not step.operation.allow_migrate_model(step.connection.alias, model):
        return [safe(NOT_MIGRATED)]
    if all(step.is_fresh(u.table, u.column) for u in before):
        return [safe(f"{what} renames only what this plan created")]
    moved = ", ".join(f"{a} -> {b}" for a, b in zip(before, after, strict=False) if a != b)
    table = model._meta.db_table
    old = with_targets(step.before, model, old)  # the remedy writes its code
    return [
        blocked(
            "ZDT401",
            f"{what} renames {moved}: the old code still reads and writes the old name",
            "\n".join(
                [
                    "Rename only the Python attribute and keep the column: pin it with db_column",
                    "and put that AlterField BEFORE the RenameField, so neither emits SQL:",
                    remedies.code(
                        f"""
                        migrations.AlterField("{model._meta.model_name!s}", "{old.name}", {remedies.field_code(old, db_column=old.column)}),
                        migrations.RenameField("{model._meta.model_name!s}", "{old.name}", "{new.name}"),
                        """
                    ),
                    f"To really rename the column of {table}: add the new column, write both, "
                    "backfill, switch reads, mark the old field `unused(...)`, drop it later.",
                    *([commands] if commands else []),
                ]
            ),
        )
    ]


def alter_field(step: Step) -> list[Finding]:
    op: Any = step.operation
    old, new, model = field_pair(step, op.name, op.name)
    if old is None or new is None:
        raise LookupError(f"field {model_label(model)}.{op.name} is not in the migration state")
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe(NOT_MIGRATED)]
    if [str(u) for u in field_usages(model, old)] != [str(u) for u in field_usages(model, new)]:
        return renamed_columns(step, model, old, new, f"AlterField {op.name}")
    if same_in_database(step, model, old, new):
        return [safe("changes only Python-side attributes (choices, help_text, ...): no SQL")]
    table = model._meta.db_table
    # A column added earlier in this plan is unknown to the old code, which leaves it out of
    # its INSERTs: made NOT NULL without a database default, those INSERTs fail.
    required_now = (
        not step.is_fresh(table)
        and old.null
        and columns.is_not_null(new)
        and not columns.has_db_default(new)
    )
    fresh = step.is_fresh(table, getattr(new, "column", None)) and not required_now
    if auto_through(new) is not None or fresh:
        return [safe(f"{table} is new in this plan or the change is on an M2M table")]
    return altered_column(step, model, old, new) or [
        safe(f"changes {table}.{new.column} in a way the old code does not notice")
    ]


def altered_column(step: Step, model: ModelClass, old: Any, new: Any) -> list[Finding]:
    # Column types, FK constraints and remedies depend on what relational fields point at.
    old, new = with_targets(step.before, model, old), with_targets(step.after, model, new)
    table, column, vendor = model._meta.db_table, new.column, step.vendor
    findings: list[Finding] = []
    if old.null and columns.is_not_null(new):
        findings.append(
            blocked(
                "ZDT204",
                f"sets {table}.{column} NOT NULL: the old code may still write NULL, and the "
                "database scans the whole table under a lock to check existing rows",
                remedies.set_not_null(str(model._meta.model_name), new.name, table, column, vendor),
            )
        )
    if columns.has_db_default(old) and not columns.has_db_default(new) and columns.is_not_null(new):
        findings.append(
            blocked(
                "ZDT209",
                f"drops the database default of NOT NULL {table}.{column}: the old code's "
                "INSERTs rely on it",
                "Keep db_default until every running release sets the value itself; "
                "drop it in a later release.",
            )
        )
    findings += type_findings(step, model, old, new)
    findings += index_findings(step, model, new, old=old)
    return findings


def type_findings(step: Step, model: ModelClass, old: Any, new: Any) -> list[Finding]:
    return json_findings(step, model, old, new) + rewrite_findings(step, model, old, new)


def json_findings(step: Step, model: ModelClass, old: Any, new: Any) -> list[Finding]:
    """A text column turned into JSON: every value already there must parse."""
    if new.get_internal_type() != "JSONField" or old.get_internal_type() == "JSONField":
        return []
    what = f"changing {model._meta.db_table}.{new.column} to JSON"
    return [
        warning(
            "ZDT206",
            f"{what}: every value the old code wrote must be valid JSON, or the migration "
            "fails (and the old code's later writes of plain text are refused)",
            "Check that every row holds JSON first (or convert the rows in an earlier "
            "migration); keep the old code from writing plain text.",
            harm=Harm.FAILS_ON_DATA,
        )
    ]


def rewrite_findings(step: Step, model: ModelClass, old: Any, new: Any) -> list[Finding]:
    connection, vendor = step.connection, step.vendor
    old_type, new_type = columns.db_type(old, connection), columns.db_type(new, connection)
    if old_type is None or new_type is None:
        return []
    change = columns.type_change(old_type, new_type, vendor)
    table, column = model._meta.db_table, new.column
    what = f"changing {table}.{column} from {old_type} to {new_type}"
    commands = ""
    if remedies.movable(old) and remedies.movable(new):
        label = f"{model_label(model)}.{new.name}"
        commands = remedies.expand_contract("retype", label, remedies.field_code(new))
    if change in ("none", "grow"):
        return []
    if change == "text":
        if not columns.is_indexed(old):
            return []
        return [
            blocked(
                "ZDT207",
                f"{what} on an indexed column: Django drops and rebuilds its pattern "
                "(_like) index without CONCURRENTLY, blocking writes for the build",
                "Drop db_index/unique first (one release), change the type, then recreate "
                "the index with AddIndexConcurrently in a migration with atomic = False.",
            )
        ]
    if vendor == "sqlite":
        return [
            warning(
                "ZDT206" if change == "shrink" else "ZDT205",
                f"{what}: SQLite rebuilds {table} (it holds the write lock for the copy; SQLite "
                "does not enforce lengths, so the old code keeps working)",
                harm=Harm.LOCKS,
            )
        ]
    if change == "shrink":
        return [
            blocked(
                "ZDT206",
                f"{what} narrows the column: the old code may write values that no longer "
                f"fit, and {step.database_label} rewrites or rechecks the table under a lock",
                remedies.new_column(table, column, "Narrowing the type", commands),
            )
        ]
    return [
        blocked(
            "ZDT205",
            f"{what} rewrites the table: {step.database_label} blocks writes"
            + (" and reads" if vendor == "postgresql" else "")
            + f" on {table} until every row is converted",
            remedies.new_column(table, column, f"Changing {old_type} to {new_type}", commands),
        )
    ]


def same_in_database(step: Step, model: ModelClass, old: Any, new: Any) -> bool:
    """``columns.metadata_only``, with the fields' targets rendered only when they may matter.

    An unresolved relation deconstructs its target as written (``to``, ``to_field``,
    ``through``); resolved, those may become equal (a to_field naming the target's
    pk), and nothing else changes.
    """
    differences = columns.database_differences(old, new)
    if not differences or differences - TARGET_NAMES:
        return not differences
    old, new = with_targets(step.before, model, old), with_targets(step.after, model, new)
    return columns.metadata_only(old, new)


def changes_column(step: Step) -> bool:
    """Does this AlterField reach the database (anything beyond choices, help_text, ...)?"""
    op: Any = step.operation
    model = rendered_model(step.after, step.app_label, op.model_name)
    old = model_field(rendered_model(step.before, step.app_label, op.model_name), op.name)
    new = model_field(model, op.name)
    if model is None or old is None or new is None:
        return True
    return not same_in_database(step, model, old, new)
