"""``safe_migrate --rehearse``: the analysis, then the plan run on a copy, side by side.

The static verdicts come from the same judge as ``--check``; the rehearsal from
``runner.rehearse``. Exit status 1 when they contradict each other or a
migration fails on the copy; the target database is never changed.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import connections

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger import install
from django_zerodowntime.migrate import planning, run
from django_zerodowntime.migrate import report as static_report
from django_zerodowntime.migrate.outcome import Console, ExitCode, Outcome, Request
from django_zerodowntime.migrate.planning import bad_input
from django_zerodowntime.migrate.rehearsal import report, runner
from django_zerodowntime.migrate.rehearsal.model import Rehearsal
from django_zerodowntime.migrate.rehearsal.verdicts import contradiction, static_verdicts

NOTE = " (--rehearse: only a scratch copy is changed)"


def rehearse(request: Request, console: Console) -> Outcome:
    if request.rehearse_rows < 0:
        raise bad_input("--rehearse-rows must be 0 (schema only) or more")
    release = run.prepare(request, console)
    executor = planning.executor_for(connections[request.database])
    available = install.ledger_exists(conf.LEDGER_DATABASE)
    static = run.judge(executor, replace(request, check=True), release, ledger_available=available)
    if static.reports:
        targets = planning.resolve_targets(executor, request.app_label, request.migration_name)
        rehearsal = runner.rehearse(
            request.database, targets, rows=request.rehearse_rows, progress=console.progress
        )
    else:  # nothing pending: no copy to make
        vendor = connections[request.database].vendor
        rehearsal = Rehearsal(vendor, request.database, request.rehearse_rows, 0.0)
    verdicts = static_verdicts(static.reports)
    limit = conf.REHEARSE_MAX_LOCK_SECONDS
    contradictions = {
        (migration.app, migration.name, op.index): sentence
        for migration in rehearsal.migrations
        for op in migration.operations
        if (
            sentence := contradiction(
                op, verdicts.get((migration.app, migration.name, op.index)), limit
            )
        )
    }
    document = {**static.document, "rehearsal": report.as_json(rehearsal, contradictions)}
    lines = static_report.text_lines(static.document, applying=False, note=NOTE)
    lines += report.text_lines(rehearsal, contradictions)
    message = ""
    if contradictions:
        named = ", ".join(f"{app}.{name} #{index}" for app, name, index in contradictions)
        message = (
            f"the rehearsal contradicts the analysis on {len(contradictions)} operation(s) "
            f"({named}); database {request.database!r} was not changed"
        )
    code = ExitCode.REFUSED if message else ExitCode.APPLIED
    outcome = Outcome(code, document, lines, message, static.reports)
    console.report(outcome)
    return outcome
