"""Benchmark: reloading Gunicorn under load, every way side by side in one run.

Each mode gets a fresh copy of the example project (2 sync workers, an app
import slowed by --boot-delay seconds, as in a larger project) and the same
load (keep-alive, new-connection and slow requests). Modes:

- naive restart: TERM the master, start Gunicorn again (what `systemctl restart` does),
- plain `kill -HUP`,
- `manage.py graceful_reload --strategy usr2 | hup | rolling | auto`,
- a broken release (its WSGI module fails to import) under plain `kill -HUP`,
  beside `graceful_reload` refusing it (preflight, exit 3).

For each: failed/total requests during the reload window (every kind; a failure
is any status but the one the request expects, no response or a time-out),
p50/p99/max latency of the quick requests (keep-alive and new-connection; the
slow ones take 300 ms on purpose) in that window next to their steady-state
p99 just before it, turnover time, and
for graceful_reload the time from the last old worker's exit to its return.
Targets are ratios, never fixed times: zero failures; max latency during the
reload <= 2 x steady p99 + 100 ms; return within 0.5 s of the turnover.
A graceful_reload that exits non-zero or prints no JSON fails the bench.
Raw figures per round go to bench/results/reload.json, with round 1's
timeline (per 100 ms: answered, failed, worst latency) of the modes in
TIMELINES; bench/report.py makes the table and draws the timelines.

Run: .venv-bench/bin/python bench/reload.py [--boot-delay 1.0] [--rounds 3] [--notes TEXT]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.record import (  # noqa: E402
    add_notes_option,
    check_exit,
    parse_json,
    provenance,
    write_result,
)
from bench.timeline import quick as quick_request  # noqa: E402
from bench.timeline import timeline  # noqa: E402
from django_zerodowntime.reload.processes import heartbeat_booted  # noqa: E402
from tests.harness.load import LoadClient  # noqa: E402
from tests.harness.load_report import LoadReport  # noqa: E402
from tests.harness.site import (  # noqa: E402
    Gunicorn,
    copy_example_project,
    manage,
    set_release_text,
    wait_for_http,
)

STEADY_SECONDS = 2.0
AFTER_SECONDS = 1.0


@dataclass
class Row:
    mode: str
    failed: int
    total: int
    p50: float
    p99: float
    max: float
    steady_p99: float
    turnover: float | None
    return_after_last_old: float | None


class OldWorkerWatch:
    """Notes when the last of the given processes exits (10 ms polling)."""

    def __init__(self, pids: set[int]) -> None:
        self.procs = [psutil.Process(pid) for pid in pids]
        self.last_exit: float | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _alive(self) -> bool:
        for proc in self.procs:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    return True
            except psutil.NoSuchProcess:
                continue
        return False

    def _run(self) -> None:
        deadline = time.monotonic() + 120
        while self._alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.last_exit = time.monotonic()

    def wait(self) -> float | None:
        self._thread.join(125)
        return self.last_exit


def booted_workers(master: int) -> set[int]:
    try:
        kids = psutil.Process(master).children()
    except psutil.Error:
        return set()
    return {kid.pid for kid in kids if heartbeat_booted(kid.pid)}


def wait_booted(master: int, count: int, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        booted = booted_workers(master)
        if len(booted) >= count:
            return booted
        time.sleep(0.01)
    raise TimeoutError(f"master {master}: {count} workers did not boot")


def naive_restart(gunicorn: Gunicorn, project: Path) -> tuple[float, float | None]:
    started = time.monotonic()
    gunicorn.stop()
    gunicorn.start(timeout=60)
    return time.monotonic() - started, None


def plain_hup(gunicorn: Gunicorn, project: Path) -> tuple[float, float | None]:
    master = gunicorn.master_pid
    old = set(psutil.Process(master).children())
    watch = OldWorkerWatch({p.pid for p in old})
    started = time.monotonic()
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(booted_workers(master) - {p.pid for p in old}) >= 2 and watch.last_exit:
            break
        time.sleep(0.01)
    return time.monotonic() - started, None


def graceful(strategy: str) -> Callable[[Gunicorn, Path], tuple[float | None, float | None]]:
    def reload(gunicorn: Gunicorn, project: Path) -> tuple[float, float | None]:
        watch = OldWorkerWatch({p.pid for p in psutil.Process(gunicorn.master_pid).children()})
        result = manage(project, "graceful_reload", "--strategy", strategy, "--format", "json",
                        check=False)  # fmt: skip
        returned = time.monotonic()
        check_exit(result)
        last_exit = watch.wait()
        turnover = float(parse_json(result.stdout, "graceful_reload")["turnover_seconds"])
        return turnover, (returned - last_exit) if last_exit else None

    return reload


def broken_hup(gunicorn: Gunicorn, project: Path) -> tuple[float | None, float | None]:
    """HUP with a release that fails to boot: Gunicorn halts (notes/gunicorn-27.md)."""
    master = psutil.Process(gunicorn.master_pid)
    os.kill(master.pid, signal.SIGHUP)
    with contextlib.suppress(psutil.TimeoutExpired):
        master.wait(BROKEN_WAIT_SECONDS)
    return None, None  # no turnover: the server is gone


def broken_graceful(gunicorn: Gunicorn, project: Path) -> tuple[float | None, float | None]:
    """graceful_reload with the same broken release: its preflight refuses (exit 3)."""
    check_exit(manage(project, "graceful_reload", "--format", "json", check=False), expect=(3,))
    return None, None  # no turnover: nothing was signalled


MODES: dict[str, Callable[[Gunicorn, Path], tuple[float | None, float | None]]] = {
    "naive restart (TERM + start)": naive_restart,
    "plain kill -HUP": plain_hup,
    "graceful_reload usr2": graceful("usr2"),
    "graceful_reload hup": graceful("hup"),
    "graceful_reload rolling": graceful("rolling"),
    "graceful_reload auto": graceful("auto"),
    "plain kill -HUP, broken release": broken_hup,
    "graceful_reload, broken release (refused)": broken_graceful,
}
BROKEN = {"plain kill -HUP, broken release", "graceful_reload, broken release (refused)"}
# The modes drawn as timelines (docs, README): one per way of deploying.
TIMELINES = [
    "naive restart (TERM + start)",
    "plain kill -HUP",
    "graceful_reload usr2",
    "graceful_reload rolling",
    "plain kill -HUP, broken release",
    "graceful_reload, broken release (refused)",
]
BROKEN_WAIT_SECONDS = 10.0


def slow_boot(project: Path, delay: float) -> None:
    wsgi = project / "config" / "wsgi.py"
    wsgi.write_text(f"import time\n\ntime.sleep({delay})  # bench: a slower app import\n"
                    + wsgi.read_text())  # fmt: skip


def break_release(project: Path) -> None:
    """A release whose WSGI module imports a module nobody shipped: workers cannot boot."""
    wsgi = project / "config" / "wsgi.py"
    wsgi.write_text(wsgi.read_text() + "import release_2_module_never_shipped  # noqa\n")


def measure(name: str, template: Path, workdir: Path) -> tuple[Row, dict[str, Any]]:
    project = workdir / name.replace(" ", "_").replace("/", "").replace("(", "").replace(")", "")
    shutil.copytree(template, project)
    gunicorn = Gunicorn(project, workers=2).start(timeout=60)
    try:
        wait_booted(gunicorn.master_pid, 2)
        load = LoadClient(gunicorn.url).start()
        time.sleep(STEADY_SECONDS)
        set_release_text(project, "release 2")
        if name in BROKEN:
            break_release(project)
        began = time.monotonic()
        turnover, after_last_old = MODES[name](gunicorn, project)
        ended = time.monotonic()
        time.sleep(AFTER_SECONDS)
        report: LoadReport = load.stop()
        if name not in BROKEN:
            wait_for_http(gunicorn.url)
    finally:
        gunicorn.stop()
    start, end = began - STEADY_SECONDS, ended + AFTER_SECONDS
    drawn = timeline(report.samples, start, end, timed=quick_request)
    drawn["phases"] = [
        [0.0, STEADY_SECONDS, "before"],
        [STEADY_SECONDS, round(ended - start, 2), "reload"],
        [round(ended - start, 2), round(end - start, 2), "after"],
    ]
    # Latency of the quick requests only: the slow thread's take 300 ms on purpose.
    quick = report.where(lambda s: s.stream != "slow-get")
    steady = quick.window(began - STEADY_SECONDS, began)
    window = report.window(began, ended + AFTER_SECONDS)
    quick_window = quick.window(began, ended + AFTER_SECONDS)
    return Row(name, window.failed, window.total, quick_window.p50, quick_window.p99,
               quick_window.max, steady.p99, turnover, after_last_old), drawn  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boot-delay", type=float, default=1.0, help="seconds added to import")
    parser.add_argument("--rounds", type=int, default=3)
    add_notes_option(parser)
    args = parser.parse_args()
    environment = provenance(args.notes)
    workdir = Path(tempfile.mkdtemp(prefix="zerodowntime-bench-reload-"))
    try:
        template = copy_example_project(workdir)
        check_exit(manage(template, "migrate", "-v0", check=False))
        slow_boot(template, args.boot_delay)
        runs: dict[str, list[Row]] = {name: [] for name in MODES}
        timelines: dict[str, dict[str, Any]] = {}
        for round_number in range(args.rounds):  # interleaved: load on the box varies
            for name in MODES:
                print(f"round {round_number + 1}: {name}", file=sys.stderr, flush=True)
                row, drawn = measure(name, template, workdir / f"r{round_number}")
                runs[name].append(row)
                if round_number == 0 and name in TIMELINES:
                    timelines[name] = drawn
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    data = {
        "workers": 2,
        "load": "2 keep-alive, 2 new-connection, 1 slow (300 ms) thread",
        "steady_seconds": STEADY_SECONDS,
        "after_seconds": AFTER_SECONDS,
        "modes": {name: [asdict(row) for row in rows] for name, rows in runs.items()},
        "timelines": {name: timelines[name] for name in TIMELINES},
    }
    write_result("reload", environment, {"boot_delay": args.boot_delay, "rounds": args.rounds},
                 data)  # fmt: skip
    failed = [name for name, rows in runs.items()
              if name.startswith("graceful") and any(r.failed for r in rows)]  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
