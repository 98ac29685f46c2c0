"""Rules for model-level operations and the opaque ones (RunSQL, RunPython)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, router

from django_zerodowntime.safety import field_rules, remedies, sql
from django_zerodowntime.safety.findings import Finding, Harm, blocked, safe, warning
from django_zerodowntime.safety.identity import (
    ModelClass,
    Related,
    dropped_tables,
    model_label,
    model_usages,
    rendered_model,
)
from django_zerodowntime.safety.step import Step, drop_findings
from django_zerodowntime.usage import Usage


def metadata(step: Step) -> list[Finding]:
    return [safe(f"{type(step.operation).__name__} changes only Django's state: no SQL")]


def extension(step: Step) -> list[Finding]:
    return [safe(f"{type(step.operation).__name__} touches no table the old code uses")]


def create_model(step: Step) -> list[Finding]:
    return [safe("creates a new table; the old code never reads it")]


def existing_model(
    state: Any, step: Step, name: str, related: Related = Related.NONE
) -> ModelClass:
    model = rendered_model(state, step.app_label, name, related)
    if model is None:
        raise LookupError(f"model {step.app_label}.{name} is not in the migration state")
    return model


def delete_model(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = existing_model(step.before, step, op.name)
    if not op.allow_migrate_model(step.connection.alias, model):
        return [safe(field_rules.NOT_MIGRATED)]
    return drop_findings(step, "ZDT102", dropped_tables(model), remedies.drop_model(model))


def renamed_tables(step: Step, old: ModelClass, new: ModelClass, rule: str) -> list[Finding]:
    after = {str(u) for u in model_usages(new)}
    kept_tables = {u.table for u in model_usages(new) if u.column is None}
    # A renamed table implies its columns: list columns only of tables that keep their name.
    gone = [
        str(u)
        for u in model_usages(old)
        if str(u) not in after and (u.column is None or u.table in kept_tables)
    ]
    what = f"{type(step.operation).__name__} {model_label(old)} -> {model_label(new)}"
    if not gone:
        return [safe(f"{what} keeps every table and column name: no SQL")]
    if not step.operation.allow_migrate_model(step.connection.alias, new):
        return [safe(field_rules.NOT_MIGRATED)]
    if all(step.is_fresh(*name.split(".", 1)) for name in gone):
        return [safe(f"{what} renames only tables created earlier in this plan")]
    table = old._meta.db_table
    keep = (
        "Keep the table: pin its name in Meta, in a migration BEFORE the rename, so "
        "neither step emits SQL:"
        if rule == "ZDT402"
        else f'Keep db_table = "{table}" while any running release uses it:'
    )
    return [
        blocked(
            rule,
            f"{what} renames {', '.join(gone)}: the old code still queries the old names",
            "\n".join(
                [
                    keep,
                    remedies.code(
                        f"""
                        class Meta:
                            db_table = "{table}"
                        """
                    ),
                    "Auto-created M2M tables and their <model>_id columns follow the model name: "
                    "give those fields an explicit through model (or db_table) first.",
                    "To really move the data: create the new table, write both, backfill, "
                    "switch reads, mark the old model `@unused_model`, drop it later.",
                ]
            ),
        )
    ]


def rename_model(step: Step) -> list[Finding]:
    op: Any = step.operation
    # Other models' M2M tables name it (model_usages): render them with it.
    old = existing_model(step.before, step, op.old_name, Related.M2M_IN)
    new = existing_model(step.after, step, op.new_name, Related.M2M_IN)
    return renamed_tables(step, old, new, "ZDT402")


def alter_model_table(step: Step) -> list[Finding]:
    op: Any = step.operation
    old = existing_model(step.before, step, op.name, Related.M2M_IN)
    new = existing_model(step.after, step, op.name, Related.M2M_IN)
    return renamed_tables(step, old, new, "ZDT403")


def order_with_respect_to(step: Step) -> list[Finding]:
    op: Any = step.operation
    old = existing_model(step.before, step, op.name)
    new = existing_model(step.after, step, op.name)
    had = {f.column for f in old._meta.local_concrete_fields}
    has = {f.column for f in new._meta.local_concrete_fields}
    table = new._meta.db_table
    if "_order" in had - has:
        return drop_findings(
            step, "ZDT101", [Usage(table, "_order")], remedies.drop_by_sql(f"{table}._order")
        )
    if "_order" in has - had and not step.is_fresh(table):
        return [
            blocked(
                "ZDT201",
                f"adds NOT NULL column {table}._order without a database default: "
                "the old code's INSERTs fail",
                "Add order_with_respect_to only on a table created in the same release, or "
                "manage an ordering field yourself (nullable, then backfilled).",
            )
        ]
    return [safe("order_with_respect_to change with no new column")]


def run_python(step: Step) -> list[Finding]:
    op: Any = step.operation
    if not router.allow_migrate(step.connection.alias, step.app_label, **op.hints):
        return [safe("the router skips this RunPython on this database")]
    if op.code is migrations.RunPython.noop:  # a placeholder: it runs nothing
        return [safe("RunPython.noop does nothing")]
    code = getattr(op.code, "__qualname__", repr(op.code))
    irreversible = (
        " It has no reverse_code, so it cannot be unapplied." if not op.reversible else ""
    )
    if step.vendor == "postgresql" and step.atomic and step.migration_has_ddl:
        return [
            blocked(
                "ZDT502",
                f"RunPython {code} shares an atomic migration with schema changes: PostgreSQL "
                "keeps their ACCESS EXCLUSIVE locks for the whole data migration." + irreversible,
                "Move the RunPython into a migration of its own (it may depend on this one), "
                "and backfill in batches.",
                harm=Harm.LOCKS,
            )
        ]
    return [
        warning(
            "ZDT502",
            f"RunPython {code} runs inside the deploy: make it fast, batched and safe to run "
            "while the old code writes." + irreversible,
        )
    ]


def run_sql(step: Step) -> list[Finding]:
    op: Any = step.operation
    if not router.allow_migrate(step.connection.alias, step.app_label, **op.hints):
        return [safe("the router skips this RunSQL on this database")]
    return sql.judge_sql(step, op.sql)
