"""graceful_reload against a real Gunicorn serving a copy of the example
project, with the load client counting every failed request."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psutil
import pytest

from django_zerodowntime.reload.processes import heartbeat_booted
from tests.conftest import require_module
from tests.harness.load import LoadClient, streams
from tests.harness.load_report import LoadReport, assert_clean
from tests.harness.site import (
    Gunicorn,
    http_get,
    manage,
    set_release_text,
    site_env,
)

NEW = "release 2"
KEEPALIVE_THREADS = 2  # in the load client's default streams


def served(gunicorn: Gunicorn) -> str:
    return http_get(gunicorn.url, "/version/")[1].decode()


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def worker_pids(master_pid: int, count: int = 2) -> set[int]:
    """The master's workers, once all ``count`` have booted (the harness waits for one)."""
    deadline = time.monotonic() + 30
    while True:
        pids = {child.pid for child in psutil.Process(master_pid).children()}
        booted = [pid for pid in pids if heartbeat_booted(pid)]
        if len(booted) >= count or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


@contextlib.contextmanager
def serving(project: Path, **options: Any) -> Iterator[Gunicorn]:
    """Gunicorn with all its workers booted, each having served a request.

    Django imports the URLconf (and so the views) on a worker's first
    request: a worker that never served one would read the NEW code from disk.
    """
    with Gunicorn(project, **options) as gunicorn:
        worker_pids(gunicorn.master_pid, options.get("workers", 2))
        warm = LoadClient(gunicorn.url, streams(keepalive=0, new=4, slow=1))
        warm.start()
        time.sleep(0.5)
        warm.stop()
        yield gunicorn


def reload_under_load(
    project: Path, gunicorn: Gunicorn, *args: str, env: Mapping[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], LoadReport]:
    """Run graceful_reload while the load client runs; the load report covers it all."""
    load = LoadClient(gunicorn.url).start()
    try:
        time.sleep(0.5)  # some steady state before the reload
        result = manage(project, "graceful_reload", *args, env=env, check=False, timeout=180)
        time.sleep(0.5)  # and some after it
    finally:
        report = load.stop()
    return result, report


def assert_turned_over(
    result: subprocess.CompletedProcess[str], report: LoadReport, gunicorn: Gunicorn
) -> None:
    assert result.returncode == 0, result.stderr + gunicorn.log()[-3000:]
    # Sync workers close every connection: a resend would be a bug. Threaded and
    # Uvicorn workers keep them open, and each keep-alive thread may find its idle
    # one closed by each retiring worker: its resend can land on another old worker
    # that retires next (seen in CI: 3 resends, 2 threads, 2 old workers).
    assert_clean(report, max_resends=KEEPALIVE_THREADS * gunicorn.workers)
    assert served(gunicorn) == NEW
    assert report.last_body("get-new") == NEW


def test_usr2_turns_over_sync_workers_with_zero_failures(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        old_master = gunicorn.master_pid
        set_release_text(site, NEW)
        result, report = reload_under_load(
            site, gunicorn, "--strategy", "usr2", "--format", "json",
            "--check-url", gunicorn.url + "/healthz",
        )  # fmt: skip
        assert_turned_over(result, report, gunicorn)
        document = json.loads(result.stdout)
        assert document["strategy"] == "usr2"
        assert document["old_master"] == old_master
        assert document["new_master"] == gunicorn.master_pid != old_master
        assert len(document["new_workers"]) == 2
        assert document["rollout_recorded"] is True
        assert gone(old_master)  # the harness's direct child: a zombie until reaped
        assert not Path(str(gunicorn.pidfile) + ".2").exists()


def test_hup_turns_over_with_zero_failures(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master, old_workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn, "--strategy", "hup")
        assert_turned_over(result, report, gunicorn)
        assert gunicorn.master_pid == master
        assert not worker_pids(master) & old_workers


def test_auto_picks_usr2_for_gthread_workers_and_says_why(site: Path) -> None:
    with serving(site, workers=2, worker_class="gthread", threads=4) as gunicorn:
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn)
        assert_turned_over(result, report, gunicorn)
        assert "strategy usr2: rollback-safe" in result.stderr


def test_usr2_loads_new_code_with_preload_app(site: Path) -> None:
    with serving(site, workers=2, preload=True) as gunicorn:
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn)
        assert_turned_over(result, report, gunicorn)
        assert "preload_app is on" in result.stderr


@pytest.mark.parametrize("strategy", ["hup", "rolling"])
def test_in_place_strategies_refuse_preload_app_and_signal_nothing(
    site: Path, strategy: str
) -> None:
    """Exit 2: with preload_app, workers forked by the same master keep the old code."""
    with serving(site, workers=2, preload=True) as gunicorn:
        master, workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        set_release_text(site, NEW)
        result = manage(site, "graceful_reload", "--strategy", strategy, check=False)
        assert result.returncode == 2, result.stderr
        assert "preload_app is on" in result.stderr
        assert (gunicorn.master_pid, worker_pids(master)) == (master, workers)


def test_usr2_tolerates_max_requests_recycling(site: Path) -> None:
    env = {"GUNICORN_MAX_REQUESTS_JITTER": "10"}
    with serving(site, workers=2, max_requests=30, env=env) as gunicorn:
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn, "--strategy", "usr2")
        assert_turned_over(result, report, gunicorn)


