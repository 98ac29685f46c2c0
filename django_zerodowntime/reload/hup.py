"""HUP: the same master re-reads its config and replaces every worker.

No rollback is possible (the old workers are told to stop at once) and
requests queue for the new workers' boot time; it is the strategy for
supervisors that track the master's PID. A release that fails to boot halts
the whole server, which is why preflight runs first.
"""

from __future__ import annotations

import signal
import time

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.check_url import confirm_release
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.report import ReloadReport, ReloadRequest, send, worker_children
from django_zerodowntime.reload.watcher import CrashLoop, GenerationWatcher, MasterGone, TimedOut


def reload_hup(request: ReloadRequest, reason: str) -> ReloadReport:
    master = request.master
    old = frozenset(worker_children(master.pid))
    expected = request.config.workers or len(old) or 1
    started = time.monotonic()
    deadline = started + request.timeout
    report = ReloadReport("hup", reason, master.pid, master.pid, sorted(p.pid for p in old))
    request.progress(f"HUP -> master {master.pid} ({len(old)} old workers, expecting {expected})")
    send(master.proc, signal.SIGHUP)
    watcher = GenerationWatcher(
        master.proc,
        old,
        expected,
        deadline=deadline,
        progress=request.progress,
        counts=request.counts,
    )
    try:
        report.new_workers = watcher.wait_ready(old_gone=True)
    except MasterGone as exc:
        raise ExitError(
            ExitCode.SERVER_DOWN,
            f"the Gunicorn master (PID {master.pid}) exited during the reload: the site is "
            "DOWN. A release that fails to boot after HUP halts Gunicorn. Start Gunicorn "
            "again (with the previous release if this one is broken) and read its log.",
        ) from exc
    except CrashLoop as exc:
        raise ExitError(
            ExitCode.SERVER_DOWN,
            f"{exc} after HUP: the old workers are gone, so the site is not serving. Deploy "
            "the previous release and reload again; read Gunicorn's log for the traceback.",
        ) from exc
    except TimedOut as exc:
        raise ExitError(
            ExitCode.TIMED_OUT,
            f"{exc} after {request.timeout:g}s (HUP): the turnover is not finished. Check "
            "Gunicorn's log; raise --timeout above boot time plus the longest request.",
        ) from exc
    report.turnover_seconds = time.monotonic() - started
    report.last_old_exit = watcher.last_old_exit
    report.reported_release = confirm_release(request.check_url, request.expect_release, deadline)
    return report
