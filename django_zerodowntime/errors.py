"""The one error every command's pipeline raises: an exit status and what to tell the user.

Each command has its own ``ExitCode`` enum (its documented exit statuses); the
pipeline raises ``ExitError(ExitCode.X, message)`` and the command turns it
into ``CommandError(message, returncode=code)``, nothing more.
"""

from __future__ import annotations

import enum

from django.core.management.base import CommandError


class ExitError(Exception):
    """Stop the command with ``code``, a member of that command's ``ExitCode`` enum."""

    def __init__(self, code: enum.IntEnum, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def command_error(self) -> CommandError:
        return CommandError(self.message, returncode=int(self.code))
