"""Readiness checks: the built-in ones and the registry that loads ``HEALTH_CHECKS``.

A check is a callable taking keyword options and returning ``None`` (pass), an
:class:`Outcome` or a list of them. Raising :class:`CheckWarning` or
:class:`CheckFailed` reports that status with the exception's message; any
other exception is a failure reported by its class name only, because
database errors carry host names and user names.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

from django_zerodowntime.health.drain import is_draining


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Outcome:
    status: Status
    output: str = ""
    component: str = ""


class CheckWarning(Exception):
    """Raise from a check to report ``warn`` with this (safe, public) message."""


class CheckFailed(Exception):
    """Raise from a check to report ``fail`` with this (safe, public) message."""


CheckFunction = Callable[..., "Outcome | Iterable[Outcome] | None"]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    function: CheckFunction
    critical: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def inline(self) -> bool:
        """Inline checks are cheap: run on every probe, never cached or threaded."""
        return bool(getattr(self.function, "inline", False))


@dataclass(frozen=True)
class CheckResult:
    spec: CheckSpec
    outcomes: tuple[Outcome, ...]


def run_check(spec: CheckSpec) -> CheckResult:
    try:
        returned = spec.function(**spec.options)
    except CheckWarning as warning:
        returned = Outcome(Status.WARN, str(warning))
    except CheckFailed as failure:
        returned = Outcome(Status.FAIL, str(failure))
    except Exception as error:
        returned = Outcome(Status.FAIL, f"{type(error).__name__} raised")
    if returned is None:
        outcomes: tuple[Outcome, ...] = (Outcome(Status.PASS),)
    elif isinstance(returned, Outcome):
        outcomes = (returned,)
    else:
        outcomes = tuple(returned) or (Outcome(Status.PASS),)
    return CheckResult(spec, outcomes)


_loaded: dict[str, tuple[CheckSpec, ...]] = {}


def load_checks(entries: Iterable[str | Mapping[str, Any]]) -> tuple[CheckSpec, ...]:
    """Turn ``HEALTH_CHECKS`` entries into specs (validated by the system checks).

    Memoized by the entries' text: every probe asks, imports are not free.
    """
    entries = list(entries)
    key = repr(entries)
    specs = _loaded.get(key)
    if specs is None:
        specs = _loaded[key] = tuple(_load(entries))
    return specs


def _load(entries: Iterable[str | Mapping[str, Any]]) -> list[CheckSpec]:
    specs = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"check": entry}
        path = str(entry["check"])
        specs.append(
            CheckSpec(
                name=str(entry.get("name") or path.rpartition(".")[2]),
                function=import_string(path),
                critical=bool(entry.get("critical", True)),
                options=dict(entry.get("options") or {}),
            )
        )
    return specs


def _aliases(databases: Iterable[str] | None) -> list[str]:
    return list(databases) if databases is not None else list(connections)


def database(databases: Iterable[str] | None = None) -> list[Outcome]:
    """A ``SELECT 1`` per alias on this thread's connection, like a request would.

    Stale or broken connections are closed before and after, following the
    alias's CONN_MAX_AGE exactly as Django's request signals do.
    """
    outcomes = []
    for alias in _aliases(databases):
        connection = connections[alias]
        connection.close_if_unusable_or_obsolete()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:
            connection.close()  # never reuse a connection that just failed
            outcomes.append(Outcome(Status.FAIL, f"did not answer ({type(error).__name__})", alias))
        else:
            connection.close_if_unusable_or_obsolete()
            outcomes.append(Outcome(Status.PASS, "answered", alias))
    return outcomes


class MigrationsCheck:
    """No unapplied migrations for the loaded code; remembered once true.

    The code of a process never changes and applied migrations are not undone
    under a running release, so once it passes it stays passed (no query).
    """

    def __init__(self) -> None:
        self._applied: set[str] = set()
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._applied.clear()

    def __call__(self, databases: Iterable[str] = (DEFAULT_DB_ALIAS,)) -> list[Outcome]:
        outcomes = []
        for alias in databases:
            if alias in self._applied:
                outcomes.append(Outcome(Status.PASS, "all applied", alias))
                continue
            connection = connections[alias]
            try:
                executor = MigrationExecutor(connection)
                pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            finally:
                connection.close_if_unusable_or_obsolete()
            if pending:
                outcomes.append(Outcome(Status.FAIL, f"{len(pending)} not applied", alias))
            else:
                with self._lock:
                    self._applied.add(alias)
                outcomes.append(Outcome(Status.PASS, "all applied", alias))
        return outcomes


migrations = MigrationsCheck()


def drain() -> Outcome:
    if is_draining():
        return Outcome(Status.FAIL, "draining")
    return Outcome(Status.PASS)


drain.inline = True  # type: ignore[attr-defined]
