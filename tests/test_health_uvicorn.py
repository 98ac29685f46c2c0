"""The ASGI door in a real server: Uvicorn serving the example's asgi.py."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.site import copy_example_project, free_port, manage, site_env


@pytest.fixture(scope="module")
def uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    project = copy_example_project(tmp_path_factory.mktemp("uvicorn"))
    manage(project, "migrate", "--noinput")
    port = free_port()
    log = (project / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port)],
        cwd=project,
        env=site_env(project, {"ZERODOWNTIME_RELEASE": "asgi-1"}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/livez")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (project / "uvicorn.log").read_text()
            assert process.poll() is None, (project / "uvicorn.log").read_text()
            time.sleep(0.05)
        yield project, port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "10.1.2.3", **headers})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_asgi_healthz_answers_an_ip_host(uvicorn: tuple[Path, int]) -> None:
    _, port = uvicorn
    status, headers, body = get(port, "/healthz")
    assert status == 200, body
    assert headers["content-type"] == "application/health+json"
    assert json.loads(body) == {"status": "pass", "releaseId": "asgi-1"}


def test_asgi_draining_fails_readiness_and_closes_keep_alive(uvicorn: tuple[Path, int]) -> None:
    project, port = uvicorn
    page = {"Host": "localhost", "X-Forwarded-Proto": "https"}
    assert "connection" not in get(port, "/", **page)[1]
    manage(project, "drain", "on")
    try:
        assert get(port, "/healthz")[0] == 503
        assert get(port, "/", **page)[1]["connection"] == "close"
    finally:
        manage(project, "drain", "off")
    assert get(port, "/healthz")[0] == 200
