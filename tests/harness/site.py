"""A copy of the example project, served by a real Gunicorn on loopback."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example_project"
BIN = Path(sys.executable).parent
# Plain HTTP probes and load carry this, as Nginx would (SECURE_SSL_REDIRECT is on).
HTTPS_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_example_project(dest: Path) -> Path:
    """Copy example_project into ``dest`` (without local state) and return its path."""
    target = Path(dest) / "site"
    shutil.copytree(
        EXAMPLE,
        target,
        ignore=shutil.ignore_patterns(
            "__pycache__",
            "*.sqlite3",
            "*.pid",
            "*.pid.2",
            ".zerodowntime-drain",
            "*.log",
            "RELEASE",
        ),
    )
    return target


def set_release_text(project_dir: Path, text: str) -> None:
    """Change the text the site serves at /version/ (a new release of the code)."""
    (project_dir / "blog" / "release.py").write_text(f"RELEASE_TEXT = {text!r}\n")


def set_release_id(project_dir: Path, release: str) -> None:
    """The releaseId the code on disk reports (the example reads its RELEASE file)."""
    (project_dir / "RELEASE").write_text(release + "\n")


# blog.Post's `subtitle` across releases (the docs' worked example): added,
# marked unused, then deleted.
SUBTITLE = "    subtitle = models.CharField(max_length=200, blank=True, null=True)\n"
RETIRED = "    subtitle = unused(models.CharField(max_length=200, blank=True, null=True))\n"
_TITLE = "    title = models.CharField(max_length=200)\n"
_UNUSED_IMPORT = "from django_zerodowntime import unused\n"


def set_subtitle(project_dir: Path, line: str) -> None:
    """Make blog/models.py declare ``line`` (SUBTITLE, RETIRED or "") after ``title``."""
    models_py = project_dir / "blog" / "models.py"
    text = models_py.read_text().replace(SUBTITLE, "").replace(RETIRED, "")
    text = text.replace(_UNUSED_IMPORT, "")
    if line == RETIRED:
        text = _UNUSED_IMPORT + text
    models_py.write_text(text.replace(_TITLE, _TITLE + line))


def site_env(project_dir: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the example site runs with: its own DB, drain file, pidfile."""
    result = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    result.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "sqlite:///" + str(project_dir / "db.sqlite3"),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "GUNICORN_PIDFILE": str(project_dir / "gunicorn.pid"),
            "ZERODOWNTIME_DRAIN_FILE": str(project_dir / ".zerodowntime-drain"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    result.pop("COVERAGE_PROCESS_START", None)
    result.update(env or {})
    return result


def manage(
    project_dir: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python manage.py ARGS`` in the project, as a deploy script would."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project_dir,
        env=site_env(project_dir, env),
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def http_get(
    url: str, path: str, headers: Mapping[str, str] | None = None, timeout: float = 5
) -> tuple[int, bytes]:
    host, _, port = url.removeprefix("http://").partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path, headers={**HTTPS_HEADERS, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for_http(url: str, path: str = "/version/", timeout: float = 30) -> bytes:
    """Wait until ``url + path`` answers 200; return the body."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            status, body = http_get(url, path, timeout=2)
            if status == 200:
                return body
            last = status
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"{url}{path} did not answer 200 within {timeout}s (last: {last!r})")


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py`` for a project copy, in its own session
    so that stop() can end every process it led to (USR2 children included)."""

    def __init__(
        self,
        project_dir: Path,
        *,
        port: int | None = None,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
        preload: bool = False,
        max_requests: int = 0,
        env: Mapping[str, str] | None = None,
        extra_args: Iterable[str] = (),
    ) -> None:
        self.project_dir = Path(project_dir)
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pidfile = self.project_dir / "gunicorn.pid"
        self.log_path = self.project_dir / "gunicorn.log"
        self.env = site_env(
            self.project_dir,
            {
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(workers),
                "GUNICORN_WORKER_CLASS": worker_class,
                "GUNICORN_THREADS": str(threads),
                "GUNICORN_PRELOAD": "1" if preload else "0",
                "GUNICORN_MAX_REQUESTS": str(max_requests),
                "GUNICORN_GRACEFUL_TIMEOUT": "10",
                **(env or {}),
            },
        )
        self.args = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", *extra_args]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> Gunicorn:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.args,
            cwd=self.project_dir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        try:
            wait_for_http(self.url, timeout=timeout)
            self._wait_pidfile(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_pidfile(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pidfile.exists() and self.pidfile.read_text().strip():
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.pidfile} was not written")

    @property
    def master_pid(self) -> int:
        return int(self.pidfile.read_text().strip())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        """TERM the whole session, then KILL what is left after ``timeout``."""
        if self.process is None:
            return
        pgid = self.process.pid
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            if _group_gone(pgid, wait):
                break
        if self.process.poll() is None:
            self.process.wait(5)
        self.process = None

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        # Reap our direct child if it has exited, or killpg keeps seeing a zombie.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pgid, os.WNOHANG)
        time.sleep(0.05)
    return False
