"""Lazy, typed access to ``settings.ZERODOWNTIME``.

Every read goes back to ``django.conf.settings`` so ``override_settings``
works, and the user's dict is never mutated. Validation lives in
``checks/``; this module only supplies defaults.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULT_HEALTH_CHECKS: tuple[str, ...] = (
    "django_zerodowntime.health.checks.database",
    "django_zerodowntime.health.checks.migrations",
    "django_zerodowntime.health.checks.drain",
)

DEFAULTS: dict[str, Any] = {
    "RELEASE": None,
    "GUNICORN_PIDFILE": None,
    "LIVENESS_PATH": "/livez",
    "HEALTH_PATH": "/healthz",
    "HEALTH_CHECKS": DEFAULT_HEALTH_CHECKS,
    "HEALTH_CACHE_SECONDS": 1.0,
    "HEALTH_DEADLINE_SECONDS": 0.8,
    "HEALTH_DETAILS": None,
    "DRAIN_FILE": None,
    "LOCK_TIMEOUT": 5.0,
    "LEDGER_DATABASE": "default",
    "HOST": None,
    "HEARTBEAT_SECONDS": 60.0,
    "FLEET_EXPIRY_SECONDS": 600.0,
    "REHEARSE_MAX_LOCK_SECONDS": 1.0,
}


class Settings:
    """Attribute access to ZERODOWNTIME keys, with defaults, read on every access."""

    def user_dict(self) -> dict[str, Any]:
        value = getattr(settings, "ZERODOWNTIME", None)
        return value if isinstance(value, dict) else {}

    def get(self, key: str) -> Any:
        return self.user_dict().get(key, DEFAULTS[key])

    @property
    def RELEASE(self) -> str | None:
        return self.get("RELEASE")  # type: ignore[no-any-return]

    @property
    def GUNICORN_PIDFILE(self) -> str | None:
        return self.get("GUNICORN_PIDFILE")  # type: ignore[no-any-return]

    @property
    def LIVENESS_PATH(self) -> str:
        return self.get("LIVENESS_PATH")  # type: ignore[no-any-return]

    @property
    def HEALTH_PATH(self) -> str:
        return self.get("HEALTH_PATH")  # type: ignore[no-any-return]

    @property
    def HEALTH_CHECKS(self) -> list[str | dict[str, Any]]:
        return list(self.get("HEALTH_CHECKS"))

    @property
    def HEALTH_CACHE_SECONDS(self) -> float:
        return float(self.get("HEALTH_CACHE_SECONDS"))

    @property
    def HEALTH_DEADLINE_SECONDS(self) -> float:
        return float(self.get("HEALTH_DEADLINE_SECONDS"))

    @property
    def HEALTH_DETAILS(self) -> bool | dict[str, Any]:
        """True/False, or {"token": str, "ips": [str]}; None means "when DEBUG"."""
        value = self.get("HEALTH_DETAILS")
        if value is None:
            return bool(settings.DEBUG)
        return value  # type: ignore[no-any-return]

    @property
    def DRAIN_FILE(self) -> Path:
        """The instance's drain flag file.

        Env ``ZERODOWNTIME_DRAIN_FILE`` wins so that two instances of one
        checkout (blue and green) can have their own flag.
        """
        from_env = os.environ.get("ZERODOWNTIME_DRAIN_FILE")
        if from_env:
            return Path(from_env)
        configured = self.get("DRAIN_FILE")
        if configured:
            return Path(configured)
        base = Path(str(getattr(settings, "BASE_DIR", "") or tempfile.gettempdir()))
        return base / ".zerodowntime-drain"

    @property
    def LOCK_TIMEOUT(self) -> float:
        return float(self.get("LOCK_TIMEOUT"))

    @property
    def LEDGER_DATABASE(self) -> str:
        return self.get("LEDGER_DATABASE")  # type: ignore[no-any-return]

    @property
    def HOST(self) -> str:
        """This host's name in the ledger: setting, env ZERODOWNTIME_HOST, hostname."""
        import socket

        return str(self.get("HOST") or os.environ.get("ZERODOWNTIME_HOST") or socket.gethostname())

    @property
    def HEARTBEAT_SECONDS(self) -> float | None:
        """None turns heartbeats off (a process then never reports itself)."""
        value = self.get("HEARTBEAT_SECONDS")
        return None if value is None else float(value)

    @property
    def FLEET_EXPIRY_SECONDS(self) -> float:
        return float(self.get("FLEET_EXPIRY_SECONDS"))

    @property
    def REHEARSE_MAX_LOCK_SECONDS(self) -> float:
        """How long ``--rehearse`` lets a safe operation block the serving code."""
        return float(self.get("REHEARSE_MAX_LOCK_SECONDS"))


conf = Settings()
