"""Scratch databases the oracle names, creates and drops: never one it did not create.

A name is ``zdt_oracle_`` and random hex; ``CREATE DATABASE`` fails if it
exists, so the oracle cannot adopt someone else's database, and it drops only
a name it created. The drop runs in a ``finally``, also when the run is
interrupted: SIGTERM (and SIGHUP) become ``SystemExit`` while a scratch
database exists, Ctrl-C is already ``KeyboardInterrupt``.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

VENDORS = ("sqlite", "postgresql", "mariadb")
PREFIX = "zdt_oracle_"


@dataclass(frozen=True)
class Server:
    """Where scratch databases are made: a vendor and, for a server, how to reach it."""

    vendor: str
    host: str = "127.0.0.1"
    port: int = 0
    user: str = ""
    password: str = ""

    @classmethod
    def local(cls, vendor: str) -> Server:
        """The servers of the test machine (PostgreSQL 5432 as postgres, MariaDB 3306 as root)."""
        if vendor not in VENDORS:
            raise ValueError(f"unknown vendor {vendor!r} (known: {', '.join(VENDORS)})")
        ports = {"postgresql": 5432, "mariadb": 3306, "sqlite": 0}
        users = {"postgresql": "postgres", "mariadb": "root", "sqlite": ""}
        return cls(vendor, port=ports[vendor], user=users[vendor])


@dataclass(frozen=True)
class Database:
    """One scratch database: its name, Django's settings for it and its URL."""

    name: str
    settings: dict[str, Any]
    url: str


def _postgres_admin(server: Server) -> Any:
    import psycopg

    return psycopg.connect(
        host=server.host,
        port=server.port,
        user=server.user,
        password=server.password or None,
        dbname="postgres",
        autocommit=True,
    )


def _mariadb_admin(server: Server) -> Any:
    import MySQLdb

    return MySQLdb.connect(
        host=server.host, port=server.port, user=server.user, password=server.password
    )


def _django_settings(server: Server, name: str) -> dict[str, Any]:
    engine = {"postgresql": "postgresql", "mariadb": "mysql"}[server.vendor]
    settings: dict[str, Any] = {
        "ENGINE": f"django.db.backends.{engine}",
        "NAME": name,
        "HOST": server.host,
        "PORT": str(server.port),
        "USER": server.user,
        "PASSWORD": server.password,
    }
    if server.vendor == "mariadb":
        settings["OPTIONS"] = {"charset": "utf8mb4"}
    return settings


@contextmanager
def _interruptible() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise SystemExit so every ``finally`` runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def scratch_database(server: Server) -> Iterator[Database]:
    """A new, empty database on ``server``, dropped on the way out whatever happens."""
    name = PREFIX + uuid.uuid4().hex[:12]
    with _interruptible():
        if server.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix=PREFIX)
            path = os.path.join(folder, f"{name}.sqlite3")
            try:
                yield Database(name, {"ENGINE": "django.db.backends.sqlite3", "NAME": path}, path)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
        created = False
        try:
            if server.vendor == "postgresql":
                with _postgres_admin(server) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
                created = True
                url = f"postgres://{server.user}@{server.host}:{server.port}/{name}"
            else:
                admin = _mariadb_admin(server)
                try:
                    admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                finally:
                    admin.close()
                created = True
                url = f"mysql://{server.user}@{server.host}:{server.port}/{name}"
            yield Database(name, _django_settings(server, name), url)
        finally:
            if created:
                drop(server, name)


def drop(server: Server, name: str) -> None:
    """Drop the scratch database ``name`` (only ever one this module created)."""
    if not name.startswith(PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a scratch database of the oracle")
    if server.vendor == "postgresql":
        with _postgres_admin(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif server.vendor == "mariadb":
        admin = _mariadb_admin(server)
        try:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            admin.close()
