"""Gunicorn run by a real supervisord, configured as docs/graceful_reload.rst shows.

supervisord (from PyPI, in the test extra) runs in the foreground in its own
session, with its control socket, logs and pidfile in a temp dir; Gunicorn is
its program ``example``, in the foreground, on a free loopback port.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from pathlib import Path
from types import TracebackType

import psutil

from tests.harness.site import BIN, free_port, site_env, wait_for_http

CONFIG = """\
[unix_http_server]
file={state}/supervisor.sock

[supervisord]
nodaemon=true
logfile={state}/supervisord.log
pidfile={state}/supervisord.pid
childlogdir={state}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{state}/supervisor.sock

; As docs/graceful_reload.rst shows it (paths and port for this test).
[program:example]
command={bin}/gunicorn -c deploy/gunicorn.conf.py
directory={project}
environment=GUNICORN_PIDFILE="{pidfile}",GUNICORN_BIND="127.0.0.1:{port}"
stopsignal=TERM
stopwaitsecs=40
autorestart=true
startsecs=1
redirect_stderr=true
stdout_logfile={state}/example.log
"""


class Supervised:
    """supervisord running the example project's Gunicorn as program ``example``."""

    def __init__(self, project_dir: Path, state_dir: Path, *, workers: int = 2) -> None:
        self.project_dir = project_dir
        self.state = state_dir
        self.workers = workers
        self.state.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pidfile = project_dir / "gunicorn.pid"
        self.config = self.state / "supervisord.conf"
        self.config.write_text(
            CONFIG.format(
                state=self.state, bin=BIN, project=project_dir, pidfile=self.pidfile, port=self.port
            )
        )
        # The program inherits supervisord's environment: the example's database,
        # drain flag and worker count, as a deploy would set them.
        self.env = site_env(project_dir, {"GUNICORN_WORKERS": str(workers)})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Supervised:
        self.process = subprocess.Popen(
            [str(BIN / "supervisord"), "-c", str(self.config)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_http(self.url, timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "supervisorctl"), "-c", str(self.config), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def status(self) -> tuple[str, int | None]:
        """(state, pid) of program ``example`` as ``supervisorctl status`` reports it."""
        line = self.ctl("status", "example").stdout
        match = re.match(r"example\s+(\w+)(?:\s+pid (\d+))?", line)
        assert match, line
        return match.group(1), int(match.group(2)) if match.group(2) else None

    @property
    def master_pid(self) -> int:
        return int(self.pidfile.read_text().strip())

    def log(self) -> str:
        path = self.state / "example.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """``supervisorctl shutdown`` (stops Gunicorn), then kill whatever is left."""
        if self.process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.ctl("shutdown")
        try:
            tree = [psutil.Process(self.process.pid)]
            tree += tree[0].children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and any(p.is_running() for p in tree):
            if self.process.poll() is not None and not any(
                p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in tree[1:]
            ):
                break
            time.sleep(0.1)
        for proc in tree:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        self.process.wait(10)
        self.process = None

    def __enter__(self) -> Supervised:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
