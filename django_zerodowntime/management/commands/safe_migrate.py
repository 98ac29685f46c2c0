"""``manage.py safe_migrate``: apply only what the code still serving can live with.

Exit status: 0 applied (or would be, with --check); 1 refused, or a lock wait
timed out; 2 bad input or configuration. Logic lives in
``django_zerodowntime.safe_migrate``; this module parses, calls and prints.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from django_zerodowntime import locked_migrate
from django_zerodowntime import safe_migrate as sm
from django_zerodowntime.conf import conf
from django_zerodowntime.release import current_release
from django_zerodowntime.safety import ledger, lock
from django_zerodowntime.safety.plan import MigrationReport
from django_zerodowntime.safety.snapshot import take_snapshot


class Command(BaseCommand):
    help = (
        "Apply unapplied migrations only if the code still serving keeps working; "
        "otherwise refuse the whole plan and say why."
    )
    requires_system_checks: list[str] = []  # run below for the chosen database, like migrate

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("app_label", nargs="?", help="Only this app's migrations.")
        parser.add_argument("migration_name", nargs="?", help="Migrate up (or down) to this one.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
        parser.add_argument("--check", action="store_true", help="Analyse only; apply nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--release", help="Release id (default: the detected release).")
        parser.add_argument(
            "--mark-live",
            action="store_true",
            help="Record that this host now serves this release; applies no migration.",
        )
        parser.add_argument("--host", help="Host name for --mark-live (default: this host).")
        parser.add_argument(
            "--force", metavar="REASON", help="Apply blocked operations; REASON goes in the ledger."
        )
        parser.add_argument("--fleet", action="store_true", help="Show which host runs what.")
        parser.add_argument(
            "--lock-wait",
            type=float,
            default=600.0,
            help="Seconds to wait for another safe_migrate on this database (default 600).",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Accepted for compatibility with migrate; safe_migrate never prompts.",
        )  # fmt: skip
        parser.add_argument("--skip-checks", action="store_true", help="Skip system checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(options)
        except (sm.BadInput, lock.LockBusy, ledger.LedgerError) as error:
            raise CommandError(str(error), returncode=2) from None
        except locked_migrate.LockTimedOut as error:
            raise CommandError(str(error), returncode=1) from None

    def run(self, options: dict[str, Any]) -> None:
        database: str = options["database"]
        for alias in (database, conf.LEDGER_DATABASE):
            if alias not in connections:
                raise sm.BadInput(f"no database alias {alias!r} in settings.DATABASES")
            sm.connect(connections[alias])
        if options["force"] is not None and not options["force"].strip():
            raise sm.BadInput("--force needs a reason, e.g. --force 'table is empty'")
        if not options["skip_checks"]:
            self.check(databases=[database])
        release = options["release"] or current_release()
        if options["fleet"]:
            return self.show_fleet(options["format"])
        if options["mark_live"]:
            return self.mark_live(release, options["host"] or conf.HOST)
        connection = connections[database]
        if options["check"]:
            executor = sm.executor_for(connection)
            ledger_available = sm.ledger_exists(connections[conf.LEDGER_DATABASE])
            reports = self.analyse(executor, options, release, ledger_available)
            return self.report(reports, options, release, applying=False)
        waiting = f"waiting for another safe_migrate on database {database!r}...\n"
        with lock.serialised(connection, options["lock_wait"], lambda: self.stderr.write(waiting)):
            # Loaded only now, under the lock: a run we waited for may have applied some.
            executor = self.ensure_ledger(sm.executor_for(connection))
            ledger.record_release(release, take_snapshot())
            reports = self.analyse(executor, options, release, ledger_available=True)
            self.report(reports, options, release, applying=True)
            if options["force"] and any(report.refused for report in reports):
                forced = [f"{r.app}.{r.name}" for r in reports if r.refused]
                ledger.record_forced(release, options["force"], forced)
                self.stderr.write(f"forced past the refusal of {', '.join(forced)}: reason stored")
            if reports:
                locked_migrate.apply(
                    executor,
                    self.plan,
                    options["app_label"],
                    options["migration_name"],
                    verbosity=options["verbosity"],
                    stream=self.stderr,  # progress on stderr: stdout stays the report
                )

    def analyse(
        self,
        executor: MigrationExecutor,
        options: dict[str, Any],
        release: str,
        ledger_available: bool,
    ) -> list[MigrationReport]:
        targets = sm.resolve_targets(executor, options["app_label"], options["migration_name"])
        self.plan = sm.plan_for(executor, targets)
        return sm.analyse(
            executor,
            self.plan,
            release=release,
            snapshot=take_snapshot(),
            ledger_available=ledger_available,
        )

    def ensure_ledger(self, executor: MigrationExecutor) -> MigrationExecutor:
        """Apply the ledger's own migrations first; re-plan if they share the database."""
        ledger_alias = conf.LEDGER_DATABASE
        same = ledger_alias == executor.connection.alias
        ledger_executor = executor if same else sm.executor_for(connections[ledger_alias])
        if sm.ledger_ready(ledger_executor):
            return executor
        sm.migrate_ledger(ledger_alias, self.stderr)
        return sm.executor_for(executor.connection) if same else executor

    def report(
        self,
        reports: Sequence[MigrationReport],
        options: dict[str, Any],
        release: str,
        *,
        applying: bool,
    ) -> None:
        force = bool(options["force"])
        document = sm.as_json(reports, release=release, database=options["database"], force=force)
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, indent=2))
        else:
            self.write_text(reports, document, applying=applying)
        refused = [f"{r.app}.{r.name}" for r in reports if r.refused]
        if refused and not force:
            named = ", ".join(refused[:5]) + (
                f" and {len(refused) - 5} more" if refused[5:] else ""
            )
            raise CommandError(
                f"refused: {len(refused)} migration(s) would break the code still serving "
                f"({named}); nothing was applied. Follow the remedies above, or "
                f"add zerodowntime_allow to the migration, or pass --force REASON.",
                returncode=1,
            )

    def write_text(
        self, reports: Sequence[MigrationReport], document: dict[str, Any], *, applying: bool
    ) -> None:
        head = f"Release {document['release']} on database {document['database']!r}: "
        if not reports:
            self.stdout.write(head + "no migrations to apply.")
            return
        note = "" if applying else " (--check: nothing is applied)"
        self.stdout.write(head + f"{len(reports)} migration(s) in the plan{note}.")
        styles = {"safe": self.style.SUCCESS, "warning": self.style.WARNING}
        for migration in document["migrations"]:
            verdict = migration["verdict"]
            line = f"{migration['app']}.{migration['name']}: {verdict}"
            self.stdout.write(self.style.ERROR(line) if verdict == "refused" else line)
            for op in migration["operations"]:
                style = styles.get(op["verdict"], self.style.ERROR)
                rule = f" [{op['rule']}]" if op["rule"] else ""
                self.stdout.write(
                    "  "
                    + style(f"{op['verdict']:<7}")
                    + f" #{op['index']} {op['operation']} {op['target']}{rule}: {op['reason']}"
                )
                if op["remedy"] and op["verdict"] != "safe":
                    for remedy_line in op["remedy"].splitlines():
                        self.stdout.write(f"            {remedy_line}".rstrip())

    def show_fleet(self, output_format: str) -> None:
        entries = ledger.fleet() if sm.ledger_exists(connections[conf.LEDGER_DATABASE]) else []
        rows = [
            {
                "host": entry.host,
                "release": entry.release,
                "source": entry.source,
                "since": entry.since.isoformat(),
                "seen": entry.seen.isoformat(),
            }
            for entry in entries
        ]
        if output_format == "json":
            self.stdout.write(json.dumps({"hosts": rows}, indent=2))
            return
        if not rows:
            self.stdout.write("No host in the ledger yet: run `safe_migrate --mark-live`.")
            return
        self.stdout.write(f"{'HOST':<24} {'RELEASE':<16} {'SOURCE':<10} {'SINCE':<26} LAST SEEN")
        for row in rows:
            self.stdout.write(
                f"{row['host']:<24} {row['release']:<16} {row['source']:<10} "
                f"{row['since']:<26} {row['seen']}"
            )

    def mark_live(self, release: str, host: str) -> None:
        executor = sm.executor_for(connections[conf.LEDGER_DATABASE])
        if not sm.ledger_ready(executor):
            sm.migrate_ledger(conf.LEDGER_DATABASE, self.stderr)
        ledger.record_release(release, take_snapshot())
        ledger.record_rollout(release, host, "manual")
        self.stdout.write(f"Recorded: host {host} runs release {release} (manual rollout).")
