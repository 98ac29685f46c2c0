"""One operation -> its findings: the registry's rule, routing first, SQL for unknown kinds."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django_zerodowntime.safety import routing, sql
from django_zerodowntime.safety.findings import Finding, Harm, Verdict, blocked, safe
from django_zerodowntime.safety.operations import kind_of
from django_zerodowntime.safety.sql_actions import NOT_UNDERSTOOD
from django_zerodowntime.safety.states import advance
from django_zerodowntime.safety.step import Step, emitted_sql


def judge(step: Step) -> list[Finding]:
    known = kind_of(step.operation)
    if known is None or not known.same_sql:
        return unknown(step)
    if known.kind.composite:
        return database_operations(step)
    # Known operations do nothing where the router keeps their model off (as Django does).
    skipped = routing.not_routed_here(step, known.kind.routing)
    return [skipped] if skipped else known.kind.rule(step)


def database_operations(step: Step) -> list[Finding]:
    """SeparateDatabaseAndState: its database side as its own chain of states."""
    op: Any = step.operation
    findings: list[Finding] = []
    before = step.before
    for database_operation in op.database_operations:
        after = advance(before, database_operation, step.app_label)
        findings += judge(replace(step, operation=database_operation, before=before, after=after))
        before = after
    return findings or [safe("SeparateDatabaseAndState with no database operations: no SQL")]


def unknown(step: Step) -> list[Finding]:
    """An operation the registry does not know (or whose SQL a subclass rewrote)."""
    name = type(step.operation).__name__
    statements = emitted_sql(step)
    if not statements:
        return [safe(f"{name} emits no SQL here")]
    return [
        blocked(
            "ZDT901",
            f"unknown operation {type(step.operation).__module__}.{name} emits SQL "
            f"({statements[0][:120]}): its effect on the old code cannot be judged",
            "Replace it with Django operations safe_migrate knows, or, after checking it by "
            'hand, allow it in that migration: zerodowntime_allow = {"ZDT901": "<why>"}',
            harm=sql_harm(step, statements),
        )
    ]


def sql_harm(step: Step, statements: list[str]) -> Harm | None:
    """The harm of the SQL an unknown operation emits, read as RunSQL would be."""
    try:
        findings = sql.judge_sql(step, statements)
    except Exception:  # judged as ZDT901 all the same
        return None
    worst = [f for f in findings if f.verdict is not Verdict.SAFE and f.rule != NOT_UNDERSTOOD]
    return worst[0].harm if worst else None


def safely_judged(step: Step) -> list[Finding]:
    """The findings worth reporting; a crash inside a rule blocks that operation, not the run."""
    try:
        findings = judge(step)
    except Exception as error:
        return [crashed(step.operation, error)]
    worst = [f for f in findings if f.verdict is not Verdict.SAFE]
    return worst or findings[:1]


def crashed(operation: object, error: Exception) -> Finding:
    return blocked(
        "ZDT902",
        f"could not analyse {type(operation).__name__}: {type(error).__name__}: {error}",
        "Check that the migration applies with `python manage.py sqlmigrate`; if it is "
        'fine, allow it in that migration: zerodowntime_allow = {"ZDT902": "<why>"}',
    )
