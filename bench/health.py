"""Benchmark: what a health answer costs, side by side in one run.

Every server is a real Gunicorn (same settings: 2 sync workers) serving a copy
of the example project; wrk drives each URL in turn, for several interleaved
rounds, and the table reports medians and ratios (never absolute targets):

- a bare WSGI app answering "ok" (the ceiling),
- /livez and cached /healthz through HealthWSGIWrapper (the example's wsgi.py),
- /livez and /healthz through HealthMiddleware only (a plain wsgi.py),
- django-health-check's view with its Database check (bench settings only),
- a normal page with HealthMiddleware vs the same settings without it.

Run: .venv/bin/python bench/health.py [--seconds 3] [--rounds 5]  (about 2-3 minutes)
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.site import Gunicorn, copy_example_project, manage  # noqa: E402

BARE_APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
"""
PLAIN_WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
"""
DHC_SETTINGS = """
from config.settings import *  # noqa: F403
INSTALLED_APPS = [*INSTALLED_APPS, "health_check"]  # noqa: F405
ROOT_URLCONF = "bench_urls"
"""
DHC_URLS = """
from django.urls import include, path
from health_check.views import HealthCheckView
urlpatterns = [
    path("ht/", HealthCheckView.as_view(checks=["health_check.checks.Database"])),
    path("", include("blog.urls")),
]
"""
NO_MIDDLEWARE_SETTINGS = """
from config.settings import *  # noqa: F403
MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("HealthMiddleware")]  # noqa: F405
"""
OWN_COST = """
import statistics, time
from django.http import HttpResponse
from django.test import RequestFactory
from django_zerodowntime.health.middleware import HealthMiddleware
request, response = RequestFactory().get("/"), HttpResponse("x")
def view(r):
    return response
wrapped = HealthMiddleware(view)
def per_call(function, n=20000):
    started = time.perf_counter()
    for _ in range(n):
        function(request)
    return (time.perf_counter() - started) / n * 1e6
