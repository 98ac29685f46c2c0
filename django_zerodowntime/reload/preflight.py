"""Prove the new code boots before any signal reaches Gunicorn.

The probe (boot_probe.py) runs with the master's interpreter, working
directory, arguments and environment when /proc shows them, so it reads the
same Gunicorn config and imports the same application as a new worker will.
With setproctitle the arguments are gone: it falls back to the command's own
environment and ``settings.WSGI_APPLICATION``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.outcome import ExitCode

PROBE = Path(__file__).with_name("boot_probe.py")
# Set by Gunicorn for its own children; a probe must not inherit them.
GUNICORN_PRIVATE_ENV = ("GUNICORN_FD", "GUNICORN_PID", "LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET")
OUTPUT_TAIL_LINES = 40


@dataclass(frozen=True)
class BootPlan:
    python: str
    cwd: str
    env: dict[str, str]
    gunicorn_args: list[str] | None  # None: use settings.WSGI_APPLICATION

    def describe(self) -> str:
        what = (
            "the master's Gunicorn config"
            if self.gunicorn_args is not None
            else ("settings.WSGI_APPLICATION (the master's arguments are hidden by setproctitle)")
        )
        return f"{what}, in {self.cwd}"


@dataclass(frozen=True)
class ServerConfig:
    """What the Gunicorn config says; None where it could not be read."""

    workers: int | None = None
    preload_app: bool | None = None
    app_uri: str | None = None


def gunicorn_args(cmdline: list[str]) -> list[str] | None:
    """The arguments given to Gunicorn, from the master's command line."""
    if not cmdline or cmdline[0].startswith("gunicorn:"):
        return None
    for index, part in enumerate(cmdline[:3]):
        if Path(part).name == "gunicorn":
            return cmdline[index + 1 :]
        if part == "-m" and index + 1 < len(cmdline) and cmdline[index + 1] == "gunicorn":
            return cmdline[index + 2 :]
    return None


def boot_plan(master_pid: int) -> BootPlan:
    cmdline = processes.command_line(master_pid)
    try:
        cwd = psutil.Process(master_pid).cwd()
    except psutil.Error:
        cwd = os.getcwd()
    python = sys.executable
    if cmdline and Path(cmdline[0]).name.startswith("python"):
        candidate = Path(cwd, cmdline[0])
        python = str(candidate) if candidate.exists() else python
    env = processes.environ(master_pid) or dict(os.environ)
    env = {k: v for k, v in env.items() if k not in GUNICORN_PRIVATE_ENV}
    return BootPlan(python, cwd, env, gunicorn_args(cmdline))


@dataclass(frozen=True)
class ProbeOutcome:
    ok: bool
    result: dict[str, Any]
    output: str

    def config(self) -> ServerConfig:
        r = self.result
        return ServerConfig(r.get("workers"), r.get("preload_app"), r.get("app_uri"))


def run_probe(plan: BootPlan, timeout: float, *, config_only: bool = False) -> ProbeOutcome:
    with tempfile.TemporaryDirectory(prefix="zerodowntime-preflight-") as tmp:
        result_file = Path(tmp, "result.json")
        args = [plan.python, str(PROBE), str(result_file)]
        args += ["--config-only"] if config_only else []
        args += ["--gunicorn", *plan.gunicorn_args] if plan.gunicorn_args is not None else []
        try:
            done = subprocess.run(
                args,
                cwd=plan.cwd,
                env=plan.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = _text(exc.stdout) + _text(exc.stderr)
            return ProbeOutcome(False, {"error": f"did not boot within {timeout:g}s"}, output)
        output = done.stdout + done.stderr
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            result = {"error": f"the probe exited with status {done.returncode}"}
    return ProbeOutcome(bool(result.get("ok")), result, output)


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""


def tail(output: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


def preflight(master_pid: int, timeout: float) -> tuple[ServerConfig, BootPlan]:
    """Boot the new code once; raise ExitError(3) with its output if it fails."""
    plan = boot_plan(master_pid)
    outcome = run_probe(plan, timeout)
    if not outcome.ok:
        stage = outcome.result.get("stage", "boot")
        stage_text = {
            "config": "reading the Gunicorn config",
            "import": "importing the app",
            "checks": "Django's system checks",
        }.get(stage, stage)
        raise ExitError(
            ExitCode.PREFLIGHT_FAILED,
            f"preflight failed while {stage_text}: {outcome.result.get('error', 'unknown')}.\n"
            f"Nothing was signalled; the running release keeps serving. Fix the release and "
            f"run graceful_reload again. Output of the failed boot:\n{tail(outcome.output)}",
        )
    return outcome.config(), plan


def read_config(master_pid: int, timeout: float) -> ServerConfig:
    """The Gunicorn config without importing the app (used with --no-preflight)."""
    plan = boot_plan(master_pid)
    if plan.gunicorn_args is None:
        return ServerConfig()
    outcome = run_probe(plan, timeout, config_only=True)
    return outcome.config() if outcome.ok else ServerConfig()
