"""Which signal to use here, and why (``--strategy auto``)."""

from __future__ import annotations

from pathlib import Path

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.preflight import ServerConfig

# Supervisors that track the master's PID: after USR2 + TERM of the old master
# they think the service died and restart or kill it (gunicorn issue #1670).
PID_TRACKING_SUPERVISORS = ("supervisord", "runsv", "s6-supervise", "circusd")


def supervisor_of(master_pid: int) -> str | None:
    """The process supervisor that tracks this master's PID, if any."""
    env = processes.environ(master_pid) or {}
    ppid = processes.parent_pid(master_pid)
    if ppid == 1 and (env.get("INVOCATION_ID") or _in_systemd_service(master_pid)):
        return "systemd"
    if ppid and ppid > 1:
        parent = processes.title(ppid)
        for name in PID_TRACKING_SUPERVISORS:
            if name in parent:
                return name
    return None


def _in_systemd_service(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return False
    return any(line.rstrip().endswith(".service") for line in text.splitlines())


def choose(
    requested: str, config: ServerConfig, supervisor: str | None, *, force: bool = False
) -> tuple[str, str]:
    """(strategy, reason); ExitError(2) when the request cannot work here."""
    preload = config.preload_app
    if force and requested != "hup":
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"--force only applies to --strategy hup (it lets HUP run with preload_app on); "
            f"it was given with --strategy {requested}.",
        )
    if requested == "hup":
        if preload and not force:
            raise ExitError(
                ExitCode.BAD_INPUT,
                "refusing --strategy hup: preload_app is on, so HUP would restart the workers "
                "with the OLD code cached in the master. Use --strategy usr2, turn "
                "preload_app off, or add --force for a config-only reload.",
            )
        if preload:
            return "hup", "requested with --strategy hup --force (preload_app is on)"
        return "hup", "requested with --strategy hup"
    if requested == "rolling":
        if preload:
            raise ExitError(
                ExitCode.BAD_INPUT,
                "refusing --strategy rolling: preload_app is on, so every new worker is forked "
                "from the master with the OLD code. Use --strategy usr2, or turn preload_app "
                "off.",
            )
        return "rolling", "requested with --strategy rolling"
    if requested == "usr2":
        return "usr2", "requested with --strategy usr2"
    if supervisor is not None:
        if preload:
            raise ExitError(
                ExitCode.BAD_INPUT,
                f"cannot reload safely: {supervisor} tracks the master's PID, so USR2 would "
                "make it lose the server, and preload_app is on, so HUP and rolling would keep "
                "the old code. Turn preload_app off (then rolling is used), or run --strategy "
                "usr2 under a supervisor that does not track the PID.",
            )
        return "rolling", (
            f"{supervisor} tracks the master's PID, which USR2 replaces; rolling keeps it and, "
            "unlike HUP, lets the old workers serve until each new one has booted (no "
            "boot-time stall)"
        )
    why = "rollback-safe: the old generation keeps serving until the new one has booted"
    if preload is None:
        why += "; preload_app is unknown, and only USR2 loads new code with it"
    elif preload:
        why += "; preload_app is on, and only USR2 loads new code with it"
    return "usr2", why


def forced_warning(strategy: str, config: ServerConfig) -> str | None:
    """What a forced HUP with preload_app on will not do, to say before it runs."""
    if strategy != "hup" or not config.preload_app:
        return None
    return (
        "--force: preload_app is on, so the new workers are forked from the master: what it "
        "imported at start (settings, models, middleware, the WSGI app) stays the OLD code, "
        "and only modules first imported later (views, on a first request) come from disk. "
        "Fine for a config-only reload; --strategy usr2 loads new code."
    )
