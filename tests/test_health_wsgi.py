"""The WSGI and ASGI wrappers around Django's real handlers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings

from django_zerodowntime.health.checks import migrations
from django_zerodowntime.health.drain import start_draining
from django_zerodowntime.health.heartbeat import Heartbeat
from django_zerodowntime.health.probe import probe
from django_zerodowntime.health.wsgi import HealthASGIWrapper, HealthWSGIWrapper


@pytest.fixture(autouse=True)
def fresh_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(tmp_path / "drain"))
    # Heartbeats would commit rows to the test database from their own thread.
    monkeypatch.setattr(probe, "heartbeat", Heartbeat(lambda: None))
    probe.forget()
    migrations.forget()
    # As Django's test client does: the test database is not closed between requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    probe.forget()


def call_wsgi(path: str, method: str = "GET", **environ: str) -> tuple[str, dict[str, str], bytes]:
    env: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "HTTP_HOST": "10.1.2.3",
        "wsgi.input": BytesIO(b""),
        **environ,
    }
    setup_testing_defaults(env)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    application = HealthWSGIWrapper(get_wsgi_application())
    chunks = application(env, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return seen["status"], seen["headers"], content


def call_asgi(path: str, method: str = "GET", **extra: Any) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"10.1.2.3")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        **extra,
    }
    sent: list[dict[str, Any]] = []

    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    application = HealthASGIWrapper(get_asgi_application())
    async_to_sync(application)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, content


def test_wsgi_wrapper_answers_livez_before_django() -> None:
    status, headers, content = call_wsgi("/livez")
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/health+json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(content) == {"status": "pass", "releaseId": "test-release"}


def test_wsgi_wrapper_passes_other_paths_to_django() -> None:
    status, _, _ = call_wsgi("/")  # 10.1.2.3 is not in ALLOWED_HOSTS
    assert status.startswith("400")
    status, headers, content = call_wsgi("/", HTTP_HOST="localhost")
    assert (status, content) == ("200 OK", b"hello")
    assert "Connection" not in headers


def test_wsgi_wrapper_head_options_and_405() -> None:
    assert call_wsgi("/livez", "HEAD")[2] == b""
    assert call_wsgi("/livez", "OPTIONS")[1]["Allow"] == "GET, HEAD, OPTIONS"
    assert call_wsgi("/livez", "DELETE")[0] == "405 Method Not Allowed"


def test_wsgi_wrapper_fails_readiness_and_closes_connections_while_draining() -> None:
    start_draining()
    status, headers, _ = call_wsgi("/healthz")
    assert status == "503 Service Unavailable"
    assert headers["Retry-After"] == "1"
    assert call_wsgi("/", HTTP_HOST="localhost")[1]["Connection"] == "close"
    # The middleware behind it does not add a second Connection header.
    assert (
        "Connection"
        not in call_wsgi("/", HTTP_HOST="localhost", SERVER_SOFTWARE="WSGIServer/0.2")[1]
    )


@pytest.mark.db
@pytest.mark.django_db
def test_wsgi_wrapper_passes_readiness() -> None:
    assert call_wsgi("/healthz")[0] == "200 OK"


def test_asgi_wrapper_answers_livez_and_rejects_post() -> None:
    status, headers, content = call_asgi("/livez")
    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert json.loads(content)["status"] == "pass"
    assert call_asgi("/livez", "POST")[0] == 405


def test_asgi_wrapper_strips_the_root_path() -> None:
    assert call_asgi("/app/livez", root_path="/app")[0] == 200


def test_asgi_wrapper_passes_other_paths_to_django() -> None:
    status, headers, content = call_asgi("/async/", headers=[(b"host", b"localhost")])
    assert (status, content) == (200, b"hello async")
    assert "connection" not in headers


@pytest.mark.db
@pytest.mark.django_db
def test_asgi_wrapper_computes_readiness_in_a_thread_then_caches_it() -> None:
    assert call_asgi("/healthz")[0] == 200
    assert call_asgi("/healthz")[0] == 200


def test_asgi_wrapper_closes_connections_while_draining() -> None:
    start_draining()
    assert call_asgi("/healthz")[0] == 503
    headers = call_asgi("/async/", headers=[(b"host", b"localhost")])[1]
    assert headers["connection"] == "close"


@override_settings(
    ZERODOWNTIME={"RELEASE": "r", "HEALTH_DETAILS": {"token": "s3cret-token-0123456789"}}
)
def test_asgi_wrapper_reads_the_details_token_header() -> None:
    token = [(b"x-health-token", b"s3cret-token-0123456789")]
    assert "checks" in json.loads(call_asgi("/livez", headers=token)[2])
    assert "checks" not in json.loads(call_asgi("/livez")[2])


def test_asgi_wrapper_passes_lifespan_to_the_application() -> None:
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    async def noop() -> dict[str, Any]:
        return {}

    async def ignore(message: Any) -> None:
        return None

    async_to_sync(HealthASGIWrapper(inner))({"type": "lifespan"}, noop, ignore)
    assert seen == ["lifespan"]


@pytest.mark.parametrize(
    ("app_headers", "expected"),
    [([], "close"), ([("Connection", "keep-alive")], "keep-alive")],
)
def test_wrappers_add_connection_close_unless_the_application_set_one(
    app_headers: list[tuple[str, str]], expected: str
) -> None:
    start_draining()
    seen: list[dict[str, str]] = []

    def inner(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", list(app_headers))
        return [b""]

    def record(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        seen.append(dict(headers))

    HealthWSGIWrapper(inner)({"PATH_INFO": "/", "REQUEST_METHOD": "GET"}, record)
    assert seen[0]["Connection"] == expected

    sent: list[Any] = []

    async def asgi_inner(scope: Any, receive: Any, send: Any) -> None:
        raw = [(k.encode(), v.encode()) for k, v in app_headers]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        await send({"type": "http.response.body", "body": b""})

    async def collect(message: Any) -> None:
        sent.append(message)

    async def nothing() -> dict[str, Any]:
        return {}

    scope = {"type": "http", "path": "/", "method": "GET", "headers": []}
    async_to_sync(HealthASGIWrapper(asgi_inner))(scope, nothing, collect)
    assert (
        dict(sent[0]["headers"])[b"connection" if not app_headers else b"Connection"]
        == expected.encode()
    )
