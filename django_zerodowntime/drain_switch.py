"""Move traffic between two instances by their drain flags: Nginx is not touched.

Both instances stay in the Nginx upstream. A draining instance hands every new
request back to Nginx before the application runs (``health.drained``), and
Nginx sends it to the other instance (the shipped ``nginx-*.conf``). So a
switch sets one flag and clears the other; no reload, so no client
connection is closed and no request is lost. In order:

1. wait until each target answers its health endpoint 200, or 503 with
   ``"output": "draining"`` (ready but for its flag), with the expected
   release; otherwise nothing is changed (exit 1);
2. clear the targets' flags: each must then answer 200 (or every flag is put
   back, exit 1);
3. before draining another side, wait ``settle`` seconds (0 by default):
   only an upstream with ``max_fails`` counts a draining target's 503s as
   failures and skips it for ``fail_timeout``;
4. set the flags of the sides that leave: from their next request on, they
   only hand requests back; requests in flight there finish;
5. confirm through Nginx (``public_url``): answers in a row, 200 with the
   target's release; otherwise switch back (exit 3).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django_zerodowntime import upstream
from django_zerodowntime.errors import ExitError
from django_zerodowntime.health_client import HealthReading, Probe, read_health


class ExitCode(enum.IntEnum):
    SWITCHED = 0
    TARGET_NOT_READY = 1
    BAD_INPUT = 2
    NOT_CONFIRMED = 3
    DRAIN_FAILED = 4


@dataclass(frozen=True)
class Side:
    name: str
    address: str
    drain_file: Path


@dataclass(frozen=True)
class DrainPlan:
    targets: tuple[Side, ...]
    others: tuple[Side, ...]
    health_path: str
    expect_release: str | None
    timeout: float
    settle: float
    public_url: str | None = None


@dataclass
class DrainOutcome:
    releases: dict[str, str | None] = field(default_factory=dict)
    undrained: list[str] = field(default_factory=list)
    drained: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ready_but_for_drain(reading: HealthReading, expect_release: str | None) -> bool:
    """200, or 503 saying that the drain flag is all that keeps it from being ready."""
    ready = reading.status == 200 or (reading.status == 503 and reading.output == "draining")
    return ready and (expect_release is None or reading.release == expect_release)


def serving(reading: HealthReading, expect_release: str | None) -> bool:
    return reading.is_ready(expect_release)


Accept = Callable[[HealthReading, str | None], bool]
SetDrain = Callable[[Path, bool], None]
Progress = Callable[[str], None]


@dataclass
class DrainSwitch:
    plan: DrainPlan
    set_drain: SetDrain
    progress: Progress
    probe: Probe = read_health
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    outcome: DrainOutcome = field(default_factory=DrainOutcome)

    def run(self) -> DrainOutcome:
        plan = self.plan
        for side in plan.targets:
            self.outcome.releases[side.name] = self.wait(side, ready_but_for_drain).release
        was_draining = [side for side in plan.targets if side.drain_file.exists()]
        self.flip(was_draining, on=False)
        for side in was_draining:
            reading = self.poll(self.health(side), serving, plan.timeout)
            if not serving(reading, plan.expect_release):
                self.flip(was_draining, on=True)
                raise ExitError(
                    ExitCode.TARGET_NOT_READY,
                    f"{side.name} ({self.health(side)}) still did not answer 200 once its drain "
                    f"flag was cleared (last: {reading.describe()}); its flag is set again, "
                    "nothing else was changed.",
                )
        leaving = [side for side in plan.others if not side.drain_file.exists()]
        if was_draining and leaving:
            self.settle(plan.settle)
        self.flip(leaving, on=True)
        if plan.public_url:
            self.confirm(was_draining, leaving)
        else:
            self.outcome.notes.append("no --public-url: not confirmed through Nginx")
        return self.outcome

    def health(self, side: Side) -> str:
        return f"http://{side.address}{self.plan.health_path}"

    def poll(self, url: str, accept: Accept, timeout: float) -> HealthReading:
        deadline = self.clock() + timeout
        while True:
            reading = self.probe(url)
            if accept(reading, self.plan.expect_release) or self.clock() + 0.2 > deadline:
                return reading
            self.sleep(0.2)

    def wait(self, side: Side, accept: Accept) -> HealthReading:
        url = self.health(side)
        self.progress(f"waiting for {side.name} ({url}) to be ready (its drain flag aside)")
        reading = self.poll(url, accept, self.plan.timeout)
        if not accept(reading, self.plan.expect_release):
            wanted = (
                f" with releaseId {self.plan.expect_release!r}" if self.plan.expect_release else ""
            )
            raise ExitError(
                ExitCode.TARGET_NOT_READY,
                f"{side.name} ({url}) was not ready{wanted} within {self.plan.timeout:g} s "
                f"(last: {reading.describe()}; ready means 200, or 503 with output 'draining'). "
                "Nothing was changed. Is it running the new release, migrated, its database "
                "reachable?",
            )
        return reading

    def flip(self, sides: list[Side], *, on: bool) -> None:
        for side in sides:
            try:
                self.set_drain(side.drain_file, on)
            except OSError as error:
                raise ExitError(
                    ExitCode.DRAIN_FAILED,
                    f"could not {'set' if on else 'clear'} {side.name}'s drain flag "
                    f"{side.drain_file}: {error}. Check the path and that this user may write "
                    f"there. Now: {self.flipped()}.",
                ) from None
            (self.outcome.drained if on else self.outcome.undrained).append(side.name)
            state = "set" if on else "cleared"
            self.progress(f"{state} {side.name}'s drain flag ({side.drain_file})")

    def flipped(self) -> str:
        """Each side's flag as it is now, e.g. ``blue serving, green drained``."""
        sides = sorted(self.plan.targets + self.plan.others, key=lambda side: side.name)
        return ", ".join(
            f"{side.name} {'drained' if side.drain_file.exists() else 'serving'}" for side in sides
        )

    def settle(self, seconds: float) -> None:
        if seconds > 0:
            self.progress(f"waiting {seconds:g} s (--settle) for Nginx to count it live again")
            self.sleep(seconds)

    def confirm(self, undrained: list[Side], drained: list[Side]) -> None:
        plan = self.plan
        assert plan.public_url is not None
        url = upstream.health_url(plan.public_url, plan.health_path)
        releases = set(self.outcome.releases.values())
        self.progress(
            f"confirming through {url} that releaseId {sorted(map(str, releases))} serves"
        )

        confirmed, last = upstream.confirm_serving(
            url, releases, plan.timeout, probe=self.probe, sleep=self.sleep, clock=self.clock
        )
        if confirmed:
            if any(self.probe(self.health(side)).release in releases for side in drained):
                self.outcome.notes.append(
                    "both sides report the same releaseId: the confirmation shows the site "
                    "answers through Nginx, not which side answered"
                )
            return
        self.flip(drained, on=False)
        if drained and undrained:
            self.settle(plan.settle)
        self.flip(undrained, on=True)
        raise ExitError(
            ExitCode.NOT_CONFIRMED,
            f"{url} did not report releaseId {sorted(map(str, releases))} within "
            f"{plan.timeout:g} s (last: {last.describe()}); switched back: "
            f"{self.flipped()}. Does Nginx run the shipped configuration (both instances in "
            "the upstream, the @zerodowntime_resend location)?",
        )
