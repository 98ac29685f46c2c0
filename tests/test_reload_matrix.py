"""Every strategy with every worker class, under load: what docs/graceful_reload.rst
promises. Twelve real reloads take minutes, so the matrix runs in the slow suite
(once per `.ci/run`); the default run keeps one reload per strategy and per class
(test_reload_strategies.py, test_reload_rolling.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import require_module
from tests.harness.site import set_release_text
from tests.test_reload_strategies import (
    NEW,
    assert_turned_over,
    reload_under_load,
    serving,
    without_uvicorn_race,
)

STRATEGIES = ["usr2", "hup", "rolling", "auto"]
WORKER_CLASSES: dict[str, dict[str, object]] = {
    "sync": {},
    "gthread": {"worker_class": "gthread", "threads": 4},
    "uvicorn": {
        "worker_class": "uvicorn.workers.UvicornWorker",
        "extra_args": ["config.asgi:application"],
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("worker_class", list(WORKER_CLASSES))
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_turns_over_every_worker_class_under_load(
    site: Path, strategy: str, worker_class: str
) -> None:
    if worker_class == "uvicorn":
        require_module("uvicorn")
    with serving(site, workers=2, **WORKER_CLASSES[worker_class]) as gunicorn:  # type: ignore[arg-type]
        master = gunicorn.master_pid
        set_release_text(site, NEW)
        result, report = reload_under_load(
            site, gunicorn, "--strategy", strategy, "--format", "json",
            "--check-url", gunicorn.url + "/healthz",
        )  # fmt: skip
        if worker_class == "uvicorn":
            report = without_uvicorn_race(report)
        assert_turned_over(result, report, gunicorn)
        document = json.loads(result.stdout)
        chosen = "usr2" if strategy == "auto" else strategy  # no supervisor here
        assert document["strategy"] == chosen
        keeps_master = chosen in ("hup", "rolling")
        assert (gunicorn.master_pid == master) is keeps_master
