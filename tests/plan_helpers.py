"""Run analyse_plan on a scenario package against the real test database."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from django_zerodowntime.safety.findings import MigrationReport, OperationReport, Verdict
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.usage import Usage

VENDOR = connection.vendor


def nobody(usage: Usage) -> str | None:
    return None


def old_release(usage: Usage) -> str | None:
    return f"release 3f2a9c1 on host web-2 (rolled out 2026-11-20 10:02) still uses {usage}"


def analyse(
    scenario: str,
    *,
    usage_check: Callable[[Usage], str | None] = old_release,
    applied: tuple[str, ...] = ("0001_initial",),
    target: str | None = None,
) -> list[MigrationReport]:
    """Pretend ``applied`` ran (recorded only; no table is created), then analyse the rest."""
    with override_settings(MIGRATION_MODULES={"testapp": f"tests.scenarios.{scenario}"}):
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        for name in applied:
            recorder.record_applied("testapp", name)
        executor = MigrationExecutor(connection)
        targets = [("testapp", target)] if target else executor.loader.graph.leaf_nodes("testapp")
        plan = executor.migration_plan(targets)
        return analyse_plan(
            plan, loader=executor.loader, connection=connection, usage_check=usage_check
        )


def operations(scenario: str, **kwargs: object) -> list[OperationReport]:
    return [op for report in analyse(scenario, **kwargs) for op in report.operations]  # type: ignore[arg-type]


def rules(scenario: str, **kwargs: object) -> dict[str | None, Verdict]:
    """{rule id: verdict} of every finding of the scenario's unapplied migrations."""
    return {op.finding.rule: op.finding.verdict for op in operations(scenario, **kwargs)}
