"""How graceful_reload shows what it is doing while it does it, on stderr.

Not on a terminal (or with ``--format json``): timestamped plain lines, one
per step and one a second while workers turn over. On a terminal: the steps
done so far as a short list, and under them one line that updates in place
(a spinner, the current step, new workers booted n of N, old workers gone n
of N, elapsed time), drawn by rich, which is imported only then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from django_zerodowntime.reload.report import Workers

if TYPE_CHECKING:
    from rich.spinner import Spinner


class PlainProgress:
    """``[  1.23s] line`` per step; the watcher prints the worker counts once a second."""

    counts: Callable[[Workers], None] | None = None

    def __init__(self, write: Callable[[str], Any]) -> None:
        self._write = write
        self._started = time.monotonic()

    def __call__(self, line: str) -> None:
        self._write(f"[{time.monotonic() - self._started:6.2f}s] {line}")

    def finish(self, ok: bool) -> None:
        """Nothing to tidy: every line is already out."""


class LiveProgress:
    """A short list of steps done, and one updating status line under it."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        self._console = Console(file=stream, highlight=False)
        self._started = time.monotonic()
        self._step = "starting"
        self._workers: Workers | None = None
        self._milestones: set[str] = set()
        self._finished = False
        self._spinner = Spinner("dots", style="cyan")
        # Redrawn ten times a second from what the reload last reported, not per report:
        # the watcher reports every poll (20-50 ms).
        self._live = Live(
            console=self._console,
            get_renderable=self._render,
            refresh_per_second=10,
            transient=True,
        )
        self._live.start()

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self._started:.1f}s"

    def _status(self) -> str:
        parts = [self._step]
        if self._workers is not None:
            w = self._workers
            parts.append(f"new workers booted {w.booted} of {w.expected}")
            parts.append(f"old workers gone {w.old_gone} of {w.old_total}")
        return " · ".join([*parts, self._elapsed()])

    def _done(self, line: str, mark: str = "[green]✓[/]") -> None:
        from rich.markup import escape

        self._console.print(f"{mark} {escape(line)} [dim]({self._elapsed()})[/]", soft_wrap=True)

    def _render(self) -> Spinner:
        self._spinner.update(text=self._status())
        return self._spinner

    def __call__(self, line: str) -> None:
        if self._finished:  # after the reload (the rollout record): a plain entry in the list
            self._done(line)
            return
        if self._step != "starting":
            self._done(self._step)
        self._step = line

    def counts(self, workers: Workers) -> None:
        self._workers = workers
        if workers.expected and workers.booted >= workers.expected:
            self._milestone(f"new workers booted {workers.booted} of {workers.expected}")
        if workers.old_total and workers.old_gone >= workers.old_total:
            self._milestone(f"old workers gone {workers.old_gone} of {workers.old_total}")

    def _milestone(self, line: str) -> None:
        if line not in self._milestones:
            self._milestones.add(line)
            self._done(line)

    def finish(self, ok: bool) -> None:
        """Keep the last step in the list (✗ if it failed) and take the live line away."""
        self._done(self._step, "[green]✓[/]" if ok else "[red]✗[/]")
        self._live.stop()
        self._finished = True


Progress = PlainProgress | LiveProgress


@contextmanager
def progress_display(
    stream: IO[str], write: Callable[[str], Any], *, live: bool
) -> Iterator[Progress]:
    """Live on a terminal, plain otherwise; finished (✓ or ✗) however the block ends."""
    progress: Progress = LiveProgress(stream) if live else PlainProgress(write)
    ok = False
    try:
        yield progress
        ok = True
    finally:
        progress.finish(ok)
