"""Rules for ``Backfill`` and the column-pair operations ``expand_contract`` writes.

The triggers copy every write of one column to the other, so adding the new
column, installing the triggers and backfilling are safe while release N runs.
What can break a running release is ending the copy: dropping the triggers or
the old column while a release still writes it. Those are judged like any drop,
against the ledger: the old column's name (or, unapplying the expand step, the
new one's) must be unused by every release that may still run.
"""

from __future__ import annotations

from typing import Any

from django_zerodowntime.safety.findings import Finding, blocked, safe, warning
from django_zerodowntime.safety.identity import ModelClass, model_label, rendered_model
from django_zerodowntime.safety.remedies import ROLLOUT
from django_zerodowntime.safety.step import Step, drop_findings
from django_zerodowntime.usage import Usage

MAX_BATCH = 10_000  # rows one batch may lock before the batch itself is a long lock


def pair_model(step: Step) -> ModelClass:
    op: Any = step.operation
    model = rendered_model(step.before, step.app_label, op.model_name) or rendered_model(
        step.after, step.app_label, op.model_name
    )
    if model is None:
        raise LookupError(f"model {step.app_label}.{op.model_name} is not in the migration state")
    return model


def names(step: Step) -> tuple[str, str, str]:
    """(table, old column, new column) of a column-pair operation."""
    op: Any = step.operation
    old, new = op.columns()
    return pair_model(step)._meta.db_table, old, new


def pair_target(step: Step) -> str:
    table, old, new = names(step)
    return f"{model_label(pair_model(step))} ({table}.{old} -> {new})"


def backfill(step: Step) -> list[Finding]:
    op: Any = step.operation
    model = pair_model(step)
    column = op.columns()[1] if hasattr(op, "columns") else _column(model, op.name)
    where = f"{model._meta.db_table}.{column}"
    if step.atomic:
        return [
            blocked(
                "ZDT504",
                f"Backfill of {where} in an atomic migration: every batch would share one "
                "transaction and hold its row locks (and the locks of any DDL beside it) until "
                "the whole backfill commits",
                "Set `atomic = False` on the migration: each batch then commits on its own.",
            )
        ]
    if op.batch_size > MAX_BATCH:
        return [
            warning(
                "ZDT505",
                f"Backfill of {where} in batches of {op.batch_size:,} rows: each batch locks "
                f"that many rows until it commits, while the old code writes them",
                f"Use batch_size={MAX_BATCH:,} or less (1,000 is the default).",
            )
        ]
    return [
        safe(
            f"Backfill of {where} in batches of {op.batch_size:,} rows, each its own short "
            "transaction; a stopped run resumes"
        )
    ]


def _column(model: ModelClass, name: str) -> str:
    field: Any = model._meta.get_field(name)
    return str(field.column)


def add_shadow_column(step: Step) -> list[Finding]:
    op: Any = step.operation
    table, old, new = names(step)
    if step.vendor == "sqlite" and not op.old_field.null and not op.old_field.has_db_default():
        return [
            warning(
                "ZDT506",
                f"adds {table}.{new} and makes {table}.{old} nullable: SQLite rebuilds {table} "
                "(holding its write lock for the copy) so the next release can insert without "
                f"{old}",
            )
        ]
    return [safe(f"adds nullable {table}.{new} on the database only; the old code ignores it")]


def sync_columns(step: Step) -> list[Finding]:
    table, old, new = names(step)
    return [
        safe(
            f"installs triggers keeping {table}.{old} and {table}.{new} equal: the old code's "
            "writes go on and now reach both columns"
        )
    ]


def set_not_null(step: Step) -> list[Finding]:
    op: Any = step.operation
    table, old, new = names(step)
    if op.old_field.null:
        return [safe(f"{table}.{old} allows NULL, so {table}.{new} stays nullable: no SQL")]
    if step.vendor == "sqlite":
        return [
            safe(
                f"{table}.{new} stays nullable on SQLite until the contract step: SQLite checks "
                "NOT NULL before its triggers fill the column for the old code's INSERTs"
            )
        ]
    how = {
        "postgresql": "a NOT VALID check, VALIDATE (reads and writes go on), then SET NOT NULL "
        "without a scan",
        "mysql": "an online rebuild (ALGORITHM=INPLACE, LOCK=NONE)",
    }.get(step.vendor, "its vendor's way")
    return [safe(f"makes {table}.{new} NOT NULL by {how}; the triggers keep filling it")]


def drop_sync(step: Step) -> list[Finding]:
    """The copy ends: harmless only once no running release writes the column left behind."""
    table, old, new = names(step)
    who = None if step.is_fresh(table, old) else step.usage_check(Usage(table, old))
    if who is None:
        return [
            safe(
                f"drops the triggers copying {table}.{old} to {new}; no running release uses {old}"
            )
        ]
    return [
        blocked(
            "ZDT507",
            f"drops the triggers copying {table}.{old} to {new}, but {who}: its writes would "
            f"no longer reach {new}",
            f"Ship the switch step first and {ROLLOUT[0].lower() + ROLLOUT[1:]}",
        )
    ]


def drop_old_column(step: Step) -> list[Finding]:
    op: Any = step.operation
    table, old, new = names(step)
    remedy = (
        f"The switch step moved the code to {table}.{new}: {ROLLOUT[0].lower() + ROLLOUT[1:]} "
        "Then apply this contract step."
    )
    findings = drop_findings(step, "ZDT101", [Usage(table, old)], remedy)
    if step.vendor == "sqlite" and not op.old_field.null:
        findings.append(
            warning(
                "ZDT506",
                f"makes {table}.{new} NOT NULL: SQLite rebuilds {table} (holding its write "
                "lock for the copy)",
            )
        )
    return findings


def swapped(op: Any, cls: type) -> Any:
    """The same pair seen from the other side (unapplying the expand step keeps the old column)."""
    return cls(op.model_name, op.new_name, op.new_field, op.old_name, op.old_field)
