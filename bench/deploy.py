"""Benchmark: switches and deploys through a real Nginx, every way side by side.

Two Gunicorn instances of the example project (2 sync workers each, one
shared SQLite database) behind a real Nginx running the shipped
``example_project/deploy/nginx-*.conf`` on loopback, and one client for every
case: the strict API client of the tests (``tests/harness/load.py``). It
sends GET and POST on keep-alive and new connections, a slow GET and a POST
whose 20 kB body arrives over 0.3 s; it never sends anything twice, and
anything but the expected status (200, 201) is a failure. Cases, each in a
fresh site:

- blue-green, include-file: ``switch_upstream`` back and forth (it rewrites
  the upstream file and reloads Nginx), ``nginx-switch-upstream.conf``;
- blue-green, drain flags: ``switch_drain`` back and forth (no reload),
  ``nginx-bluegreen.conf``;
- rolling, include-file: out of the upstream file, cold restart, back in,
  then the other instance (the former ``deploy-rolling.sh``);
- rolling, drain flags: drain one, ``graceful_reload`` it, serve again, then
  the other (``deploy-rolling.sh``), ``nginx-rolling.conf``;
- naive: both instances restarted cold while Nginx sends them traffic
  (rolling), or the live one restarted in place (blue-green);
- steady state with one instance out (the cost of the drain way: requests
  Nginx sends to the draining instance make an extra round trip), next to
  the include-file way with that instance out of the file.

Counted: every request started from the first step to 1 s after the last,
per stream (method and connection kind), and from Nginx's access log the
requests a draining instance sent on (an extra hop) with the time its answer
took. Raw figures go to ``bench/results/deploy.json``, with round 1's
timeline (per 100 ms: answered, failed, worst latency, from 1 s before the
first step to 1 s after the last) of the cases in TIMELINES;
``bench/report.py`` makes the tables and draws the timelines.

Run: .venv-bench/bin/python bench/deploy.py [--rounds 3] [--switches 50] [--notes TEXT]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.record import add_notes_option, provenance, write_result  # noqa: E402
from bench.timeline import quick, timeline  # noqa: E402
from tests.harness.load_report import LoadReport  # noqa: E402
from tests.harness.nginx import INCLUDE_FILE_CONF, ROLLING_PARAMS, Hops  # noqa: E402
from tests.harness.nginx_site import Site, start_site  # noqa: E402

PARAMS = f"--server-params={ROLLING_PARAMS}"
STEADY_SECONDS = 8.0

Deploy = Callable[[Site, int], None]
# The cases drawn as timelines (docs, README): the naive deploys beside the switches'.
TIMELINES = [
    "rolling, naive restarts",
    "rolling, include-file switch",
    "rolling, drain switch",
    "blue-green, naive restart",
    "blue-green, include-file switch",
    "blue-green, drain switch",
]


def bluegreen_include_file(site: Site, switches: int) -> None:
    for number in range(switches):
        site.switch_upstream("green" if number % 2 == 0 else "blue")


def bluegreen_drain(site: Site, switches: int) -> None:
    for number in range(switches):
        site.switch_drain("green" if number % 2 == 0 else "blue")


def rolling_include_file(site: Site, _: int) -> None:
    site.switch_upstream("green", PARAMS)
    site.blue.deploy("r2")
    site.switch_upstream("blue", PARAMS, "--expect-release=r2")
    site.green.deploy("r2")
    site.switch_upstream("both", PARAMS, "--expect-release=r2")


def rolling_drain(site: Site, _: int) -> None:
    site.switch_drain("green")
    site.blue.reload("r2")
    site.switch_drain("blue", "--expect-release=r2")
    site.green.reload("r2")
    site.switch_drain("both", "--expect-release=r2")


def rolling_naive(site: Site, _: int) -> None:
    site.blue.deploy("r2")  # stop + start while Nginx still sends it traffic
    site.green.deploy("r2")


def bluegreen_naive(site: Site, _: int) -> None:
    site.blue.deploy("r2")  # the live side, restarted in place


def steady(site: Site, _: int) -> None:
    time.sleep(STEADY_SECONDS)


# name, strategy, way, shipped conf, servers listed at first, params, green drained, deploy
CASES: list[tuple[str, str, str, str, list[str], str, bool, Deploy]] = [
    ("blue-green, include-file switch", "blue-green", "include-file", INCLUDE_FILE_CONF,
     ["blue"], "", False, bluegreen_include_file),
    ("blue-green, drain switch", "blue-green", "drain", "nginx-bluegreen.conf",
     [], "", True, bluegreen_drain),
    ("rolling, include-file switch", "rolling", "include-file", INCLUDE_FILE_CONF,
     ["blue", "green"], ROLLING_PARAMS, False, rolling_include_file),
    ("rolling, drain switch", "rolling", "drain", "nginx-rolling.conf",
     [], "", False, rolling_drain),
    ("rolling, naive restarts", "rolling", "naive", INCLUDE_FILE_CONF,
     ["blue", "green"], ROLLING_PARAMS, False, rolling_naive),
    ("blue-green, naive restart", "blue-green", "naive", INCLUDE_FILE_CONF,
     ["blue"], "", False, bluegreen_naive),
    ("steady, one instance out of the file", "steady", "include-file", INCLUDE_FILE_CONF,
     ["blue"], "", False, steady),
    ("steady, one instance draining", "steady", "drain", "nginx-bluegreen.conf",
     [], "", True, steady),
]  # fmt: skip


def figures(report: LoadReport, hops: list[Hops], seconds: float) -> dict[str, Any]:
    quick = report.where(lambda s: s.stream != "slow-get")
    drained = [h.attempts[0][1] * 1000 for h in hops if h.extra]
    return {
        "total": report.total,
        "failed": report.failed,
        "resent": report.resends,
        "streams": report.by_stream(),
        "requests_per_second": report.total / seconds,
        "quick_p50_ms": quick.p50 * 1000,
        "quick_p99_ms": quick.p99 * 1000,
        "max_ms": report.max * 1000,
        # Requests Nginx answered in the window, and those a draining instance sent on.
        "nginx_requests": len(hops),
        "extra_hops": len(drained),
        "extra_hops_by_method": dict(Counter(h.method for h in hops if h.extra)),
        "drained_answer_ms_median": statistics.median(drained) if drained else None,
    }


def run_case(name: str, switches: int) -> tuple[dict[str, Any], dict[str, Any]]:
    _, _, _, conf, servers, params, green_drained, deploy = next(c for c in CASES if c[0] == name)
    with tempfile.TemporaryDirectory(prefix="zd-bench-deploy-") as tmp:
        for site in start_site(Path(tmp), conf, servers, params):
            if green_drained:
                site.green.drain_file.write_text("")  # the idle side of the drain way
            load = site.load()
            time.sleep(1)
            started, wall_started = time.monotonic(), time.time()
            deploy(site, switches)
            ended, wall_ended = time.monotonic(), time.time()
            time.sleep(1)
            everything = load.stop()
            report = everything.window(started, ended + 1)
            drawn = timeline(everything.samples, started - 1, ended + 1, timed=quick)
            took = round(ended - started, 2)
            drawn["phases"] = [[0.0, 1.0, "before"], [1.0, 1.0 + took, "deploy"],
                               [1.0 + took, 2.0 + took, "after"]]  # fmt: skip
            hops = [h for h in site.nginx.hops() if wall_started <= h.ended <= wall_ended + 1]
            print(f"  {name}: {report.summary()}", file=sys.stderr, flush=True)
            return figures(report, hops, ended + 1 - started), drawn
    raise AssertionError("start_site yielded nothing")


def nginx_version() -> str:
    done = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return done.stderr.strip().rpartition("/")[2]


def measure(rounds: int, switches: int, names: list[str]) -> dict[str, Any]:
    cases: dict[str, dict[str, Any]] = {}
    timelines: dict[str, dict[str, Any]] = {}
    for number in range(1, rounds + 1):  # interleaved: the load on the machine varies
        for name, strategy, way, *_ in CASES:
            if name not in names:
                continue
            print(f"round {number}: {name}", file=sys.stderr, flush=True)
            case = cases.setdefault(name, {"strategy": strategy, "way": way, "rounds": []})
            counted, drawn = run_case(name, switches)
            case["rounds"].append(counted)
            if number == 1 and name in TIMELINES:
                timelines[name] = drawn
    return {
        "nginx": nginx_version(),
        "client": "the API client: never sends a request twice; GET and POST on keep-alive "
        "and new connections, a slow GET (300 ms), a POST whose 20 kB body arrives over 0.3 s",
        "steady_seconds": STEADY_SECONDS,
        "cases": cases,
        "timelines": {name: timelines[name] for name in TIMELINES if name in timelines},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--switches", type=int, default=50)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    add_notes_option(parser)
    args = parser.parse_args()
    environment = provenance(args.notes)
    names = args.case or [c[0] for c in CASES]
    data = measure(args.rounds, args.switches, names)
    options = {"rounds": args.rounds, "switches": args.switches}
    write_result("deploy", environment, options, data)


if __name__ == "__main__":
    main()
