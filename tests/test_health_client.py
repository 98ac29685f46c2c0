"""The one client that asks an instance "healthy, and on which release?",
against real HTTP servers: the example project under Gunicorn, and a small
server for the answers a real site gives only when something is wrong."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from django_zerodowntime.health_client import BODY_LIMIT, HealthReading, read_health
from tests.conftest import require_binary
from tests.harness.health_server import HealthServer
from tests.harness.site import Gunicorn, free_port, http_get


@pytest.fixture
def server() -> Iterator[HealthServer]:
    with HealthServer("r2") as running:
        yield running


def test_reads_status_and_release(server: HealthServer) -> None:
    assert read_health(server.url + "/healthz") == HealthReading(200, "r2")
    server.status, server.body = 503, b"<html>draining</html>"
    assert read_health(server.url + "/healthz") == HealthReading(503, None)


def test_says_the_request_was_https_at_the_proxy_and_closes_the_connection(
    server: HealthServer,
) -> None:
    read_health(server.url + "/healthz")
    (headers,) = server.received
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["Connection"] == "close"


def test_a_redirect_is_an_answer_not_followed(server: HealthServer) -> None:
    with HealthServer("elsewhere") as other:
        server.status = 301
        server.headers["Location"] = other.url + "/healthz"
        reading = read_health(server.url + "/healthz")
        assert reading.status == 301
        assert not reading.is_ready(None)
        assert other.received == []


@pytest.mark.parametrize(
    ("body", "release"),
    [
        (b'{"status": "pass", "releaseId": "r2"}', "r2"),
        (b'{"releaseId": 42}', "42"),
        (b'{"status": "pass", "releaseId": null}', None),
        (b'{"status": "pass"}', None),
        (b'["releaseId", "r2"]', None),
        (b"<html><body>It works!</body></html>", None),
        (b"\xff\xfe\x00garbage", None),
        (b"", None),
        (b"[" * 50_000, None),  # nested past the parser's recursion limit
    ],
)
def test_the_release_is_releaseid_of_a_json_object_or_unknown(
    server: HealthServer, body: bytes, release: str | None
) -> None:
    server.body = body
    assert read_health(server.url + "/healthz") == HealthReading(200, release)


def test_reads_a_bounded_part_of_a_huge_body(server: HealthServer) -> None:
    server.body = b" " * (64 * 1024 * 1024)  # more than any socket buffers hold
    reading = read_health(server.url + "/healthz")
    assert reading == HealthReading(200, None)
    assert server.answered.wait(10)
    assert BODY_LIMIT <= server.sent < len(server.body)


def test_goes_to_the_instance_directly_whatever_proxy_the_environment_names(
    server: HealthServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert read_health(server.url + "/healthz") == HealthReading(200, "r2")


def test_an_https_url_is_checked_with_the_ca_bundle_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proxies from the environment are ignored, but not REQUESTS_CA_BUNDLE: an
    instance may have a certificate from a private CA."""
    certificate, key = tmp_path / "certificate.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            require_binary("openssl"),
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    with HealthServer("r2", tls=(certificate, key)) as server:
        assert read_health(server.url + "/healthz").error == "SSLError"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
        assert read_health(server.url + "/healthz") == HealthReading(200, "r2")


def test_a_refused_connection_is_no_answer() -> None:
    reading = read_health(f"http://127.0.0.1:{free_port()}/healthz", timeout=1)
    assert (reading.status, reading.error) == (0, "ConnectionError")
    assert reading.describe() == "no answer (ConnectionError)"


def test_an_instance_that_never_answers_times_out() -> None:
    with socket.socket() as listener:  # accepts connections (backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        reading = read_health(f"http://127.0.0.1:{port}/healthz", timeout=0.3)
    assert (reading.status, reading.error) == (0, "ReadTimeout")


def test_a_malformed_url_says_what_is_wrong_with_it() -> None:
    reading = read_health("127.0.0.1:8000/healthz")
    assert reading.status == 0
    assert "127.0.0.1:8000/healthz" in reading.error


@pytest.mark.parametrize(
    ("reading", "expect", "ready"),
    [
        (HealthReading(200, "r2"), None, True),
        (HealthReading(200, "r2"), "r2", True),
        (HealthReading(200, None), None, True),
        (HealthReading(200, "r1"), "r2", False),
        (HealthReading(503, "r2"), "r2", False),
        (HealthReading(301), None, False),
        (HealthReading(0, error="ConnectionError"), None, False),
    ],
)
def test_ready_means_200_and_the_expected_release(
    reading: HealthReading, expect: str | None, ready: bool
) -> None:
    assert reading.is_ready(expect) is ready


def test_a_reading_describes_itself_for_messages() -> None:
    assert HealthReading(503, "r1").describe() == "HTTP 503, releaseId 'r1'"
    assert HealthReading(301).describe() == "HTTP 301"
    assert HealthReading(0, error="ConnectTimeout").describe() == "no answer (ConnectTimeout)"


def test_the_example_project_under_gunicorn_answers_the_client(site: Path) -> None:
    """SECURE_SSL_REDIRECT is on there: a plain-HTTP page answers 301, unless the
    request says it was HTTPS at the proxy, as the client does."""
    env = {"ZERODOWNTIME_RELEASE": "r-client"}
    with Gunicorn(site, workers=1, env=env) as gunicorn:
        assert read_health(gunicorn.url + "/healthz") == HealthReading(200, "r-client")
        assert http_get(gunicorn.url, "/version/", headers={"X-Forwarded-Proto": "http"})[0] == 301
        assert read_health(gunicorn.url + "/version/") == HealthReading(200, None)
        # APPEND_SLASH redirects /version to /version/: reported, not followed.
        assert read_health(gunicorn.url + "/version").status == 301


def test_reads_the_output_a_draining_instance_gives(server: HealthServer) -> None:
    """What switch_drain needs to tell "ready but for its drain flag" from "not ready"."""
    server.status = 503
    server.body = b'{"status": "fail", "releaseId": "r2", "output": "draining"}'
    reading = read_health(server.url + "/healthz")
    assert reading == HealthReading(503, "r2", output="draining")
    assert reading.describe() == "HTTP 503, releaseId 'r2', output 'draining'"
    server.body = b'{"status": "fail", "releaseId": "r2"}'
    assert read_health(server.url + "/healthz").output is None
