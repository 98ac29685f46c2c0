"""``manage.py switch_drain``: move traffic to blue, green or both by their drain flags.

Thin: parses options, builds a DrainPlan, prints what happened. The steps and
their order are in ``django_zerodowntime.drain_switch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_zerodowntime import upstream
from django_zerodowntime.conf import conf
from django_zerodowntime.drain_switch import DrainPlan, DrainSwitch, ExitCode, Side
from django_zerodowntime.errors import ExitError
from django_zerodowntime.switch_options import (
    add_side_arguments,
    add_wait_arguments,
    failed,
    set_drain,
    switched,
)


class Command(BaseCommand):
    help = (
        "Send the traffic of an Nginx upstream that lists both instances to blue, green or "
        "both, by clearing the target's drain flag once it is ready and setting the other's. "
        "Nginx is not reloaded."
    )
    # No system checks: exit 1 must keep meaning "the target was not ready", and
    # switching back to a working side must not depend on this checkout's state.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_side_arguments(parser)
        parser.add_argument("--blue-drain-file", required=True, type=Path, metavar="PATH")
        parser.add_argument("--green-drain-file", required=True, type=Path, metavar="PATH")
        add_wait_arguments(parser)
        parser.add_argument(
            "--settle",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="Wait between undraining the target and draining the other side; only for "
            "an upstream with max_fails above 0: at least its fail_timeout + 2 s.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = build_plan(options)
            outcome = DrainSwitch(plan, set_drain, self.progress).run()
        except ExitError as error:
            raise failed(self, options, error) from None
        summary = (
            f"traffic now goes to {options['to']} "
            f"({', '.join(side.address for side in plan.targets)}), releaseId "
            f"{', '.join(str(r) for r in outcome.releases.values())}"
        )
        switched(
            self,
            options,
            ExitCode.SWITCHED,
            summary,
            outcome.notes,
            drained=outcome.drained,
            undrained=outcome.undrained,
        )

    def progress(self, message: str) -> None:
        self.stderr.write(f"switch_drain: {message}")


def build_plan(options: dict[str, Any]) -> DrainPlan:
    try:
        blue = upstream.parse_address(options["blue"])
        green = upstream.parse_address(options["green"])
    except ValueError as error:
        raise ExitError(ExitCode.BAD_INPUT, str(error)) from None
    if blue == green:
        raise ExitError(ExitCode.BAD_INPUT, f"--blue and --green are both {blue}.")
    if options["blue_drain_file"] == options["green_drain_file"]:
        raise ExitError(
            ExitCode.BAD_INPUT,
            "--blue-drain-file and --green-drain-file are the same file: each instance "
            "needs its own flag (its ZERODOWNTIME_DRAIN_FILE).",
        )
    if options["timeout"] <= 0 or options["settle"] < 0:
        raise ExitError(ExitCode.BAD_INPUT, "--timeout must be positive, --settle not negative.")
    sides = {
        "blue": Side("blue", blue, options["blue_drain_file"]),
        "green": Side("green", green, options["green_drain_file"]),
    }
    names = ["blue", "green"] if options["to"] == "both" else [options["to"]]
    return DrainPlan(
        targets=tuple(sides[name] for name in names),
        others=tuple(side for name, side in sides.items() if name not in names),
        health_path=conf.HEALTH_PATH,
        expect_release=options["expect_release"],
        timeout=options["timeout"],
        settle=options["settle"],
        public_url=options["public_url"],
    )
