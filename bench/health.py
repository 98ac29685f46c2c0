"""Benchmark: what a health answer costs, side by side in one run.

Every server is a real Gunicorn (same settings: 2 sync workers) serving its own
copy of the example project; wrk drives each case in turn, for several rounds
in alternating order. Compared like with like:

- a bare WSGI app answering "ok" (the ceiling),
- /livez, and /healthz cached and uncached, through HealthWSGIWrapper (the
  example's wsgi.py) and through HealthMiddleware only (a plain wsgi.py),
- django-health-check's view with its Database check, cached for as long as
  our /healthz (a bench-only subclass) and uncached,
- a normal page with HealthMiddleware vs the same settings without it.

Every answer but a 200 (3xx included), every socket error and every timeout
counts as a failure; any failure fails the bench (exit 1) after the results
are written. Raw figures go to bench/results/health.json; bench/report.py
makes the tables.

Run: .venv-bench/bin/python bench/health.py [--seconds 3] [--rounds 5] [--notes TEXT]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.record import (  # noqa: E402
    ChildFailed,
    add_notes_option,
    check_exit,
    parse_json,
    provenance,
    run_child,
    write_result,
)
from tests.harness.site import Gunicorn, copy_example_project, manage  # noqa: E402

CACHE_SECONDS = 1.0  # our default HEALTH_CACHE_SECONDS; the cached DHC view uses the same

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
UNCACHED_SETTINGS = """
from config.settings import *  # noqa: F403
ZERODOWNTIME = {**ZERODOWNTIME, "HEALTH_CACHE_SECONDS": 0}  # noqa: F405
"""
# django-health-check as its docs install it: its app and view, no HealthMiddleware.
DHC_SETTINGS = """
from config.settings import *  # noqa: F403
INSTALLED_APPS = [*INSTALLED_APPS, "health_check"]  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("HealthMiddleware")]  # noqa: F405
ROOT_URLCONF = "bench_urls"
"""
# The cached view keeps its last answer per process for CACHE_SECONDS, as our
# probe keeps its check results: the like-for-like comparison with cached /healthz.
DHC_URLS = f"""
import time
from django.http import HttpResponse
from django.urls import include, path
from health_check.views import HealthCheckView

CHECKS = ["health_check.checks.Database"]
_last = None

class CachedHealthCheckView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        global _last
        now = time.monotonic()
        if _last is not None and now - _last[0] < {CACHE_SECONDS!r}:
            return HttpResponse(_last[1], status=_last[2], content_type="application/json")
        response = await super().get(request, *args, **kwargs)
        _last = (now, response.content, response.status_code)
        return response

urlpatterns = [
    path("ht/", HealthCheckView.as_view(checks=CHECKS)),
    path("ht-cached/", CachedHealthCheckView.as_view(checks=CHECKS)),
    path("", include("blog.urls")),
]
"""
NO_MIDDLEWARE_SETTINGS = """
from config.settings import *  # noqa: F403
MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("HealthMiddleware")]  # noqa: F405
"""
OWN_COST = """
import json, statistics, time
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
print(json.dumps({"own_cost_us": statistics.median(
    per_call(wrapped) - per_call(view) for _ in range(15))}))
"""
# Counts every status but the expected one, per wrk thread, and prints one JSON
# line at the end with wrk's own counts of socket errors and timeouts.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  expected = tonumber(args[1])
  unexpected = {}
end
function response(status, headers, body)
  if status ~= expected then
    local key = tostring(status)
    unexpected[key] = (unexpected[key] or 0) + 1
  end
end
function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("unexpected")) do
      parts[status] = (parts[status] or 0) + count
    end
  end
  local statuses = {}
  for status, count in pairs(parts) do
    table.insert(statuses, string.format('"%s": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "unexpected_statuses": {%s}, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, table.concat(statuses, ", "),
    e.connect, e.read, e.write, e.timeout))
end
"""
PROBE = {"Host": "10.1.2.3"}  # as a balancer sends it
PAGE = {"Host": "localhost", "X-Forwarded-Proto": "https"}  # as Nginx forwards it


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    server: str
    path: str
    headers: dict[str, str]


# fmt: off
CASES = [
    Case("bare", "bare WSGI app", "bare", "/livez", PROBE),
    Case("livez_wrapper", "/livez via wrapper", "wrapper", "/livez", PROBE),
    Case("healthz_wrapper_cached", "/healthz via wrapper, cached", "wrapper", "/healthz", PROBE),
    Case("healthz_wrapper_uncached", "/healthz via wrapper, uncached", "wrapper_uncached",
         "/healthz", PROBE),
    Case("livez_middleware", "/livez via middleware", "middleware", "/livez", PROBE),
    Case("healthz_middleware_cached", "/healthz via middleware, cached", "middleware",
         "/healthz", PROBE),
    Case("healthz_middleware_uncached", "/healthz via middleware, uncached",
         "middleware_uncached", "/healthz", PROBE),
    Case("dhc_cached", "django-health-check view, cached", "dhc", "/ht-cached/?format=json",
         PAGE),
    Case("dhc_uncached", "django-health-check view, uncached", "dhc", "/ht/?format=json", PAGE),
    Case("page_with_middleware", "page / with the middleware", "middleware", "/", PAGE),
    Case("page_without_middleware", "page / without it", "no_middleware", "/", PAGE),
]
# fmt: on


