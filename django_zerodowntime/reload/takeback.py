"""Take back the extra worker of a rolling step that does not boot, sparing the old ones.

TTOU makes Gunicorn retire its OLDEST worker, so a TTOU sent while the
unbooted new worker lives (the master respawns it after every crash) would
stop an old one. The count must drop while that slot is empty, and Gunicorn
refills it in the same loop iteration that reaps the dead worker. One moment
allows it: right after forking a worker the master sleeps up to 100 ms
(``spawn_workers``), queueing the signals it receives. In that sleep the fresh
worker is killed and, once it has exited (its SIGCHLD queued), TTOU is sent
(queued behind): the master's next iteration reaps the worker first, then
lowers the count with nobody to retire. A sleep that ends too soon just
means another respawn and another try. (SIGSTOP cannot make the moment:
SIGCONT discards a pending TTOU.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from django_zerodowntime.reload import processes
from django_zerodowntime.reload.processes import ProcId
from django_zerodowntime.reload.watcher import GenerationWatcher

TRY_FOR_SECONDS = 10.0
POLL_SECONDS = 0.0005
EXIT_WAIT_SECONDS = 0.2
# Long enough for the master to respawn, had the TTOU lost the race.
SETTLE_SECONDS = 0.5


def sleeping_after_spawn(master_pid: int) -> bool | None:
    """Is the master in ``spawn_workers``' sleep? None when the kernel does not say."""
    try:
        wchan = Path(f"/proc/{master_pid}/wchan").read_text()
    except OSError:
        return None
    # Its main loop waits on a lock (futex); only that sleep is a nanosleep.
    return "nanosleep" in wchan


def new_children(master: ProcId, watcher: GenerationWatcher) -> list[ProcId]:
    return [p for p in processes.children(master.pid) if p not in watcher.old]


def take_back_extra_worker(master: ProcId, watcher: GenerationWatcher) -> bool:
    """Lower the master's worker count by one, killing the unbooted new worker.

    True when done and no unbooted worker is left; False otherwise: the master
    vanished, the kernel hides its state (then no TTOU was sent), or it never
    slept long enough within ``TRY_FOR_SECONDS``.
    """
    booted = watcher.state.booted
    seen = set(processes.children(master.pid))
    for proc in [p for p in seen if p not in watcher.old and p not in booted]:
        _kill(proc)  # the master replaces it: that fork opens the moment
    give_up = time.monotonic() + TRY_FOR_SECONDS
    while time.monotonic() < give_up and master.alive():
        kids = processes.children(master.pid)
        fresh = [p for p in kids if p not in seen and p not in watcher.old and p not in booted]
        seen.update(kids)
        if not fresh:
            time.sleep(POLL_SECONDS)
            continue
        if sleeping_after_spawn(master.pid) is None:
            return False
        for proc in fresh:
            _kill(proc)
        _wait_exited(fresh, time.monotonic() + EXIT_WAIT_SECONDS)
        left = [p for p in new_children(master, watcher) if p not in booted]
        if not left and sleeping_after_spawn(master.pid):
            os.kill(master.pid, signal.SIGTTOU)
            time.sleep(SETTLE_SECONDS)
            return not [p for p in new_children(master, watcher) if p not in booted]
    return False


def _kill(proc: ProcId) -> None:
    if proc.alive():  # not a reused PID
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)


def _wait_exited(procs: list[ProcId], give_up: float) -> None:
    while any(p.alive() for p in procs) and time.monotonic() < give_up:
        time.sleep(POLL_SECONDS)
