"""Blue-green switches and rolling restarts through a real Nginx, without reloading it.

Nginx runs the shipped ``nginx-bluegreen.conf`` / ``nginx-rolling.conf``
(TLS and paths swapped for loopback ports and a temp dir): both instances
are always in the upstream, and ``manage.py switch_drain`` moves the traffic
with their drain flags. An instance gets new code through ``graceful_reload``
while it drains. The client is the strict API client: GET and POST on
keep-alive and new connections, a slow GET, a POST whose 20 kB body arrives
over 0.3 s; it never sends anything twice, and anything but the expected
status is a failure. Every deploy must lose nothing, and the database must
hold every POST answered 201 exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.nginx_site import Site, assert_exactly_once, assert_no_failures, start_site

pytestmark = pytest.mark.nginx


@pytest.fixture
def bluegreen(tmp_path: Path) -> Iterator[Site]:
    """Blue live with r1; green idle (draining) in the same upstream."""
    for site in start_site(tmp_path, "nginx-bluegreen.conf"):
        site.green.drain_file.write_text("")
        yield site


@pytest.fixture
def rolling(tmp_path: Path) -> Iterator[Site]:
    """Two instances of r1 sharing the traffic."""
    yield from start_site(tmp_path, "nginx-rolling.conf")


def bluegreen_deploy(site: Site, release: str) -> str:
    """deploy-bluegreen.sh: new code on the idle side, reloaded while it drains, then
    the switch. Returns the side that now serves."""
    idle = "green" if site.green.drain_file.exists() else "blue"
    site.instance(idle).reload(release)
    site.switch_drain(idle, f"--expect-release={release}")
    return idle


def rolling_restart(site: Site, release: str) -> None:
    """deploy-rolling.sh: drain one, reload it, let it serve; then the other."""
    site.switch_drain("green")  # blue drains: its requests go to green
    site.blue.reload(release)
    site.switch_drain("blue", f"--expect-release={release}")  # green drains
    site.green.reload(release)
    site.switch_drain("both", f"--expect-release={release}")


def deploys_under_load(site: Site, deploy: object, count: int) -> None:
    load = site.load()
    time.sleep(1)
    for number in range(2, count + 2):
        deploy(site, f"r{number}")  # type: ignore[operator]
    time.sleep(1)
    report = load.stop()
    assert_no_failures(report, site)
    assert_exactly_once(report, site)
    for stream in ("get-keepalive", "get-new", "slow-get"):
        assert report.last_body(stream) == f"release {count + 1}", stream
    assert site.version() == f"release {count + 1}"
    # The path this is about was taken: a draining instance handed POSTs back to
    # Nginx, which sent them on (Nginx's access log: a 503, then another server).
    resent = Counter(hop.method for hop in site.nginx.hops() if hop.extra)
    print(f"sent on by a draining instance: {dict(resent)}")
    assert resent["POST"] > 0, resent


def test_bluegreen_switches_lose_no_request(bluegreen: Site) -> None:
    deploys_under_load(bluegreen, bluegreen_deploy, 2)
    assert bluegreen.green.drain_file.exists()
    assert not bluegreen.blue.drain_file.exists()


def test_a_rolling_restart_loses_no_request(rolling: Site) -> None:
    deploys_under_load(rolling, rolling_restart, 1)
    assert not rolling.blue.drain_file.exists()
    assert not rolling.green.drain_file.exists()


@pytest.mark.slow
def test_twenty_bluegreen_switches_in_a_row_lose_no_request(bluegreen: Site) -> None:
    deploys_under_load(bluegreen, bluegreen_deploy, 20)


@pytest.mark.slow
def test_twenty_rolling_restarts_in_a_row_lose_no_request(rolling: Site) -> None:
    deploys_under_load(rolling, rolling_restart, 20)
