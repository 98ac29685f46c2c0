"""System checks: one test per id."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.checks.registry import registry
from django.test import override_settings

from django_zerodowntime.checks import (
    CHECKS,
    MIDDLEWARE_PATH,
    check_middleware,
    check_paths_not_shadowed,
    check_settings,
    check_timing,
    never_raises,
)

SECURITY = "django.middleware.security.SecurityMiddleware"


def ids(config: Any) -> list[str]:
    with override_settings(ZERODOWNTIME=config):
        return [message.id for message in check_settings() + check_timing()]  # type: ignore[misc]


def test_the_test_settings_pass_every_check() -> None:
    messages = run_checks(tags=["compatibility", "urls"])
    assert [m for m in messages if m.id and m.id.startswith("zerodowntime")] == []


def test_every_message_has_a_hint() -> None:
    with override_settings(ZERODOWNTIME={"NOPE": 1, "HEALTH_CACHE_SECONDS": -1}):
        assert all(message.hint for message in check_settings())


def test_e001_settings_not_a_dict() -> None:
    assert ids(["RELEASE"]) == ["zerodowntime.E001"]
    with override_settings(ZERODOWNTIME=["RELEASE"]):
        assert check_timing() == []


def test_e002_unknown_key() -> None:
    assert ids({"HEALTH_CHECK": []}) == ["zerodowntime.E002"]


@pytest.mark.parametrize(
    ("key", "bad", "good", "check_id"),
    [
        ("RELEASE", "  ", "abc123", "E003"),
        ("GUNICORN_PIDFILE", 12, "/run/app.pid", "E004"),
        ("LIVENESS_PATH", "livez", "/live", "E005"),
        ("HEALTH_PATH", "/health z", "/ready", "E005"),
        ("HEALTH_CACHE_SECONDS", -1, 0, "E009"),
        ("HEALTH_DEADLINE_SECONDS", 0, 0.5, "E010"),
        ("DRAIN_FILE", "", "/run/app/drain", "E012"),
        ("LOCK_TIMEOUT", "5", 5, "E013"),
        ("LEDGER_DATABASE", "other", "default", "E014"),
        ("HOST", 7, "web-1", "E015"),
        ("HEARTBEAT_SECONDS", True, 30, "E016"),
        ("HEARTBEAT_SECONDS", 0, None, "E016"),
        ("FLEET_EXPIRY_SECONDS", None, 900, "E017"),
        ("REHEARSE_MAX_LOCK_SECONDS", 0, 0.5, "E018"),
        ("REHEARSE_MAX_LOCK_SECONDS", "1", 2, "E018"),
    ],
)
def test_each_key_is_validated(key: str, bad: Any, good: Any, check_id: str) -> None:
    assert ids({key: bad}) == [f"zerodowntime.{check_id}"]
    assert ids({key: good}) == []


def test_e006_liveness_and_readiness_share_a_path() -> None:
    assert ids({"LIVENESS_PATH": "/healthz"}) == ["zerodowntime.E006"]


@pytest.mark.parametrize(
    "entries",
    [
        "django_zerodowntime.health.checks.drain",
        [42],
        [{"name": "no-check"}],
        [{"check": "django_zerodowntime.health.checks.drain", "critical": "yes"}],
        [{"check": "django_zerodowntime.health.checks.drain", "options": []}],
        [{"check": "django_zerodowntime.health.checks.drain", "timeout": 1}],
    ],
)
def test_e007_health_checks_shape(entries: Any) -> None:
    assert ids({"HEALTH_CHECKS": entries}) == ["zerodowntime.E007"]


@pytest.mark.parametrize(
    "path", ["django_zerodowntime.health.checks.nope", "no_such_module.check", "conf"]
)
def test_e008_health_check_not_importable(path: str) -> None:
    assert ids({"HEALTH_CHECKS": [path]}) == ["zerodowntime.E008"]


def test_health_checks_accept_paths_and_dicts() -> None:
    entries = [
        "django_zerodowntime.health.checks.database",
        {"check": "django_zerodowntime.health.checks.drain", "critical": False, "name": "d"},
    ]
    assert ids({"HEALTH_CHECKS": entries}) == []


@pytest.mark.parametrize(
    "details",
    [
        "yes",
        {"tokens": "x"},
        {"token": "short"},
        {"ips": "10.0.0.1"},
        {"ips": ["10.0.0.300"]},
    ],
)
def test_e011_health_details(details: Any) -> None:
    assert ids({"HEALTH_DETAILS": details}) == ["zerodowntime.E011"]


@pytest.mark.parametrize(
    "details", [None, True, False, {"token": "0123456789abcdef"}, {"ips": ["10.0.0.0/8"]}]
)
def test_health_details_accepted(details: Any) -> None:
    assert ids({"HEALTH_DETAILS": details}) == []


def test_w002_deadline_longer_than_a_probe_timeout() -> None:
    assert ids({"HEALTH_DEADLINE_SECONDS": 3}) == ["zerodowntime.W002"]


def test_w003_fleet_expiry_too_close_to_the_heartbeat() -> None:
    assert ids({"HEARTBEAT_SECONDS": 60, "FLEET_EXPIRY_SECONDS": 100}) == ["zerodowntime.W003"]


def middleware_ids(middleware: list[str], **settings: Any) -> list[str]:
    with override_settings(MIDDLEWARE=middleware, **settings):
        return [message.id for message in check_middleware()]


def test_w001_middleware_not_first() -> None:
    assert middleware_ids([SECURITY, MIDDLEWARE_PATH]) == ["zerodowntime.W001"]
    assert middleware_ids([MIDDLEWARE_PATH, SECURITY]) == []
    assert middleware_ids([SECURITY]) == []  # the WSGI wrapper may be in use instead


def test_w005_ssl_redirect_before_the_middleware() -> None:
    middleware = [SECURITY, MIDDLEWARE_PATH]
    found = middleware_ids(middleware, SECURE_SSL_REDIRECT=True)
    assert found == ["zerodowntime.W001", "zerodowntime.W005"]
    exempt = middleware_ids(middleware, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=["^h"])
    assert exempt == ["zerodowntime.W001"]


def test_w004_health_path_shadows_a_url_pattern() -> None:
    with override_settings(ZERODOWNTIME={"HEALTH_PATH": "/async/"}):
        assert [m.id for m in check_paths_not_shadowed()] == ["zerodowntime.W004"]
    with override_settings(ZERODOWNTIME={"HEALTH_PATH": "bad"}):
        assert check_paths_not_shadowed() == []
    assert check_paths_not_shadowed() == []


def test_no_urlconf_means_nothing_to_shadow() -> None:
    with override_settings(ROOT_URLCONF=""):
        assert check_paths_not_shadowed() == []


@pytest.mark.parametrize("urlconf", ["no_such_urls_module", 42])
def test_w006_urlconf_that_does_not_load(urlconf: Any) -> None:
    with override_settings(ROOT_URLCONF=urlconf):
        assert [m.id for m in check_paths_not_shadowed()] == ["zerodowntime.W006"]


def test_w007_middleware_settings_of_the_wrong_type() -> None:
    assert middleware_ids(MIDDLEWARE_PATH) == ["zerodowntime.W007"]  # type: ignore[arg-type]
    found = middleware_ids([MIDDLEWARE_PATH], SECURE_REDIRECT_EXEMPT=5)
    assert found == ["zerodowntime.W007"]


def test_w008_a_check_that_raises_becomes_a_warning() -> None:
    def crashing(app_configs: Any = None, **kwargs: Any) -> list[Any]:
        raise TypeError("boom")

    messages = never_raises(crashing)()
    assert [m.id for m in messages] == ["zerodowntime.W008"]
    assert "crashing failed (TypeError: boom)" in messages[0].msg
    assert messages[0].hint


def test_every_check_is_registered_behind_the_guard() -> None:
    registered = {getattr(check, "__wrapped__", None) for check in registry.get_checks()}
    assert {check for check, _ in CHECKS} <= registered
