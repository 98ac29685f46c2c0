"""Master validation: every bad pidfile is exit 2 and nothing is signalled."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.master import find_master, read_pidfile
from django_zerodowntime.reload.outcome import ExitCode
from tests.harness.site import Gunicorn, copy_example_project, manage


def reload_exit(pidfile: Path) -> tuple[int, str]:
    with pytest.raises(CommandError) as caught:
        call_command("graceful_reload", "--pidfile", str(pidfile), "--no-preflight")
    return caught.value.returncode, str(caught.value)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated process (not Gunicorn)."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    project = copy_example_project(tmp_path_factory.mktemp("master"))
    manage(project, "migrate", "-v0")
    with Gunicorn(project, workers=1) as server:
        yield server


def test_missing_pidfile__exit_2_after_a_short_grace(tmp_path: Path) -> None:
    """A pidfile rewritten by HUP may be absent a moment: it is re-read, then refused."""
    code, message = reload_exit(tmp_path / "gunicorn.pid")
    assert code == ExitCode.BAD_INPUT
    assert "no pidfile at" in message


@pytest.mark.parametrize(("content", "expected"), [("", "is empty"), ("abc\n", "does not hold")])
def test_empty_or_garbage_pidfile__exit_2(tmp_path: Path, content: str, expected: str) -> None:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(content)
    with pytest.raises(ExitError) as caught:
        read_pidfile(pidfile, grace=0)
    assert caught.value.code == ExitCode.BAD_INPUT
    assert expected in caught.value.message


def test_dead_pid__exit_2_stale_pidfile(tmp_path: Path) -> None:
    process = subprocess.Popen(["true"])
    process.wait()
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{process.pid}\n")
    code, message = reload_exit(pidfile)
    assert code == ExitCode.BAD_INPUT
    assert "is not running" in message


def test_pid_1__exit_2_never_signalled(tmp_path: Path) -> None:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text("1\n")
    code, message = reload_exit(pidfile)
    assert code == ExitCode.BAD_INPUT
    assert "init process" in message


def test_unrelated_process__exit_2_not_gunicorn(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{sleeper.pid}\n")
    code, message = reload_exit(pidfile)
    assert code == ExitCode.BAD_INPUT
    assert "is not Gunicorn" in message
    assert sleeper.poll() is None


def test_reused_pid__exit_2_when_process_is_younger_than_the_pidfile(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{sleeper.pid}\n")
    written = psutil.Process(sleeper.pid).create_time() - 60
    os.utime(pidfile, (written, written))
    code, message = reload_exit(pidfile)
    assert code == ExitCode.BAD_INPUT
    assert "PID was reused" in message


def test_worker_pid__exit_2_not_the_master(gunicorn: Gunicorn, tmp_path: Path) -> None:
    worker = psutil.Process(gunicorn.master_pid).children()[0].pid
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{worker}\n")
    code, message = reload_exit(pidfile)
    assert code == ExitCode.BAD_INPUT
    assert "is a Gunicorn worker" in message


def test_real_master_is_accepted(gunicorn: Gunicorn) -> None:
    found = find_master(gunicorn.pidfile)
    assert found.pid == gunicorn.master_pid


def as_nobody(action: Callable[[], object]) -> str:
    """Run ``action`` in a forked child that dropped to user nobody; its exit code + message."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (measured in the child only)
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                action()
                answer = "0 accepted"
            except ExitError as error:
                answer = f"{int(error.code)} {error.message}"
            os.write(write_end, answer.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        answer = pipe.read()
    os.waitpid(child, 0)
    return answer


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_master_of_another_user__exit_2_permission_denied() -> None:
    """Run as nobody against a root-owned process that looks like Gunicorn."""
    target = subprocess.Popen(["bash", "-c", "exec -a gunicorn sleep 60"])
    directory = tempfile.mkdtemp(prefix="zerodowntime-eperm-")
    try:
        os.chmod(directory, 0o755)
        pidfile = Path(directory, "gunicorn.pid")
        pidfile.write_text(f"{target.pid}\n")
        os.chmod(pidfile, 0o644)
        time.sleep(0.1)  # the pidfile must not look older than the process
        os.utime(pidfile)
        answer = as_nobody(lambda: find_master(pidfile))
        assert answer.startswith("2 permission denied"), answer
        assert target.poll() is None
    finally:
        target.kill()
        target.wait()
        shutil.rmtree(directory, ignore_errors=True)
