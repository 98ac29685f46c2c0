"""Find the Gunicorn master through its pidfile, and prove it is one.

Nothing is signalled until ``find_master`` has checked that the pidfile
names a live Gunicorn master (not a worker, not PID 1, not a reused PID)
that this user may signal. Every refusal is exit 2 with what to do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.processes import CREATE_TIME_TOLERANCE, ProcId

# During HUP and USR2 promotion Gunicorn rewrites the pidfile; it may be
# absent for about a second, so a missing file is re-read for this long.
PIDFILE_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Master:
    proc: ProcId
    pidfile: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


def bad_input(message: str) -> ExitError:
    return ExitError(ExitCode.BAD_INPUT, message)


def read_pidfile(pidfile: Path, grace: float = PIDFILE_GRACE_SECONDS) -> int:
    deadline = time.monotonic() + grace
    while True:
        try:
            text = pidfile.read_text().strip()
        except FileNotFoundError:
            text = None
        except OSError as exc:
            raise bad_input(f"cannot read the pidfile {pidfile}: {exc.strerror}.") from exc
        if text or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    if text is None:
        raise bad_input(
            f"no pidfile at {pidfile}: is Gunicorn running with --pidfile {pidfile}? "
            "Pass --pidfile or set ZERODOWNTIME['GUNICORN_PIDFILE']."
        )
    if not text:
        raise bad_input(f"the pidfile {pidfile} is empty: Gunicorn did not write it.")
    if not text.isdigit():
        raise bad_input(f"the pidfile {pidfile} does not hold a PID (it holds {text[:40]!r}).")
    return int(text)


def find_master(pidfile: Path) -> Master:
    """The validated master named by ``pidfile``; raises ExitError(2) otherwise."""
    pid = read_pidfile(pidfile)
    if pid <= 1:
        raise bad_input(
            f"the pidfile {pidfile} names PID {pid}: that is the init process, never "
            "signalled. In a container where Gunicorn is PID 1, replace the container."
        )
    try:
        process = psutil.Process(pid)
        create_time = process.create_time()
    except psutil.NoSuchProcess as exc:
        raise bad_input(
            f"stale pidfile {pidfile}: PID {pid} is not running. Gunicorn crashed or was "
            "killed: start it again (it replaces the stale file)."
        ) from exc
    except psutil.Error as exc:
        raise bad_input(f"cannot inspect PID {pid}: {exc}.") from exc
    try:
        written = pidfile.stat().st_mtime
    except OSError:  # rewritten by a HUP just now: it is newer than the process anyway
        written = time.time()
    if create_time > written + CREATE_TIME_TOLERANCE:
        raise bad_input(
            f"stale pidfile {pidfile}: PID {pid} started after the file was written, so "
            "the PID was reused by another process. Gunicorn is not running from this pidfile."
        )
    if not processes.looks_like_gunicorn(pid):
        shown = processes.title(pid) or process.name()
        raise bad_input(
            f"PID {pid} from {pidfile} is not Gunicorn ({shown[:80]!r}): the pidfile is "
            "stale or points at the wrong service."
        )
    if is_worker(pid):
        raise bad_input(
            f"PID {pid} from {pidfile} is a Gunicorn worker, not the master: the pidfile "
            "must be the one Gunicorn writes with --pidfile."
        )
    if not processes.can_signal(pid):
        try:
            owner = process.username()
        except psutil.Error:
            owner = "its owner"
        raise bad_input(
            f"permission denied to signal the Gunicorn master (PID {pid}): run "
            f"graceful_reload as {owner} (the user Gunicorn runs as) or as root."
        )
    return Master(ProcId(pid, create_time), pidfile)


def is_worker(pid: int) -> bool:
    role = processes.proc_title_role(pid)
    if role is not None:
        return role == "worker"
    ppid = processes.parent_pid(pid)
    if ppid is None or ppid <= 1 or not processes.looks_like_gunicorn(ppid):
        return False
    # A master started by USR2 is also a Gunicorn child: its env names the parent.
    env = processes.environ(pid) or {}
    return env.get("GUNICORN_PID") != str(ppid)


def unpromoted_parent(master: Master) -> int | None:
    """The old master still beside ``master`` after an unfinished USR2, if any."""
    env = processes.environ(master.pid) or {}
    ppid = processes.parent_pid(master.pid)
    if ppid and env.get("GUNICORN_PID") == str(ppid):
        return ppid
    if ".2]" in processes.title(master.pid):
        return ppid
    return None
