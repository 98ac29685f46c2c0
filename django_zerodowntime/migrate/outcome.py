"""What safe_migrate is asked to do, how it ended, and its exit codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import DEFAULT_DB_ALIAS

from django_zerodowntime.ledger.install import Stream
from django_zerodowntime.safety.findings import MigrationReport

if TYPE_CHECKING:
    from django_zerodowntime.migrate.progress import MigrationProgress


class ExitCode(enum.IntEnum):
    APPLIED = 0  # applied, or with --check: would be
    REFUSED = 1  # refused, or a lock wait timed out: nothing more was applied
    BAD_INPUT = 2  # bad input or configuration: nothing was applied


Line = list[tuple[str, str]]  # (style: "", "success", "warning" or "error"; text)


@dataclass(frozen=True)
class Request:
    action: str = "migrate"  # one of run.ACTIONS
    database: str = DEFAULT_DB_ALIAS
    database_given: bool = False  # --database named: --base builds on that alias's server
    app_label: str | None = None
    migration_name: str | None = None
    check: bool = False  # analyse only
    base: str | None = None  # --base REF: judge the change since REF, with REF's code serving
    release: str | None = None  # None: the detected release
    force: str | None = None  # the reason to apply what is blocked
    host: str | None = None  # --mark-live: None is this host
    lock_wait: float = 600.0
    verbosity: int = 1
    system_checks: bool = True
    rehearse_rows: int = 10_000  # --rehearse: the most rows copied per table
    fake_initial: bool = False  # verified by --fake-initial: Django fakes existing initials


@dataclass(frozen=True)
class Outcome:
    """What an action found: printed once (``Console.report``), then the exit status."""

    exit_code: ExitCode
    document: dict[str, Any]  # --format json
    lines: list[Line]  # --format text
    message: str = ""  # the exit status line when exit_code is not 0
    reports: list[MigrationReport] = field(default_factory=list)


class Console(Protocol):
    """What the pipeline needs from the command that runs it (the command is one)."""

    @property
    def stderr(self) -> Stream: ...  # Django's ``migrate`` output goes here

    def progress(self, line: str) -> None: ...  # our own lines, on stderr

    def system_checks(self, database: str) -> None: ...  # Django's checks for that database

    def report(self, outcome: Outcome) -> None: ...  # once per run, before anything is applied

    def migration_progress(self, verbosity: int) -> MigrationProgress: ...  # per migration
