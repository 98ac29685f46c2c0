"""The plan, exactly as Django's ``migrate`` builds it: connection, loader, targets.

``MigrationExecutor(connection).migration_plan(targets)`` with the targets
``migrate [app_label [migration_name]]`` would use. Nothing here patches Django.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.exceptions import AmbiguityError, BadMigrationError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate.outcome import ExitCode

Plan = list[tuple[Migration, bool]]
Target = tuple[str, str | None]


def bad_input(message: str) -> ExitError:
    return ExitError(ExitCode.BAD_INPUT, message)


def connect(alias: str) -> BaseDatabaseWrapper:
    """The connection of ``alias``, opened now so an unreachable database is exit 2."""
    if alias not in connections:
        raise bad_input(f"no database alias {alias!r} in settings.DATABASES")
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        text = str(error).strip()
        first_line = text.splitlines()[0] if text else type(error).__name__
        raise bad_input(f"database {alias!r} is unreachable: {first_line}") from None
    return connection


def executor_for(connection: BaseDatabaseWrapper) -> MigrationExecutor:
    try:
        executor = MigrationExecutor(connection)
    except (ImportError, BadMigrationError, SyntaxError) as error:
        raise bad_input(f"a migration file failed to import: {error}") from None
    conflicts = executor.loader.detect_conflicts()
    if conflicts:
        names = "; ".join(f"{app}: {', '.join(sorted(n))}" for app, n in sorted(conflicts.items()))
        raise bad_input(f"conflicting migrations ({names}): run makemigrations --merge")
    return executor


def resolve_targets(
    executor: MigrationExecutor, app_label: str | None, migration_name: str | None
) -> list[Target]:
    """The same targets ``migrate [app_label [migration_name]]`` would use."""
    loader = executor.loader
    if app_label is None:
        return list(loader.graph.leaf_nodes())
    try:
        apps.get_app_config(app_label)
    except LookupError:
        raise bad_input(f"no installed app with label {app_label!r}") from None
    if app_label not in loader.migrated_apps:
        raise bad_input(f"app {app_label!r} does not have migrations")
    if migration_name is None:
        return [key for key in loader.graph.leaf_nodes() if key[0] == app_label]
    if migration_name == "zero":
        return [(app_label, None)]
    try:
        migration = loader.get_migration_by_prefix(app_label, migration_name)
    except AmbiguityError:
        raise bad_input(
            f"more than one migration of {app_label!r} matches {migration_name!r}"
        ) from None
    except KeyError:
        raise bad_input(f"app {app_label!r} has no migration {migration_name!r}") from None
    return [(app_label, migration.name)]


def plan_for(executor: MigrationExecutor, targets: Sequence[Target]) -> Plan:
    return list(executor.migration_plan(list(targets)))


def applied_state(executor: MigrationExecutor) -> ProjectState:
    """The project state of the applied migrations, built as Django's executor builds it."""
    loader = executor.loader
    state = ProjectState(real_apps=loader.unmigrated_apps)
    applied = loader.applied_migrations or {}
    for migration, _ in executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True):
        if (migration.app_label, migration.name) in applied:
            migration.mutate_state(state, preserve=False)
    return state
