"""Benchmark: what our app costs a web worker, for one or more source trees side by side.

For each tree (a checkout of django-zerodowntime, put first on PYTHONPATH so
its package is the one imported): the example project under a real Gunicorn
(1 sync worker, heartbeats on), one /healthz (it writes a heartbeat) and one
page; then the worker's memory (RSS and USS, psutil). Import time: a fresh Python importing
the example's ``config.wsgi`` (Django set up, our WSGI wrapper), median of N.

Run: .venv/bin/python bench/worker_footprint.py [--tree LABEL=PATH ...] [--runs 15]
(default: this checkout only, labelled "this checkout"). Writes
bench/results/worker_footprint.json; issue 8's before/after run was
``--tree "first release (695c019)=/tmp/before" --tree "this checkout=."``, with the
first release checked out by ``git worktree add --detach /tmp/before 695c019``.
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

from bench.record import add_notes_option, provenance, write_result  # noqa: E402
from tests.harness.site import Gunicorn, copy_example_project, http_get, manage  # noqa: E402

IMPORT_WSGI = (
    "import time; t = time.perf_counter(); import config.wsgi; print(time.perf_counter() - t)"
)


def measure(label: str, tree: Path, runs: int) -> dict[str, object]:
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
        "label": label,
        "import_seconds_median": round(statistics.median(seconds), 4),
        "import_runs": runs,
        "worker_rss_mib": round(memory.rss / 2**20, 1),
        "worker_uss_mib": round(memory.uss / 2**20, 1),
    }


def labelled_tree(text: str) -> tuple[str, Path]:
    label, _, path = text.rpartition("=")
    if not label:
        raise argparse.ArgumentTypeError(f"{text!r}: expected LABEL=PATH")
    return label, Path(path).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=labelled_tree, default=[])
    parser.add_argument("--runs", type=int, default=15)
    add_notes_option(parser)
    options = parser.parse_args()
    environment = provenance(options.notes, ["psutil"])
    trees = options.tree or [("this checkout", REPO)]
    data = [measure(label, tree, options.runs) for label, tree in trees]
    print(json.dumps(data, indent=2))
    write_result("worker_footprint", environment, {"runs": options.runs}, data)


if __name__ == "__main__":
    main()
