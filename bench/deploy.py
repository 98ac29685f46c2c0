"""Benchmark: deploys through a real Nginx, the zero-downtime way vs the naive way.

Two Gunicorn instances of the example project behind Nginx (the shipped
``example_project/deploy/nginx-*.conf``, on loopback), a load client of
keep-alive, new-connection, slow and POST threads through Nginx, and four
deploys of release 1 -> release 2, each in a fresh site:

- rolling, zero-downtime: switch_upstream takes an instance out, it is
  restarted, switch_upstream puts it back; then the other (deploy-rolling.sh);
- rolling, naive: both instances stay in Nginx and each gets a
  ``systemctl restart`` (TERM, then start the new code), one after the other;
- blue-green, zero-downtime: green is started with release 2, then
  ``switch_upstream --to green`` (deploy-bluegreen.sh);
- blue-green, naive: the live instance is restarted in place with release 2.

Reported for the deploy window only (first step to last, plus 1 s): failed / total
requests, p99 and max latency. Rounds interleave the four; medians are shown.

Run: .venv-bench/bin/python bench/deploy.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.load import LoadReport  # noqa: E402
from tests.harness.nginx import ROLLING_PARAMS, Site, start_site  # noqa: E402

PARAMS = f"--server-params={ROLLING_PARAMS}"


def rolling_zero_downtime(site: Site) -> None:
    site.switch("green", PARAMS)
    site.blue.deploy("r2")
    site.switch("blue", PARAMS, "--expect-release=r2")
    site.green.deploy("r2")
    site.switch("both", PARAMS, "--expect-release=r2")


def rolling_naive(site: Site) -> None:
    site.blue.deploy("r2")  # stop + start while Nginx still sends it traffic
    site.green.deploy("r2")


def bluegreen_zero_downtime(site: Site) -> None:
    site.switch("green", "--expect-release=r2")


def bluegreen_naive(site: Site) -> None:
    site.blue.deploy("r2")  # the live side, restarted in place


CASES: list[tuple[str, str, list[str], Callable[[Site], None]]] = [
    ("rolling, switch_upstream", "nginx-rolling.conf", ["blue", "green"], rolling_zero_downtime),
    ("rolling, naive restarts", "nginx-rolling.conf", ["blue", "green"], rolling_naive),
    ("blue-green, switch_upstream", "nginx-bluegreen.conf", ["blue"], bluegreen_zero_downtime),
    ("blue-green, naive restart", "nginx-bluegreen.conf", ["blue"], bluegreen_naive),
]


def run_case(conf: str, servers: list[str], deploy: Callable[[Site], None]) -> LoadReport:
    with tempfile.TemporaryDirectory(prefix="zd-bench-deploy-") as tmp:
        params = ROLLING_PARAMS if len(servers) > 1 else ""
        for site in start_site(Path(tmp), conf, servers, params):
            if servers == ["blue"] and deploy is bluegreen_zero_downtime:
                site.green.deploy("r2")  # prepared before the window: it serves nobody yet
            load = site.load()
            time.sleep(1)
            started = time.monotonic()
            deploy(site)
            ended = time.monotonic()
            time.sleep(1)
            report = load.stop()
            wait_for_release_2(site, deploy.__name__)
            # The window includes 1 s after the last step: 502s right after count too.
            return report.window(started, ended + 1)
    raise AssertionError("start_site yielded nothing")


def wait_for_release_2(site: Site, deploy: str, timeout: float = 20) -> None:
    # After a naive deploy Nginx may still count both servers as failed
    # (fail_timeout) and answer 502 for a few seconds: that is part of its cost.
    deadline = time.monotonic() + timeout
    while site.version() != "release 2":
        if time.monotonic() > deadline:
            raise SystemExit(f"release 2 is not serving {timeout:g} s after {deploy}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[LoadReport]] = {name: [] for name, *_ in CASES}
    for round_number in range(1, args.rounds + 1):
        for name, conf, servers, deploy in CASES:
            report = run_case(conf, servers, deploy)
            results[name].append(report)
            print(f"round {round_number}: {name}: {report.summary()}", file=sys.stderr)
    print("| deploy | failed / total (per round) | p99 ms (median) | max ms (median) |")
    print("|---|---|---|---|")
    for name, reports in results.items():
        counts = ", ".join(f"{r.failed} / {r.total}" for r in reports)
        p99 = statistics.median(r.p99 for r in reports) * 1000
        worst = statistics.median(r.max for r in reports) * 1000
        print(f"| {name} | {counts} | {p99:.0f} | {worst:.0f} |")


if __name__ == "__main__":
    main()
