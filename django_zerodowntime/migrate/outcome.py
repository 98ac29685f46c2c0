"""What safe_migrate is asked to do, how it ended, and its exit codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS

from django_zerodowntime.ledger.install import Stream
from django_zerodowntime.safety.findings import MigrationReport


class ExitCode(enum.IntEnum):
    APPLIED = 0  # applied, or with --check: would be
    REFUSED = 1  # refused, or a lock wait timed out: nothing more was applied
    BAD_INPUT = 2  # bad input or configuration: nothing was applied


@dataclass(frozen=True)
class Request:
    database: str = DEFAULT_DB_ALIAS
    app_label: str | None = None
    migration_name: str | None = None
    check: bool = False  # analyse only
    release: str | None = None  # None: the detected release
    force: str | None = None  # the reason to apply what is blocked
    lock_wait: float = 600.0
    verbosity: int = 1
    system_checks: bool = True


@dataclass(frozen=True)
class Outcome:
    exit_code: ExitCode
    release: str
    reports: list[MigrationReport]
    document: dict[str, Any] = field(default_factory=dict)  # the --format json document
    message: str = ""  # why it was refused, for the exit status line


class Console(Protocol):
    """What the pipeline needs from the command that runs it (the command is one)."""

    @property
    def stderr(self) -> Stream: ...  # Django's ``migrate`` output goes here

    def progress(self, line: str) -> None: ...  # our own lines, on stderr

    def system_checks(self, database: str) -> None: ...  # Django's checks for that database

    def judged(self, outcome: Outcome) -> None: ...  # the verdicts, before anything is applied
