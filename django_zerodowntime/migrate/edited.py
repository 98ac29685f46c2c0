"""Migrations that REF applied and the change edited: blocked (ZDT904).

A database that ran the migration never runs it again, so the edit changes
nothing there while a fresh database gets the new version: the two drift
apart. Edits that change no code (comments, formatting, an allow comment) are
not edits here: the files are compared as syntax trees, not as text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django_zerodowntime.migrate import git
from django_zerodowntime.migrate.report import relative
from django_zerodowntime.safety import source
from django_zerodowntime.safety.allows import owned_by
from django_zerodowntime.safety.findings import (
    Allowance,
    MigrationReport,
    OperationReport,
    allowed_rules,
    blocked,
)

RULE = "ZDT904"


def edited_reports(
    migrations: Iterable[Any],
    applied: Iterable[tuple[str, str]],
    root: Path,
    commit: str,
    ref: str,
    label: str,
) -> list[MigrationReport]:
    """One blocked report per migration of ``migrations`` that REF applied and that differs
    (as code) from its version at ``commit``."""
    modified = {path for path, status in git.changed_files(root, commit).items() if status == "M"}
    if not modified:
        return []
    done = set(applied)
    reports: list[MigrationReport] = []
    for migration in migrations:
        path = source.source_file(migration)
        name = relative(path, root)
        if path is None or name is None or name not in modified:
            continue
        if (migration.app_label, migration.name) not in done:
            continue
        new = source.read_text(path) or ""
        difference = first_difference(git.file_at(root, commit, name) or "", new, migration)
        if difference is not None:
            reports.append(report(migration, path, name, (ref, label), difference))
    return reports


def report(
    migration: Any,
    path: str,
    name: str,
    base: tuple[str, str],
    difference: tuple[int | None, int, bool],
) -> MigrationReport:
    """``base``: REF as given (for git) and its label (for people)."""
    ref, label = base
    index, line, exact = difference
    operation = type(migration.operations[index]).__name__ if index is not None else "Migration"
    where = f"operation #{index} differs" if index is not None else "outside its operations"
    finding = blocked(
        RULE,
        f"{migration.app_label}.{migration.name} was applied by the serving release {label} and "
        f"edited since ({where}): databases that ran it never run the edit, new ones do",
        f"Restore it as it is at {ref} (`git checkout {ref} -- {name}`) and make the change "
        f"in a new migration (`python manage.py makemigrations`). If the edit changes nothing "
        f"a database sees, allow it: `# zerodowntime_allow {RULE}: <why>` on the operation, "
        f'or zerodowntime_allow = {{"{RULE}": "<why>"}} on the migration.',
    )
    allowed = allowed_rules(migration)
    allowance = Allowance(allowed[RULE], "migration") if RULE in allowed else None
    allowance = commented(path, migration, index) or allowance
    entry = OperationReport(index, operation, name, finding, allowance, line, exact)
    return MigrationReport(
        migration.app_label,
        migration.name,
        (entry,),
        allowed,
        file=path,
        module=type(migration).__module__,
    )


def commented(path: str, migration: Any, index: int | None) -> Allowance | None:
    """A ``# zerodowntime_allow ZDT904: ...`` comment on the edited operation."""
    text = source.read_text(path)
    located = source.locate(path, text, len(migration.operations)) if text else None
    if located is None or index is None:
        return None
    for comment in located.comments:
        if RULE in comment.rules and index in owned_by(comment, located):
            return Allowance(comment.reason, "operation", comment.line)
    return None


def first_difference(old: str, new: str, migration: Any) -> tuple[int | None, int, bool] | None:
    """(operation index or None, line in ``new``, exact) of the first change, or None
    when both parse to the same code."""
    try:
        old_tree = ast.parse(old)
    except SyntaxError:
        old_tree = ast.Module(body=[], type_ignores=[])
    new_tree = ast.parse(new)
    if ast.dump(old_tree) == ast.dump(new_tree):
        return None
    old_ops, new_ops = operations_of(old_tree), operations_of(new_tree)
    count = len(migration.operations)
    for index, node in enumerate(new_ops[:count]):
        if index >= len(old_ops) or ast.dump(old_ops[index]) != ast.dump(node):
            return index, node.lineno, True
    if len(old_ops) > len(new_ops) and len(new_ops) < count:
        return len(new_ops), statement_line(old_tree, new_tree), False
    return None, statement_line(old_tree, new_tree), False


def operations_of(tree: ast.Module) -> list[ast.expr]:
    body = source.migration_class(tree)
    assignment = source.assigned(body, "operations") if body is not None else None
    return source.operation_nodes(assignment.value if assignment else None)[0]


def statement_line(old_tree: ast.Module, new_tree: ast.Module) -> int:
    """The line in ``new_tree`` of the first statement (module or class level) that differs."""
    old_body, new_body = list(old_tree.body), list(new_tree.body)
    for position, statement in enumerate(new_body):
        before = old_body[position] if position < len(old_body) else None
        if before is not None and ast.dump(before) == ast.dump(statement):
            continue
        if isinstance(statement, ast.ClassDef) and isinstance(before, ast.ClassDef):
            return statement_line(
                ast.Module(body=before.body, type_ignores=[]),
                ast.Module(body=statement.body, type_ignores=[]),
            )
        return statement.lineno
    return new_body[-1].lineno if new_body else 1
