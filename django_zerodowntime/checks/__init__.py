"""System checks: the ZERODOWNTIME setting (``keys``) and where the health answers sit
(``placement``).

One id per problem (``zerodowntime.E001``...), each with a hint that says how
to fix it; ``docs/settings.rst`` lists them all. A system check must never
raise: installing the app must not break ``migrate``, ``check`` or any other
command of a project, whatever its settings. Each check handles the settings
it reads; should one still raise, the guard below turns the exception into
warning ``zerodowntime.W008`` instead of a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Tags, Warning, register

from django_zerodowntime.checks.keys import check_settings, check_timing
from django_zerodowntime.checks.placement import (
    MIDDLEWARE_PATH,
    check_middleware,
    check_paths_not_shadowed,
)

Check = Callable[..., list[Any]]

# Every check of the app, with the tag it is registered under.
CHECKS: tuple[tuple[Check, str], ...] = (
    (check_settings, Tags.compatibility),
    (check_timing, Tags.compatibility),
    (check_middleware, Tags.compatibility),
    (check_paths_not_shadowed, Tags.urls),
)


def never_raises(check: Check) -> Check:
    @functools.wraps(check)
    def guarded(
        app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
    ) -> list[CheckMessage]:
        try:
            return check(app_configs, **kwargs)
        except Exception as error:
            return [
                Warning(
                    f"django-zerodowntime's system check {check.__name__} failed "
                    f"({type(error).__name__}: {error}); it checked nothing.",
                    hint="This is a bug in django-zerodowntime: please report it with the "
                    "settings it read. Your commands still run.",
                    id="zerodowntime.W008",
                )
            ]

    return guarded


for _check, _tag in CHECKS:
    register(_tag)(never_raises(_check))

__all__ = [
    "CHECKS",
    "MIDDLEWARE_PATH",
    "check_middleware",
    "check_paths_not_shadowed",
    "check_settings",
    "check_timing",
    "never_raises",
]
