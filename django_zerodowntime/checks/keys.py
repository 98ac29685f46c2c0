"""System checks of the ZERODOWNTIME setting: every key, its type and its value.

Each check takes whatever the user wrote (any type) and turns what is wrong
into messages; it never raises.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from django_zerodowntime.conf import DEFAULTS

CHECK_ENTRY_KEYS = {"check", "name", "critical", "options"}
PROBE_TIMEOUT_SECONDS = 1.0  # Kubernetes' default timeoutSeconds

# key -> (id, "what it must be", accepts value, hint)
Rule = tuple[str, str, Callable[[Any], bool], str]


def _number(minimum: float, strict: bool) -> Callable[[Any], bool]:
    def accepts(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return value > minimum if strict else value >= minimum

    return accepts


def _optional_number(minimum: float) -> Callable[[Any], bool]:
    above = _number(minimum, True)
    return lambda value: value is None or above(value)


def _optional_text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(value.strip()))


def _path_like(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(value)) or hasattr(value, "__fspath__")


def is_url_path(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("/") and " " not in value


def _databases(value: Any) -> bool:
    databases = getattr(settings, "DATABASES", None)
    return isinstance(value, str) and isinstance(databases, dict) and value in databases


RULES: dict[str, Rule] = {
    "RELEASE": ("E003", "None or a non-empty string", _optional_text, "e.g. the git SHA"),
    "GUNICORN_PIDFILE": ("E004", "None or a file path", _path_like, "e.g. '/run/app.pid'"),
    "LIVENESS_PATH": ("E005", "a URL path starting with '/'", is_url_path, "e.g. '/livez'"),
    "HEALTH_PATH": ("E005", "a URL path starting with '/'", is_url_path, "e.g. '/healthz'"),
    "HEALTH_CACHE_SECONDS": ("E009", "a number >= 0", _number(0, False), "e.g. 1.0"),
    "HEALTH_DEADLINE_SECONDS": ("E010", "a number > 0", _number(0, True), "e.g. 0.8"),
    "DRAIN_FILE": ("E012", "None or a file path", _path_like, "e.g. '/run/app/drain'"),
    "LOCK_TIMEOUT": ("E013", "a number > 0 (seconds)", _number(0, True), "e.g. 5"),
    "LEDGER_DATABASE": ("E014", "an alias in DATABASES", _databases, "e.g. 'default'"),
    "HOST": ("E015", "None or a non-empty string", _optional_text, "e.g. 'web-1'"),
    "HEARTBEAT_SECONDS": (
        "E016",
        "None (off) or a number > 0",
        _optional_number(0),
        "e.g. 60",
    ),
    "FLEET_EXPIRY_SECONDS": ("E017", "a number > 0", _number(0, True), "e.g. 600"),
    "REHEARSE_MAX_LOCK_SECONDS": ("E018", "a number > 0 (seconds)", _number(0, True), "e.g. 1"),
}


def _error(id_: str, message: str, hint: str) -> Error:
    return Error(message, hint=hint, id=f"zerodowntime.{id_}")


def check_settings(app_configs: Iterable[AppConfig] | None = None, **kwargs: Any) -> list[Error]:
    user = getattr(settings, "ZERODOWNTIME", {})
    if not isinstance(user, dict):
        return [_error("E001", "ZERODOWNTIME must be a dict.", "e.g. ZERODOWNTIME = {}")]
    errors = [
        _error(
            "E002",
            f"ZERODOWNTIME has an unknown key {key!r}.",
            "Known keys: " + ", ".join(sorted(DEFAULTS)) + ".",
        )
        for key in user
        if key not in DEFAULTS
    ]
    for key, (id_, wanted, accepts, example) in RULES.items():
        if key in user and not accepts(user[key]):
            errors.append(
                _error(id_, f"ZERODOWNTIME['{key}'] must be {wanted}.", f"Set it to {example}.")
            )
    liveness = user.get("LIVENESS_PATH", DEFAULTS["LIVENESS_PATH"])
    if liveness == user.get("HEALTH_PATH", DEFAULTS["HEALTH_PATH"]):
        errors.append(
            _error(
                "E006",
                "LIVENESS_PATH and HEALTH_PATH are the same path.",
                "Liveness must not depend on the database: give them different paths.",
            )
        )
    if "HEALTH_CHECKS" in user:
        errors += health_checks_errors(user["HEALTH_CHECKS"])
    if "HEALTH_DETAILS" in user:
        errors += health_details_errors(user["HEALTH_DETAILS"])
    return errors


def health_checks_errors(entries: Any) -> list[Error]:
    shape = "Use a list of dotted paths or dicts with keys check, name, critical, options."
    if not isinstance(entries, list | tuple):
        return [_error("E007", "ZERODOWNTIME['HEALTH_CHECKS'] must be a list.", shape)]
    errors = []
    for position, entry in enumerate(entries):
        where = f"ZERODOWNTIME['HEALTH_CHECKS'][{position}]"
        if isinstance(entry, dict):
            path = entry.get("check")
            if (
                not isinstance(path, str)
                or set(entry) - CHECK_ENTRY_KEYS
                or not isinstance(entry.get("critical", True), bool)
                or not isinstance(entry.get("options", {}), dict)
            ):
                errors.append(_error("E007", f"{where} is not a valid check entry.", shape))
                continue
        elif isinstance(entry, str):
            path = entry
        else:
            errors.append(_error("E007", f"{where} is not a valid check entry.", shape))
            continue
        try:
            function = import_string(path)
        except Exception as error:  # its module may raise anything while importing
            function, why = None, f" ({type(error).__name__} while importing)"
        else:
            why = ""
        if not callable(function):
            errors.append(
                _error(
                    "E008",
                    f"{where}: {path!r} cannot be imported as a callable{why}.",
                    "Check the dotted path (module.function) and that the module imports.",
                )
            )
    return errors


def health_details_errors(value: Any) -> list[Error]:
    hint = "Use None (details when DEBUG), True, False or {'token': '...', 'ips': ['10.0.0.0/8']}."
    if value is None or isinstance(value, bool):
        return []
    if not isinstance(value, dict) or set(value) - {"token", "ips"}:
        return [_error("E011", "ZERODOWNTIME['HEALTH_DETAILS'] is not valid.", hint)]
    token, ips = value.get("token"), value.get("ips", [])
    if token is not None and (not isinstance(token, str) or len(token) < 16):
        return [_error("E011", "HEALTH_DETAILS['token'] must be a string of 16+ chars.", hint)]
    if not isinstance(ips, list | tuple):
        return [_error("E011", "HEALTH_DETAILS['ips'] must be a list.", hint)]
    for network in ips:
        try:
            ipaddress.ip_network(str(network), strict=False)
        except ValueError:
            return [_error("E011", f"HEALTH_DETAILS['ips'] has a bad entry {network!r}.", hint)]
    return []


def check_timing(app_configs: Iterable[AppConfig] | None = None, **kwargs: Any) -> list[Warning]:
    user = getattr(settings, "ZERODOWNTIME", {})
    if not isinstance(user, dict):
        return []
    warnings = []
    deadline = user.get("HEALTH_DEADLINE_SECONDS")
    if _number(PROBE_TIMEOUT_SECONDS, True)(deadline):
        warnings.append(
            Warning(
                f"HEALTH_DEADLINE_SECONDS is {deadline} s, longer than the 1 s probe timeout "
                "of Kubernetes (and of many load balancer setups).",
                hint="Keep it below the probe timeout (default 0.8), or raise timeoutSeconds.",
                id="zerodowntime.W002",
            )
        )
    heartbeat = user.get("HEARTBEAT_SECONDS", DEFAULTS["HEARTBEAT_SECONDS"])
    expiry = user.get("FLEET_EXPIRY_SECONDS", DEFAULTS["FLEET_EXPIRY_SECONDS"])
    both_numbers = _number(0, True)(heartbeat) and _number(0, True)(expiry)
    if both_numbers and expiry <= 2 * heartbeat:
        warnings.append(
            Warning(
                "FLEET_EXPIRY_SECONDS is not above twice HEARTBEAT_SECONDS: a live host "
                "could be forgotten between two heartbeats.",
                hint="Make FLEET_EXPIRY_SECONDS at least 3x HEARTBEAT_SECONDS.",
                id="zerodowntime.W003",
            )
        )
    return warnings
