"""``safe_migrate --fake`` and ``--fake-initial``, verified against the real schema first.

A migration is recorded as applied without running only when introspection shows
that the tables it touches already are as its state says (columns with type,
nullability and default, indexes, unique and check constraints, foreign keys).
Any difference: exit 1, every difference listed, nothing recorded or applied.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from django_zerodowntime.migrate import lock, planning, run
from django_zerodowntime.migrate.outcome import Console, ExitCode, Outcome, Request
from django_zerodowntime.migrate.planning import bad_input
from django_zerodowntime.migrate.schema.drift import drift_against
from django_zerodowntime.migrate.schema.model import Drift
from django_zerodowntime.migrate.schema.verify import drift_lines


def fake(request: Request, console: Console) -> Outcome:
    """Record the plan as applied if the database already has what it makes."""
    run.prepare(request, console)
    connection = connections[request.database]
    waiting = f"waiting for another safe_migrate on database {request.database!r}..."
    with lock.serialised(connection, request.lock_wait, lambda: console.progress(waiting)):
        executor = planning.executor_for(connection)
        plan = forwards_plan(executor, request, "--fake")
        state = planning.applied_state(executor)
        after = state.clone()
        for migration in plan:
            migration.mutate_state(after, preserve=False)
        drift = drift_against(after, executor, only=changed_tables(state, after))
        record = not drift and not request.check and bool(plan)
        outcome = verified(request, plan, drift, recorded=record, what="--fake")
        console.report(outcome)
        if record:
            labels = [label for label in (request.app_label, request.migration_name) if label]
            call_command(
                "migrate",
                *labels,
                database=request.database,
                fake=True,
                interactive=False,
                verbosity=request.verbosity,
                skip_checks=True,
                stdout=console.stderr,
            )
    return outcome


def fake_initial(request: Request, console: Console) -> Outcome:
    """Verify every initial migration Django would fake, then migrate as safe_migrate does."""
    run.prepare(request, console)
    executor = planning.executor_for(connections[request.database])
    state = planning.applied_state(executor)
    faked: list[Migration] = []
    drift: list[Drift] = []
    for migration in forwards_plan(executor, request, "--fake-initial"):
        after = migration.mutate_state(state, preserve=True)
        if executor.detect_soft_applied(state, migration)[0]:  # Django's test: names only
            faked.append(migration)
            drift += drift_against(after, executor, only=changed_tables(state, after))
        state = after
    if drift:
        outcome = verified(request, faked, drift, recorded=False, what="--fake-initial")
        console.report(outcome)
        return outcome
    return run.safe_migrate(replace(request, action="migrate", fake_initial=True), console)


def forwards_plan(executor: MigrationExecutor, request: Request, option: str) -> list[Migration]:
    plan = run.plan_of(executor, request)
    if any(backwards for _migration, backwards in plan):
        raise bad_input(
            f"{option} verifies migrations to apply, and this target unapplies some; "
            f"to unrecord them use Django's own migrate --fake"
        )
    return [migration for migration, _backwards in plan]


def changed_tables(before: ProjectState, after: ProjectState) -> set[str]:
    """Tables of the models the migrations created, changed or deleted (M2M tables too)."""
    tables: set[str] = set()
    for state in (before, after):
        other = after if state is before else before
        for key, model_state in state.models.items():
            if key not in other.models or other.models[key] != model_state:
                tables |= tables_of(state, key)
    return tables


def tables_of(state: ProjectState, key: tuple[str, str]) -> set[str]:
    model: Any = state.apps.get_model(*key)
    tables = {model._meta.db_table}
    for field in model._meta.local_many_to_many:
        tables.add(field.remote_field.through._meta.db_table)
    return tables


def verified(
    request: Request, migrations: list[Migration], drift: list[Drift], *, recorded: bool, what: str
) -> Outcome:
    names = [f"{m.app_label}.{m.name}" for m in migrations]
    document = {
        "database": request.database,
        "migrations": [{"app": m.app_label, "name": m.name} for m in migrations],
        "drift": [item.as_json() for item in drift],
        "recorded": recorded,
    }
    if drift:
        head = f"{what}: the database does not look as {', '.join(names)} say(s):"
        message = (
            f"{what} refused: {len(drift)} difference(s) between database "
            f"{request.database!r} and the migrations' state; nothing was recorded"
        )
        return Outcome(ExitCode.REFUSED, document, [[("", head)], *drift_lines(drift)], message)
    if not migrations:
        head = f"{what}: no migrations to record."
    elif recorded:
        head = f"{what}: the database matches; recording {', '.join(names)} as applied."
    else:
        head = f"{what}: the database matches {', '.join(names)} (--check: nothing recorded)."
    return Outcome(ExitCode.APPLIED, document, [[("", head)]])
