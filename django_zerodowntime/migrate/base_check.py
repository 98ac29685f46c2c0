"""``safe_migrate --check --base REF``: the change judged as deployed while REF's code serves.

REF's migrations are the applied state (``base_ref.py`` builds them on a
scratch database); the plan is what the change adds since. A drop passes only
when neither REF's models nor this code use the column or table (REF may have
marked it ``unused()``); migrations REF applied and the change edited are
blocked (``edited.py``). No ledger and no production database are read.
"""

from __future__ import annotations

from django_zerodowntime.ledger.snapshot import Snapshot, take_snapshot
from django_zerodowntime.migrate import planning, report
from django_zerodowntime.migrate.base_ref import Base, prepared
from django_zerodowntime.migrate.edited import edited_reports
from django_zerodowntime.migrate.outcome import Console, ExitCode, Line, Outcome, Request
from django_zerodowntime.migrate.planning import bad_input
from django_zerodowntime.release import current_release
from django_zerodowntime.safety.findings import AllowListError
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.usage import Usage, UsageCheck


def check_against_base(request: Request, console: Console) -> Outcome:
    """Judge the plan from REF to this code; report it once; nothing is applied."""
    if not request.check:
        raise bad_input("--base judges a change and applies nothing: use it with --check")
    release = request.release or current_release()
    with prepared(request, console) as base:
        executor = planning.executor_for(base.connection)
        targets = planning.resolve_targets(executor, request.app_label, request.migration_name)
        plan = planning.plan_for(executor, targets)
        loader = executor.loader
        try:
            edited = edited_reports(
                loader.disk_migrations.values(),
                loader.applied_migrations or {},
                base.root,
                base.commit,
                base.ref,
                base.label,
            )
            usage_check = serving(base, release, take_snapshot())
            reports = analyse_plan(
                plan, loader=loader, connection=base.connection, usage_check=usage_check
            )
        except AllowListError as error:
            raise bad_input(str(error)) from None
        everything = edited + reports
        document = report.as_json(
            everything, release=release, database=request.database, force=False, root=base.root
        )
        document["base"] = {
            "ref": base.ref,
            "commit": base.commit,
            "scratch": base.scratch.label,
            "migrations_applied": base.migrations,
            "replayed": base.replayed,
        }
        message = report.refusal(everything)
        code = ExitCode.REFUSED if message else ExitCode.APPLIED
        lines = [heading(base, len(edited)), *report.text_lines(document, applying=False)]
        outcome = Outcome(code, document, lines, message, everything)
        console.report(outcome)
        return outcome


def heading(base: Base, edited: int) -> Line:
    how = "replayed" if base.replayed else "built from its migration state"
    text = (
        f"--base {base.label}: {base.migrations} migration(s) applied on "
        f"{base.scratch.label} ({how}); judged as if its code still serves"
    )
    if edited:
        text += f"; {edited} of them edited since (listed first)"
    return [("", text + ".")]


def serving(base: Base, release: str, current: Snapshot) -> UsageCheck:
    """Who uses a table or column while the change deploys: REF's code, and this code."""

    def usage_check(usage: Usage) -> str | None:
        users = []
        if base.snapshot.uses(usage):
            users.append(f"the serving release {base.label}")
        if current.uses(usage):
            users.append(f"this release ({release}) itself")
        return f"{usage} is still used by " + "; ".join(users) if users else None

    return usage_check
