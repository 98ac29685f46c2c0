"""Benchmark: what our app costs a web worker, for one or more source trees side by side.

For each tree (a checkout of django-zerodowntime, put first on PYTHONPATH so
its package is the one imported): the example project under a real Gunicorn
(1 sync worker, heartbeats on), one /healthz (it writes a heartbeat) and one
page; then the worker's memory (RSS and USS, psutil). Import time: a fresh Python importing
the example's ``config.wsgi`` (Django set up, our WSGI wrapper), median of N.

Run: .venv/bin/python bench/worker_footprint.py [--tree PATH ...] [--runs 15]
(default: this checkout only). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.site import Gunicorn, copy_example_project, http_get, manage  # noqa: E402

IMPORT_WSGI = (
    "import time; t = time.perf_counter(); import config.wsgi; print(time.perf_counter() - t)"
)


def measure(tree: Path, runs: int) -> dict[str, object]:
    env = {"PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as scratch:
        project = copy_example_project(Path(scratch))
        manage(project, "migrate", "-v0", env=env)
        seconds = []
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", IMPORT_WSGI],
                cwd=project,
                env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                capture_output=True,
                text=True,
                check=True,
            )
            seconds.append(float(done.stdout))
        server = Gunicorn(project, workers=1, env=env).start()
        try:
            assert http_get(server.url, "/healthz")[0] == 200
            time.sleep(1.0)  # the heartbeat thread writes the ledger
            assert http_get(server.url, "/version/")[0] == 200
            (worker,) = psutil.Process(server.master_pid).children()
            memory = worker.memory_full_info()
        finally:
            server.stop()
    return {
        "tree": str(tree),
        "import_seconds_median": round(statistics.median(seconds), 4),
        "import_runs": runs,
        "worker_rss_mib": round(memory.rss / 2**20, 1),
        "worker_uss_mib": round(memory.uss / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, default=[])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    trees = options.tree or [REPO]
    print(json.dumps([measure(tree.resolve(), options.runs) for tree in trees], indent=2))


if __name__ == "__main__":
    main()
