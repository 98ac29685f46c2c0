"""Rules for indexes, unique and check constraints, and foreign key constraints."""
# ruff: noqa: E501  (code samples in remedies are kept on one line so users can paste them)

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.migrations.writer import MigrationWriter

from django_zerodowntime.safety import remedies
from django_zerodowntime.safety.findings import Finding, blocked, safe, warning
from django_zerodowntime.safety.identity import ModelClass, rendered_model
from django_zerodowntime.safety.step import Step


def index_name(table: str, column: str, suffix: str = "idx") -> str:
    """A readable name within Django's 30-character limit for Index.name."""
    return f"{table}_{column}"[: 29 - len(suffix)].rstrip("_") + f"_{suffix}"


def index_findings(step: Step, model: ModelClass, field: Any, old: Any | None) -> list[Finding]:
    """What adding (old=None) or altering ``field`` builds: FK constraint, unique, index."""
    if step.vendor == "sqlite" or step.is_fresh(model._meta.db_table):
        return []
    table, column, name = model._meta.db_table, field.column, str(model._meta.model_name)
    findings: list[Finding] = []
    fk_before = old is not None and bool(old.remote_field) and getattr(old, "db_constraint", False)
    fk_now = bool(field.remote_field) and getattr(field, "db_constraint", False)
    if fk_now and not fk_before and (field.many_to_one or field.one_to_one):
        findings.append(foreign_key(step, model, field))
    if step.vendor != "postgresql":
        return findings
    had_index = old is not None and (old.db_index or old.unique)
    if field.unique and not field.primary_key and not (old is not None and old.unique):
        state = f'migrations.AlterField("{name}", "{field.name}", {remedies.field_code(field)})'
        uniq = index_name(table, column, "uniq")
        findings.append(
            blocked(
                "ZDT302",
                f"adds a unique constraint on {table}.{column} without CONCURRENTLY: "
                "PostgreSQL blocks writes to the table while the index builds",
                "Add the field without unique=True first, then:\n"
                + remedies.unique_concurrently(name, table, uniq, f'"{column}"', state),
            )
        )
    elif field.db_index and not had_index:
        index = f'models.Index(fields=["{field.name}"], name="{index_name(table, column)}")'
        findings.append(
            blocked(
                "ZDT301",
                f"creates an index on {table}.{column} without CONCURRENTLY: PostgreSQL "
                "blocks writes to the table for the whole build",
                "Declare the field with db_index=False, then:\n"
                + remedies.add_index_concurrently(name, index),
            )
        )
    return findings


def foreign_key(step: Step, model: ModelClass, field: Any) -> Finding:
    table, column = model._meta.db_table, field.column
    target = field.remote_field.model._meta.db_table
    target_column = field.target_field.column
    reason = (
        f"adds a foreign key constraint {table}.{column} -> {target}.{target_column} on an "
        "existing table: "
    )
    quiet = remedies.field_code(field, db_constraint=False, db_index=False)
    if step.vendor == "mysql":
        return blocked(
            "ZDT208",
            reason + f"{step.database_label} can only add it by copying {table} "
            "(ALGORITHM=COPY), blocking writes",
            f"Add it without the constraint:\n{remedies.code(f'{field.name} = {quiet}')}\n"
            "and enforce it in the application, or add the constraint with an online schema "
            "change tool (gh-ost, pt-online-schema-change).",
        )
    constraint = index_name(table, column, "fk")
    return blocked(
        "ZDT208",
        reason + "PostgreSQL validates every row while holding a lock that blocks writes on "
        f"both {table} and {target}",
        "\n".join(
            [
                "Add the column without constraint or index, then add both without long locks:",
                remedies.code(f"{field.name} = {quiet}"),
                "then, in a migration with atomic = False:",
                remedies.code(
                    f"""
                    AddIndexConcurrently("{model._meta.model_name!s}", models.Index(fields=["{field.name}"], name="{index_name(table, column)}")),
                    migrations.RunSQL('ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" FOREIGN KEY ("{column}") REFERENCES "{target}" ("{target_column}") NOT VALID', 'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"'),
                    migrations.RunSQL('ALTER TABLE "{table}" VALIDATE CONSTRAINT "{constraint}"', migrations.RunSQL.noop),
                    """
                ),
            ]
        ),
    )


def field_column(model: ModelClass, name: str) -> str:
    field: Any = model._meta.get_field(name)
    return str(field.column)


def index_model(step: Step) -> ModelClass:
    op: Any = step.operation
    model = rendered_model(step.after, step.app_label, op.model_name) or rendered_model(
        step.before, step.app_label, op.model_name
    )
    if model is None:
        raise LookupError(f"model {step.app_label}.{op.model_name} is not in the migration state")
    return model


def in_transaction(step: Step) -> Finding:
    name = type(step.operation).__name__
    return blocked(
        "ZDT304",
        f"{name} cannot run inside a transaction: Django fails the migration at this step",
        "Put it in a migration of its own with `atomic = False` on the Migration class.",
    )


def add_index_concurrently(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = index_model(step)
    if step.atomic:  # Django raises it before asking the router
        return [in_transaction(step)]
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe("this model is not migrated on this database")]
    return [safe(f"builds index {op.index.name} without blocking writes")]


