"""Run Django's own ``migrate`` under a lock timeout, with a few retries.

On PostgreSQL (``lock_timeout``) and MySQL/MariaDB (``lock_wait_timeout``) a
migration that waits behind a long transaction gives up after
``LOCK_TIMEOUT`` instead of queueing every request of the site behind its
lock; it is retried a few times, then reported naming the table.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.recorder import MigrationRecorder

from django_zerodowntime.conf import conf
from django_zerodowntime.errors import ExitError
from django_zerodowntime.ledger.install import Stream
from django_zerodowntime.migrate.outcome import ExitCode
from django_zerodowntime.migrate.progress import MigrationProgress, NoProgress, TimedMigrate

Plan = list[tuple[Migration, bool]]
LOCK_RETRIES = 3


def apply(
    executor: MigrationExecutor,
    plan: Plan,
    app_label: str | None,
    migration_name: str | None,
    *,
    verbosity: int,
    stream: Stream,
    progress: MigrationProgress | None = None,
    fake_initial: bool = False,
) -> None:
    """Run Django's ``migrate`` with the same targets, under a lock timeout, with retries.

    Each attempt continues where the last stopped: atomic migrations that hit the
    timeout were rolled back whole by Django.
    """
    args = [label for label in (app_label, migration_name) if label]
    migrate = TimedMigrate(progress or NoProgress())
    try:
        _apply_with_retries(executor, plan, migrate, args, verbosity, stream, fake_initial)
    finally:
        migrate.progress.close()  # a migration that raised: no live line left behind


def _apply_with_retries(
    executor: MigrationExecutor,
    plan: Plan,
    migrate: TimedMigrate,
    args: list[str],
    verbosity: int,
    stream: Stream,
    fake_initial: bool,
) -> None:
    connection = executor.connection
    for attempt in range(1, LOCK_RETRIES + 1):
        try:
            with lock_timeout(connection):
                call_command(
                    migrate,
                    *args,
                    database=connection.alias,
                    interactive=False,
                    verbosity=verbosity,
                    skip_checks=True,
                    stdout=stream,
                    fake_initial=fake_initial,
                )
            return
        except DatabaseError as error:
            if not is_lock_timeout(error):
                raise
            if attempt == LOCK_RETRIES:
                raise ExitError(ExitCode.REFUSED, _lock_message(executor, plan)) from None
            stream.write(f"lock wait timed out (attempt {attempt}/{LOCK_RETRIES}); retrying\n")
            time.sleep(attempt)


@contextmanager
def lock_timeout(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Make DDL give up on a busy table instead of queueing the site's queries behind it."""
    seconds = conf.LOCK_TIMEOUT
    if connection.vendor not in ("postgresql", "mysql") or seconds <= 0:
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET lock_timeout = '{int(seconds * 1000)}ms'")
        else:
            whole = max(1, round(seconds))
            cursor.execute(f"SET SESSION lock_wait_timeout = {whole}")
            cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {whole}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET lock_timeout TO DEFAULT")
            else:
                cursor.execute("SET SESSION lock_wait_timeout = DEFAULT")
                cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")


def is_lock_timeout(error: BaseException) -> bool:
    for candidate in (error, error.__cause__):
        if getattr(candidate, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
            return True
        args = getattr(candidate, "args", ())
        if args and args[0] == 1205:  # MySQL/MariaDB lock wait timeout (metadata locks too)
            return True
    return False


def _lock_message(executor: MigrationExecutor, plan: Plan) -> str:
    applied = MigrationRecorder(executor.connection).applied_migrations()
    for migration, backwards in plan:
        key = (migration.app_label, migration.name)
        if (key in applied) == backwards:
            tables = ", ".join(_tables_touched(executor, migration)) or "its tables"
            atomic_note = (
                "it was rolled back"
                if migration.atomic and executor.connection.features.can_rollback_ddl
                else "it is not atomic on this database: check what it left applied"
            )
            return (
                f"{migration.app_label}.{migration.name} waited more than "
                f"{conf.LOCK_TIMEOUT:g}s for a lock on {tables} ({LOCK_RETRIES} attempts); "
                f"{atomic_note}. Something holds that table (a long transaction or query): "
                f"retry when it is quiet, or raise ZERODOWNTIME['LOCK_TIMEOUT']"
            )
    return f"a migration waited more than {conf.LOCK_TIMEOUT:g}s for a lock"


def _tables_touched(executor: MigrationExecutor, migration: Migration) -> list[str]:
    state = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
    tables: list[str] = []
    for operation in migration.operations:
        name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
        model = state.models.get((migration.app_label, str(name).lower()))
        if model is not None:
            table = model.options.get("db_table") or f"{migration.app_label}_{model.name_lower}"
            if table not in tables:
                tables.append(str(table))
    return tables
