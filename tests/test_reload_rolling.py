"""graceful_reload --strategy rolling (TTIN/TTOU) and --force, against a real
Gunicorn serving a copy of the example project under load."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psutil

from tests.harness.load_report import assert_clean
from tests.harness.site import Gunicorn, manage, set_release_text
from tests.test_reload_strategies import (
    NEW,
    assert_turned_over,
    reload_under_load,
    served,
    serving,
    worker_pids,
)


def test_rolling_replaces_every_worker_keeping_the_master_and_the_count(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master, old_workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        set_release_text(site, NEW)
        result, report = reload_under_load(
            site, gunicorn, "--strategy", "rolling", "--format", "json",
            "--check-url", gunicorn.url + "/healthz",
        )  # fmt: skip
        assert_turned_over(result, report, gunicorn)
        document = json.loads(result.stdout)
        assert document["strategy"] == "rolling"
        assert document["old_master"] == document["new_master"] == master == gunicorn.master_pid
        now = worker_pids(master)
        assert len(now) == 2
        assert not now & old_workers
        assert sorted(now) == document["new_workers"]


def crash_every_new_worker(project: Path) -> None:
    """A release whose workers die while booting without raising (as the OOM killer
    does), so Gunicorn respawns them instead of halting."""
    set_release_text(project, NEW)
    wsgi = project / "config" / "wsgi.py"
    wsgi.write_text(
        "import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)\n" + wsgi.read_text()
    )


def test_rolling_crash_loop_takes_the_extra_worker_back_and_exits_1(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master, old_workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        crash_every_new_worker(site)
        result, report = reload_under_load(
            site, gunicorn, "--strategy", "rolling", "--no-preflight", "--timeout", "30"
        )
        assert result.returncode == 1, result.stderr + gunicorn.log()[-3000:]
        assert "crash-loops" in result.stderr
        assert "took the extra worker back: 2 of 2 old workers" in result.stderr
        assert_clean(report, min_total=1)
        assert served(gunicorn) == "release 1"
        assert gunicorn.master_pid == master
        # The count is back to 2 and those are the old workers: no more respawns.
        assert worker_pids(master) == old_workers
        assert {c.pid for c in psutil.Process(master).children()} == old_workers


def test_forced_hup_with_preload_app_warns_and_replaces_the_workers(site: Path) -> None:
    with serving(site, workers=2, preload=True) as gunicorn:
        master, old_workers = gunicorn.master_pid, worker_pids(gunicorn.master_pid)
        set_release_text(site, NEW)
        result, report = reload_under_load(
            site, gunicorn, "--strategy", "hup", "--force", "--format", "json"
        )
        assert result.returncode == 0, result.stderr + gunicorn.log()[-3000:]
        assert_clean(report, min_total=1)
        assert "warning: --force: preload_app is on" in result.stderr
        document = json.loads(result.stdout)
        assert any("stays the OLD code" in warning for warning in document["warnings"])
        assert gunicorn.master_pid == master
        assert not worker_pids(master) & old_workers


def test_force_only_applies_to_hup(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        result = manage(site, "graceful_reload", "--strategy", "usr2", "--force", check=False)
        assert result.returncode == 2, result.stderr
        assert "--force only applies to --strategy hup" in result.stderr
        assert served(gunicorn) == "release 1"


FAKE_SUPERVISOR = """\
import json
import os
import subprocess
import sys

sys.exit(subprocess.call(json.loads(os.environ["SUPERVISED_COMMAND"])))
"""


def test_auto_picks_rolling_under_a_pid_tracking_supervisor(site: Path, tmp_path: Path) -> None:
    """Gunicorn's parent is named like supervisord, which tracks its child's PID."""
    supervisor = tmp_path / "supervisord"
    supervisor.write_text(FAKE_SUPERVISOR)
    gunicorn = Gunicorn(site, workers=2)
    # Like supervisord's, its command line does not name Gunicorn.
    gunicorn.env["SUPERVISED_COMMAND"] = json.dumps(gunicorn.args)
    gunicorn.args = [sys.executable, str(supervisor)]
    with gunicorn:
        master = gunicorn.master_pid
        assert "supervisord" in " ".join(psutil.Process(master).parent().cmdline())
        worker_pids(master)
        set_release_text(site, NEW)
        result, report = reload_under_load(site, gunicorn)
        assert_turned_over(result, report, gunicorn)
        assert "strategy rolling: supervisord tracks the master's PID" in result.stderr
        assert gunicorn.master_pid == master