def test_uvicorn_worker_class_turns_over(site: Path) -> None:
    require_module("uvicorn")
    with serving(
        site, workers=2, worker_class="uvicorn.workers.UvicornWorker",
        extra_args=["config.asgi:application"],
    ) as gunicorn:  # fmt: skip
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn)
        assert_turned_over(result, without_uvicorn_race(report), gunicorn)


UVICORN_RACE = ("RemoteDisconnected", "ConnectionResetError")


def without_uvicorn_race(report: LoadReport) -> LoadReport:
    """Uvicorn's graceful shutdown closes every connection with no request in
    progress (uvicorn/server.py shutdown -> protocol shutdown()), including one
    accepted a moment earlier whose request it has not parsed yet: now and then an
    empty answer (or, if the request was already in the socket, a reset) on a NEW
    connection, whatever retires the worker. That one uvicorn race is tolerated, at
    most twice per reload (documented in docs/graceful_reload.rst); any other failure,
    on any other kind of connection, is not."""
    race = [
        s
        for s in report.failures
        if s.stream == "get-new" and any(name in s.error for name in UVICORN_RACE)
    ]
    assert len(race) <= 2, report.summary()
    explained = {id(s) for s in race}
    return report.where(lambda s: id(s) not in explained)


BROKEN_RELEASES = {
    "import_error": ("blog/release.py", "import module_that_does_not_exist\n"),
    # Middleware is loaded by the WSGI handler, so manage.py itself still runs.
    "settings_error": ("config/settings.py", "MIDDLEWARE += ['blog.no_such.Middleware']\n"),
    "failing_system_check": (
        "blog/models.py",
        "from django.core import checks\n\n\n@checks.register\n"
        "def release_2_is_broken(app_configs, **kwargs):\n"
        "    return [checks.Error('release 2 is broken', id='blog.E001')]\n",
    ),
}


def break_release(project: Path, case: str) -> None:
    set_release_text(project, NEW)
    relative, code = BROKEN_RELEASES[case]
    path = project / relative
    path.write_text(path.read_text() + "\n" + code)


@pytest.mark.parametrize("case", sorted(BROKEN_RELEASES))
def test_broken_release_fails_preflight_and_changes_nothing(site: Path, case: str) -> None:
    with serving(site, workers=2) as gunicorn:
        master, workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        break_release(site, case)
        result = manage(site, "graceful_reload", check=False)
        assert result.returncode == 3, result.stderr
        assert "preflight failed" in result.stderr
        assert "Nothing was signalled" in result.stderr
        assert (gunicorn.master_pid, worker_pids(master)) == (master, workers)
        assert served(gunicorn) == "release 1"


def test_broken_release_without_preflight_rolls_back_usr2(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        break_release(site, "settings_error")  # fails in the worker boot
        result, report = reload_under_load(
            site, gunicorn, "--strategy", "usr2", "--no-preflight", "--timeout", "30"
        )
        assert result.returncode == 1, result.stderr
        assert "Rolled back" in result.stderr
        assert_clean(report, min_total=1)
        assert gunicorn.master_pid == master
        assert served(gunicorn) == "release 1"
        assert not Path(str(gunicorn.pidfile) + ".2").exists()
        assert len(psutil.Process(master).children()) == 2


def test_master_killed_during_the_watch_exits_5(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        old = worker_pids(master)
        set_release_text(site, NEW)
        slow_boot = site / "blog" / "release.py"
        slow_boot.write_text("import time\n\ntime.sleep(4)\n" + slow_boot.read_text())
        command = subprocess.Popen(
            [sys.executable, "manage.py", "graceful_reload", "--strategy", "hup",
             "--no-preflight", "--timeout", "60"],
            cwd=site, env=site_env(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            wait_until(lambda: bool(worker_pids(master) - old), timeout=30)
            os.kill(master, signal.SIGKILL)
            _, stderr = command.communicate(timeout=60)
        finally:
            if command.poll() is None:
                command.kill()
        assert command.returncode == 5, stderr
        assert "DOWN" in stderr


def wait_until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.mark.slow
def test_five_reloads_in_a_row_with_zero_failures(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        load = LoadClient(gunicorn.url).start()
        try:
            for number, strategy in enumerate(["usr2", "hup", "auto", "usr2", "auto"], start=2):
                set_release_text(site, f"release {number}")
                result = manage(site, "graceful_reload", "--strategy", strategy, check=False)
                assert result.returncode == 0, result.stderr
                assert served(gunicorn) == f"release {number}"
        finally:
            report = load.stop()
        assert_clean(report)


@pytest.mark.slow
def test_usr2_and_hup_with_setproctitle_installed(site: Path, tmp_path: Path) -> None:
    """setproctitle rewrites titles and hides argv and environ from /proc.

    It is not in the test venv: pip puts it in a directory that only this
    Gunicorn sees (PYTHONPATH), which needs the package registry (slow).
    """
    target = tmp_path / "with-setproctitle"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "setproctitle"],
        check=True,
        timeout=300,
    )
    with serving(site, workers=2, env={"PYTHONPATH": str(target)}) as gunicorn:
        assert " ".join(psutil.Process(gunicorn.master_pid).cmdline()).startswith(
            "gunicorn: master"
        )
        for number, strategy in ((2, "usr2"), (3, "hup")):
            set_release_text(site, f"release {number}")
            result, report = reload_under_load(site, gunicorn, "--strategy", strategy)
            assert result.returncode == 0, result.stderr + gunicorn.log()[-3000:]
            assert "settings.WSGI_APPLICATION" in result.stderr  # argv hidden: fallback
            assert_clean(report)
            assert served(gunicorn) == f"release {number}"
