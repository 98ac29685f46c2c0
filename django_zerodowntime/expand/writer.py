"""One migration file per step, written by Django's own MigrationWriter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.utils import run_formatters
from django.db import migrations
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter

from django_zerodowntime.expand.target import Change, bad_input


def migration_name(loader: MigrationLoader, change: Change, step: str, name: str | None) -> str:
    """``0004_expand_post_title_headline``: the next number, as makemigrations numbers them."""
    numbers = [
        MigrationAutodetector.parse_number(migration) or 0
        for app, migration in loader.disk_migrations
        if app == change.app_label
    ]
    suffix = name or "_".join([step, change.model_name, change.old_name, column_suffix(change)])
    if not suffix.isidentifier():
        raise bad_input(f"--name {suffix!r} is not a valid migration name (letters, digits, _)")
    return f"{max(numbers, default=0) + 1:04d}_{suffix}"


def column_suffix(change: Change) -> str:
    return str(change.new_field.db_column or change.new_name)


def leaf(loader: MigrationLoader, app_label: str) -> tuple[str, str]:
    leaves = loader.graph.leaf_nodes(app_label)
    if len(leaves) != 1:
        names = ", ".join(name for _app, name in leaves)
        raise bad_input(
            f"{app_label} has {len(leaves)} leaf migrations ({names}): "
            "run `python manage.py makemigrations --merge` first"
        )
    app, name = leaves[0]
    return str(app), str(name)


CLASS_LINE = "class Migration(migrations.Migration):\n"


def with_atomic(text: str, atomic: bool) -> str:
    """Django before 6.0 does not write ``atomic = False``: add it where Django 6 puts it."""
    if atomic or "\n    atomic = False\n" in text:
        return text
    return text.replace(CLASS_LINE, CLASS_LINE + "\n    atomic = False\n", 1)


def write(
    loader: MigrationLoader, change: Change, name: str, operations: list[Any], atomic: bool
) -> Path:
    migration: Any = migrations.Migration(name, change.app_label)
    migration.dependencies = [leaf(loader, change.app_label)]
    migration.operations = operations
    migration.atomic = atomic
    writer = MigrationWriter(migration)
    path = Path(writer.path)
    if path.exists():
        raise bad_input(f"{path} exists already: choose another --name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(with_atomic(writer.as_string(), atomic))
    run_formatters([str(path)])  # black, when installed, as makemigrations does
    return path
