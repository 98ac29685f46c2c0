"""The drained answer through every door: WSGI and ASGI wrappers, HealthMiddleware
(sync and async). A draining instance hands a request back to Nginx only when
Nginx asked for it, and before any view runs; a live instance never answers
503 to a resent POST. Through a real Nginx: ``test_nginx_drain.py``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import AsyncClient, Client, override_settings

from django_zerodowntime.health.checks import CheckFailed, migrations
from django_zerodowntime.health.drain import start_draining
from django_zerodowntime.health.heartbeat import Heartbeat
from django_zerodowntime.health.probe import probe
from tests import urls
from tests.test_health_wsgi import call_asgi, call_wsgi

FIRST_HOP = "@zerodowntime_resend"
RESENT = "@zerodowntime_resend resent"
Answer = tuple[int, dict[str, str], bytes]


@pytest.fixture(autouse=True)
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(tmp_path / "drain"))
    monkeypatch.setattr(probe, "heartbeat", Heartbeat(lambda: None))
    probe.forget()
    migrations.forget()
    urls.RAN.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    probe.forget()


def wsgi(method: str, code: int, resend: str | None) -> Answer:
    extra = {"HTTP_X_ZERODOWNTIME_RESEND": resend} if resend is not None else {}
    status, headers, body = call_wsgi(f"/status/{code}/", method, HTTP_HOST="localhost", **extra)
    return int(status.split()[0]), {k.lower(): v for k, v in headers.items()}, body


def asgi(method: str, code: int, resend: str | None) -> Answer:
    headers = [(b"host", b"localhost")]
    if resend is not None:
        headers.append((b"x-zerodowntime-resend", resend.encode()))
    return call_asgi(f"/async-status/{code}/", method, headers=headers)


def middleware(method: str, code: int, resend: str | None) -> Answer:
    headers = {"X-Zerodowntime-Resend": resend} if resend is not None else {}
    response = getattr(Client(), method.lower())(f"/status/{code}/", headers=headers)
    return response.status_code, {k.lower(): v for k, v in response.items()}, response.content


def async_middleware(method: str, code: int, resend: str | None) -> Answer:
    async def call() -> Answer:
        headers = {"X-Zerodowntime-Resend": resend} if resend is not None else {}
        client = AsyncClient()
        response = await getattr(client, method.lower())(f"/async-status/{code}/", headers=headers)
        return response.status_code, {k.lower(): v for k, v in response.items()}, response.content

    return async_to_sync(call)()


DOORS: dict[str, Callable[[str, int, str | None], Answer]] = {
    "wsgi": wsgi,
    "asgi": asgi,
    "middleware": middleware,
    "async-middleware": async_middleware,
}
doors = pytest.mark.parametrize("door", sorted(DOORS))


@doors
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_draining_hands_a_first_hop_back_to_nginx_before_any_view_runs(
    door: str, method: str
) -> None:
    start_draining()
    status, headers, body = DOORS[door](method, 201, FIRST_HOP)
    assert (status, headers["x-accel-redirect"], body) == (503, FIRST_HOP, b"")
    assert headers["x-zerodowntime-drained"] == "1"
    # Nginx copies these from the answer it redirects onto the final one: none here.
    assert not {"content-type", "cache-control", "set-cookie", "expires"} & set(headers)
    assert urls.RAN == []


@doors
def test_draining_answers_a_resent_request_the_same_so_nginx_tries_the_next_instance(
    door: str,
) -> None:
    """A 503 the location moves past; its redirect starts another round if every
    instance tried was draining (a switch between two tries)."""
    start_draining()
    status, headers, body = DOORS[door]("POST", 201, RESENT)
    assert (status, headers["x-accel-redirect"], body) == (503, FIRST_HOP, b"")
    assert headers["x-zerodowntime-drained"] == "1"
    assert urls.RAN == []


@doors
@pytest.mark.parametrize(
    "resend", [None, "/etc/passwd", "@two words", "@", "resent", "@loc resent again"]
)
def test_without_a_request_nginx_can_resend_a_draining_instance_serves_it(
    door: str, resend: str | None
) -> None:
    """Other balancers, direct clients, a header that is not a named location."""
    start_draining()
    status, headers, body = DOORS[door]("POST", 201, resend)
    assert (status, body) == (201, b"ran")
    assert "x-accel-redirect" not in headers
    assert headers["connection"] == "close"
    assert len(urls.RAN) == 1


@doors
def test_a_live_instance_serves_first_hops(door: str) -> None:
    assert DOORS[door]("POST", 201, FIRST_HOP)[:1] == (201,)
    assert DOORS[door]("POST", 503, FIRST_HOP)[:1] == (503,)  # Nginx never resends this one
    assert len(urls.RAN) == 2


@doors
@pytest.mark.parametrize(
    ("method", "code", "sent"),
    [("POST", 503, 500), ("PATCH", 503, 500), ("GET", 503, 500), ("POST", 201, 201)],
)
def test_a_live_instance_never_answers_503_to_a_resent_request(
    door: str, method: str, code: int, sent: int
) -> None:
    """Nginx moves past any 503 of a resent request: a POST the view ran must not
    get one, or it would run again on the next instance, and a GET would go round."""
    status, headers, _ = DOORS[door](method, code, RESENT)
    assert status == sent
    assert "x-zerodowntime-drained" not in headers
    assert len(urls.RAN) == 1


def test_an_application_503_to_a_first_hop_is_left_alone() -> None:
    """There Nginx resends no POST by itself, and a GET once, as without this app."""
    for door in DOORS.values():
        assert door("POST", 503, FIRST_HOP)[0] == 503
        assert door("GET", 503, FIRST_HOP)[0] == 503


def failing() -> None:
    raise CheckFailed("down")


@pytest.mark.parametrize(
    ("checks", "output"),
    [
        (["django_zerodowntime.health.checks.drain"], "draining"),
        (["django_zerodowntime.health.checks.drain", "tests.test_health_drained.failing"], None),
        (
            [
                "django_zerodowntime.health.checks.drain",
                {"check": "tests.test_health_drained.failing", "critical": False},
            ],
            "draining",
        ),
    ],
)
def test_healthz_says_draining_when_that_is_all_that_keeps_it_from_ready(
    checks: list[Any], output: str | None
) -> None:
    with override_settings(ZERODOWNTIME={"RELEASE": "r", "HEALTH_CHECKS": checks}):
        assert "output" not in json.loads(call_wsgi("/healthz")[2])
        start_draining()
        status, _, body = call_wsgi("/healthz")
    assert status.startswith("503")
    assert json.loads(body).get("output") == output


@pytest.mark.parametrize("door", ["wsgi", "asgi"])
def test_the_wrappers_alone_never_answer_503_to_a_resent_request(door: str, settings: Any) -> None:
    """A project that wraps wsgi.py or asgi.py and has no HealthMiddleware: the wrapper
    itself turns the view's 503 into a 500 (with the middleware, the middleware does)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith(".HealthMiddleware")]
    assert DOORS[door]("POST", 503, RESENT)[0] == 500
    assert DOORS[door]("POST", 503, FIRST_HOP)[0] == 503
    assert len(urls.RAN) == 2
