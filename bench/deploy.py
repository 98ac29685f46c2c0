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
per stream (method and connection kind). Raw figures go to
``bench/results/deploy.json``; ``--render`` rewrites the tables in
``bench/README.md`` and ``docs/_generated/deploy_figures.inc`` from that file
(:func:`markdown` and :func:`rst` are what ``bench/report.py`` calls).

Run: .venv/bin/python bench/deploy.py [--rounds 3] [--switches 12]
     .venv/bin/python bench/deploy.py --render
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.load_report import LoadReport  # noqa: E402
from tests.harness.nginx import INCLUDE_FILE_CONF, ROLLING_PARAMS, Hops  # noqa: E402
from tests.harness.nginx_site import Site, start_site  # noqa: E402

RESULTS = REPO / "bench" / "results" / "deploy.json"
README = REPO / "bench" / "README.md"
DOCS_FIGURES = REPO / "docs" / "_generated" / "deploy_figures.inc"
PARAMS = f"--server-params={ROLLING_PARAMS}"
STEADY_SECONDS = 8.0

Deploy = Callable[[Site, int], None]


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


def run_case(name: str, switches: int) -> dict[str, Any]:
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
            report = load.stop().window(started, ended + 1)
            hops = [h for h in site.nginx.hops() if wall_started <= h.ended <= wall_ended + 1]
            print(f"  {name}: {report.summary()}", file=sys.stderr, flush=True)
            return figures(report, hops, ended + 1 - started)
    raise AssertionError("start_site yielded nothing")


def metadata() -> dict[str, Any]:
    import django

    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return {
        "commit": commit,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.__version__,
        "nginx": nginx.stderr.strip().rpartition("/")[2],
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def measure(rounds: int, switches: int, names: list[str]) -> dict[str, Any]:
    results = {"bench": "deploy", **metadata(), "rounds": rounds, "switches": switches}
    results["client"] = (
        "API client, never resends: GET and POST on keep-alive and new connections, "
        "slow GET (300 ms), POST with a 20 kB body over 0.3 s"
    )
    cases: dict[str, dict[str, Any]] = {}
    for number in range(1, rounds + 1):  # interleaved: the load on the machine varies
        for name, strategy, way, *_ in CASES:
            if name not in names:
                continue
            print(f"round {number}: {name}", file=sys.stderr, flush=True)
            case = cases.setdefault(name, {"strategy": strategy, "way": way, "rounds": []})
            case["rounds"].append(run_case(name, switches))
    results["cases"] = cases
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def lost(case: dict[str, Any]) -> str:
    failed = sum(r["failed"] for r in case["rounds"])
    total = sum(r["total"] for r in case["rounds"])
    return f"{failed} / {total:,}"


def by_stream(case: dict[str, Any]) -> str:
    """Failures per stream, summed over the rounds: e.g. ``post-keepalive 7/1,234``."""
    sums: dict[str, list[int]] = {}
    for round_ in case["rounds"]:
        for stream, row in round_["streams"].items():
            counts = sums.setdefault(stream, [0, 0])
            counts[0] += row["failed"]
            counts[1] += row["total"]
    return ", ".join(f"{stream} {f}/{t:,}" for stream, (f, t) in sums.items())


def markdown(results: dict[str, Any]) -> str:
    """The README tables, from ``bench/results/deploy.json``."""
    rounds, cases = results["rounds"], results["cases"]
    lines = [
        f"Run of {results['date'][:10]} (commit {results['commit'][:12]}, Python "
        f"{results['python']}, Django {results['django']}, Nginx {results['nginx']}, "
        f"{results['cpu_count']} CPUs, load average {results['load_average_before'][0]} "
        f"before and {results['load_average_after'][0]} after), {rounds} rounds; blue-green "
        f"cases switch {results['switches']} times per round. Client: {results['client']}.",
        "",
        "| case | failed / total (sum over rounds) | failed / total per stream | "
        "extra hops (sum) | p99 ms (median) | max ms (max over rounds) |",
        "|---|---|---|---|---|---|",
    ]
    for name, case in cases.items():
        if case["strategy"] == "steady":
            continue
        p99 = statistics.median(r["quick_p99_ms"] for r in case["rounds"])
        worst = max(r["max_ms"] for r in case["rounds"])
        extra = sum(r["extra_hops"] for r in case["rounds"])
        lines.append(
            f"| {name} | {lost(case)} | {by_stream(case)} | {extra} | {p99:.0f} | {worst:.0f} |"
        )
    steady_cases = {c["way"]: c for c in cases.values() if c["strategy"] == "steady"}
    if len(steady_cases) == 2:
        lines += ["", *cost_table(steady_cases)]
    return "\n".join(lines) + "\n"


def cost_table(steady_cases: dict[str, dict[str, Any]]) -> list[str]:
    old, new = steady_cases["include-file"], steady_cases["drain"]

    def median(case: dict[str, Any], key: str) -> float:
        return statistics.median(r[key] for r in case["rounds"])

    extra = sum(r["extra_hops"] for r in new["rounds"])
    answered = sum(r["nginx_requests"] for r in new["rounds"])
    drained_ms = [r["drained_answer_ms_median"] for r in new["rounds"]]
    drained_ms = [ms for ms in drained_ms if ms is not None]
    lines = [
        "The cost while one instance drains, steady state "
        f"({STEADY_SECONDS:g} s per round; medians over the rounds): "
        f"{extra} of {answered:,} requests Nginx answered (sum over rounds) went to "
        "the draining instance first and took an extra hop; its answer took "
        + (f"{statistics.median(drained_ms):.1f} ms (median)." if drained_ms else "-.")
        + " Nginx skips the draining instance for fail_timeout after each.",
        "",
        "| steady state | one instance out of the file | one instance draining | ratio |",
        "|---|---|---|---|",
    ]
    for label, key, fmt in [
        ("requests/s", "requests_per_second", "{:.0f}"),
        ("p50 ms, GET and POST", "quick_p50_ms", "{:.1f}"),
        ("p99 ms, GET and POST", "quick_p99_ms", "{:.1f}"),
    ]:
        a, b = median(old, key), median(new, key)
        lines.append(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {b / a:.2f} |")
    return lines


def rst(results: dict[str, Any]) -> str:
    """The figures the docs quote, from ``bench/results/deploy.json``."""
    cases = results["cases"]
    lines = [
        ".. This file is generated by bench/deploy.py --render from bench/results/deploy.json.",
        "",
        f"Measured by ``bench/deploy.py`` ({results['date'][:10]}, {results['rounds']} rounds, "
        f"blue-green switching {results['switches']} times per round; sums over the rounds), "
        "with an API client that never sends a request twice:",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - case",
        "     - failed / total",
        "     - per stream",
    ]
    for name, case in cases.items():
        if case["way"] == "naive" or case["strategy"] == "steady":
            continue
        lines += [f"   * - {name}", f"     - {lost(case)}", f"     - {by_stream(case)}"]
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- deploy.py: begin -->", "<!-- deploy.py: end -->"


def render(results: dict[str, Any]) -> None:
    text = README.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{markdown(results)}{END}{tail}")
    DOCS_FIGURES.parent.mkdir(exist_ok=True)
    DOCS_FIGURES.write_text(rst(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--switches", type=int, default=12)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--render", action="store_true", help="only rewrite the tables")
    args = parser.parse_args()
    if not args.render:
        names = args.case or [c[0] for c in CASES]
        results = measure(args.rounds, args.switches, names)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    results = json.loads(RESULTS.read_text())
    render(results)
    print(markdown(results))


if __name__ == "__main__":
    main()
