"""What the shipped deploy scripts need to run unchanged in a test.

``example_project/deploy/deploy-*.sh`` work on a git checkout with a
``venv/`` and a ``requirements.txt`` at its root and the project in
``example_project/``; they ``git pull`` (or ``fetch``) from a remote and
control Gunicorn through ``$SYSTEMCTL``. Here the remote is a local bare
repository, the checkout's ``venv/bin/{python,pip,gunicorn}`` run this test
run's interpreter, and ``$SYSTEMCTL`` is ``tests/harness/fake_systemctl.py``
running the shipped ``gunicorn@.service`` under a root directory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.harness.site import BIN, EXAMPLE, copy_example_project, set_release_text

DEPLOY = EXAMPLE / "deploy"
FAKE_SYSTEMCTL = Path(__file__).resolve().parent / "fake_systemctl.py"
# Already installed here, so `pip install -r` answers "already satisfied" offline.
REQUIREMENTS = "Django\ngunicorn\ndj-database-url\n"
IGNORED = "venv/\n*.pyc\n__pycache__/\n*.sqlite3\n*.pid\n*.log\n.zerodowntime-drain\n"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Tests", "-c", "user.email=tests@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    return done.stdout.strip()


class Origin:
    """A bare repository (the remote) and a working clone that commits releases to it."""

    def __init__(self, tmp: Path, settings_tail: str = "") -> None:
        self.bare = tmp / "origin.git"
        self.work = tmp / "origin-work"
        git(tmp, "init", "-q", "--bare", "-b", "main", str(self.bare))
        git(tmp, "clone", "-q", str(self.bare), str(self.work))
        git(self.work, "checkout", "-q", "-b", "main")
        project = copy_example_project(self.work)
        project.rename(self.work / "example_project")
        if settings_tail:
            settings = self.work / "example_project" / "config" / "settings.py"
            settings.write_text(settings.read_text() + settings_tail)
        (self.work / "requirements.txt").write_text(REQUIREMENTS)
        (self.work / ".gitignore").write_text(IGNORED)

    @property
    def project(self) -> Path:
        return self.work / "example_project"

    def commit(self, release_text: str) -> str:
        """Commit the code on disk with /version/ saying ``release_text``, push it,
        and return the release id the scripts compute (12 hex digits)."""
        set_release_text(self.project, release_text)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", release_text)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")[:12]

    def clone(self, target: Path) -> Path:
        """A checkout as a deploy host has it: cloned, with its venv."""
        target.parent.mkdir(parents=True, exist_ok=True)
        git(target.parent, "clone", "-q", str(self.bare), str(target))
        make_venv(target / "venv")
        return target


def make_venv(venv: Path) -> None:
    """``venv/bin/{python,pip,gunicorn}`` that run this test run's environment."""
    (venv / "bin").mkdir(parents=True)
    programs = {
        "python": f'exec {sys.executable} "$@"\n',
        "pip": f'exec {sys.executable} -m pip "$@"\n',
        "gunicorn": f'exec {BIN / "gunicorn"} "$@"\n',
    }
    for name, body in programs.items():
        path = venv / "bin" / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)


def systemctl(root: Path) -> str:
    """The value of ``$SYSTEMCTL``: the scripts split it into words."""
    return f"{sys.executable} {FAKE_SYSTEMCTL} --root {root}"


def write_instance_env(root: Path, name: str, values: Mapping[str, str]) -> None:
    """``/etc/example/NAME.env`` (gunicorn@.service's EnvironmentFile=)."""
    path = root / "etc" / "example" / f"{name}.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))


def script_env(values: Mapping[str, str]) -> dict[str, str]:
    """The scripts' environment: this one, minus what would leak into the site."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GUNICORN_", "ZERODOWNTIME_", "COVERAGE_"))
    }
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"):
        env.pop(name, None)
    env.update({"PYTHONDONTWRITEBYTECODE": "1", **values})
    return env


def run_script(
    name: str, env: Mapping[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``bash example_project/deploy/NAME ARGS``: the shipped file, unchanged."""
    return subprocess.run(
        ["bash", str(DEPLOY / name), *args],
        env=script_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_script(name: str, env: Mapping[str, str], *args: str) -> subprocess.Popen[str]:
    """The script in the background, its output merged and line-buffered for watching."""
    return subprocess.Popen(
        ["bash", str(DEPLOY / name), *args],
        env=script_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )


def end_instances(root: Path) -> None:
    """KILL every Gunicorn process group the fake systemctl started under ``root``."""
    for pgid_file in (root / "run").glob("*/pgid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pgid_file.read_text().strip()), signal.SIGKILL)


def described(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
