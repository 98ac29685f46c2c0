"""What ``manage.py safe_migrate`` does, as plain functions the command and tests call.

The plan comes from ``MigrationExecutor(connection).migration_plan(targets)``,
exactly as Django's ``migrate`` builds it; applying goes through Django's own
``migrate`` command with the same targets (``locked_migrate``). Nothing here
patches Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.exceptions import AmbiguityError, BadMigrationError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration

from django_zerodowntime.locked_migrate import Stream
from django_zerodowntime.models import Release
from django_zerodowntime.safety import ledger
from django_zerodowntime.safety.findings import Usage
from django_zerodowntime.safety.plan import AllowListError, MigrationReport, analyse_plan
from django_zerodowntime.safety.snapshot import Snapshot

LEDGER_APP = "django_zerodowntime"
Plan = list[tuple[Migration, bool]]
Target = tuple[str, str | None]


class BadInput(Exception):
    """Exit status 2: the request or the configuration is wrong; nothing was applied."""


def connect(connection: BaseDatabaseWrapper) -> None:
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        text = str(error).strip()
        first_line = text.splitlines()[0] if text else type(error).__name__
        raise BadInput(f"database {connection.alias!r} is unreachable: {first_line}") from None


def executor_for(connection: BaseDatabaseWrapper) -> MigrationExecutor:
    connect(connection)
    try:
        executor = MigrationExecutor(connection)
    except (ImportError, BadMigrationError, SyntaxError) as error:
        raise BadInput(f"a migration file failed to import: {error}") from None
    conflicts = executor.loader.detect_conflicts()
    if conflicts:
        names = "; ".join(f"{app}: {', '.join(sorted(n))}" for app, n in sorted(conflicts.items()))
        raise BadInput(f"conflicting migrations ({names}): run makemigrations --merge")
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
        raise BadInput(f"no installed app with label {app_label!r}") from None
    if app_label not in loader.migrated_apps:
        raise BadInput(f"app {app_label!r} does not have migrations")
    if migration_name is None:
        return [key for key in loader.graph.leaf_nodes() if key[0] == app_label]
    if migration_name == "zero":
        return [(app_label, None)]
    try:
        migration = loader.get_migration_by_prefix(app_label, migration_name)
    except AmbiguityError:
        raise BadInput(
            f"more than one migration of {app_label!r} matches {migration_name!r}"
        ) from None
    except KeyError:
        raise BadInput(f"app {app_label!r} has no migration {migration_name!r}") from None
    return [(app_label, migration.name)]


def plan_for(executor: MigrationExecutor, targets: Sequence[Target]) -> Plan:
    return list(executor.migration_plan(list(targets)))


def ledger_ready(executor: MigrationExecutor) -> bool:
    """True when the ledger's own migrations are applied on the ledger database."""
    leaves = [key for key in executor.loader.graph.leaf_nodes() if key[0] == LEDGER_APP]
    return not executor.migration_plan(leaves)


def migrate_ledger(ledger_alias: str, stream: Stream) -> None:
    """Apply the ledger's own migrations (plain CreateModel: safe while old code runs)."""
    call_command(
        "migrate", LEDGER_APP, database=ledger_alias, interactive=False, verbosity=0, stdout=stream
    )


def ledger_exists(ledger_connection: BaseDatabaseWrapper) -> bool:
    with ledger_connection.cursor() as cursor:
        names = ledger_connection.introspection.table_names(cursor)
    return Release._meta.db_table in names


def analyse(
    executor: MigrationExecutor,
    plan: Plan,
    *,
    release: str,
    snapshot: Snapshot,
    ledger_available: bool = True,
) -> list[MigrationReport]:
    """One call: every operation of ``plan`` judged against the fleet in the ledger."""
    try:
        usage_check = (
            ledger.make_usage_check(release, snapshot) if ledger_available else _empty_ledger_check
        )
    except ledger.LedgerError as error:
        raise BadInput(str(error)) from None
    try:
        return analyse_plan(
            plan, loader=executor.loader, connection=executor.connection, usage_check=usage_check
        )
    except AllowListError as error:  # a zerodowntime_allow without a reason, or unknown rule
        raise BadInput(str(error)) from None


def _empty_ledger_check(usage: Usage) -> str | None:
    return (
        f"the deploy ledger does not exist yet on this database, so nothing shows that "
        f"the code serving now has stopped using {usage}; run `python manage.py "
        f"safe_migrate --mark-live` on each host once the current code serves"
    )


def as_json(
    reports: Sequence[MigrationReport], *, release: str, database: str, force: bool
) -> dict[str, Any]:
    """The document ``--format json`` prints (shape fixed by DESIGN.md)."""
    refused = any(report.refused for report in reports) and not force
    return {
        "verdict": "refused" if refused else "ok",
        "release": release,
        "database": database,
        "migrations": [
            {
                "app": report.app,
                "name": report.name,
                "verdict": "refused" if report.refused and not force else "apply",
                "operations": [
                    {
                        "index": op.index,
                        "operation": op.operation,
                        "target": op.target,
                        "verdict": op.finding.verdict.value,
                        "rule": op.finding.rule,
                        "reason": op.finding.reason,
                        "remedy": op.finding.remedy,
                    }
                    for op in report.operations
                ],
            }
            for report in reports
        ],
    }
