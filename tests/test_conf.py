"""The lazy settings object: defaults, overrides, environment."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.test import override_settings

from django_zerodowntime.conf import DEFAULT_HEALTH_CHECKS, DEFAULTS, conf


def test_defaults_apply_for_missing_keys() -> None:
    with override_settings(ZERODOWNTIME={}):
        assert conf.RELEASE is None
        assert conf.GUNICORN_PIDFILE is None
        assert conf.LIVENESS_PATH == "/livez"
        assert conf.HEALTH_PATH == "/healthz"
        assert list(DEFAULT_HEALTH_CHECKS) == conf.HEALTH_CHECKS
        assert conf.HEALTH_CACHE_SECONDS == 1.0
        assert conf.HEALTH_DEADLINE_SECONDS == 0.8
        assert conf.LOCK_TIMEOUT == 5.0
        assert conf.LEDGER_DATABASE == "default"
        assert conf.HEARTBEAT_SECONDS == 60.0
        assert conf.FLEET_EXPIRY_SECONDS == 600.0
        assert conf.REHEARSE_MAX_LOCK_SECONDS == 1.0


def test_every_default_has_a_property() -> None:
    assert all(hasattr(conf, key) for key in DEFAULTS)


def test_override_settings_is_seen_and_the_dict_is_not_mutated() -> None:
    user = {"HEALTH_PATH": "/ready", "HEALTH_CACHE_SECONDS": 3}
    with override_settings(ZERODOWNTIME=user):
        assert conf.HEALTH_PATH == "/ready"
        assert conf.HEALTH_CACHE_SECONDS == 3.0
    assert user == {"HEALTH_PATH": "/ready", "HEALTH_CACHE_SECONDS": 3}


def test_a_missing_or_broken_setting_means_defaults() -> None:
    with override_settings(ZERODOWNTIME=None):
        assert conf.HEALTH_PATH == "/healthz"


def test_health_details_none_follows_debug() -> None:
    with override_settings(ZERODOWNTIME={}, DEBUG=True):
        assert conf.HEALTH_DETAILS is True
    with override_settings(ZERODOWNTIME={"HEALTH_DETAILS": {"token": "t"}}):
        assert conf.HEALTH_DETAILS == {"token": "t"}


def test_drain_file_env_wins_over_setting_over_base_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ZERODOWNTIME_DRAIN_FILE", raising=False)
    with override_settings(ZERODOWNTIME={}, BASE_DIR=tmp_path):
        assert tmp_path / ".zerodowntime-drain" == conf.DRAIN_FILE
    with override_settings(ZERODOWNTIME={"DRAIN_FILE": "/run/x/drain"}):
        assert Path("/run/x/drain") == conf.DRAIN_FILE
        monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(tmp_path / "env-drain"))
        assert tmp_path / "env-drain" == conf.DRAIN_FILE


def test_host_setting_then_env_then_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZERODOWNTIME_HOST", raising=False)
    with override_settings(ZERODOWNTIME={}):
        assert socket.gethostname() == conf.HOST
        monkeypatch.setenv("ZERODOWNTIME_HOST", "blue-1")
        assert conf.HOST == "blue-1"
    with override_settings(ZERODOWNTIME={"HOST": "web-9"}):
        assert conf.HOST == "web-9"
