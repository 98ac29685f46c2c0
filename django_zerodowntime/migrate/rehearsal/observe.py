"""What a vendor's probe tells about one statement it ran, and which probe a vendor gets.

A probe runs each statement Django sends to the scratch copy (the MariaDB probe
may run it with an ``ALGORITHM`` clause) and says what it locked and rewrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Taken:
    """A lock a statement took."""

    table: str
    mode: str
    blocks: tuple[str, ...]
    existing: bool  # on a table that existed before the rehearsal (or a database-wide lock)


@dataclass(frozen=True)
class Observation:
    result: Any  # what the cursor returned, handed back to Django
    seconds: float
    locks: tuple[Taken, ...] = ()
    rewrote: tuple[tuple[str, bool], ...] = ()  # (table, existed before the rehearsal)


class Probe(Protocol):
    # True: a lock taken in a transaction lasts until it commits (PostgreSQL, SQLite);
    # False: until the statement ends (MariaDB, whose DDL commits by itself).
    locks_last_until_commit: bool

    def start_operation(self) -> None: ...

    def run(self, execute: Callable[[str], Any], sql: str, in_transaction: bool) -> Observation: ...

    def close(self) -> None: ...


def probe_for(scratch: BaseDatabaseWrapper, target: BaseDatabaseWrapper) -> Probe:
    if scratch.vendor == "postgresql":
        from django_zerodowntime.migrate.rehearsal.postgresql import PostgresProbe

        return PostgresProbe(scratch)
    if scratch.vendor == "mysql":
        from django_zerodowntime.migrate.rehearsal.mariadb import MariaDBProbe

        return MariaDBProbe(scratch)
    from django_zerodowntime.migrate.rehearsal.sqlite import SqliteProbe

    return SqliteProbe(scratch, target)
