"""What a reload is asked to do, and what it did."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.master import Master
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.preflight import ServerConfig
from django_zerodowntime.reload.processes import ProcId


@dataclass(frozen=True)
class Workers:
    """The turnover so far: new workers booted of those expected, old workers gone."""

    booted: int
    expected: int
    old_gone: int
    old_total: int


@dataclass(frozen=True)
class ReloadRequest:
    master: Master
    config: ServerConfig
    timeout: float
    check_url: str | None
    expect_release: str | None
    progress: Callable[[str], None]
    # Given (a live terminal display): the counts at every poll, instead of a line a second.
    counts: Callable[[Workers], None] | None = None


@dataclass
class ReloadReport:
    strategy: str
    reason: str
    old_master: int
    new_master: int
    old_workers: list[int]
    new_workers: list[int] = field(default_factory=list)
    turnover_seconds: float = 0.0
    last_old_exit: float | None = None  # time.monotonic() when no old worker was left
    reported_release: str | None = None
    warnings: list[str] = field(default_factory=list)


def send(proc: ProcId, sig: signal.Signals) -> None:
    """Signal a validated master; one that vanished in the meantime means the site is down."""
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        raise ExitError(
            ExitCode.SERVER_DOWN,
            f"the Gunicorn master (PID {proc.pid}) exited before it could be sent "
            f"{sig.name}: the site may be DOWN. Start Gunicorn again and read its log.",
        ) from None


def worker_children(master_pid: int) -> list[ProcId]:
    """The master's workers: its children minus a USR2 master started beside it."""
    return [p for p in processes.children(master_pid) if not is_new_master(p.pid, master_pid)]


def is_new_master(pid: int, parent: int, pidfile2: str | None = None) -> bool:
    if processes.proc_title_role(pid) == "master":
        return True
    env = processes.environ(pid) or {}
    if env.get("GUNICORN_PID") == str(parent):
        return True
    if pidfile2:
        try:
            with open(pidfile2) as handle:
                return handle.read().strip() == str(pid)
        except OSError:
            return False
    return False
