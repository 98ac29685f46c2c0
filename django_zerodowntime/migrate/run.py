"""safe_migrate from start to end: lock, ledger, plan, judge, then refuse or apply.

``run`` dispatches on the request's action; each action reports its outcome
through the console once (before it applies anything) and returns it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger import fleet, install, record
from django_zerodowntime.ledger.install import Stream
from django_zerodowntime.ledger.snapshot import LedgerError, Snapshot, take_snapshot
from django_zerodowntime.migrate import apply, base_check, git, lock, planning, report
from django_zerodowntime.migrate.outcome import Console, ExitCode, Outcome, Request
from django_zerodowntime.migrate.planning import Plan, bad_input
from django_zerodowntime.migrate.rehearsal import action as rehearsal
from django_zerodowntime.migrate.schema import fake, verify
from django_zerodowntime.release import current_release
from django_zerodowntime.safety.findings import AllowListError, MigrationReport
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.usage import Usage


def prepare(request: Request, console: Console) -> str:
    """Reach both databases, check the request, run the system checks; the release id."""
    for alias in (request.database, conf.LEDGER_DATABASE):
        planning.connect(alias)  # first: the checks of an unreachable database would crash
    if request.force is not None and not request.force.strip():
        raise bad_input("--force needs a reason, e.g. --force 'table is empty'")
    if request.system_checks:
        console.system_checks(request.database)
    return request.release or current_release()


def safe_migrate(request: Request, console: Console) -> Outcome:
    """Judge the plan and apply it unless refused; the console sees the verdicts first."""
    if request.base is not None:  # needs neither the database nor the ledger
        return base_check.check_against_base(request, console)
    release = prepare(request, console)
    connection = connections[request.database]
    if request.check:
        executor = planning.executor_for(connection)
        available = install.ledger_exists(conf.LEDGER_DATABASE)
        outcome = judge(executor, request, release, ledger_available=available)
        console.report(outcome)
        return outcome
    waiting = f"waiting for another safe_migrate on database {request.database!r}..."
    with lock.serialised(connection, request.lock_wait, lambda: console.progress(waiting)):
        # Loaded only now, under the lock: a run we waited for may have applied some.
        executor = ensure_ledger(planning.executor_for(connection), console.stderr)
        record.record_release(release, take_snapshot())
        outcome = judge(executor, request, release, ledger_available=True)
        console.report(outcome)
        if outcome.exit_code is not ExitCode.APPLIED:
            return outcome
        forced = [f"{r.app}.{r.name}" for r in outcome.reports if r.refused]
        if forced and request.force:
            record.record_forced(release, request.force, forced)
            console.progress(f"forced past the refusal of {', '.join(forced)}: reason stored")
        if outcome.reports:
            plan = plan_of(executor, request)
            apply.apply(
                executor,
                plan,
                request.app_label,
                request.migration_name,
                verbosity=request.verbosity,
                stream=console.stderr,
                progress=console.migration_progress(request.verbosity),
                fake_initial=request.fake_initial,
            )
            record.record_applied(release, request.database, applied_names(plan))
    return outcome


def applied_names(plan: Plan) -> list[str]:
    """``app.name`` per plan entry, as the ledger stores what a run applied."""
    return [f"{m.app_label}.{m.name}" + (" (unapplied)" if back else "") for m, back in plan]


def judge(
    executor: MigrationExecutor, request: Request, release: str, *, ledger_available: bool
) -> Outcome:
    reports = analyse(
        executor,
        plan_of(executor, request),
        release=release,
        snapshot=take_snapshot(),
        ledger_available=ledger_available,
    )
    force = bool(request.force)
    document = report.as_json(
        reports,
        release=release,
        database=request.database,
        force=force,
        root=git.toplevel(Path.cwd()),
    )
    lines = report.text_lines(document, applying=not request.check)
    message = "" if force else report.refusal(reports)
    code = ExitCode.REFUSED if message else ExitCode.APPLIED
    return Outcome(code, document, lines, message, reports)


def plan_of(executor: MigrationExecutor, request: Request) -> Plan:
    targets = planning.resolve_targets(executor, request.app_label, request.migration_name)
    return planning.plan_for(executor, targets)


def analyse(
    executor: MigrationExecutor,
    plan: Plan,
    *,
    release: str,
    snapshot: Snapshot,
    ledger_available: bool = True,
) -> list[MigrationReport]:
    """Every operation of ``plan`` judged against the fleet in the ledger."""
    try:
        usage_check = (
            fleet.usage_check_for(release, snapshot) if ledger_available else no_ledger_yet
        )
        return analyse_plan(
            plan, loader=executor.loader, connection=executor.connection, usage_check=usage_check
        )
    except (LedgerError, AllowListError) as error:  # a corrupt row; a malformed allow-list
        raise bad_input(str(error)) from None


def no_ledger_yet(usage: Usage) -> str | None:
    return (
        f"the deploy ledger does not exist yet on this database, so nothing shows that "
        f"the code serving now has stopped using {usage}; run `python manage.py "
        f"safe_migrate --mark-live` on each host once the current code serves"
    )


def ensure_ledger(executor: MigrationExecutor, stream: Stream) -> MigrationExecutor:
    """Apply the ledger's own migrations first; re-plan if they share the database."""
    alias = conf.LEDGER_DATABASE
    same = alias == executor.connection.alias
    ledger_executor = executor if same else planning.executor_for(connections[alias])
    if install.ledger_ready(ledger_executor):
        return executor
    install.migrate_ledger(alias, stream)
    return planning.executor_for(executor.connection) if same else executor


def mark_live(request: Request, console: Console) -> Outcome:
    """Record that this host serves this release (for deploy systems without graceful_reload)."""
    release = prepare(request, console)
    host = request.host or conf.HOST
    ledger_connection = connections[conf.LEDGER_DATABASE]
    if not install.ledger_ready(planning.executor_for(ledger_connection)):
        install.migrate_ledger(conf.LEDGER_DATABASE, console.stderr)
    record.record_release(release, take_snapshot())
    record.record_rollout(release, host, "manual")
    line = f"Recorded: host {host} runs release {release} (manual rollout)."
    outcome = Outcome(ExitCode.APPLIED, {"host": host, "release": release}, [[("", line)]])
    console.report(outcome)
    return outcome


def show_fleet(request: Request, console: Console) -> Outcome:
    prepare(request, console)
    try:
        entries = fleet.fleet() if install.ledger_exists(conf.LEDGER_DATABASE) else []
    except LedgerError as error:
        raise bad_input(str(error)) from None
    document = report.fleet_document(entries)
    outcome = Outcome(ExitCode.APPLIED, document, report.fleet_lines(document))
    console.report(outcome)
    return outcome


Action = Callable[[Request, Console], Outcome]
ACTIONS: dict[str, Action] = {
    "migrate": safe_migrate,
    "fleet": show_fleet,
    "mark-live": mark_live,
    "rehearse": rehearsal.rehearse,
    "verify-schema": verify.verify_schema,
    "fake": fake.fake,
    "fake-initial": fake.fake_initial,
}


def run(request: Request, console: Console) -> Outcome:
    """The request's action, start to end."""
    return ACTIONS[request.action](request, console)
