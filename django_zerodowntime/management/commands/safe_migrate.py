"""``manage.py safe_migrate``: apply only what the code still serving can live with.

Exit status: 0 applied (or would be, with --check); 1 refused, or a lock wait
timed out; 2 bad input or configuration. The pipeline is
``django_zerodowntime.migrate.run``; this module parses, calls and prints.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from django_zerodowntime.conf import conf
from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate import report, run
from django_zerodowntime.migrate.outcome import Outcome, Request


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
        self.as_json = options["format"] == "json"
        self.applying = not options["check"]
        request = Request(
            database=options["database"],
            app_label=options["app_label"],
            migration_name=options["migration_name"],
            check=options["check"],
            release=options["release"],
            force=options["force"],
            lock_wait=options["lock_wait"],
            verbosity=options["verbosity"],
            system_checks=not options["skip_checks"],
        )
        try:
            if options["fleet"]:
                self.print_fleet(report.fleet_document(run.fleet_now(request, self)))
            elif options["mark_live"]:
                host = options["host"] or conf.HOST
                self.stdout.write(run.mark_live(request, host, self))
            else:
                outcome = run.safe_migrate(request, self)
                if outcome.message:
                    raise CommandError(outcome.message, returncode=int(outcome.exit_code))
        except ExitError as error:
            raise error.command_error() from None

    # The console the pipeline talks to (django_zerodowntime.migrate.outcome.Console).
    def progress(self, line: str) -> None:
        self.stderr.write(line)

    def system_checks(self, database: str) -> None:
        self.check(databases=[database])

    def judged(self, outcome: Outcome) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(outcome.document, indent=2))
            return
        styles: dict[str, Callable[[str], str]] = {
            "": str,
            "success": self.style.SUCCESS,
            "warning": self.style.WARNING,
            "error": self.style.ERROR,
        }
        for line in report.text_lines(outcome.document, applying=self.applying):
            self.stdout.write("".join(styles[style](text) for style, text in line))

    def print_fleet(self, document: dict[str, Any]) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(document, indent=2))
        else:
            for line in report.fleet_lines(document):
                self.stdout.write(line)
