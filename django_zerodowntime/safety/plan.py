"""Turn a migration plan into one finding per operation.

States are built once from the applied migrations and then carried forward
operation by operation (as Django's executor does), never rebuilt per migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db import router
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from django_zerodowntime.safety import allows, describe, source
from django_zerodowntime.safety.findings import (
    Finding,
    MigrationReport,
    OperationReport,
    allowed_rules,
)
from django_zerodowntime.safety.judge import crashed, safely_judged
from django_zerodowntime.safety.states import PlanState, Renders, advance
from django_zerodowntime.safety.step import Step
from django_zerodowntime.safety.unapply import judge_unapply
from django_zerodowntime.usage import Usage, UsageCheck

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.migration import Migration


def analyse_plan(
    plan: Sequence[tuple[Migration, bool]],
    *,
    loader: MigrationLoader,
    connection: BaseDatabaseWrapper,
    usage_check: UsageCheck,
) -> list[MigrationReport]:
    """Judge every operation of every migration in ``plan`` (as migration_plan returns it).

    Raises AllowListError when a migration's ``zerodowntime_allow`` (or an allow
    comment on one of its operations) is malformed.
    """
    reports: list[MigrationReport] = []
    state: ProjectState | None = None
    fresh: set[Usage] = set()
    for migration, backwards in plan:
        allowed = allowed_rules(migration)
        context = Step(  # the per-migration facts; each operation replaces the rest
            migration.app_label,
            Operation(),
            ProjectState(),
            ProjectState(),
            connection,
            usage_check,
            atomic=bool(migration.atomic),
        )
        if backwards:
            before = loader.project_state((migration.app_label, migration.name), at_end=False)
            operations = judge_unapply(migration, before, context)
        else:
            if state is None:
                state = applied_state(loader, connection)
            operations, state = judge_forwards(migration, state, context, fresh)
        annotated = allows.annotate(migration, operations, allowed, context.database_label)
        reports.append(
            MigrationReport(
                migration.app_label,
                migration.name,
                annotated,
                allowed,
                file=source.source_file(migration),
                module=type(migration).__module__,
            )
        )
    return reports


def applied_state(loader: MigrationLoader, connection: BaseDatabaseWrapper) -> ProjectState:
    """The project state of every applied migration."""
    applied: Any = loader.applied_migrations
    if applied is None:
        applied = MigrationRecorder(connection).applied_migrations()
    graph = loader.graph
    nodes = {key for key in applied if key in graph.nodes}
    leaves = [key for key in nodes if not {c.key for c in graph.node_map[key].children} & nodes]
    state = (
        graph.make_state(leaves, at_end=True, real_apps=loader.unmigrated_apps)
        if leaves
        else ProjectState(real_apps=loader.unmigrated_apps)
    )
    # Not rendered: each rule renders only the models it looks at (see states.py).
    return PlanState(state.models, state.real_apps, Renders(routed=bool(router.routers)))


def judge_forwards(
    migration: Migration, state: ProjectState, context: Step, fresh: set[Usage]
) -> tuple[list[OperationReport], ProjectState]:
    steps: list[tuple[Step, Finding | None]] = []
    for operation in migration.operations:
        failure = None
        try:
            after = advance(state, operation, migration.app_label)
        except Exception as error:  # a broken migration must not stop the analysis
            failure, after = crashed(operation, error), state
        steps.append((replace(context, operation=operation, before=state, after=after), failure))
        state = after
    ddl = [describe.changes_schema(step) for step, _ in steps]
    reports: list[OperationReport] = []
    for index, (step, failure) in enumerate(steps):
        others = any(flag for i, flag in enumerate(ddl) if i != index)
        step = replace(step, fresh=frozenset(fresh), migration_has_ddl=others)
        findings = [failure] if failure else safely_judged(step)
        fresh |= describe.created(step)
        reports += [
            OperationReport(index, type(step.operation).__name__, describe.target(step), f)
            for f in findings
        ]
    return reports, state
