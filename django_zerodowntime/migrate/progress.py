"""How safe_migrate shows each migration while Django's ``migrate`` applies it, on stderr.

Plain (not a terminal, ``--format json``, a log): a line when a migration
starts and one with the time it took. On a terminal: one live line (a
spinner, the migration, the seconds so far), then a line with the time it
took; rich is imported only then.
"""

from __future__ import annotations

import time
from typing import IO, TYPE_CHECKING, Any, Protocol

from django.core.management.commands.migrate import Command as MigrateCommand

from django_zerodowntime.ledger.install import Stream

if TYPE_CHECKING:
    from rich.spinner import Spinner


class MigrationProgress(Protocol):
    def started(self, name: str, backwards: bool) -> None: ...

    def finished(self, name: str, backwards: bool, seconds: float, fake: bool = False) -> None: ...

    def close(self) -> None: ...


def _verb(backwards: bool, done: bool, fake: bool = False) -> str:
    if fake and done:  # recorded without running (--fake-initial)
        return "Faked"
    if backwards:
        return "Unapplied" if done else "Unapplying"
    return "Applied" if done else "Applying"


class PlainProgress:
    def __init__(self, stream: Stream) -> None:
        self._stream = stream

    def started(self, name: str, backwards: bool) -> None:
        self._stream.write(f"  {_verb(backwards, False)} {name}...")

    def finished(self, name: str, backwards: bool, seconds: float, fake: bool = False) -> None:
        self._stream.write(f"  {_verb(backwards, True, fake)} {name} in {seconds:.2f}s")

    def close(self) -> None:
        """Every line is out already."""


class LiveProgress:
    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        self._console = Console(file=stream, highlight=False)
        self._spinner = Spinner("dots", style="cyan")
        self._text = ""
        self._since = time.monotonic()
        self._live: Any = Live(
            console=self._console, get_renderable=self._render, refresh_per_second=10,
            transient=True,
        )  # fmt: skip

    def _render(self) -> Spinner:
        self._spinner.update(text=f"{self._text} · {time.monotonic() - self._since:.1f}s")
        return self._spinner

    def started(self, name: str, backwards: bool) -> None:
        self._text, self._since = f"{_verb(backwards, False)} {name}", time.monotonic()
        self._live.start()

    def finished(self, name: str, backwards: bool, seconds: float, fake: bool = False) -> None:
        from rich.markup import escape

        self._live.stop()
        verb = _verb(backwards, True, fake)
        self._console.print(
            f"[green]✓[/] {verb} {escape(name)} [dim]in {seconds:.2f}s[/]",
            soft_wrap=True,
        )

    def close(self) -> None:
        self._live.stop()  # a migration that raised: take its live line away


class NoProgress:
    def started(self, name: str, backwards: bool) -> None: ...

    def finished(self, name: str, backwards: bool, seconds: float, fake: bool = False) -> None: ...

    def close(self) -> None: ...


def migration_progress(
    stream: Stream, terminal: IO[str] | None, verbosity: int
) -> MigrationProgress:
    """Live on ``terminal`` when there is one, plain lines on ``stream`` otherwise."""
    if verbosity < 1:
        return NoProgress()
    return LiveProgress(terminal) if terminal is not None else PlainProgress(stream)


class TimedMigrate(MigrateCommand):
    """Django's own ``migrate``; only its per-migration lines are ours (with the time)."""

    def __init__(self, progress: MigrationProgress) -> None:
        super().__init__()
        self.progress = progress
        self.started_at = 0.0

    def migration_progress_callback(
        self, action: str, migration: Any = None, fake: bool = False
    ) -> None:
        if action in ("apply_start", "unapply_start"):
            self.started_at = time.monotonic()
            self.progress.started(str(migration), action == "unapply_start")
        elif action in ("apply_success", "unapply_success"):
            seconds = time.monotonic() - self.started_at
            backwards = action == "unapply_success"
            self.progress.finished(str(migration), backwards, seconds, fake)
        else:
            super().migration_progress_callback(action, migration, fake)
