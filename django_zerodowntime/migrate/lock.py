"""One safe_migrate at a time per database.

PostgreSQL: a session advisory lock; MySQL/MariaDB: GET_LOCK (server wide, so
named after the database); SQLite: an exclusive flock on a file beside it.
Every wait has a bound.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db.backends.base.base import BaseDatabaseWrapper

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate.outcome import ExitCode

LOCK_NAME = "django_zerodowntime.safe_migrate"
PG_LOCK_KEY = 0x7A64_7464_6D69  # any fixed bigint; advisory locks are per database


@contextmanager
def serialised(
    connection: BaseDatabaseWrapper, wait: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the safe_migrate lock of ``connection``'s database, waiting at most ``wait`` s."""
    lock = _DatabaseLock(connection)
    deadline = time.monotonic() + wait
    warned = False
    try:
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                raise ExitError(
                    ExitCode.BAD_INPUT,
                    f"another safe_migrate still holds the lock on database "
                    f"{connection.alias!r} after {wait:g}s; wait for it to finish, or raise "
                    f"--lock-wait",
                )
            if on_wait is not None and not warned:
                on_wait()
                warned = True
            time.sleep(0.1)
        yield
    finally:
        lock.release()


class _DatabaseLock:
    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.held = False
        self.handle: IO[str] | None = None
        self.temporary: Path | None = None
        if connection.vendor not in ("postgresql", "mysql"):
            name = str(connection.settings_dict["NAME"])
            if name in ("", ":memory:") or name.startswith("file:"):
                # One process owns an in-memory database: a per-process file is enough.
                name = str(Path(tempfile.gettempdir()) / f"zerodowntime-{os.getpid()}")
                self.temporary = Path(name + ".zerodowntime.lock")
            self.handle = Path(name + ".zerodowntime.lock").open("a+")  # noqa: SIM115 (held across a with block)

    @property
    def mysql_name(self) -> str:
        return f"{LOCK_NAME}:{self.connection.settings_dict['NAME']}"[:64]

    def try_acquire(self) -> bool:
        if self.handle is not None:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            self.held = True
        elif self.connection.vendor == "postgresql":
            self.held = self._scalar("SELECT pg_try_advisory_lock(%s)", PG_LOCK_KEY) is True
        else:
            self.held = self._scalar("SELECT GET_LOCK(%s, 0)", self.mysql_name) == 1
        return self.held

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing drops the flock
            if self.temporary is not None:
                self.temporary.unlink(missing_ok=True)
        elif self.held and self.connection.vendor == "postgresql":
            self._scalar("SELECT pg_advisory_unlock(%s)", PG_LOCK_KEY)
        elif self.held:
            self._scalar("SELECT RELEASE_LOCK(%s)", self.mysql_name)
        self.held = False

    def _scalar(self, sql: str, param: int | str) -> object:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [param])
            row = cursor.fetchone()
        return row[0] if row else None
