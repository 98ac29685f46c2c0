"""Exit codes of graceful_reload and the error that carries one."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    TURNED_OVER = 0
    ROLLED_BACK = 1
    BAD_INPUT = 2
    PREFLIGHT_FAILED = 3
    TIMED_OUT = 4
    SERVER_DOWN = 5


class ReloadError(Exception):
    """A reload that cannot go on; ``code`` is the command's exit status."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
