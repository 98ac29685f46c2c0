"""``manage.py graceful_reload``: swap Gunicorn's worker generation, with proof.

Exit status: 0 turned over; 1 the reload failed and was rolled back (the old
generation still serves); 2 bad input (no pidfile, stale PID, not a Gunicorn
master, permission denied); 3 preflight failed, nothing signalled; 4 timed
out; 5 the server is down (the master died).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_zerodowntime.conf import conf
from django_zerodowntime.errors import ExitError
from django_zerodowntime.release import current_release
from django_zerodowntime.reload.display import progress_display
from django_zerodowntime.reload.report import ReloadReport
from django_zerodowntime.reload.rollout import prepare_rollout, record_reload_rollout
from django_zerodowntime.reload.run import checked_pidfile, graceful_reload


class Command(BaseCommand):
    help = "Reload Gunicorn with the new code: preflight, switch generations, prove it."
    # The new code's checks run in the preflight subprocess, like a worker's boot.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pidfile", help="Gunicorn's pidfile (default: GUNICORN_PIDFILE)")
        parser.add_argument(
            "--strategy",
            choices=["auto", "usr2", "hup", "rolling"],
            default="auto",
            help="how to switch generations (default auto: it says what it picked and why)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="budget for the boot plus the longest request (default 60)",
        )
        parser.add_argument("--check-url", help="must answer 200 (and the release) at the end")
        parser.add_argument("--expect-release", help="the releaseId --check-url must report")
        parser.add_argument("--no-preflight", action="store_true", help="skip the boot test")
        parser.add_argument(
            "--force",
            action="store_true",
            help="let --strategy hup run with preload_app on (a config-only reload)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        finally:
            # The process exits next. Its last garbage collection walks every object
            # Django loaded (~0.3 s on a busy host), delaying the deploy script.
            gc.freeze()

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        # On a terminal: a live display (steps, worker counts, elapsed); else plain lines.
        live = not as_json and self.stderr.isatty()
        stream = getattr(self.stderr, "_out", sys.stderr)
        try:
            with progress_display(stream, self.stderr.write, live=live) as progress:
                pidfile = checked_pidfile(
                    options["pidfile"] or conf.GUNICORN_PIDFILE, options["timeout"]
                )
                prepare_rollout()
                report = graceful_reload(
                    pidfile,
                    strategy=options["strategy"],
                    timeout=options["timeout"],
                    check_url=options["check_url"],
                    expect_release=options["expect_release"],
                    run_preflight=not options["no_preflight"],
                    force=options["force"],
                    progress=progress,
                    counts=progress.counts,
                )
        except ExitError as error:
            if as_json:
                code, message = error.code, error.message
                failure = {"result": code.name.lower(), "exit_code": int(code), "message": message}
                self.stdout.write(json.dumps(failure))
            raise error.command_error() from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        release = options["expect_release"] or report.reported_release or current_release()
        recorded = record_reload_rollout(release, warn=self._warn(report))
        progress(f"rollout of release {release} " + ("recorded" if recorded else "NOT recorded"))
        self._print(report, release, recorded, as_json)

    def _warn(self, report: ReloadReport) -> Callable[[str], None]:
        def warn(message: str) -> None:
            report.warnings.append(message)
            self.stderr.write(self.style.WARNING(f"warning: {message}"))

        return warn

    def _print(self, report: ReloadReport, release: str, recorded: bool, as_json: bool) -> None:
        since_old = time.monotonic() - report.last_old_exit if report.last_old_exit else None
        if as_json:
            document = {
                "result": "turned_over",
                "exit_code": 0,
                "strategy": report.strategy,
                "reason": report.reason,
                "old_master": report.old_master,
                "new_master": report.new_master,
                "old_workers": report.old_workers,
                "new_workers": report.new_workers,
                "turnover_seconds": round(report.turnover_seconds, 3),
                "release": release,
                "rollout_recorded": recorded,
                "warnings": report.warnings,
            }
            self.stdout.write(json.dumps(document))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"turned over in {report.turnover_seconds:.2f}s with {report.strategy} "
                f"({report.reason})"
            )
        )
        self.stdout.write(f"  master: {report.old_master} -> {report.new_master}")
        self.stdout.write(f"  workers: {report.old_workers} -> {report.new_workers}")
        self.stdout.write(f"  release: {release}" + ("" if recorded else " (not recorded)"))
        if since_old is not None:
            self.stdout.write(f"  returned {since_old:.2f}s after the last old worker exited")
