"""Exit codes of graceful_reload (raised with ``errors.ExitError``)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    TURNED_OVER = 0
    ROLLED_BACK = 1
    BAD_INPUT = 2
    PREFLIGHT_FAILED = 3
    TIMED_OUT = 4
    SERVER_DOWN = 5
