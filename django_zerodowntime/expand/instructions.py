"""What the user does for each step: the edit to models.py and what must be true before the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.migrations.writer import MigrationWriter

from django_zerodowntime.expand.shadow import column_of
from django_zerodowntime.expand.target import Change

ROLLOUT = (
    "roll it out to every host (graceful_reload records each one; other deploy systems run "
    "`python manage.py safe_migrate --mark-live` on each host)"
)


def field_code(field: Any) -> str:
    return str(MigrationWriter.serialize(field)[0])


def lines(change: Change, step: str, path: Path, batch_size: int) -> list[str]:
    table = change.table
    old = f"{table}.{column_of(change.old_name, change.old_field)}"
    new = f"{table}.{column_of(change.new_name, change.new_field)}"
    what = (
        f"renaming {change.label} to {change.new_name}"
        if change.kind == "rename"
        else f"changing {change.label} to {field_code(change.new_field)}"
    )
    models_py = f"{change.app_label}/models.py"
    head = [f"Wrote {path}: the {step} step of {what}.", ""]
    if step == "expand":
        return [
            *head,
            f"Release N: change nothing in {models_py}.",
            f"The migration adds {new} (nullable, on the database only: makemigrations stays "
            f"quiet), triggers that keep {old} and {new} equal on every INSERT and UPDATE, "
            f"and copies the existing rows in batches of {batch_size}.",
            "",
            "Before the next step:",
            "  1. Deploy this release: `python manage.py safe_migrate` applies it (each batch "
            "commits on its own; if it stops, run it again: it resumes).",
            "  2. In the next release, run:",
            f"     {change.command('switch')}",
        ]
    if step == "switch":
        return [
            *head,
            f"Release N+1: in {models_py}, in class {change.model}, replace",
            f"    {change.old_name} = {field_code(change.old_field)}",
            "with",
            f"    {change.new_name} = {field_code(change.new_field)}",
            *(
                [
                    f"and rename every use of `{change.old_name}` in your code (queries, forms, "
                    f"admin, templates) to `{change.new_name}`."
                ]
                if change.kind == "rename"
                else []
            ),
            "makemigrations then finds nothing to do: this migration holds that change "
            f"(no SQL on {old}; {new} becomes NOT NULL if {old} is, on SQLite at the contract "
            "step).",
            "",
            "Before the next step:",
            f"  1. Deploy this release and {ROLLOUT}. While it rolls out, release N still "
            f"writes {old} and the triggers copy every write both ways.",
            "  2. In the release after, run:",
            f"     {change.command('contract')}",
            "     safe_migrate refuses that step until the ledger shows that no running "
            f"release uses {old}.",
        ]
    return [
        *head,
        f"Release N+2: change nothing in {models_py} (it declares {change.new_name} since "
        "the switch).",
        f"The migration drops the triggers and {old}.",
        "",
        "Before it runs: every host must serve the switch release or a later one. "
        "safe_migrate refuses the drop until the ledger shows it "
        "(`python manage.py safe_migrate --fleet` lists who runs what).",
    ]
