"""``manage.py drain on|off|status``: the drain flag of this instance.

Exit status: 0 done (``status``: serving), 1 ``status`` found the instance
draining, 2 the flag file could not be written or removed.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_zerodowntime.drain_action import apply_drain, status_error
from django_zerodowntime.errors import ExitError
from django_zerodowntime.health.drain import drain_file


class Command(BaseCommand):
    help = "Turn this instance's drain flag on or off, or show it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["on", "off", "status"])
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="after 'on', wait this long so load balancers notice (e.g. in a preStop hook)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        action: str = options["action"]
        path = drain_file()
        try:
            draining = apply_drain(action, path)
        except ExitError as error:
            raise error.command_error() from None
        if options["format"] == "json":
            self.stdout.write(json.dumps({"draining": draining, "drain_file": str(path)}))
        else:
            state = "draining" if draining else "serving"
            self.stdout.write(f"{state} (flag: {path})")
        if action == "on" and options["wait"] > 0:
            self.stderr.write(f"waiting {options['wait']:g} s for load balancers to notice")
            time.sleep(options["wait"])
        exit_status = status_error(action, draining)
        if exit_status is not None:
            raise exit_status.command_error()
