"""HealthMiddleware through Django's test client: sync and async stacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings

from django_zerodowntime.health.checks import migrations
from django_zerodowntime.health.drain import start_draining, stop_draining
from django_zerodowntime.health.heartbeat import Heartbeat
from django_zerodowntime.health.probe import probe


@pytest.fixture(autouse=True)
def fresh_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(tmp_path / "drain"))
    # Heartbeats would commit rows to the test database from their own thread.
    monkeypatch.setattr(probe, "heartbeat", Heartbeat(lambda: None))
    probe.forget()
    migrations.forget()
    yield
    probe.forget()


def body(response: object) -> dict[str, object]:
    return json.loads(response.content)  # type: ignore[attr-defined,no-any-return]


def test_livez_answers_an_ip_host_that_allowed_hosts_rejects(client: Client) -> None:
    assert client.get("/", HTTP_HOST="10.1.2.3").status_code == 400
    response = client.get("/livez", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/health+json"
    assert response["Cache-Control"] == "no-store"
    assert body(response) == {"status": "pass", "releaseId": "test-release"}


def test_livez_answers_without_a_host_header(client: Client) -> None:
    assert client.get("/livez", HTTP_HOST="").status_code == 200


@pytest.mark.db
@pytest.mark.django_db
def test_healthz_passes_for_an_ip_host_when_ready(client: Client) -> None:
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200, response.content
    assert body(response) == {"status": "pass", "releaseId": "test-release"}


@pytest.mark.parametrize("path", ["/livez", "/healthz"])
def test_head_and_options_give_the_same_status_as_get(client: Client, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    options = client.options(path)
    assert got.status_code == head.status_code == options.status_code
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    assert options["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_get_405(client: Client, method: str) -> None:
    response = getattr(client, method)("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Cache-Control"] == "no-store"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_over_plain_http_are_not_redirected(client: Client) -> None:
    assert client.get("/", HTTP_HOST="localhost").status_code == 301
    assert client.get("/livez", HTTP_HOST="localhost").status_code == 200


def test_probe_answers_before_auth_and_sessions(client: Client) -> None:
    response = client.get("/livez")
    assert "Set-Cookie" not in response
    assert "Vary" not in response  # SessionMiddleware/auth never saw the request


def test_normal_pages_pass_through_untouched(client: Client) -> None:
    response = client.get("/")
    assert response.content == b"hello"
    assert "Connection" not in response


def test_healthz_fails_with_retry_after_while_draining(client: Client) -> None:
    start_draining()
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert body(response)["status"] == "fail"


def test_normal_responses_ask_to_close_the_connection_while_draining(client: Client) -> None:
    start_draining()
    assert client.get("/")["Connection"] == "close"
    stop_draining()
    assert "Connection" not in client.get("/")


def test_runserver_never_gets_a_hop_by_hop_header(client: Client) -> None:
    start_draining()
    assert "Connection" not in client.get("/", SERVER_SOFTWARE="WSGIServer/0.2")


@override_settings(ZERODOWNTIME={"RELEASE": "r1", "LIVENESS_PATH": "/alive/"})
def test_paths_come_from_settings(client: Client) -> None:
    assert client.get("/alive/").status_code == 200
    assert client.get("/livez").status_code == 404


@pytest.mark.db
@pytest.mark.django_db
def test_async_stack_answers_probes_and_passes_async_views() -> None:
    async_to_sync(async_stack_answers_probes_and_passes_async_views)()


async def async_stack_answers_probes_and_passes_async_views() -> None:
    client = AsyncClient()
    response = await client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    cached = await client.get("/healthz", HTTP_HOST="10.1.2.3")  # from the cache
    assert cached.status_code == 200
    assert (await client.head("/livez")).content == b""
    assert (await client.post("/livez")).status_code == 405
    page = await client.get("/async/")
    assert page.content == b"hello async"
    assert "Connection" not in page


def test_async_stack_asks_to_close_while_draining() -> None:
    async_to_sync(async_stack_asks_to_close_while_draining)()


async def async_stack_asks_to_close_while_draining() -> None:
    start_draining()
    client = AsyncClient()
    assert (await client.get("/async/"))["Connection"] == "close"
    assert (await client.get("/healthz")).status_code == 503
