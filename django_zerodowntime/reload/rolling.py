"""Rolling: replace the workers one at a time with TTIN and TTOU; the master stays.

TTIN makes the master fork one more worker, which (preload_app off) imports
the new code from disk. Once it has booted and stayed up, TTOU makes the
master retire its OLDEST worker gracefully (``manage_workers`` sorts by age),
i.e. an old one. One step per old worker: the count ends where it began, the
old workers serve until their successors are ready (no boot-time stall, unlike
HUP) and the master PID that a supervisor tracks never changes.

A new worker that raises while booting makes Gunicorn halt the whole server
(exit 5), as after HUP: the preflight guards against that. One that dies
otherwise (killed, out of memory, ``sys.exit``) is respawned by the master: a
crash loop, after which the extra worker is taken back (exit 1).
"""

from __future__ import annotations

import signal
import time
from typing import NoReturn

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.check_url import confirm_release
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.report import ReloadReport, ReloadRequest, send, worker_children
from django_zerodowntime.reload.takeback import take_back_extra_worker
from django_zerodowntime.reload.watcher import CrashLoop, GenerationWatcher, MasterGone, TimedOut


def reload_rolling(request: ReloadRequest, reason: str) -> ReloadReport:
    master = request.master
    old = frozenset(worker_children(master.pid))
    started = time.monotonic()
    deadline = started + request.timeout
    report = ReloadReport("rolling", reason, master.pid, master.pid, sorted(p.pid for p in old))
    watcher = GenerationWatcher(
        master.proc, old, 0, deadline=deadline, progress=request.progress, counts=request.counts
    )
    step = 0
    try:
        while old_alive := watcher.old_alive():
            step += 1
            replace_one_worker(request, watcher, step, len(old), len(old_alive))
    except MasterGone as exc:
        raise ExitError(
            ExitCode.SERVER_DOWN,
            f"the Gunicorn master (PID {master.pid}) exited during the rolling reload: the "
            "site is DOWN. A new worker that raises while booting halts Gunicorn (run the "
            "preflight). Start Gunicorn again (with the previous release if this one is "
            "broken) and read its log.",
        ) from exc
    report.new_workers = sorted(p.pid for p in watcher.state.booted)
    report.turnover_seconds = time.monotonic() - started
    report.last_old_exit = watcher.last_old_exit
    report.reported_release = confirm_release(request.check_url, request.expect_release, deadline)
    return report


def replace_one_worker(
    request: ReloadRequest, watcher: GenerationWatcher, step: int, total: int, old_left: int
) -> None:
    """TTIN, wait for the new worker to boot and hold, TTOU, wait for an old one to exit."""
    master = request.master
    watcher.state.expect(len(watcher.state.booted) + 1)
    request.progress(f"step {step}: TTIN -> master {master.pid} ({old_left}/{total} old left)")
    send(master.proc, signal.SIGTTIN)
    try:
        watcher.wait_ready(old_gone=False)
    except CrashLoop as exc:
        take_back(request, watcher, f"the new release crash-loops: {exc}", ExitCode.ROLLED_BACK)
    except TimedOut as exc:
        take_back(
            request, watcher, f"{exc} within --timeout {request.timeout:g}s", ExitCode.TIMED_OUT
        )
    before = len(watcher.old_alive())
    request.progress(f"step {step}: new worker booted; TTOU -> master (retires the oldest)")
    send(master.proc, signal.SIGTTOU)
    try:
        if before:  # none left (recycled meanwhile): TTOU retired a new one, count kept
            watcher.wait_old_fewer_than(before)
    except TimedOut as exc:
        raise ExitError(
            ExitCode.TIMED_OUT,
            f"{exc} after TTOU within --timeout {request.timeout:g}s: an old worker is still "
            "finishing a request. The worker count is back to normal; the old worker exits "
            "once its request ends (or Gunicorn's graceful_timeout ends it). Reload again "
            "to replace the remaining old workers.",
        ) from exc


def take_back(
    request: ReloadRequest, watcher: GenerationWatcher, why: str, code: ExitCode
) -> NoReturn:
    """Undo the last TTIN so that the old workers keep serving, and say what serves."""
    request.progress(f"{why}; taking the extra worker back")
    taken_back = take_back_extra_worker(request.master.proc, watcher)
    if not request.master.proc.alive():
        raise ExitError(
            ExitCode.SERVER_DOWN,
            f"{why}, and the Gunicorn master (PID {request.master.pid}) exited: the site is "
            "DOWN. Start Gunicorn again with the previous release and read its log.",
        )
    old = len(watcher.old_alive())
    new = [p for p in watcher.new_workers() if p in watcher.state.booted]
    serving = f"{old} of {len(watcher.old)} old workers (the previous release)"
    serving += f" and {len(new)} new ones" if new else ""
    if taken_back:
        done = f"Stopped and took the extra worker back: {serving} serve."
    else:
        done = (
            f"Stopped, but could not take the extra worker back safely: {serving} serve while "
            "Gunicorn keeps restarting one more. Once the previous release is back on disk it "
            f"boots; then `kill -TTOU {request.master.pid}` restores the worker count."
        )
    raise ExitError(
        code,
        f"{why}. {done} Put the previous release back on disk before Gunicorn replaces a "
        "worker (max_requests, a crash): every worker it starts imports the code from disk.",
    )
