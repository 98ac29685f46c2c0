"""What psutil and /proc tell about Gunicorn processes (Linux only).

A process is identified by (pid, create_time): a PID alone may be reused.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

# psutil derives create_time from boot time and jiffies: allow some skew.
CREATE_TIME_TOLERANCE = 1.5
# A heartbeat puts a monotonic mtime decades from the wall-clock ctime; creating and
# unlinking the file leaves them a few milliseconds apart at most.
HEARTBEAT_CLOCK_GAP_SECONDS = 60.0


@dataclass(frozen=True)
class ProcId:
    pid: int
    create_time: float

    def alive(self) -> bool:
        try:
            process = psutil.Process(self.pid)
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
            return abs(process.create_time() - self.create_time) < CREATE_TIME_TOLERANCE
        except psutil.Error:
            return False


def command_line(pid: int) -> list[str]:
    try:
        return [part for part in psutil.Process(pid).cmdline() if part]
    except psutil.Error:
        return []


def title(pid: int) -> str:
    return " ".join(command_line(pid))


def looks_like_gunicorn(pid: int) -> bool:
    """True for a Gunicorn process, with or without setproctitle."""
    parts = command_line(pid)
    if not parts:
        return False
    if parts[0].startswith("gunicorn:"):  # setproctitle: "gunicorn: master [name]"
        return True
    # Without it: "python .../bin/gunicorn ...", ".../bin/gunicorn ..." or "python -m gunicorn".
    head = parts[:3]
    return any(Path(part).name == "gunicorn" for part in head)


def proc_title_role(pid: int) -> str | None:
    """ "master" or "worker" when setproctitle put it in the title, else None."""
    parts = command_line(pid)
    if parts and parts[0].startswith("gunicorn:") and len(parts) > 1:
        return parts[1] if parts[1] in ("master", "worker") else None
    return None


def environ(pid: int) -> dict[str, str] | None:
    """The environment the process was started with; None when unreadable.

    setproctitle overwrites this memory, so a title-bearing process often has none.
    """
    try:
        env = psutil.Process(pid).environ()
    except psutil.Error:
        return None
    return env or None


def children(pid: int) -> list[ProcId]:
    try:
        kids = psutil.Process(pid).children()
    except psutil.Error:
        return []
    found = []
    for kid in kids:
        with contextlib.suppress(psutil.Error):
            if kid.status() != psutil.STATUS_ZOMBIE:
                found.append(ProcId(kid.pid, kid.create_time()))
    return found


def parent_pid(pid: int) -> int | None:
    try:
        return psutil.Process(pid).ppid()
    except psutil.Error:
        return None


def heartbeat_booted(pid: int) -> bool | None:
    """Has this worker heartbeated yet? None when /proc does not tell us.

    Gunicorn's WorkerTmp is a deleted ``wgunicorn-*`` file. Each heartbeat sets
    its mtime to a *monotonic* clock value (seconds since boot) while ctime
    becomes the wall time, so the two are decades apart once the worker runs;
    before that they differ by the moment between creating and unlinking it.
    Right after the fork the worker still holds its siblings' files (it closes
    them first thing): with more than one, it has not booted.
    """
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:
        return None
    found = []
    for entry in entries:
        try:
            if "wgunicorn-" in os.readlink(entry):
                found.append(entry.stat())
        except OSError:
            continue
    if len(found) != 1:
        # None: on its way out (a failed boot closes it before exiting); several:
        # just forked, still holding its siblings'.
        return False
    return abs(found[0].st_ctime - found[0].st_mtime) > HEARTBEAT_CLOCK_GAP_SECONDS


def can_signal(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:
        return False
    except ProcessLookupError:
        return True  # gone: the caller's liveness check reports that
    return True