print(statistics.median(per_call(wrapped) - per_call(view) for _ in range(15)))
"""
PROBE = {"Host": "10.1.2.3"}  # as a balancer sends it
PAGE = {"Host": "localhost", "X-Forwarded-Proto": "https"}  # as Nginx forwards it


@dataclass(frozen=True)
class Case:
    label: str
    server: str
    path: str
    headers: dict[str, str]


CASES = [
    Case("bare WSGI app", "bare", "/livez", PROBE),
    Case("/livez via wrapper", "wrapper", "/livez", PROBE),
    Case("/healthz via wrapper (cached)", "wrapper", "/healthz", PROBE),
    Case("/livez via middleware", "middleware", "/livez", PROBE),
    Case("/healthz via middleware (cached)", "middleware", "/healthz", PROBE),
    Case("django-health-check view", "dhc", "/ht/?format=json", PAGE),
    Case("page / with middleware", "middleware", "/", PAGE),
    Case("page / without middleware", "no_middleware", "/", PAGE),
]


@dataclass(frozen=True)
class Measure:
    rate: float  # requests/s seen by wrk: sensitive to everything else on the machine
    cpu_us: float  # server CPU per request (workers, user+system): the work itself

    @property
    def capacity(self) -> float:
        """Requests one core could serve at this CPU cost."""
        return 1e6 / self.cpu_us


def worker_cpu(server: Gunicorn) -> float:
    total = 0.0
    for worker in psutil.Process(server.master_pid).children():
        times = worker.cpu_times()
        total += times.user + times.system
    return total


def wrk(server: Gunicorn, case: Case, seconds: float) -> Measure:
    """One wrk run; it stops the bench if any answer was not 2xx."""
    args = ["wrk", "-t2", "-c32", f"-d{seconds:g}s"]
    for name, value in case.headers.items():
        args += ["-H", f"{name}: {value}"]
    cpu_before = worker_cpu(server)
    out = subprocess.run(
        [*args, server.url + case.path], capture_output=True, text=True, check=True
    ).stdout
    cpu = worker_cpu(server) - cpu_before
    if "Non-2xx" in out:
        raise SystemExit(f"{case.label} answered errors under load:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Measure(rate, cpu / max(count, 1) * 1e6)


def prepare(root: Path) -> Path:
    """A copy of the example with the bench-only modules and a few posts."""
    project = copy_example_project(root)
    (project / "bare_app.py").write_text(BARE_APP)
    (project / "plain_wsgi.py").write_text(PLAIN_WSGI)
    (project / "bench_settings.py").write_text(DHC_SETTINGS)
    (project / "bench_urls.py").write_text(DHC_URLS)
    (project / "bench_no_middleware.py").write_text(NO_MIDDLEWARE_SETTINGS)
    manage(project, "migrate", "--noinput")
    create = (
        "from blog.models import Post\nfor n in range(10): Post.objects.create(title=f'post {n}')"
    )
    manage(project, "shell", "-c", create)
    return project


def servers(root: Path) -> dict[str, Gunicorn]:
    """One project copy per server: each has its own pidfile, database and drain flag."""
    plain = ["plain_wsgi:application"]
    specs: dict[str, tuple[dict[str, str], list[str]]] = {
        "bare": ({}, ["bare_app:application"]),
        "wrapper": ({}, []),
        "middleware": ({}, plain),
        "dhc": ({"DJANGO_SETTINGS_MODULE": "bench_settings"}, plain),
        "no_middleware": ({"DJANGO_SETTINGS_MODULE": "bench_no_middleware"}, plain),
    }
    return {
        name: Gunicorn(prepare(root / name), env=env, extra_args=args)
        for name, (env, args) in specs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    rounds: list[dict[str, Measure]] = []
    with tempfile.TemporaryDirectory(prefix="zdt-bench-") as temporary, ExitStack() as stack:
        running = servers(Path(temporary))
        # The middleware's own work on a normal request, around a no-op view.
        shell = manage(running["middleware"].project_dir, "shell", "-c", OWN_COST)
        own_cost = float(shell.stdout.split()[-1])
        for server in running.values():
            stack.enter_context(server)
        for number in range(options.rounds):
            print(f"round {number + 1}/{options.rounds}", file=sys.stderr)
            # Alternate the order so drift in machine load does not favour one side.
            order = CASES if number % 2 == 0 else CASES[::-1]
            measured = {}
            for case in order:
                measured[case.label] = wrk(running[case.server], case, options.seconds)
            rounds.append(measured)
    print_table(rounds, options, own_cost)


def spread(values: list[float], fmt: str) -> str:
    """Median and range of per-round values: the range shows how noisy the machine was."""
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def print_table(
    rounds: list[dict[str, Measure]], options: argparse.Namespace, own_cost: float
) -> None:
    bare, dhc = "bare WSGI app", "django-health-check view"
    print(
        f"Gunicorn 2 sync workers, wrk -t2 -c32, {options.seconds:g} s per case, "
        f"{options.rounds} interleaved rounds. Ratios are per round: median (min-max).\n"
        "Capacity = 1 / server CPU per request (robust to other load on the machine);\n"
        "requests/s = what wrk saw (sensitive to it).\n"
    )
    print(
        "| what | CPU/request | capacity vs bare | capacity vs django-health-check "
        "| requests/s | requests/s vs bare |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for case in CASES[:6]:
        label = case.label
        cpu = statistics.median(r[label].cpu_us for r in rounds)
        vs_bare = [r[label].capacity / r[bare].capacity for r in rounds]
        vs_dhc = [r[label].capacity / r[dhc].capacity for r in rounds]
        rate = statistics.median(r[label].rate for r in rounds)
        rate_vs_bare = [r[label].rate / r[bare].rate for r in rounds]
        print(
            f"| {label} | {cpu:,.0f} us | {spread(vs_bare, '.2f')} | {spread(vs_dhc, '.1f')} "
            f"| {rate:,.0f} | {spread(rate_vs_bare, '.2f')} |"
        )
    with_mw, without = "page / with middleware", "page / without middleware"
    print("\n| normal page `/` | CPU/request | requests/s |")
    print("|---|---:|---:|")
    for label in (with_mw, without):
        cpu = statistics.median(r[label].cpu_us for r in rounds)
        rate = statistics.median(r[label].rate for r in rounds)
        print(f"| {label} | {cpu:,.0f} us | {rate:,.0f} |")
    cpu_change = [(r[with_mw].cpu_us / r[without].cpu_us - 1) * 100 for r in rounds]
    rate_change = [(r[without].rate / r[with_mw].rate - 1) * 100 for r in rounds]
    print(f"\nserver CPU per page with the middleware vs without: {spread(cpu_change, '+.1f')} %")
    print(f"time per page (1/requests/s) with vs without: {spread(rate_change, '+.1f')} %")
    page_cpu = statistics.median(r[without].cpu_us for r in rounds)
    print(
        f"the middleware's own cost on a normal request (in-process, no-op view): "
        f"{own_cost:.1f} us = {own_cost / page_cpu * 100:.2f} % of a page's server CPU"
    )


if __name__ == "__main__":
    main()
