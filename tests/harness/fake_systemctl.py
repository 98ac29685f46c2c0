"""A stand-in for ``systemctl`` that runs the shipped ``gunicorn@.service`` for real.

The deploy scripts call ``$SYSTEMCTL is-active --quiet gunicorn@NAME``,
``start`` and ``reload``. This reads the shipped unit (``ExecStart=``,
``ExecReload=``, ``Environment=``, ``EnvironmentFile=``,
``WorkingDirectory=``, ``PIDFile=``), moves its system paths under
``--root`` (``/srv`` → ``ROOT/srv``, ``/run``, ``/var/lib``, ``/etc``) and
runs those commands against real Gunicorn processes: the reload is the
unit's own ``graceful_reload`` line. Used as
``SYSTEMCTL="python fake_systemctl.py --root ROOT"``.

What systemd does and this does not: no cgroup, no notify socket, no main-PID
tracking. The started master is orphaned (its parent is PID 1 or a
subreaper), so ``graceful_reload --strategy auto`` picks USR2 here where
systemd makes it pick ``rolling``.

A test-only key in the instance's env file, ``NETNS=NAME``, runs the
instance's commands inside that network namespace (``ip netns exec``): a
host of its own.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

UNITS = Path(__file__).resolve().parents[2] / "example_project" / "deploy"
SYSTEM_PATH = re.compile(r"(?<![\w/.])/(srv|run|var/lib|etc)/")


@dataclass(frozen=True)
class Unit:
    """One instance of the template unit, its paths moved under the root."""

    working_directory: str
    environment: dict[str, str]
    exec_start: str
    exec_reload: str
    pidfile: Path
    netns: str | None


def load_unit(root: Path, name: str) -> Unit:
    template, _, instance = name.partition("@")
    text = (UNITS / f"{template}@.service").read_text()

    def resolve(value: str) -> str:
        value = value.replace("%i", instance).replace("%H", socket.gethostname())
        return SYSTEM_PATH.sub(lambda m: f"{root}/{m.group(1)}/", value)

    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", "[")):
            settings.setdefault(key, []).append(resolve(value))
    environment = {"PATH": os.environ["PATH"]}
    for assignment in settings.get("Environment", []):
        key, _, value = assignment.partition("=")
        environment[key] = value
    for path in settings.get("EnvironmentFile", []):
        for line in Path(path).read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                environment[key.strip()] = value.strip()
    netns = environment.pop("NETNS", None)
    return Unit(
        working_directory=settings["WorkingDirectory"][0],
        environment=environment,
        exec_start=settings["ExecStart"][0],
        exec_reload=expand(settings["ExecReload"][0], environment),
        pidfile=Path(settings["PIDFile"][0]),
        netns=netns,
    )


def expand(command: str, environment: dict[str, str]) -> str:
    """systemd's ``${VAR}`` in a command line."""
    return re.sub(r"\$\{(\w+)\}", lambda m: environment.get(m.group(1), ""), command)


def argv(unit: Unit, command: str) -> list[str]:
    words = command.split()
    return ["ip", "netns", "exec", unit.netns, *words] if unit.netns else words


def master_alive(unit: Unit) -> bool:
    try:
        pid = int(unit.pidfile.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def start(unit: Unit) -> int:
    """ExecStart=, left running; ready (as Type=notify) once the pidfile is written
    and ``/livez`` answers. The process group is kept for the test to end."""
    unit.pidfile.parent.mkdir(parents=True, exist_ok=True)
    Path(unit.environment["ZERODOWNTIME_DRAIN_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    with (unit.pidfile.parent / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(
            argv(unit, unit.exec_start),
            cwd=unit.working_directory,
            env=unit.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (unit.pidfile.parent / "pgid").write_text(f"{process.pid}\n")
    url = f"http://{unit.environment['GUNICORN_BIND']}/livez"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return 1
        if master_alive(unit) and answers(url):
            return 0
        time.sleep(0.1)
    return 1


def answers(url: str) -> bool:
    """A host's address is reachable from the root namespace (tests/harness/netns.py)."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def stop(unit: Unit) -> int:
    if master_alive(unit):
        os.kill(int(unit.pidfile.read_text().strip()), signal.SIGTERM)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("verb", choices=["is-active", "start", "reload", "stop"])
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("unit")
    args = parser.parse_args()
    unit = load_unit(args.root, args.unit)
    if args.verb == "is-active":
        return 0 if master_alive(unit) else 3
    if args.verb == "start":
        return 0 if master_alive(unit) else start(unit)
    if args.verb == "stop":
        return stop(unit)
    print(f"fake systemctl: {unit.exec_reload}", file=sys.stderr, flush=True)
    return subprocess.run(
        argv(unit, unit.exec_reload), cwd=unit.working_directory, env=unit.environment, check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
