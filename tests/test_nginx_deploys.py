"""The include-file switch (``switch_upstream``) through a real Nginx, under load.

Nginx runs the shipped ``example_project/deploy/nginx-switch-upstream.conf``
(TLS and the system paths swapped for loopback ports and a temp dir), in
front of two real Gunicorn instances of the example project: two checkouts
sharing one database. Every switch rewrites the upstream file and reloads
Nginx, which closes its clients' idle keep-alive connections: what that way
is safe for is a browser's traffic, GETs (resent, as browsers do, when a
reused connection closed before any byte of the answer came back) and POSTs
on new connections. Each deploy must lose none of those and leave the right
release serving. What it loses for an API client that never resends is
measured (``bench/deploy.py``) and bounded below: never a request that was
applied. The way that loses nothing for any client is ``test_nginx_drain.py``.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_binary
from tests.harness.load import LoadClient, Resend, api_streams
from tests.harness.nginx import INCLUDE_FILE_CONF, MAIN_CONF, ROLLING_PARAMS
from tests.harness.nginx_site import Site, assert_exactly_once, assert_no_failures, start_site
from tests.harness.site import EXAMPLE, Gunicorn, free_port, http_get, manage

pytestmark = pytest.mark.nginx
# Each reload may close each keep-alive GET thread's idle connection once: a
# GET sent on it that instant is resent (the browser-like client counts them).
KEEPALIVE_RESENDS = 2 * 3  # keep-alive threads x reloads in the longest deploy here


@pytest.fixture
def bluegreen(tmp_path: Path) -> Iterator[Site]:
    """Blue serves release 1; green is a second checkout with release 2, not yet in Nginx."""
    for site in start_site(tmp_path, INCLUDE_FILE_CONF, ["blue"]):
        site.green.deploy("r2")
        yield site


def test_bluegreen_switch_under_load_fails_no_request(bluegreen: Site) -> None:
    site = bluegreen
    assert site.version() == "release 1"
    load = site.browser_load()
    time.sleep(1)
    result = site.switch_upstream("green", "--expect-release=r2")
    time.sleep(1)
    report = load.stop()
    assert_no_failures(report, site, max_resends=KEEPALIVE_RESENDS)
    assert "Nginx now sends traffic to green" in result.stdout
    assert report.last_body("get-new") == report.last_body("get-keepalive") == "release 2"
    assert site.version() == "release 2"
    assert site.blue.drain_file.exists()
    assert http_get(site.blue.gunicorn.url, "/healthz")[0] == 503  # type: ignore[union-attr]


def test_bluegreen_switch_to_a_green_that_never_gets_healthy_is_refused(
    bluegreen: Site,
) -> None:
    """Exit 1; blue keeps serving and no request fails."""
    site = bluegreen
    before = site.nginx.upstream_file.read_bytes()
    site.green.drain_file.write_text("")  # green: still draining, /healthz 503 forever
    load = site.browser_load()
    # Not --green-drain-file here: the switch would clear the flag and green would pass.
    result = manage(
        site.green.project,
        "switch_upstream",
        "--to=green",
        f"--blue={site.blue.address}",
        f"--green={site.green.address}",
        f"--upstream-file={site.nginx.upstream_file}",
        f"--nginx-test-cmd={site.nginx.test_cmd}",
        f"--nginx-reload-cmd={site.nginx.reload_cmd}",
        f"--public-url={site.nginx.status_url}",
        f"--blue-drain-file={site.blue.drain_file}",
        "--timeout=3",
        env=site.green.env(),
        check=False,
    )
    report = load.stop()
    assert result.returncode == 1, result.stderr
    assert "did not answer 200 within 3 s (last: HTTP 503" in result.stderr
    assert site.nginx.upstream_file.read_bytes() == before
    assert not site.blue.drain_file.exists()
    assert_no_failures(report, site, max_resends=KEEPALIVE_RESENDS)
    assert set(report.bodies) == {"release 1"}


def test_bluegreen_switch_whose_nginx_test_fails_restores_the_file(bluegreen: Site) -> None:
    """Exit 3: someone left a broken edit in the Nginx config; nothing is reloaded."""
    site = bluegreen
    before = site.nginx.upstream_file.read_bytes()
    with site.nginx.site_path.open("a") as conf:
        conf.write("this is not an nginx directive;\n")
    load = site.browser_load()
    result = site.switch_upstream("green", "--expect-release=r2", check=False)
    report = load.stop()
    assert result.returncode == 3, result.stderr
    assert "was restored; traffic still goes to" in result.stderr
    assert re.search(r"unknown directive \"this\"", result.stderr)
    assert site.nginx.upstream_file.read_bytes() == before
    assert not site.blue.drain_file.exists()
    assert_no_failures(report, site, max_resends=KEEPALIVE_RESENDS)
    assert set(report.bodies) == {"release 1"}
    assert site.version() == "release 1"


@pytest.fixture
def rolling(tmp_path: Path) -> Iterator[Site]:
    """Two instances of release 1 sharing the traffic."""
    yield from start_site(tmp_path, INCLUDE_FILE_CONF, ["blue", "green"], ROLLING_PARAMS)


def test_rolling_deploy_under_load_fails_no_request(rolling: Site) -> None:
    """Out of Nginx, replace, back in: one instance at a time (deploy-rolling.sh)."""
    site = rolling
    params = f"--server-params={ROLLING_PARAMS}"
    load = site.browser_load()
    time.sleep(1)
    site.switch_upstream("green", params)  # A (blue) out, drained
    site.blue.deploy("r2")
    site.switch_upstream("blue", params, "--expect-release=r2")  # A back alone, B out
    site.green.deploy("r2")
    site.switch_upstream("both", params, "--expect-release=r2")
    time.sleep(1)
    report = load.stop()
    assert_no_failures(report, site, max_resends=KEEPALIVE_RESENDS)
    assert site.nginx.upstream_file.read_text().count("max_fails=1 fail_timeout=5s;") == 2
    assert report.last_body("get-new") == "release 2"
    assert {site.version() for _ in range(6)} == {"release 2"}
    assert not site.blue.drain_file.exists()
    assert not site.green.drain_file.exists()


def test_bluegreen_rollback_is_a_switch_back_to_the_drained_side(bluegreen: Site) -> None:
    """Blue stayed up, drained: switching back clears its flag and waits for it."""
    site = bluegreen
    site.switch_upstream("green", "--expect-release=r2")
    load = site.browser_load()
    time.sleep(0.5)
    result = site.switch_upstream("blue", "--expect-release=r1")
    time.sleep(1)
    report = load.stop()
    assert_no_failures(report, site, max_resends=KEEPALIVE_RESENDS)
    assert "Nginx now sends traffic to blue" in result.stdout
    assert report.last_body("get-new") == "release 1"
    assert not site.blue.drain_file.exists()
    assert site.green.drain_file.exists()


@pytest.mark.slow
def test_what_the_include_file_switch_loses_was_never_applied(tmp_path: Path) -> None:
    """Six switches in a row under heavier load, gthread workers on both sides, and
    the API client that never resends.

    Every loss is the one race an Nginx reload has: it closes idle keep-alive
    client connections, and a request sent on one at that instant is reset
    before Nginx reads it (seen on POSTs and GETs alike; bench/deploy.py counts
    them). No server saw such a request, so the database must hold exactly the
    POSTs that were answered 201: nothing applied and reported failed, no
    duplicate. Nothing else may fail.
    """
    for site in start_site(tmp_path, INCLUDE_FILE_CONF, ["blue"]):
        for instance in (site.blue, site.green):
            instance.stop()
            instance.gunicorn = Gunicorn(
                instance.project,
                port=instance.port,
                env=instance.env(),
                worker_class="gthread",
                threads=4,
            ).start()
        load = LoadClient(site.nginx.url, api_streams(), Resend.NEVER, timeout=20).start()
        for target in ("green", "blue") * 3:
            site.switch_upstream(target)
            time.sleep(1)
        report = load.stop()
        print(report.summary())
        assert report.total > 500, report.summary()
        for failure in report.failures:  # reset on a reused connection, before any answer
            assert failure.reused, failure
            assert failure.bytes_received == 0, failure
            assert failure.error.startswith(
                ("ConnectionResetError", "BrokenPipeError", "RemoteDisconnected")
            ), failure
        assert_exactly_once(report, site)
        assert set(report.bodies) == {"release 1"}


@pytest.mark.parametrize(
    "conf_name", ["nginx-rolling.conf", "nginx-bluegreen.conf", INCLUDE_FILE_CONF]
)
def test_shipped_config_passes_nginx_test_with_its_tls_server(
    conf_name: str, tmp_path: Path
) -> None:
    """Verbatim but for paths and ports: the TLS and HTTP/2 lines the load tests drop."""
    nginx = require_binary("nginx")
    openssl = require_binary("openssl")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    self_signed = f"req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=x -keyout {key} -out {cert}"
    subprocess.run(
        [openssl, *self_signed.split()],
        check=True,
        capture_output=True,
    )
    upstream_file = tmp_path / "upstream.conf"
    upstream_file.write_text("server 127.0.0.1:8000;\n")
    site = (EXAMPLE / "deploy" / conf_name).read_text()
    replacements = [
        ("/etc/ssl/certs/www.example.com.pem", str(cert)),
        ("/etc/ssl/private/www.example.com.key", str(key)),
        ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{free_port()} ssl http2;"),
        ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{free_port()};"),
    ]
    if conf_name == INCLUDE_FILE_CONF:
        replacements.append(("/etc/nginx/example-upstream.conf", str(upstream_file)))
    for shipped, ours in replacements:
        assert shipped in site
        site = site.replace(shipped, ours)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(MAIN_CONF.format(user="", tmp=tmp_path))
    test_command = f"{nginx} -p {tmp_path} -e {tmp_path}/error.log -c {tmp_path}/nginx.conf -t"
    result = subprocess.run(
        test_command.split(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_drain_way_configs_proxy_alike() -> None:
    """nginx-bluegreen.conf and nginx-rolling.conf differ only in their comments."""

    def proxying(name: str) -> list[str]:
        text = (EXAMPLE / "deploy" / name).read_text()
        lines = [line.split("#", 1)[0].rstrip() for line in text.splitlines()]
        return [line for line in lines if line.strip()]

    assert proxying("nginx-bluegreen.conf") == proxying("nginx-rolling.conf")
