"""graceful_reload when the new workers take longer to boot than --timeout allows.

A real Gunicorn serves a copy of the example project; the new release's WSGI module
sleeps 4 s as a worker boots, and --timeout is 1 s, so no turnover can finish in time.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from tests.harness.site import manage, set_release_text
from tests.test_reload_strategies import NEW, served, serving, worker_pids


def slow_release(site: Path) -> None:
    set_release_text(site, NEW)
    module = site / "config" / "wsgi.py"  # imported as each worker boots
    module.write_text("import time\n\ntime.sleep(4)\n" + module.read_text())


def test_hup_past_the_timeout_exits_4_and_says_the_turnover_is_unfinished(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        slow_release(site)
        result = manage(
            site, "graceful_reload", "--strategy", "hup", "--no-preflight", "--timeout", "1",
            check=False,
        )  # fmt: skip
        assert result.returncode == 4, result.stderr
        assert "after 1s (HUP): the turnover is not finished" in result.stderr
        assert gunicorn.master_pid == master


def test_rolling_past_the_timeout_takes_the_new_worker_back_and_exits_4(site: Path) -> None:
    """The unbooted new worker is taken back; the old workers of release 1 keep serving."""
    with serving(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        old = worker_pids(master)
        slow_release(site)
        result = manage(
            site, "graceful_reload", "--strategy", "rolling", "--no-preflight", "--timeout", "1",
            check=False,
        )  # fmt: skip
        assert result.returncode == 4, result.stderr
        assert "within --timeout 1s; taking the extra worker back" in result.stderr
        assert "old workers (the previous release)" in result.stderr
        assert gunicorn.master_pid == master
        assert old <= {child.pid for child in psutil.Process(master).children()}
        assert served(gunicorn) == "release 1"


def test_usr2_past_the_timeout_rolls_back_to_the_old_master_and_exits_4(site: Path) -> None:
    with serving(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        slow_release(site)
        result = manage(
            site, "graceful_reload", "--strategy", "usr2", "--no-preflight", "--timeout", "1",
            check=False,
        )  # fmt: skip
        assert result.returncode == 4, result.stderr
        assert "within --timeout 1s. Rolled back: the new master was stopped" in result.stderr
        assert gunicorn.master_pid == master
        assert not Path(f"{gunicorn.pidfile}.2").exists()
        assert served(gunicorn) == "release 1"
