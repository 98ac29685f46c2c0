"""graceful_reload where it must stop early, and its boot probe in real subprocesses.

The strategies themselves run against real Gunicorn masters in
tests/test_reload_strategies.py; here the refusals and the preflight's ways of
failing, each with the exit code and message the command gives.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.check_url import confirm_release
from django_zerodowntime.reload.choice import choose
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.preflight import BootPlan, ServerConfig, run_probe
from django_zerodowntime.reload.processes import ProcId
from django_zerodowntime.reload.report import is_new_master, send
from django_zerodowntime.reload.rollout import record_reload_rollout
from tests.harness.site import copy_example_project


def reload_error(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("graceful_reload", *args)
    return caught.value


def test_no_pidfile_anywhere__exit_2() -> None:
    error = reload_error("--no-preflight")
    assert error.returncode == ExitCode.BAD_INPUT
    assert "no pidfile: pass --pidfile" in str(error)


def test_a_timeout_of_zero__exit_2(tmp_path: Path) -> None:
    error = reload_error("--pidfile", str(tmp_path / "g.pid"), "--timeout", "0")
    assert error.returncode == ExitCode.BAD_INPUT
    assert "--timeout must be more than 0" in str(error)


def test_signalling_a_master_that_exited__server_down() -> None:
    process = subprocess.Popen(["true"])
    process.wait()
    with pytest.raises(ExitError) as caught:
        send(ProcId(process.pid, 0.0), signal.SIGHUP)
    assert caught.value.code == ExitCode.SERVER_DOWN
    assert "the site may be DOWN" in caught.value.message


def test_a_child_named_by_the_usr2_pidfile_is_the_new_master(tmp_path: Path) -> None:
    child = subprocess.Popen(["sleep", "60"])
    try:
        pidfile2 = tmp_path / "gunicorn.pid.2"
        assert not is_new_master(child.pid, os.getpid(), str(pidfile2))  # not written yet
        pidfile2.write_text(f"{child.pid}\n")
        assert is_new_master(child.pid, os.getpid(), str(pidfile2))
        pidfile2.write_text("1\n")
        assert not is_new_master(child.pid, os.getpid(), str(pidfile2))
    finally:
        child.kill()
        child.wait()


def test_a_child_started_with_gunicorn_pid_of_its_parent_is_the_new_master() -> None:
    """Gunicorn's USR2 exec passes GUNICORN_PID=<old master> to the new master."""
    parent = str(os.getpid())
    child = subprocess.Popen(["sleep", "60"], env={**os.environ, "GUNICORN_PID": parent})
    worker = subprocess.Popen(["sleep", "60"], env={**os.environ, "GUNICORN_PID": "1"})
    try:
        assert is_new_master(child.pid, os.getpid())
        assert not is_new_master(worker.pid, os.getpid())
    finally:
        for process in (child, worker):
            process.kill()
            process.wait()


def test_auto_with_an_unreadable_config_chooses_usr2_and_says_why() -> None:
    strategy, reason = choose("auto", ServerConfig(preload_app=None), None)
    assert strategy == "usr2"
    assert "preload_app is unknown" in reason


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example_project(tmp_path)


def probe_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}


def test_without_gunicorn_arguments_the_probe_loads_wsgi_application(project: Path) -> None:
    """A master titled by setproctitle hides its arguments: Django's WSGI_APPLICATION is
    imported instead, and the system checks run."""
    outcome = run_probe(BootPlan(sys.executable, str(project), probe_env(), None), timeout=120)
    assert outcome.ok, outcome.output
    assert outcome.result["app_uri"] == "config.wsgi.application"
    assert outcome.result["stage"] == "checks"


def test_a_release_whose_wsgi_application_fails_to_import_fails_at_import(
    project: Path,
) -> None:
    (project / "config" / "wsgi.py").write_text("raise ImportError('release 2 is broken')\n")
    outcome = run_probe(BootPlan(sys.executable, str(project), probe_env(), None), timeout=120)
    assert not outcome.ok
    assert outcome.result["stage"] == "import"
    assert "release 2 is broken" in outcome.result["error"]


def test_a_config_that_hangs_is_cut_at_the_timeout(project: Path) -> None:
    (project / "hang.conf.py").write_text(
        "import time\nprint('reading the config', flush=True)\ntime.sleep(60)\n"
    )
    plan = BootPlan(sys.executable, str(project), probe_env(), ["-c", "hang.conf.py", "x:y"])
    outcome = run_probe(plan, timeout=3)
    assert not outcome.ok
    assert outcome.result == {"error": "did not boot within 3s"}
    assert "reading the config" in outcome.output  # what it printed before it hung


def test_an_interpreter_that_writes_no_result_is_a_failure(project: Path) -> None:
    plan = BootPlan("/bin/false", str(project), probe_env(), None)
    outcome = run_probe(plan, timeout=30)
    assert not outcome.ok
    assert outcome.result == {"error": "the probe exited with status 1"}


def test_a_check_url_that_never_answers_after_an_in_place_turnover_is_a_timeout() -> None:
    """Nothing is left to roll back to after HUP or rolling: exit 4, naming the URL."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/healthz"
    with pytest.raises(ExitError) as caught:
        confirm_release(url, "r2", deadline=time.monotonic() + 0.3)
    assert caught.value.code == ExitCode.TIMED_OUT
    assert f"the workers turned over, but {url} never answered 200" in caught.value.message
    assert confirm_release(None, "r2", deadline=time.monotonic()) is None


def test_a_rollout_the_ledger_cannot_take_is_a_warning_not_a_failure(settings: Any) -> None:
    """The reload itself succeeded: a ledger that cannot be written only warns."""
    settings.ZERODOWNTIME = {**settings.ZERODOWNTIME, "LEDGER_DATABASE": "nowhere"}
    warnings: list[str] = []
    assert record_reload_rollout("r2", warnings.append) is False
    [warning] = warnings
    assert warning.startswith("the reload succeeded but recording the rollout failed")
    assert "safe_migrate --mark-live" in warning
