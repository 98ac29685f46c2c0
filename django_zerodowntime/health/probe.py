"""The readiness answer: cached, computed by one request at a time, bounded in time.

Slow checks run in one long-lived background thread per process, so a
request stops waiting at ``HEALTH_DEADLINE_SECONDS`` even under a sync WSGI
worker, and a hung database never piles up threads: while a computation is
still stuck, later probes wait on that same computation instead of starting
another. Cheap inline checks (the drain flag) run on every probe.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django_zerodowntime.conf import conf
from django_zerodowntime.health.checks import (
    CheckResult,
    CheckSpec,
    Outcome,
    Status,
    load_checks,
    run_check,
)
from django_zerodowntime.health.heartbeat import Heartbeat, Recorder, ledger_recorder
from django_zerodowntime.release import current_release


@dataclass(frozen=True)
class Report:
    status: Status
    results: tuple[CheckResult, ...]


def overall_status(results: Iterable[CheckResult]) -> Status:
    status = Status.PASS
    for result in results:
        for outcome in result.outcomes:
            if outcome.status is Status.PASS:
                continue
            if outcome.status is Status.FAIL and result.spec.critical:
                return Status.FAIL
            status = Status.WARN
    return status


@dataclass
class Computation:
    specs: tuple[CheckSpec, ...]
    done: threading.Event = field(default_factory=threading.Event)
    results: list[CheckResult] = field(default_factory=list)

    def results_by(self, deadline: float) -> tuple[CheckResult, ...]:
        """What finished, plus a failure for every check still running."""
        finished = list(self.results)
        late = Outcome(Status.FAIL, f"no answer within {deadline:g} s")
        finished += [CheckResult(spec, (late,)) for spec in self.specs[len(finished) :]]
        return tuple(finished)


class ReadinessProbe:
    def __init__(self, recorder: Callable[[], Recorder | None] = ledger_recorder) -> None:
        self._recorder = recorder
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._leader = threading.Lock()
        self._cached: tuple[float, tuple[CheckResult, ...]] | None = None
        self._inflight: Computation | None = None
        self._queue: queue.SimpleQueue[Computation] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self.heartbeat = Heartbeat(self._recorder)

    def forget(self) -> None:
        """Drop the cached answer (tests; ``drain`` does not need it)."""
        self._cached = None

    def fresh_report(self) -> Report | None:
        """The answer without waiting, if the cache allows (async fast path)."""
        if os.getpid() != self._pid:
            return None
        inline, deferred = self._specs()
        cached = self._fresh_cache()
        if cached is None and deferred:
            return None
        return self._combine(inline, cached or ())

    def report(self) -> Report:
        if os.getpid() != self._pid:
            self._reset()  # forked (preload_app): threads and locks did not come along
        inline, deferred = self._specs()
        results = self._deferred_results(deferred) if deferred else ()
        return self._combine(inline, results)

    @staticmethod
    def _specs() -> tuple[list[CheckSpec], tuple[CheckSpec, ...]]:
        specs = load_checks(conf.HEALTH_CHECKS)
        return [s for s in specs if s.inline], tuple(s for s in specs if not s.inline)

    @staticmethod
    def _combine(inline: list[CheckSpec], deferred: Iterable[CheckResult]) -> Report:
        results = (*(run_check(spec) for spec in inline), *deferred)
        return Report(overall_status(results), results)

    def _fresh_cache(self) -> tuple[CheckResult, ...] | None:
        cached = self._cached
        if cached and time.monotonic() - cached[0] < conf.HEALTH_CACHE_SECONDS:
            return cached[1]
        return None

    def _deferred_results(self, specs: tuple[CheckSpec, ...]) -> tuple[CheckResult, ...]:
        fresh = self._fresh_cache()
        if fresh is not None:
            return fresh
        deadline = conf.HEALTH_DEADLINE_SECONDS
        if not self._leader.acquire(blocking=False):
            # Another request is computing: take the last answer rather than queue up.
            if self._cached is not None:
                return self._cached[1]
            if not self._leader.acquire(timeout=deadline):
                return Computation(specs).results_by(deadline)
            self._leader.release()
            return self._cached[1] if self._cached else Computation(specs).results_by(deadline)
        try:
            fresh = self._fresh_cache()
            if fresh is not None:
                return fresh
            computation = self._inflight
            if computation is None or computation.done.is_set():
                computation = self._inflight = Computation(specs)
                self._submit(computation)
            if computation.done.wait(deadline):
                results = tuple(computation.results)
            else:
                results = computation.results_by(deadline)
            self._cached = (time.monotonic(), results)
            return results
        finally:
            self._leader.release()

    def _submit(self, computation: Computation) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(
                target=self._work, name="zerodowntime-health", daemon=True
            )
            self._worker.start()
        self._queue.put(computation)

    def _work(self) -> None:
        while True:
            computation = self._queue.get()
            for spec in computation.specs:
                computation.results.append(run_check(spec))
            computation.done.set()
            with contextlib.suppress(Exception):  # a heartbeat never stops the checks
                self.heartbeat.maybe_send(current_release())


probe = ReadinessProbe()
"""The process-wide probe shared by the middleware and the WSGI/ASGI wrappers."""
