"""Health answers from a real Gunicorn serving the example project.

The example runs with DEBUG off, a strict ALLOWED_HOSTS and SECURE_SSL_REDIRECT
on, and wraps its WSGI application with HealthWSGIWrapper.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.deadline import OVER_HTTP_MARGIN, assert_cut_at, timed
from tests.harness.site import Gunicorn, copy_example_project, manage


def request(
    url: str, path: str, method: str = "GET", host: str | None = "10.1.2.3"
) -> tuple[int, dict[str, str], bytes]:
    """A plain-HTTP probe as a balancer sends it: an IP Host, no X-Forwarded-Proto."""
    address, _, port = url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        headers = {} if host is None else {"Host": host}
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw_http10(url: str, request_text: str) -> bytes:
    """HAProxy's style: HTTP/1.0 without any Host header."""
    address, _, port = url.removeprefix("http://").partition(":")
    with socket.create_connection((address, int(port)), timeout=10) as sock:
        sock.sendall(request_text.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Gunicorn]]:
    project = copy_example_project(tmp_path_factory.mktemp("health"))
    manage(project, "migrate", "--noinput")
    server = Gunicorn(project, workers=2, env={"ZERODOWNTIME_RELEASE": "rel-1"})
    with server:
        yield project, server


def test_healthz_answers_200_to_an_ip_host_over_plain_http(site: tuple[Path, Gunicorn]) -> None:
    _, server = site
    assert request(server.url, "/")[0] == 400  # the site itself rejects this Host
    status, headers, body = request(server.url, "/healthz")
    assert status == 200, body
    assert headers["Content-Type"] == "application/health+json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"status": "pass", "releaseId": "rel-1"}
    assert request(server.url, "/healthz", host="localhost")[0] == 200  # no SSL redirect
    assert request(server.url, "/", host="localhost")[0] == 301


def test_probes_without_host_and_other_methods(site: tuple[Path, Gunicorn]) -> None:
    _, server = site
    assert raw_http10(server.url, "GET /livez HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    assert raw_http10(server.url, "OPTIONS /healthz HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    head = raw_http10(server.url, "HEAD /healthz HTTP/1.0\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert head.endswith(b"\r\n\r\n")  # headers only
    assert request(server.url, "/healthz", "POST")[0] == 405


def test_drain_turns_every_worker_unready_then_back(site: tuple[Path, Gunicorn]) -> None:
    project, server = site
    manage(project, "drain", "on")
    try:
        # Both workers (new connection each time, so the kernel spreads them).
        statuses = [request(server.url, "/healthz")[0] for _ in range(20)]
        assert statuses == [503] * 20
        _, headers, _ = request(server.url, "/healthz")
        assert headers["Retry-After"] == "1"
        assert request(server.url, "/livez")[0] == 200  # liveness ignores the drain
        assert manage(project, "drain", "status", check=False).returncode == 1
    finally:
        manage(project, "drain", "off")
    assert [request(server.url, "/healthz")[0] for _ in range(20)] == [200] * 20


def test_an_unreachable_database_fails_readiness_within_the_deadline(tmp_path: Path) -> None:
    project = copy_example_project(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    black_hole = socket.socket()  # accepts TCP, never answers: a hung database
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(16)
    cases = {
        "closed port": f"postgres://postgres@127.0.0.1:{closed_port}/x",
        "hung server": f"postgres://postgres@127.0.0.1:{black_hole.getsockname()[1]}/x",
    }
    try:
        for case, url in cases.items():
            with Gunicorn(project, workers=1, env={"DATABASE_URL": url}) as server:
                (status, _, body), elapsed = timed(lambda: request(server.url, "/healthz"))
                assert status == 503, (case, body)
                assert b"127.0.0.1" not in body
                if case == "hung server":  # cut at the 0.8 s deadline; the hang is endless
                    assert_cut_at(elapsed, 0.8, OVER_HTTP_MARGIN)
                else:  # refused at once, well within the deadline
                    assert elapsed <= 0.8 + OVER_HTTP_MARGIN, elapsed
                assert request(server.url, "/livez")[0] == 200
    finally:
        black_hole.close()
