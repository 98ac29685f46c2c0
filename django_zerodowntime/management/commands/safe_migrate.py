"""``manage.py safe_migrate``: apply only what the code still serving can live with.

Exit status: 0 applied (or would be, with --check); 1 refused, or a lock wait
timed out; 2 bad input or configuration. The options are in
``django_zerodowntime.migrate.options``, the pipeline in
``django_zerodowntime.migrate.run``; this module parses, calls and prints.
"""

from __future__ import annotations

import gc
import sys
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate import options, report, run
from django_zerodowntime.migrate.outcome import Outcome
from django_zerodowntime.migrate.progress import MigrationProgress, migration_progress


class Command(BaseCommand):
    help = (
        "Apply unapplied migrations only if the code still serving keeps working; "
        "otherwise refuse the whole plan and say why."
    )
    requires_system_checks: list[str] = []  # run by the pipeline for the chosen database

    def add_arguments(self, parser: ArgumentParser) -> None:
        options.add_arguments(parser)

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        finally:
            # The process exits next. Its last garbage collection would walk every model
            # class the analysis rendered: a large share of the whole run, for nothing.
            gc.freeze()

    def handle(self, *args: Any, **given: Any) -> None:
        self.output_format = given["format"]
        try:
            outcome = run.run(options.request_from(given), self)
        except ExitError as error:
            raise error.command_error() from None
        if outcome.exit_code:
            raise CommandError(outcome.message, returncode=int(outcome.exit_code))

    # The console the pipeline talks to (django_zerodowntime.migrate.outcome.Console).
    def progress(self, line: str) -> None:
        self.stderr.write(line)

    def migration_progress(self, verbosity: int) -> MigrationProgress:
        # A live line per migration on a terminal; plain lines in logs and with JSON.
        live = self.output_format == "text" and self.stderr.isatty()
        terminal = getattr(self.stderr, "_out", sys.stderr) if live else None
        return migration_progress(self.stderr, terminal, verbosity)

    def system_checks(self, database: str) -> None:
        self.check(databases=[database])

    def report(self, outcome: Outcome) -> None:
        if self.output_format != "text":  # json, sarif or github: machine output only
            self.stdout.write(report.render(self.output_format, outcome.document))
            return
        styles: dict[str, Callable[[str], str]] = {
            "": str,
            "success": self.style.SUCCESS,
            "warning": self.style.WARNING,
            "error": self.style.ERROR,
        }
        for line in outcome.lines:
            self.stdout.write("".join(styles[style](text) for style, text in line))
