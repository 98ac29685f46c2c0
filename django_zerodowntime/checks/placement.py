"""System checks of where the health answers sit: first in MIDDLEWARE, not shadowed by a URL.

These read Django's own settings, which a project may lack (no ROOT_URLCONF
in a worker-only service or a small tool) or hold in a form Django itself
would reject later. Neither is ours to fail on: what cannot be checked is
skipped or reported as a warning, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.urls import Resolver404, resolve

from django_zerodowntime.checks.keys import is_url_path

MIDDLEWARE_PATH = "django_zerodowntime.health.middleware.HealthMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"


def wrong_type(name: str, value: Any, wanted: str) -> Warning:
    return Warning(
        f"{name} is a {type(value).__name__}, not {wanted}: django-zerodowntime cannot check "
        "where the health answers sit.",
        hint=f"Make {name} {wanted}, as Django expects.",
        id="zerodowntime.W007",
    )


def check_middleware(app_configs: Iterable[AppConfig] | None = None, **kwargs: Any) -> list[Any]:
    middleware = getattr(settings, "MIDDLEWARE", None) or []
    if not isinstance(middleware, list | tuple):
        return [wrong_type("MIDDLEWARE", middleware, "a list of dotted paths")]
    if MIDDLEWARE_PATH not in middleware:
        return []
    messages: list[CheckMessage] = []
    position = middleware.index(MIDDLEWARE_PATH)
    if position != 0:
        messages.append(
            Warning(
                f"HealthMiddleware is at position {position} in MIDDLEWARE; "
                f"{middleware[0]} runs before it.",
                hint="Put HealthMiddleware first so host checks, redirects and auth never see "
                "probes.",
                id="zerodowntime.W001",
            )
        )
    exempt = getattr(settings, "SECURE_REDIRECT_EXEMPT", None) or []
    if not isinstance(exempt, list | tuple):
        messages.append(wrong_type("SECURE_REDIRECT_EXEMPT", exempt, "a list of regexes"))
        exempt = []
    redirect = getattr(settings, "SECURE_SSL_REDIRECT", False)
    if redirect and SECURITY_MIDDLEWARE in middleware[:position] and not exempt:
        messages.append(
            Warning(
                "SECURE_SSL_REDIRECT is on and SecurityMiddleware runs before HealthMiddleware: "
                "plain-HTTP probes get a 301 instead of a health answer.",
                hint="Move HealthMiddleware first (or add the health paths to "
                "SECURE_REDIRECT_EXEMPT).",
                id="zerodowntime.W005",
            )
        )
    return messages


def check_paths_not_shadowed(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[Warning]:
    from django_zerodowntime.conf import conf

    urlconf = getattr(settings, "ROOT_URLCONF", None)
    if not urlconf:
        return []  # no URLconf (worker-only services, tools): no URL can shadow a health path
    warnings = []
    for key, path in (("LIVENESS_PATH", conf.LIVENESS_PATH), ("HEALTH_PATH", conf.HEALTH_PATH)):
        if not is_url_path(path):
            continue  # E005 already says so
        try:
            match = resolve(path)
        except Resolver404:
            continue
        except Exception as error:  # the URLconf does not load: Django's own checks say why
            return [
                Warning(
                    f"ROOT_URLCONF {urlconf!r} could not be loaded ({type(error).__name__}), so "
                    "django-zerodowntime cannot check that no URL pattern shadows the health "
                    "paths.",
                    hint="Fix the URLconf (its error is shown when Django loads it); the health "
                    "answers are served either way.",
                    id="zerodowntime.W006",
                )
            ]
        warnings.append(
            Warning(
                f"{key} {path!r} is also a URL pattern ({match.view_name}); the health answer "
                "wins and that view is never reached.",
                hint=f"Remove the URL pattern or set ZERODOWNTIME['{key}'] to another path.",
                id="zerodowntime.W004",
            )
        )
    return warnings
