"""Backwards plan entries: unapplying a migration, judged as the forwards steps it amounts to."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django_zerodowntime.safety import describe
from django_zerodowntime.safety.findings import Finding, OperationReport, blocked, safe
from django_zerodowntime.safety.inverse import Irreversible
from django_zerodowntime.safety.judge import crashed, safely_judged
from django_zerodowntime.safety.operations import kind_of
from django_zerodowntime.safety.step import Step, emitted_sql

if TYPE_CHECKING:
    from django.db.migrations.migration import Migration
    from django.db.migrations.state import ProjectState


def judge_unapply(
    migration: Migration, before: ProjectState, context: Step
) -> list[OperationReport]:
    _ = before.apps  # render once; the clones below reload only what changes
    states: list[tuple[Any, ProjectState, ProjectState, Exception | None]] = []
    for operation in migration.operations:
        after, failure = before.clone(), None
        try:
            operation.state_forwards(migration.app_label, after)
        except Exception as error:  # judged below as ZDT902; the chain goes on without it
            after, failure = before, error
        states.append((operation, before, after, failure))
        before = after
    reports: list[OperationReport] = []
    for index in reversed(range(len(states))):
        operation, op_before, op_after, failure = states[index]
        step = replace(context, operation=operation, before=op_after, after=op_before)
        try:
            if failure is not None:
                raise failure
            findings = unapplied(step, op_before, op_after)
        except Exception as error:
            findings = [crashed(operation, error)]
        label = f"{type(operation).__name__} (unapply)"
        reports += [OperationReport(index, label, describe.target(step), f) for f in findings]
    return reports


def unapplied(step: Step, op_before: ProjectState, op_after: ProjectState) -> list[Finding]:
    """``step`` runs from the state after the operation back to the state before it."""
    operation: Any = step.operation
    known = kind_of(operation)
    if known is not None and known.kind.composite and known.same_backwards:
        return database_operations_unapplied(step, op_before)
    undo = known.kind.inverse if known is not None and known.same_backwards else None
    if undo is not None:
        try:
            forwards = undo(operation, step.app_label, op_before)
        except Irreversible as error:
            return [
                blocked(
                    "ZDT903",
                    f"cannot be unapplied: {error}; Django stops the rollback half way",
                    "Give it a reverse (reverse_code / reverse_sql, or migrations.RunPython.noop), "
                    "or roll forward with a new migration instead.",
                )
            ]
        return safely_judged(replace(step, operation=forwards))
    statements = emitted_sql(step, backwards=True)
    if not statements:
        return [safe(f"unapplying {type(operation).__name__} emits no SQL here")]
    return [
        blocked(
            "ZDT901",
            f"unapplying unknown operation {type(operation).__name__} emits SQL "
            f"({statements[0][:120]})",
            'Check it by hand, then allow it: zerodowntime_allow = {"ZDT901": "<why>"}',
        )
    ]


def database_operations_unapplied(step: Step, op_before: ProjectState) -> list[Finding]:
    chain: list[tuple[Any, ProjectState, ProjectState]] = []
    state = op_before
    for database_operation in step.operation.database_operations:  # type: ignore[attr-defined]
        after = state.clone()
        database_operation.state_forwards(step.app_label, after)
        chain.append((database_operation, state, after))
        state = after
    findings: list[Finding] = []
    for operation, before, after in reversed(chain):
        findings += unapplied(
            replace(step, operation=operation, before=after, after=before), before, after
        )
    return findings or [safe("no database operations to unapply")]