def add_index(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = index_model(step)
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe("this model is not migrated on this database")]
    table = model._meta.db_table
    if step.is_fresh(table):
        return [safe(f"builds index {op.index.name} without blocking writes")]
    if step.vendor != "postgresql":
        return [safe(f"{step.database_label} builds index {op.index.name} online", "ZDT301")]
    return [
        blocked(
            "ZDT301",
            f"creates index {op.index.name} on {table} without CONCURRENTLY: PostgreSQL blocks "
            "writes to the table for the whole build",
            remedies.add_index_concurrently(
                str(model._meta.model_name), MigrationWriter.serialize(op.index)[0]
            ),
        )
    ]


def remove_index_concurrently(step: Step) -> list[Finding]:
    return [in_transaction(step)] if step.atomic else remove_index(step)


def remove_index(step: Step) -> list[Finding]:
    return [safe("dropping an index never breaks the old code")]


def add_constraint_not_valid(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = index_model(step)
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe("this model is not migrated on this database")]
    if step.is_fresh(model._meta.db_table):
        return [safe(f"adds {op.constraint.name} to a table no old code uses")]
    return [not_valid_check(model._meta.db_table, op.constraint.name)]


def not_valid_check(table: str, name: str) -> Finding:
    return warning(
        "ZDT305",
        f"adds check constraint {name} on {table} NOT VALID: no lock and no scan, but "
        "every INSERT and UPDATE of the old code must satisfy it from now on",
        "Ship code that always satisfies it (e.g. always writes the column) before this "
        "migration runs.",
    )


def validate_constraint(step: Step) -> list[Finding]:
    op: Any = step.operation
    return [validated(str(op.name))]


def validated(name: str) -> Finding:
    return warning(
        "ZDT306",
        f"validates {name} against every existing row (without blocking writes): the "
        "migration fails if a row the old code wrote violates it",
        "Backfill or fix the violating rows first (in an earlier migration or a RunPython "
        "before this one).",
    )


def add_constraint(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = index_model(step)
    constraint, table = op.constraint, model._meta.db_table
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe("this model is not migrated on this database")]
    if step.is_fresh(table):
        return [safe(f"adds {constraint.name} without checking existing rows")]
    if isinstance(constraint, models.CheckConstraint):
        return [check_constraint(step, model, constraint)]
    if step.vendor != "postgresql":
        return [safe(f"{step.database_label} builds {constraint.name} online", "ZDT302")]
    rule = "ZDT302" if isinstance(constraint, models.UniqueConstraint) else "ZDT301"
    fields = getattr(constraint, "fields", ()) or ()
    cols = ", ".join(f'"{field_column(model, f)}"' for f in fields) or "..."
    state = f'migrations.AddConstraint("{model._meta.model_name!s}", {MigrationWriter.serialize(constraint)[0]})'
    return [
        blocked(
            rule,
            f"adds constraint {constraint.name} on {table}: PostgreSQL builds its index "
            "without CONCURRENTLY, blocking writes for the whole build",
            remedies.unique_concurrently(
                str(model._meta.model_name), table, constraint.name, cols, state
            ),
        )
    ]


def check_constraint(step: Step, model: ModelClass, constraint: Any) -> Finding:
    table, name = model._meta.db_table, str(model._meta.model_name)
    reason = (
        f"adds check constraint {constraint.name} on {table}: the old code must already "
        "satisfy it, and "
    )
    if step.vendor == "sqlite":
        return warning("ZDT303", reason + "SQLite rebuilds the table to add it")
    if step.vendor == "mysql":
        return blocked(
            "ZDT303",
            reason + f"{step.database_label} copies the table to check every row",
            "Enforce the rule in the application first; add the constraint with an online "
            "schema change tool, or accept the copy with zerodowntime_allow on a small table.",
        )
    check = MigrationWriter.serialize(constraint)[0]
    return blocked(
        "ZDT303",
        reason + "PostgreSQL scans every row under an ACCESS EXCLUSIVE lock to check it",
        "Add it NOT VALID, then validate it in a later migration (no exclusive lock):\n"
        + remedies.code(
            f"""
            from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint

            AddConstraintNotValid("{name}", {check}),
            # next migration:
            ValidateConstraint("{name}", name="{constraint.name}"),
            """
        ),
    )


def together(step: Step) -> list[Finding]:
    op: Any = step.operation
    option = op.option_name
    before = step.before.models.get((step.app_label, op.name_lower))
    old = set(before.options.get(option, ())) if before else set()
    added = [group for group in (op.option_value or ()) if tuple(group) not in old]
    model = rendered_model(step.after, step.app_label, op.name)
    if not added or model is None or step.vendor != "postgresql":
        return [safe(f"{option} change builds no index on PostgreSQL or only drops")]
    if step.is_fresh(model._meta.db_table):
        return [safe(f"{model._meta.db_table} is created earlier in this plan")]
    rule = "ZDT302" if option == "unique_together" else "ZDT301"
    fields = ", ".join(map(repr, added[0]))
    return [
        blocked(
            rule,
            f"{option} {fields} on {model._meta.db_table} builds an index without "
            "CONCURRENTLY: PostgreSQL blocks writes for the whole build",
            "Replace it with a Meta.constraints UniqueConstraint / Meta.indexes Index added "
            "with AddIndexConcurrently (see ZDT301/ZDT302) in a migration with atomic = False.",
        )
    ]
