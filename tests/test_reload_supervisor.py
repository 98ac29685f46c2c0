"""graceful_reload under a real supervisord, which tracks the Gunicorn master's PID.

Gunicorn runs as docs/graceful_reload.rst shows it (program ``example``, in the
foreground); ``auto`` must pick ``rolling``, turn the workers over under load
with no failed request, and leave supervisord tracking the same, healthy
master. What stays untested here: USR2 under a real systemd PID 1 (no systemd
runs in these test machines; docs/graceful_reload.rst says so).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.harness.load import LoadClient, streams
from tests.harness.site import BIN, http_get, set_release_text
from tests.harness.supervisor import Supervised
from tests.test_reload_strategies import NEW, assert_turned_over, reload_under_load, worker_pids


@pytest.fixture
def supervised(site: Path, tmp_path: Path) -> Iterator[Supervised]:
    if not (BIN / "supervisord").exists():
        missing("supervisord is not installed (it is in the test extra: pip install -e '.[test]')")
    with Supervised(site, tmp_path / "supervisor") as supervisor:
        # Every worker booted and warmed, so none reads the new code on its first request.
        worker_pids(supervisor.master_pid, 2)
        warm = LoadClient(supervisor.url, streams(keepalive=0, new=4, slow=1))
        warm.start()
        time.sleep(0.5)
        warm.stop()
        yield supervisor


def test_auto_reloads_under_supervisord_and_it_keeps_tracking_the_master(
    site: Path, supervised: Supervised
) -> None:
    state, tracked = supervised.status()
    master = supervised.master_pid
    assert (state, tracked) == ("RUNNING", master)
    old_workers = worker_pids(master)

    set_release_text(site, NEW)
    result, report = reload_under_load(
        site,
        supervised,
        "--format",
        "json",
        "--check-url",
        supervised.url + "/healthz",  # type: ignore[arg-type]
    )
    assert_turned_over(result, report, supervised)  # type: ignore[arg-type]
    assert "strategy rolling: supervisord tracks the master's PID" in result.stderr
    assert json.loads(result.stdout)["strategy"] == "rolling"

    # supervisord still tracks the same master, which still serves, with new workers.
    assert supervised.status() == ("RUNNING", master)
    assert supervised.master_pid == master
    assert not worker_pids(master) & old_workers
    assert http_get(supervised.url, "/healthz")[0] == 200
    assert "exited" not in (supervised.state / "supervisord.log").read_text()
