"""The scratch database a rehearsal runs in: made beside the target, always dropped.

PostgreSQL and MariaDB: a new database on the target's server, named
``zdt_rehearse_<random>``, made like the target (encoding, collation).
SQLite: a temporary file filled from the target with SQLite's backup API.

It is dropped when the rehearsal ends, fails, or is interrupted (Ctrl-C, SIGTERM);
a small watchdog process (``reaper.py``) drops it if this process dies
without doing so (SIGKILL, a crash of the interpreter).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate.outcome import ExitCode
from django_zerodowntime.migrate.rehearsal.reaper import PREFIX, Settings, admin_cursor, drop


def new_name(vendor: str) -> str:
    if vendor == "sqlite":
        handle, path = tempfile.mkstemp(prefix=PREFIX, suffix=".sqlite3")
        os.close(handle)
        return path
    return PREFIX + uuid.uuid4().hex[:16]


@contextmanager
def scratch_copy(target: BaseDatabaseWrapper, progress: Callable[[str], None]) -> Iterator[Any]:
    """A connection (same alias, same settings but NAME) to a new scratch database.

    SQLite's copy holds every row of the target; the others hold only the schema.
    """
    vendor = target.vendor
    if vendor not in ("postgresql", "mysql", "sqlite"):
        raise ExitError(ExitCode.BAD_INPUT, f"--rehearse does not support {vendor} databases")
    name = new_name(vendor)
    settings = dict(target.settings_dict)
    watchdog = Reaper(settings, vendor, name)
    try:
        with stop_on_sigterm():
            create(target, name)
            progress(f"scratch copy {name} created")
            scratch = load_backend(settings["ENGINE"]).DatabaseWrapper(
                {**settings, "NAME": name}, target.alias
            )
            try:
                if vendor == "sqlite":
                    backup_sqlite(target, scratch)
                yield scratch
            finally:
                scratch.close()
    finally:
        dropped = False
        try:
            drop(settings, vendor, name)
            dropped = True
            progress(f"scratch copy {name} dropped")
        finally:
            watchdog.release(dropped)  # not dropped here: the watchdog tries in its turn


def create(target: BaseDatabaseWrapper, name: str) -> None:
    if target.vendor == "sqlite":
        return  # the file exists; backup_sqlite fills it
    try:
        with admin_cursor(target.settings_dict) as cursor:
            if target.vendor == "postgresql":
                encoding, collate, ctype = _pg_settings_of(target)
                cursor.execute(
                    f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING %s '
                    "LC_COLLATE %s LC_CTYPE %s",
                    [encoding, collate, ctype],
                )
            else:
                charset, collation = _mysql_settings_of(target)
                cursor.execute(
                    f"CREATE DATABASE `{name}` CHARACTER SET {charset} COLLATE {collation}"
                )
    except DatabaseError as error:
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"cannot create the scratch database {name} beside database "
            f"{target.alias!r}: {first_line(error)}. --rehearse needs a user allowed to create "
            f"and drop databases on that server (PostgreSQL: CREATEDB; MariaDB: CREATE, DROP)",
        ) from None


def _pg_settings_of(target: BaseDatabaseWrapper) -> tuple[str, str, str]:
    with target.cursor() as cursor:
        cursor.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype "
            "FROM pg_database WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return (str(row[0]), str(row[1]), str(row[2])) if row else ("UTF8", "C", "C")


def _mysql_settings_of(target: BaseDatabaseWrapper) -> tuple[str, str]:
    with target.cursor() as cursor:
        cursor.execute("SELECT @@character_set_database, @@collation_database")
        row = cursor.fetchone()
    return (str(row[0]), str(row[1])) if row else ("utf8mb4", "utf8mb4_unicode_ci")


def backup_sqlite(target: BaseDatabaseWrapper, scratch: BaseDatabaseWrapper) -> None:
    target.ensure_connection()
    scratch.ensure_connection()
    target.connection.backup(scratch.connection)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C does, so every ``finally`` (the drop) runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Reaper:
    """A watchdog process that drops the scratch database unless told it is gone.

    It reads what to drop from a pipe, then waits for the pipe to close: "released"
    first means this process dropped it; a bare end of file means this process died.
    It runs in its own session, so the Ctrl-C of a terminal does not reach it.
    """

    def __init__(self, settings: Settings, vendor: str, name: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django_zerodowntime.migrate.rehearsal.reaper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert self.process.stdin is not None
        pickle.dump({"settings": settings, "vendor": vendor, "name": name}, self.process.stdin)
        self.process.stdin.flush()

    def release(self, dropped: bool) -> None:
        assert self.process.stdin is not None
        try:
            if dropped:
                self.process.stdin.write(b"released")
            self.process.stdin.close()
        except OSError:
            pass  # it died: nothing left to tell
        self.process.wait(timeout=60)
