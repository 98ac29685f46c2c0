"""What the live schema of a database gets wrong against its applied migrations."""

from __future__ import annotations

from collections.abc import Collection

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState

from django_zerodowntime.migrate import planning
from django_zerodowntime.migrate.schema.actual import actual_schema
from django_zerodowntime.migrate.schema.diff import compare
from django_zerodowntime.migrate.schema.expected import compared, expected_schema
from django_zerodowntime.migrate.schema.model import Drift


def schema_drift(executor: MigrationExecutor) -> list[Drift]:
    """Every difference between the database and the state of its applied migrations."""
    return drift_against(planning.applied_state(executor), executor)


def drift_against(
    state: ProjectState, executor: MigrationExecutor, only: Collection[str] | None = None
) -> list[Drift]:
    connection = executor.connection
    expected = expected_schema(
        state,
        connection,
        migrated_apps=set(executor.loader.migrated_apps),
        more_ignored=tables_not_compared(connection),
    )
    wanted = None if only is None else set(only)
    actual = actual_schema(connection, wanted)
    mariadb = bool(getattr(connection, "mysql_is_mariadb", False))
    return compare(expected, actual, only=only, mariadb=mariadb)


def tables_not_compared(connection: BaseDatabaseWrapper) -> set[str]:
    """Tables the project's own models use but migrations do not manage here."""
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not compared(model, connection.alias)
    }