def worker_cpu(server: Gunicorn) -> float:
    total = 0.0
    for worker in psutil.Process(server.master_pid).children():
        times = worker.cpu_times()
        total += times.user + times.system
    return total


def wrk(url: str, headers: dict[str, str], seconds: float, script: Path) -> dict[str, Any]:
    """One wrk run expecting 200: requests, failures by kind (wrk's JSON line)."""
    args = ["wrk", "-t2", "-c32", f"-d{seconds:g}s", "-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    result = run_child([*args, url, "--", "200"], timeout=seconds + 60)
    lines = [line for line in result.stdout.splitlines() if line.startswith("WRK-JSON ")]
    if len(lines) != 1:
        raise ChildFailed(f"wrk printed no summary line:\n{result.stdout}\n{result.stderr}")
    counts: dict[str, Any] = parse_json(lines[0].removeprefix("WRK-JSON "), "wrk")
    counts["failed"] = sum(counts["unexpected_statuses"].values()) + sum(
        counts[kind] for kind in ("connect", "read", "write", "timeout")
    )
    return counts


def measure(server: Gunicorn, case: Case, seconds: float, script: Path) -> dict[str, Any]:
    cpu_before = worker_cpu(server)
    counts = wrk(server.url + case.path, case.headers, seconds, script)
    cpu = worker_cpu(server) - cpu_before
    requests = counts["requests"]
    return {
        **counts,
        "rate": requests / (counts["duration_us"] / 1e6),
        "cpu_us": cpu / max(requests, 1) * 1e6,
    }


def prepare(root: Path) -> Path:
    """A copy of the example with the bench-only modules and a few posts."""
    project = copy_example_project(root)
    for name, text in {
        "bare_app.py": BARE_APP,
        "plain_wsgi.py": PLAIN_WSGI,
        "bench_uncached.py": UNCACHED_SETTINGS,
        "bench_dhc.py": DHC_SETTINGS,
        "bench_urls.py": DHC_URLS,
        "bench_no_middleware.py": NO_MIDDLEWARE_SETTINGS,
    }.items():
        (project / name).write_text(text)
    manage(project, "migrate", "--noinput")
    create = (
        "from blog.models import Post\nfor n in range(10): Post.objects.create(title=f'post {n}')"
    )
    manage(project, "shell", "-c", create)
    return project


def servers(root: Path) -> dict[str, Gunicorn]:
    """One project copy per server: each has its own pidfile, database and drain flag."""
    plain = ["plain_wsgi:application"]
    specs: dict[str, tuple[str, list[str]]] = {
        "bare": ("config.settings", ["bare_app:application"]),
        "wrapper": ("config.settings", []),
        "wrapper_uncached": ("bench_uncached", []),
        "middleware": ("config.settings", plain),
        "middleware_uncached": ("bench_uncached", plain),
        "dhc": ("bench_dhc", plain),
        "no_middleware": ("bench_no_middleware", plain),
    }
    return {
        name: Gunicorn(
            prepare(root / name), env={"DJANGO_SETTINGS_MODULE": module}, extra_args=args
        )
        for name, (module, args) in specs.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=5)
    add_notes_option(parser)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    environment = provenance(options.notes, ["django-health-check"])
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="zdt-bench-") as temporary, ExitStack() as stack:
        script = Path(temporary) / "count.lua"
        script.write_text(WRK_SCRIPT)
        running = servers(Path(temporary))
        # The middleware's own work on a normal request, around a no-op view.
        shell = manage(
            running["middleware"].project_dir, "shell", "-v0", "-c", OWN_COST, check=False
        )
        check_exit(shell)
        own_cost = float(parse_json(shell.stdout, "the own-cost shell")["own_cost_us"])
        for server in running.values():
            stack.enter_context(server)
        for number in range(options.rounds):
            print(f"round {number + 1}/{options.rounds}", file=sys.stderr, flush=True)
            # Alternate the order so drift in machine load does not favour one side.
            order = CASES if number % 2 == 0 else CASES[::-1]
            rounds.append(
                {
                    case.id: measure(running[case.server], case, options.seconds, script)
                    for case in order
                }
            )
    data = {
        "cases": [asdict(case) for case in CASES],
        "rounds": rounds,
        "own_cost_us": own_cost,
        "workers": 2,
        "wrk": "-t2 -c32",
        "cache_seconds": CACHE_SECONDS,
    }
    bench_options = {"seconds": options.seconds, "rounds": options.rounds}
    write_result("health", environment, bench_options, data)
    failed = {case.id: sum(r[case.id]["failed"] for r in rounds) for case in CASES}
    if any(failed.values()):
        print(f"FAILED requests: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
