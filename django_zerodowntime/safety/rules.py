"""The rule catalogue: one function per operation kind -> list[Finding].

``judge(step)`` picks the function by the operation's class (a subclass that
overrides ``database_forwards`` is judged by the SQL it emits instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db import router

from django_zerodowntime.safety import field_rules, index_rules, remedies, routing, sql
from django_zerodowntime.safety.context import Step, blocked, safe, warning
from django_zerodowntime.safety.emitted import emitted_sql
from django_zerodowntime.safety.findings import Finding, Usage, Verdict
from django_zerodowntime.safety.identity import (
    ModelClass,
    dropped_tables,
    model_label,
    model_usages,
    rendered_model,
)
from django_zerodowntime.safety.states import advance
from django_zerodowntime.safety.usage import drop_findings

Rule = Callable[[Step], list[Finding]]
OPS = "django.db.migrations.operations."
PG_OPS = "django.contrib.postgres.operations."


def metadata(step: Step) -> list[Finding]:
    return [safe(f"{type(step.operation).__name__} changes only Django's state: no SQL")]


def extension(step: Step) -> list[Finding]:
    return [safe(f"{type(step.operation).__name__} touches no table the old code uses")]


def create_model(step: Step) -> list[Finding]:
    return [safe("creates a new table; the old code never reads it")]


def existing_model(state: Any, step: Step, name: str) -> ModelClass:
    model = rendered_model(state, step.app_label, name)
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
    old = existing_model(step.before, step, op.old_name)
    new = existing_model(step.after, step, op.new_name)
    return renamed_tables(step, old, new, "ZDT402")


def alter_model_table(step: Step) -> list[Finding]:
    op: Any = step.operation
    old = existing_model(step.before, step, op.name)
    new = existing_model(step.after, step, op.name)
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


def separate(step: Step) -> list[Finding]:
    """Judge the database side as its own chain of states; the state side emits nothing."""
    op: Any = step.operation
    findings: list[Finding] = []
    before = step.before
    for database_operation in op.database_operations:
        after = advance(before, database_operation, step.app_label)
        findings += judge(replace(step, operation=database_operation, before=before, after=after))
        before = after
    return findings or [safe("SeparateDatabaseAndState with no database operations: no SQL")]


def unknown(step: Step) -> list[Finding]:
    name = type(step.operation).__name__
    statements = emitted_sql(step)
    if not statements:
        return [safe(f"{name} emits no SQL here")]
    return [
        blocked(
            "ZDT901",
            f"unknown operation {type(step.operation).__module__}.{name} emits SQL "
            f"({statements[0][:120]}): its effect on the old code cannot be judged",
            "Replace it with Django operations safe_migrate knows, or, after checking it by "
            'hand, allow it in that migration: zerodowntime_allow = {"ZDT901": "<why>"}',
        )
    ]


HANDLERS: dict[str, Rule] = {
    OPS + "models.CreateModel": create_model,
    OPS + "models.DeleteModel": delete_model,
    OPS + "models.RenameModel": rename_model,
    OPS + "models.AlterModelTable": alter_model_table,
    OPS + "models.AlterModelTableComment": metadata,
    OPS + "models.AlterModelOptions": metadata,
    OPS + "models.AlterModelManagers": metadata,
    OPS + "models.AlterUniqueTogether": index_rules.together,
    OPS + "models.AlterIndexTogether": index_rules.together,
    OPS + "models.AlterOrderWithRespectTo": order_with_respect_to,
    OPS + "models.AddIndex": index_rules.add_index,
    OPS + "models.RemoveIndex": index_rules.remove_index,
    OPS + "models.RenameIndex": metadata,
    OPS + "models.AddConstraint": index_rules.add_constraint,
    OPS + "models.RemoveConstraint": index_rules.remove_index,
    OPS + "models.AlterConstraint": metadata,
    OPS + "fields.AddField": field_rules.add_field,
    OPS + "fields.RemoveField": field_rules.remove_field,
    OPS + "fields.AlterField": field_rules.alter_field,
    OPS + "fields.RenameField": field_rules.rename_field,
    OPS + "special.RunSQL": run_sql,
    OPS + "special.RunPython": run_python,
    OPS + "special.SeparateDatabaseAndState": separate,
    PG_OPS + "AddIndexConcurrently": index_rules.add_index,
    PG_OPS + "RemoveIndexConcurrently": index_rules.remove_index,
    PG_OPS + "AddConstraintNotValid": index_rules.add_constraint,
    PG_OPS + "ValidateConstraint": metadata,
    PG_OPS + "CreateExtension": extension,
    PG_OPS + "CreateCollation": extension,
    PG_OPS + "RemoveCollation": extension,
}


def rule_for(operation: object) -> Rule:
    """The rule of the nearest known class whose ``database_forwards`` the operation keeps."""
    kind = type(operation)
    for cls in kind.__mro__:
        handler = HANDLERS.get(f"{cls.__module__}.{cls.__qualname__}")
        if handler is not None:
            same_sql = getattr(kind, "database_forwards", None) is getattr(
                cls, "database_forwards", None
            )
            return handler if same_sql else unknown
    return unknown


def judge(step: Step) -> list[Finding]:
    rule = rule_for(step.operation)
    # Known operations do nothing where the router keeps their model off (as Django does).
    skipped = routing.not_routed_here(step) if rule is not unknown else None
    return [skipped] if skipped else rule(step)


def safely_judged(step: Step) -> list[Finding]:
    """The findings worth reporting; a crash inside a rule blocks that operation, not the run."""
    try:
        findings = judge(step)
    except Exception as error:
        return [crashed(step.operation, error)]
    worst = [f for f in findings if f.verdict is not Verdict.SAFE]
    return worst or findings[:1]


def crashed(operation: object, error: Exception) -> Finding:
    return blocked(
        "ZDT902",
        f"could not analyse {type(operation).__name__}: {type(error).__name__}: {error}",
        "Check that the migration applies with `python manage.py sqlmigrate`; if it is "
        'fine, allow it in that migration: zerodowntime_allow = {"ZDT902": "<why>"}',
    )
