"""What ``switch_drain`` and ``switch_upstream`` share on the command line.

Both name the two sides the same way, set drain flags the same way and answer
``--format json`` with the same keys, so a deploy script can call either.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_zerodowntime.errors import ExitError
from django_zerodowntime.health import drain


def add_side_arguments(parser: CommandParser) -> None:
    """The target and the two instances: ``--to``, ``--blue``, ``--green``."""
    parser.add_argument("--to", required=True, choices=["blue", "green", "both"])
    parser.add_argument("--blue", required=True, metavar="HOST:PORT")
    parser.add_argument("--green", required=True, metavar="HOST:PORT")


def add_wait_arguments(parser: CommandParser) -> None:
    """How the switch waits for the target: its release, the deadline, the public URL."""
    parser.add_argument(
        "--expect-release",
        metavar="ID",
        help="Wait until the target reports this releaseId on its health endpoint.",
    )
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="The site through Nginx; its health path must then report the new release.",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")


def set_drain(path: Path, on: bool) -> None:
    if on:
        drain.start_draining(path)
    else:
        drain.stop_draining(path)


def report(options: dict[str, Any], code: enum.IntEnum, message: str) -> dict[str, Any]:
    """The JSON document's common keys."""
    return {"to": options["to"], "exit": int(code), "result": code.name.lower(), "message": message}


def failed(command: BaseCommand, options: dict[str, Any], error: ExitError) -> CommandError:
    """Print the JSON document of a failed switch (with ``--format json``); the error to raise."""
    if options["format"] == "json":
        command.stdout.write(json.dumps(report(options, error.code, error.message)))
    return error.command_error()


def switched(
    command: BaseCommand,
    options: dict[str, Any],
    code: enum.IntEnum,
    summary: str,
    notes: Sequence[str],
    **details: Any,
) -> None:
    """Print a successful switch: the JSON document, or the notes and the summary."""
    if options["format"] == "json":
        document = report(options, code, summary)
        document.update(details, notes=list(notes))
        command.stdout.write(json.dumps(document))
        return
    for note in notes:
        command.stderr.write(f"note: {note}")
    command.stdout.write(command.style.SUCCESS(summary))
