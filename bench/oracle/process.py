"""A release, and a worker process of its code that the driver sends requests to."""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.oracle.scratch import Database

WORKER = Path(__file__).resolve().parent / "worker.py"
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Release:
    """One code tree: its Python (virtualenv), settings module and the apps to exercise.

    ``apps`` are app labels: the old release fills and exercises every model of
    them (the new release's are not used). ``name`` is the release id the
    ledger records (``--release``).

    ``pythonpath`` is put in front of the worker's ``sys.path`` (the project's
    code, when it is not installed in the virtualenv); this checkout is added
    after it so ``safe_migrate`` is found. ``overrides`` are settings set
    before Django starts (JSON values), e.g. ``MIGRATION_MODULES``.
    """

    name: str
    python: str
    settings: str
    apps: tuple[str, ...]
    pythonpath: tuple[str, ...] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None


class OracleError(RuntimeError):
    """The oracle could not establish the truth (a worker failed to start or answer)."""


class WorkerProcess:
    def __init__(self, release: Release, process: subprocess.Popen[str], log: Path) -> None:
        self.release = release
        self.process = process
        self.log = log

    def request(self, command: str, timeout: float = 900, **arguments: Any) -> Any:
        """Send one request; its result, or OracleError with the worker's own words."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"command": command, **arguments}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise OracleError(self.failure(f"{command}: the worker is gone")) from None
        return self.answer(command, timeout)

    def answer(self, what: str, timeout: float) -> Any:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            reason = "no answer in time" if not ready else "the worker exited"
            raise OracleError(self.failure(f"{what}: {reason}"))
        message = json.loads(line)
        if not message["ok"]:
            raise OracleError(self.failure(f"{what}: {message['error']}\n{message['trace']}"))
        return message["result"]

    def failure(self, what: str) -> str:
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        return f"release {self.release.name!r}, {what}\n--- its stderr ---\n{tail}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def worker(release: Release, database: Database, *, logs: Path) -> Iterator[WorkerProcess]:
    """A worker of ``release`` on ``database``, stopped on the way out."""
    config = {
        "settings": release.settings,
        "database": database.settings,
        "overrides": dict(release.overrides),
        "apps": list(release.apps),
        "zerodowntime": True,
    }
    path = os.pathsep.join([*release.pythonpath, str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {
        **os.environ,
        **release.env,
        "ZDT_ORACLE_CONFIG": json.dumps(config),
        "DJANGO_SETTINGS_MODULE": release.settings,
        "DATABASE_URL": database.url,
        "PYTHONPATH": path.rstrip(os.pathsep),
    }
    log = Path(tempfile.mkstemp(prefix=f"oracle-{release.name}-", suffix=".log", dir=logs)[1])
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [release.python, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=release.cwd or str(REPO),
            env=env,
        )
    handle = WorkerProcess(release, process, log)
    try:
        yield handle
    finally:
        handle.stop()
