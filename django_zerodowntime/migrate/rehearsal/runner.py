"""``rehearse``: the pending plan run on a scratch copy of a database, measured.

The one function other tools call: it makes the copy (``scratch``), fills it
(``seed``), runs each migration with Django's own executor on it, statement by
statement (``tracker``, a vendor's probe), drops the copy, and returns what it
measured as plain data (``model.Rehearsal``). The target is only read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate import planning
from django_zerodowntime.migrate.outcome import ExitCode
from django_zerodowntime.migrate.rehearsal import scratch, seed
from django_zerodowntime.migrate.rehearsal.model import (
    Lock,
    MigrationRun,
    OperationRun,
    Rehearsal,
    Statement,
)
from django_zerodowntime.migrate.rehearsal.observe import Probe, probe_for
from django_zerodowntime.migrate.rehearsal.tracker import OperationLog, Ran, Tracker

Target = tuple[str, str | None]
DEFAULT_ROWS = 10_000


def rehearse(
    alias: str,
    targets: Sequence[Target],
    *,
    rows: int = DEFAULT_ROWS,
    progress: Callable[[str], None] = lambda line: None,
) -> Rehearsal:
    """Run the plan ``migrate`` would run to ``targets`` on a copy of database ``alias``."""
    target = connections[alias]
    on_target = MigrationExecutor(target)
    if any(backwards for _migration, backwards in on_target.migration_plan(list(targets))):
        raise ExitError(
            ExitCode.BAD_INPUT,
            "--rehearse runs forwards plans only; this target unapplies migrations",
        )
    applied = set(on_target.loader.applied_migrations or {})
    with scratch.scratch_copy(target, progress) as copy, serving_as(alias, copy):
        seed.bring_to_applied(copy, applied, progress)
        seed.copy_rows(target, copy, rows, progress)
        executor = MigrationExecutor(copy)
        plan = executor.migration_plan(list(targets))  # the same plan, on the copy
        probe = probe_for(copy, target)
        try:
            start = time.perf_counter()
            runs = run_plan(executor, [m for m, _ in plan], probe, progress)
            seconds = time.perf_counter() - start
        finally:
            probe.close()
    return Rehearsal(target.vendor, alias, rows, seconds, tuple(runs))


def run_plan(
    executor: MigrationExecutor,
    plan: list[Migration],
    probe: Probe,
    progress: Callable[[str], None],
) -> list[MigrationRun]:
    connection = executor.connection
    state = planning.applied_state(executor)
    runs = []
    for migration in plan:
        progress(f"rehearsing {migration.app_label}.{migration.name}")
        tracker = Tracker(connection, probe)
        state.apps  # noqa: B018 (rendered before the clock starts, as Django's executor does)
        start = time.perf_counter()
        try:
            with connection.execute_wrapper(tracker):
                state = executor.apply_migration(state, tracker.marked(migration))
            failed = False
        except Exception as error:  # the deploy would fail here: that is the finding
            tracker.fail(error)
            failed = True
        ended = time.perf_counter()
        atomic = bool(migration.atomic) and connection.features.can_rollback_ddl
        runs.append(
            MigrationRun(
                migration.app_label,
                migration.name,
                ended - start,
                tuple(operation_run(log, probe, atomic, ended) for log in tracker.logs),
            )
        )
        if failed:
            break
    return runs


def operation_run(
    log: OperationLog, probe: Probe, atomic: bool, migration_end: float
) -> OperationRun:
    statements = tuple(
        statement(ran, probe, atomic=atomic, operation_end=log.ended, migration_end=migration_end)
        for ran in log.statements
    )
    return OperationRun(log.index, log.operation, log.seconds, statements, log.error)


def statement(
    ran: Ran, probe: Probe, *, atomic: bool, operation_end: float, migration_end: float
) -> Statement:
    """A statement with how long the serving code saw each of its locks."""
    seen = ran.observation
    end = ran.started + seen.seconds
    if probe.locks_last_until_commit and ran.in_transaction:
        end = migration_end if atomic else max(operation_end, end)
    locks = tuple(
        Lock(lock.table, lock.mode, lock.blocks, end - ran.started, lock.existing)
        for lock in seen.locks
    )
    return Statement(
        ran.sql,
        seen.seconds,
        locks,
        tuple(table for table, _existing in seen.rewrote),
        tuple(table for table, existing in seen.rewrote if existing),
    )


@contextmanager
def serving_as(alias: str, copy: BaseDatabaseWrapper) -> Iterator[None]:
    """Make ``alias`` the copy for this thread, so RunPython and routers see the same name."""
    original = connections[alias]
    connections[alias] = copy
    try:
        yield
    finally:
        connections[alias] = original
