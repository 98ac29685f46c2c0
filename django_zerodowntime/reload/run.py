"""graceful_reload from start to end: validate, preflight, choose, signal, watch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import choice, master, preflight
from django_zerodowntime.reload.hup import reload_hup
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.report import ReloadReport, ReloadRequest, Workers
from django_zerodowntime.reload.rolling import reload_rolling
from django_zerodowntime.reload.usr2 import reload_usr2


def checked_pidfile(pidfile: str | None, timeout: float) -> Path:
    """The options nothing can start without, checked before anything runs."""
    if not pidfile:
        raise ExitError(
            ExitCode.BAD_INPUT,
            "no pidfile: pass --pidfile or set ZERODOWNTIME['GUNICORN_PIDFILE'].",
        )
    if timeout <= 0:
        raise ExitError(ExitCode.BAD_INPUT, "--timeout must be more than 0 seconds.")
    return Path(pidfile)


def graceful_reload(
    pidfile: Path,
    *,
    strategy: str = "auto",
    timeout: float = 60.0,
    check_url: str | None = None,
    expect_release: str | None = None,
    run_preflight: bool = True,
    force: bool = False,
    progress: Callable[[str], None] = lambda line: None,
    counts: Callable[[Workers], None] | None = None,
) -> ReloadReport:
    """Turn the Gunicorn generation over; ExitError carries the exit code otherwise."""
    found = master.find_master(pidfile)
    parent = master.unpromoted_parent(found)
    if parent is not None:
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"a previous USR2 upgrade is unfinished: the old master (PID {parent}) still runs "
            f"beside master {found.pid}. Send TERM to PID {parent} (keep the new one) or to "
            f"PID {found.pid} (keep the old one), then reload again.",
        )
    if run_preflight:
        progress(f"preflight: booting the new code ({preflight.boot_plan(found.pid).describe()})")
        config, _ = preflight.preflight(found.pid, timeout)
        progress(f"preflight passed: {config.app_uri} imports and Django's checks pass")
    else:
        config = preflight.read_config(found.pid, timeout)
    supervisor = choice.supervisor_of(found.pid)
    chosen, reason = choice.choose(strategy, config, supervisor, force=force)
    progress(f"strategy {chosen}: {reason}")
    warning = choice.forced_warning(chosen, config)
    if warning:
        progress(f"warning: {warning}")
    request = ReloadRequest(found, config, timeout, check_url, expect_release, progress, counts)
    if chosen == "hup":
        report = reload_hup(request, reason)
    elif chosen == "rolling":
        report = reload_rolling(request, reason)
    else:
        report = reload_usr2(request, reason)
    report.warnings += [warning] if warning else []
    return report
