"""USR2: a new master (new code) starts beside the old one; the old one goes last.

Until the old master is sent TERM, any failure rolls back: the new master is
sent TERM, its stale ``<pidfile>.2`` removed, and the old generation, which
never stopped, keeps serving (exit 1). TERM, not QUIT, lets in-flight
requests finish.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.check_url import wait_for_release
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.processes import ProcId
from django_zerodowntime.reload.report import (
    ReloadReport,
    ReloadRequest,
    Workers,
    is_new_master,
    send,
    worker_children,
)
from django_zerodowntime.reload.watcher import (
    POLL_SECONDS,
    CrashLoop,
    GenerationWatcher,
    MasterGone,
    TimedOut,
)

# After exec the new master shows GUNICORN_PID (or its title) within milliseconds.
NEW_MASTER_APPEAR_SECONDS = 10.0
# Once the old master is told to stop, the caller waits on us: poll faster.
RETIRE_POLL_SECONDS = 0.02
ROLLBACK_WAIT_SECONDS = 30.0


def pidfile2(request: ReloadRequest) -> Path:
    return Path(str(request.master.pidfile) + ".2")


def clear_stale_pidfile2(path: Path, *, refuse_live: bool = True) -> None:
    """Remove a ``.2`` pidfile left by a crashed upgrade; refuse if one is running."""
    try:
        text = path.read_text().strip()
    except OSError:
        return
    pid = int(text) if text.isdigit() else 0
    if refuse_live and pid > 1 and processes.looks_like_gunicorn(pid):
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"another upgrade is in progress: {path} names a live Gunicorn master (PID "
            f"{pid}). Wait for it, or send it TERM to abandon it.",
        )
    with contextlib.suppress(OSError):
        path.unlink()


def find_new_master(request: ReloadRequest, old: frozenset[ProcId], deadline: float) -> ProcId:
    master = request.master
    appear_by = min(deadline, time.monotonic() + NEW_MASTER_APPEAR_SECONDS)
    while time.monotonic() < appear_by:
        if not master.proc.alive():
            raise server_down(master.pid, "before the new master appeared")
        for child in processes.children(master.pid):
            if child not in old and is_new_master(child.pid, master.pid, str(pidfile2(request))):
                return child
        time.sleep(POLL_SECONDS)
    raise ExitError(
        ExitCode.ROLLED_BACK,
        f"no new master appeared after USR2 to PID {master.pid}: it failed at once or "
        "ignored the signal (Gunicorn logs 'USR2 signal ignored' while a previous upgrade "
        "is unfinished). The old generation is still serving; read Gunicorn's log.",
    )


def server_down(pid: int, when: str) -> ExitError:
    return ExitError(
        ExitCode.SERVER_DOWN,
        f"the Gunicorn master (PID {pid}) exited {when}: the site may be DOWN. Start "
        "Gunicorn again and read its log.",
    )


def roll_back(
    request: ReloadRequest, new_master: ProcId | None, why: str, code: ExitCode
) -> NoReturn:
    if new_master is not None and new_master.alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(new_master.pid, signal.SIGTERM)
        give_up = time.monotonic() + ROLLBACK_WAIT_SECONDS
        while new_master.alive() and time.monotonic() < give_up:
            time.sleep(POLL_SECONDS)
        if new_master.alive():  # stuck past a default graceful_timeout: end it
            with contextlib.suppress(ProcessLookupError):
                os.kill(new_master.pid, signal.SIGKILL)
    clear_stale_pidfile2(pidfile2(request), refuse_live=False)
    if not request.master.proc.alive():
        raise server_down(request.master.pid, "while the reload was rolled back")
    raise ExitError(
        code,
        f"{why}. Rolled back: the new master was stopped and the old generation (master "
        f"{request.master.pid}) is still serving the previous release.",
    )


def reload_usr2(request: ReloadRequest, reason: str) -> ReloadReport:
    master = request.master
    clear_stale_pidfile2(pidfile2(request))
    old = frozenset(worker_children(master.pid))
    expected = request.config.workers or len(old) or 1
    started = time.monotonic()
    deadline = started + request.timeout
    report = ReloadReport("usr2", reason, master.pid, 0, sorted(p.pid for p in old))
    request.progress(f"USR2 -> master {master.pid} ({len(old)} old workers, expecting {expected})")
    send(master.proc, signal.SIGUSR2)
    new_master = find_new_master(request, old, deadline)
    report.new_master = new_master.pid
    request.progress(f"new master {new_master.pid} started; waiting for its workers")
    watcher = GenerationWatcher(
        new_master,
        old,
        expected,
        deadline=deadline,
        progress=request.progress,
        counts=request.counts,
    )
    try:
        report.new_workers = watcher.wait_ready(old_gone=False)
    except MasterGone:
        roll_back(
            request,
            None,
            "the new master exited before its workers booted (the "
            "new release fails to boot: see Gunicorn's log)",
            ExitCode.ROLLED_BACK,
        )
    except CrashLoop as exc:
        roll_back(request, new_master, f"the new release crash-loops: {exc}", ExitCode.ROLLED_BACK)
    except TimedOut as exc:
        roll_back(
            request, new_master, f"{exc} within --timeout {request.timeout:g}s", ExitCode.TIMED_OUT
        )
    if request.check_url:
        request.progress(f"new workers booted; asking {request.check_url} for the release")
        ready, answer = wait_for_release(request.check_url, request.expect_release, deadline)
        if not ready:
            roll_back(
                request,
                new_master,
                f"{request.check_url} did not answer 200 with "
                f"release {request.expect_release}: {answer.describe()}",
                ExitCode.ROLLED_BACK,
            )
        report.reported_release = answer.release
    retire_old_generation(request, new_master, old, report, deadline)
    if request.check_url and not request.expect_release:
        # Both generations shared the socket, so that answer may have been the old
        # one's release; now only the new generation answers.
        _, answer = wait_for_release(request.check_url, None, time.monotonic() + 10)
        report.reported_release = answer.release
    report.turnover_seconds = time.monotonic() - started
    return report


def retire_old_generation(
    request: ReloadRequest,
    new_master: ProcId,
    first_old: frozenset[ProcId],
    report: ReloadReport,
    deadline: float,
) -> None:
    """TERM the old master; wait for it, its workers and the pidfile to name the new one."""
    master = request.master
    # Workers the old master spawned since (max_requests recycling) are old code too.
    old = first_old | frozenset(p for p in worker_children(master.pid) if p != new_master)
    hand_over_pidfile(request, new_master.pid, report)
    request.progress(f"new generation ready; TERM -> old master {master.pid}")
    with contextlib.suppress(ProcessLookupError):
        # Gone already (killed?): its workers follow, and the new master promotes itself.
        os.kill(master.pid, signal.SIGTERM)
    nudged = False
    while True:
        if not new_master.alive():
            raise server_down(new_master.pid, "after the old master was told to stop")
        old_alive = [p for p in old if p.alive()]
        if request.counts is not None:
            booted = len(report.new_workers)
            request.counts(Workers(booted, booted, len(old) - len(old_alive), len(old)))
        if not old_alive and report.last_old_exit is None:
            report.last_old_exit = time.monotonic()
            request.progress("old workers exited; waiting for the old master to exit")
        if not old_alive and not master.proc.alive():
            if not nudged:
                # The new master promotes itself (renames .2 to the pidfile) on its next
                # loop, up to 1 s away; any signal wakes it, and CHLD is harmless.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(new_master.pid, signal.SIGCHLD)
                nudged = True
            promoted = not pidfile2(request).exists()
            if promoted and _pidfile_names(master.pidfile, new_master.pid):
                request.progress(f"old master exited; master {new_master.pid} promoted")
                return
        if time.monotonic() >= deadline:
            raise ExitError(
                ExitCode.TIMED_OUT,
                f"timed out retiring the old generation (old master {master.pid}, "
                f"{len(old_alive)} old workers alive): requests longer than --timeout are "
                "still running, or the old master is stuck. The new master "
                f"({new_master.pid}) serves; check Gunicorn's log.",
            )
        time.sleep(RETIRE_POLL_SECONDS)


def hand_over_pidfile(request: ReloadRequest, new_pid: int, report: ReloadReport) -> None:
    """Point the pidfile at the new master BEFORE the old one exits.

    Gunicorn's old master deletes the pidfile on exit and the new one writes it
    up to a second later. A supervisor that follows the pidfile (systemd with
    PIDFile= re-reads it when the main PID exits) would find none in between;
    the old master leaves a file naming another PID alone, and the new master
    accepts one that already names it.
    """
    pidfile = request.master.pidfile
    if not _pidfile_names(pidfile, request.master.pid):
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=pidfile.parent, prefix=".zerodowntime-")
        with os.fdopen(handle, "w") as stream:
            stream.write(f"{new_pid}\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, pidfile)
    except OSError as exc:
        report.warnings.append(f"could not hand the pidfile over early ({exc.strerror})")


def _pidfile_names(path: Path, pid: int) -> bool:
    try:
        return path.read_text().strip() == str(pid)
    except OSError:
        return False
