"""Dropping a scratch database, and the watchdog that does it if the rehearsal dies.

``python -m django_zerodowntime.migrate.rehearsal.reaper`` is started by
``scratch.Reaper`` with what to drop on its stdin (pickled); it waits for that
pipe to close. "released" before the end means the rehearsal dropped the
database itself; anything else means the rehearsal's process died, and the
watchdog drops the database. It ignores the signals a terminal or a supervisor
sends the rehearsal, so that it outlives it. This module imports only Django's
database layer: the watchdog runs without the project's settings.
"""

from __future__ import annotations

import pickle
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.db.utils import load_backend

PREFIX = "zdt_rehearse_"
SQLITE_SIDE_FILES = ("", "-journal", "-wal", "-shm")
Settings = dict[str, Any]


def drop(settings: Settings, vendor: str, name: str) -> None:
    """Drop the scratch database ``name`` (or delete its file); nothing else, ever."""
    if not Path(name).name.startswith(PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a scratch database")
    if vendor == "sqlite":
        for suffix in SQLITE_SIDE_FILES:
            Path(name + suffix).unlink(missing_ok=True)
        return
    with admin_cursor(settings) as cursor:
        if vendor == "postgresql":
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        # A client killed mid-statement may still hold the database: end its session.
        cursor.execute("SELECT id FROM information_schema.processlist WHERE db = %s", [name])
        for (session,) in cursor.fetchall():
            with suppress(DatabaseError):  # it may have ended on its own meanwhile
                cursor.execute(f"KILL {int(session)}")
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@contextmanager
def admin_cursor(settings: Settings) -> Iterator[Any]:
    """A cursor on the server, not on any database of the project (as Django's test runner)."""
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(dict(settings), "__zdt_admin__")
    with wrapper._nodb_cursor() as cursor:
        yield cursor


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    job = pickle.load(sys.stdin.buffer)
    if sys.stdin.buffer.read().strip() == b"released":
        return
    from django.conf import settings

    settings.configure()
    drop(job["settings"], job["vendor"], job["name"])


if __name__ == "__main__":
    main()
