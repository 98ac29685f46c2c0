"""Per-check details: only for DEBUG, a token or a listed address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings

from django_zerodowntime.health.heartbeat import Heartbeat
from django_zerodowntime.health.probe import probe

TOKEN = "a-long-enough-token-123"
DRAIN = "django_zerodowntime.health.checks.drain"
OPTIONAL = {"check": "tests.test_health_probe.failing_check", "critical": False, "name": "cache"}


@pytest.fixture(autouse=True)
def fresh_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(tmp_path / "drain"))
    # Heartbeats would commit rows to the test database from their own thread.
    monkeypatch.setattr(probe, "heartbeat", Heartbeat(lambda: None))
    probe.forget()
    yield
    probe.forget()


def details_shown(client: Client, setting: object, **request: str) -> bool:
    config = {"RELEASE": "r", "HEALTH_CHECKS": [DRAIN], "HEALTH_DETAILS": setting}
    with override_settings(ZERODOWNTIME=config):
        return "checks" in json.loads(client.get("/healthz", **request).content)  # type: ignore[arg-type]


def test_details_follow_debug_by_default(client: Client) -> None:
    assert not details_shown(client, None)
    with override_settings(DEBUG=True):
        assert details_shown(client, None)


def test_details_can_be_forced_on_or_off(client: Client) -> None:
    assert details_shown(client, True)
    with override_settings(DEBUG=True):
        assert not details_shown(client, False)


def test_details_need_the_exact_token(client: Client) -> None:
    setting = {"token": TOKEN}
    assert details_shown(client, setting, HTTP_X_HEALTH_TOKEN=TOKEN)
    assert not details_shown(client, setting, HTTP_X_HEALTH_TOKEN=TOKEN + "x")
    assert not details_shown(client, setting)


def test_details_for_listed_addresses_and_networks(client: Client) -> None:
    setting = {"ips": ["10.0.0.0/8", "192.168.1.5"]}
    assert details_shown(client, setting, REMOTE_ADDR="10.20.30.40")
    assert details_shown(client, setting, REMOTE_ADDR="192.168.1.5")
    assert not details_shown(client, setting, REMOTE_ADDR="192.168.1.6")
    assert not details_shown(client, setting, REMOTE_ADDR="not-an-ip")


def test_a_failing_optional_check_warns_and_still_answers_200(client: Client) -> None:
    config = {"RELEASE": "r", "HEALTH_CHECKS": [DRAIN, OPTIONAL], "HEALTH_DETAILS": True}
    with override_settings(ZERODOWNTIME=config):
        response = client.get("/healthz")
    document = json.loads(response.content)
    assert response.status_code == 200
    assert document["status"] == "warn"
    assert document["checks"]["cache"] == [
        {"status": "fail", "output": "cache unreachable", "critical": False}
    ]
