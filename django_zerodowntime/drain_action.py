"""``manage.py drain on|off|status``: the action on this instance's flag, and
the command's exit codes (raised with ``errors.ExitError``)."""

from __future__ import annotations

import enum
from pathlib import Path

from django_zerodowntime.errors import ExitError
from django_zerodowntime.health.drain import is_draining, start_draining, stop_draining


class ExitCode(enum.IntEnum):
    DONE = 0  # for ``status``: serving
    DRAINING = 1  # ``status`` only
    FLAG_NOT_WRITABLE = 2


def apply_drain(action: str, path: Path) -> bool:
    """Set (``on``) or clear (``off``) the flag at ``path``, or only read it
    (``status``); whether the instance is draining now."""
    try:
        if action == "on":
            start_draining(path)
        elif action == "off":
            stop_draining(path)
    except OSError as error:
        raise ExitError(
            ExitCode.FLAG_NOT_WRITABLE,
            f"could not {'create' if action == 'on' else 'remove'} the drain flag {path}: "
            f"{error.strerror}. Check that the directory exists and is writable by this "
            "user, or set ZERODOWNTIME['DRAIN_FILE'] / ZERODOWNTIME_DRAIN_FILE.",
        ) from error
    return is_draining(path)


def status_error(action: str, draining: bool) -> ExitError | None:
    """Exit 1 for ``status`` of a draining instance, so scripts can test for it."""
    if action == "status" and draining:
        return ExitError(ExitCode.DRAINING, "the instance is draining")
    return None
