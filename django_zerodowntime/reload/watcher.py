"""Watch a Gunicorn worker generation turn over, with psutil.

A new worker counts as booted once it heartbeats (see
``processes.heartbeat_booted``) or, for worker classes that never do, once it
has lived ``FALLBACK_BOOT_SECONDS``. The new generation is ready when the
expected number of booted new workers has held for a stability window;
max_requests recycling just replaces one booted worker by another.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django_zerodowntime.reload import processes
from django_zerodowntime.reload.processes import ProcId
from django_zerodowntime.reload.report import Workers

POLL_SECONDS = 0.05
STABILITY_SECONDS = 0.3
FALLBACK_BOOT_SECONDS = 2.0
PROGRESS_EVERY_SECONDS = 1.0


class MasterGone(Exception):
    """The master whose workers were watched has exited."""


class CrashLoop(Exception):
    """New workers keep dying before they boot."""


class TimedOut(Exception):
    """The deadline passed first."""


@dataclass
class GenerationState:
    """What the watcher has seen of the new generation so far (pure bookkeeping)."""

    expected: int
    first_seen: dict[ProcId, float] = field(default_factory=dict)
    booted: set[ProcId] = field(default_factory=set)
    died_before_boot: int = 0  # in a row, since a new worker was last seen booting
    ready_since: float | None = None

    def observe(self, live: list[ProcId], booted_now: set[ProcId], now: float) -> None:
        for gone in set(self.first_seen) - set(live):
            if gone not in self.booted:
                self.died_before_boot += 1
            del self.first_seen[gone]
            self.booted.discard(gone)
        for proc in live:
            self.first_seen.setdefault(proc, now)
        newly_booted = (booted_now & set(live)) - self.booted
        if newly_booted:
            # This generation boots, so the deaths seen so far were max_requests
            # recycling too fast for a poll to see the boot, or races; a release
            # that cannot boot boots none. So a crash loop counts deaths in a row.
            self.died_before_boot = 0
        self.booted |= newly_booted
        # The window starts once N workers of the generation are booted together and
        # is not started again when one exits: under heavy traffic with a low
        # max_requests, N booted workers may never live through it together. A
        # release whose workers die before booting is a crash loop instead.
        if len(self.booted) >= self.expected and self.ready_since is None:
            self.ready_since = now

    def expect(self, count: int) -> None:
        """From now on, ready means ``count`` booted new workers (rolling adds one at a time)."""
        self.expected = count
        self.ready_since = None

    def crash_looping(self) -> bool:
        # One early death can be a race with HUP's own clean-up; a loop repeats.
        return self.died_before_boot >= max(3, self.expected)

    def stable(self, now: float, window: float) -> bool:
        """The window has passed and a booted worker of the generation is alive now."""
        return (
            self.ready_since is not None and now - self.ready_since >= window and bool(self.booted)
        )


def is_booted(proc: ProcId, first_seen: float, now: float) -> bool:
    beat = processes.heartbeat_booted(proc.pid)
    if beat is None:
        return now - first_seen >= FALLBACK_BOOT_SECONDS
    return beat


class GenerationWatcher:
    """Polls one master's children; ``old`` is the generation being replaced."""

    def __init__(
        self,
        master: ProcId,
        old: frozenset[ProcId],
        expected: int,
        *,
        deadline: float,
        progress: Callable[[str], None],
        counts: Callable[[Workers], None] | None = None,
    ) -> None:
        self.master = master
        self.old = old
        self.state = GenerationState(expected)
        self.deadline = deadline
        self.progress = progress
        self.counts = counts
        self.last_old_exit: float | None = None
        self._last_report = 0.0

    def new_workers(self) -> list[ProcId]:
        return [p for p in processes.children(self.master.pid) if p not in self.old]

    def old_alive(self) -> list[ProcId]:
        return [proc for proc in self.old if proc.alive()]

    def poll(self) -> tuple[list[ProcId], list[ProcId]]:
        if not self.master.alive():
            raise MasterGone(f"master PID {self.master.pid} exited")
        now = time.monotonic()
        live = self.new_workers()
        booted = {p for p in live if is_booted(p, self.state.first_seen.get(p, now), now)}
        self.state.observe(live, booted, now)
        if self.state.crash_looping():
            raise CrashLoop(f"{self.state.died_before_boot} new workers died before they booted")
        old = self.old_alive()
        if not old and self.last_old_exit is None:
            self.last_old_exit = now
        self._report(now, old, live)
        return old, live

    def _report(self, now: float, old: list[ProcId], live: list[ProcId]) -> None:
        if self.counts is not None:
            # A rolling reload expects one more at a time; the display counts to the end.
            expected = max(self.state.expected, len(self.old))
            gone = len(self.old) - len(old)
            self.counts(Workers(len(self.state.booted), expected, gone, len(self.old)))
            return
        if now - self._last_report < PROGRESS_EVERY_SECONDS:
            return
        self._last_report = now
        self.progress(
            f"old workers alive: {len(old)}  "
            f"new workers booted: {len(self.state.booted)}/{self.state.expected} "
            f"(running: {len(live)})"
        )

    def _tick(self, what: str) -> None:
        if time.monotonic() >= self.deadline:
            raise TimedOut(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)

    def wait_ready(self, *, old_gone: bool) -> list[int]:
        """Until the new generation is booted and stable (and, if asked, the old one gone)."""
        while True:
            old, _ = self.poll()
            now = time.monotonic()
            if self.state.stable(now, STABILITY_SECONDS) and not (old_gone and old):
                return sorted(p.pid for p in self.state.booted)
            self._tick("the new workers to boot" if not old else "the old workers to exit")

    def wait_old_fewer_than(self, count: int) -> None:
        """Until fewer than ``count`` old workers are alive (one has been retired)."""
        while len(self.poll()[0]) >= count:
            self._tick("an old worker to exit")
