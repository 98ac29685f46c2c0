"""``manage.py switch_upstream``: move an Nginx upstream to blue, green or both.

Thin: parses options, builds a SwitchPlan, prints what happened. The steps
and their order are in ``django_zerodowntime.upstream_switch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_zerodowntime import upstream
from django_zerodowntime.conf import conf
from django_zerodowntime.errors import ExitError
from django_zerodowntime.switch_options import (
    add_side_arguments,
    add_wait_arguments,
    failed,
    set_drain,
    switched,
)
from django_zerodowntime.upstream_switch import ExitCode, Side, SwitchPlan, switch


class Command(BaseCommand):
    help = (
        "Switch an Nginx upstream include file to the blue or green side (or both) once "
        "that side's health endpoint answers 200, then reload Nginx and drain the other side."
    )
    # No system checks: exit 1 must keep meaning "the target was not ready", and
    # switching back to a working side must not depend on this checkout's state.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_side_arguments(parser)
        parser.add_argument("--upstream-file", required=True, type=Path, metavar="PATH")
        add_wait_arguments(parser)
        parser.add_argument("--nginx-test-cmd", default="nginx -t", metavar="CMD")
        parser.add_argument("--nginx-reload-cmd", default="nginx -s reload", metavar="CMD")
        parser.add_argument(
            "--blue-drain-file",
            type=Path,
            metavar="PATH",
            help="Blue's drain flag (its ZERODOWNTIME_DRAIN_FILE): set when traffic leaves "
            "blue, cleared before traffic goes to blue.",
        )
        parser.add_argument("--green-drain-file", type=Path, metavar="PATH")
        parser.add_argument(
            "--server-params",
            default="",
            metavar="PARAMS",
            help="Nginx parameters for every server line, e.g. 'max_fails=1 fail_timeout=5s'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = self.build_plan(options)
            outcome = switch(plan, set_drain=set_drain, progress=self.progress)
        except ExitError as error:
            raise failed(self, options, error) from None
        summary = (
            f"Nginx now sends traffic to {options['to']} "
            f"({', '.join(side.address for side in plan.targets)}), releaseId "
            f"{', '.join(str(r) for r in outcome.releases.values())}"
        )
        switched(
            self,
            options,
            ExitCode.SWITCHED,
            summary,
            outcome.notes,
            changed=outcome.changed,
            drained=outcome.drained,
        )

    def build_plan(self, options: dict[str, Any]) -> SwitchPlan:
        try:
            blue = upstream.parse_address(options["blue"])
            green = upstream.parse_address(options["green"])
            upstream.render_upstream([blue], parameters=options["server_params"])
        except ValueError as error:
            raise ExitError(ExitCode.BAD_INPUT, str(error)) from None
        if blue == green:
            raise ExitError(
                ExitCode.BAD_INPUT,
                f"--blue and --green are both {blue}: they must be two instances.",
            )
        if options["timeout"] <= 0:
            raise ExitError(ExitCode.BAD_INPUT, "--timeout must be positive.")
        sides = {
            "blue": Side("blue", blue, options["blue_drain_file"]),
            "green": Side("green", green, options["green_drain_file"]),
        }
        names = ["blue", "green"] if options["to"] == "both" else [options["to"]]
        return SwitchPlan(
            targets=tuple(sides[name] for name in names),
            others=tuple(side for name, side in sides.items() if name not in names),
            upstream_file=options["upstream_file"],
            health_path=conf.HEALTH_PATH,
            expect_release=options["expect_release"],
            timeout=options["timeout"],
            nginx_test_cmd=options["nginx_test_cmd"],
            nginx_reload_cmd=options["nginx_reload_cmd"],
            public_url=options["public_url"],
            server_parameters=options["server_params"],
        )

    def progress(self, message: str) -> None:
        self.stderr.write(f"switch_upstream: {message}")
