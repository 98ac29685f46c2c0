"""The scratch database ``--base`` builds REF's schema on, and the connection that uses it.

By default a SQLite file in a temporary directory: no server needed. With
``--database ALIAS`` (a server), a new database on that alias's server, named
like Django's test databases (``test_<NAME>`` plus a unique suffix, so runs in
parallel do not meet) and created and dropped by Django's own test-database
code. Both the subprocess that builds it and this process swap it in for the
alias, so routers and the alias name stay the user's.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from django_zerodowntime.migrate.planning import bad_input

SQLITE = "django.db.backends.sqlite3"
SERVER_FIELDS = ("HOST", "PORT", "USER", "PASSWORD")
NAME_LIMIT = 63  # PostgreSQL's identifier length; MySQL allows 64


@dataclass(frozen=True)
class Scratch:
    alias: str
    sqlite_file: str | None  # the temporary SQLite file, or None: ``name`` on the server
    name: str

    @property
    def label(self) -> str:
        return "a scratch SQLite file" if self.sqlite_file else f"scratch database {self.name!r}"

    def argv(self) -> list[str]:
        """How the subprocess is told which scratch database to use."""
        where = ["--sqlite", self.sqlite_file] if self.sqlite_file else ["--name", self.name]
        return ["--alias", self.alias, *where]


def settings_for(base: dict[str, Any], sqlite_file: str | None, name: str) -> dict[str, Any]:
    """The alias's settings pointed at the scratch database."""
    if sqlite_file is None:
        return {**base, "NAME": name}
    cleared = dict.fromkeys(SERVER_FIELDS, "")
    return {**base, **cleared, "ENGINE": SQLITE, "NAME": sqlite_file, "OPTIONS": {}}


def wrapper_for(alias: str, settings_dict: dict[str, Any]) -> BaseDatabaseWrapper:
    backend: Any = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias)  # type: ignore[no-any-return]


@contextmanager
def scratch_database(
    alias: str, on_server: bool, progress: Callable[[str], None]
) -> Iterator[Scratch]:
    """Create the scratch database (a SQLite file unless ``on_server``), drop it after."""
    base = connections.settings[alias]
    if not on_server or base["ENGINE"] == SQLITE:
        holder = tempfile.mkdtemp(prefix="zerodowntime-scratch-")
        try:
            yield Scratch(alias, f"{holder}/base.sqlite3", "")
        finally:
            shutil.rmtree(holder, ignore_errors=True)
        return
    name = f"test_{base['NAME']}"[: NAME_LIMIT - 18] + f"_zdtbase_{secrets.token_hex(4)}"
    scratch = Scratch(alias, None, name)
    create(scratch)
    try:
        yield scratch
    finally:
        try:
            drop(scratch)
        except DatabaseError as error:
            progress(f"could not drop the scratch database {name!r}: {error}; drop it by hand")


def creator(scratch: Scratch) -> BaseDatabaseWrapper:
    """A connection to the alias's server whose test database is the scratch one."""
    base = connections.settings[scratch.alias]
    test = {**base.get("TEST", {}), "NAME": scratch.name}
    return wrapper_for(scratch.alias, {**base, "TEST": test})


def create(scratch: Scratch) -> None:
    """``CREATE DATABASE`` as Django's test runner words it (TEST's CHARSET, TEMPLATE...),
    without its prompt to drop a database of that name: this one is never ours."""
    server: Any = creator(scratch)
    creation = server.creation
    params = {
        "dbname": server.ops.quote_name(scratch.name),
        "suffix": creation.sql_table_creation_suffix(),
    }
    try:
        with server._nodb_cursor() as cursor:
            creation._execute_create_test_db(cursor, params, keepdb=False)
    except DatabaseError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise bad_input(
            f"could not create a scratch database on {scratch.alias!r}'s server: {first}"
        ) from None


def reset(scratch: Scratch) -> None:
    """Empty again, for a second try at building REF."""
    if scratch.sqlite_file:
        Path(scratch.sqlite_file).unlink(missing_ok=True)
        return
    drop(scratch)
    create(scratch)


def drop(scratch: Scratch) -> None:
    server: Any = creator(scratch)
    server.creation._destroy_test_db(scratch.name, verbosity=0)


@contextmanager
def swapped_in(scratch: Scratch) -> Iterator[BaseDatabaseWrapper]:
    """``connections[alias]`` is the scratch database for the duration."""
    alias = scratch.alias
    original_settings = connections.settings[alias]
    original = connections[alias]
    settings_dict = settings_for(original_settings, scratch.sqlite_file, scratch.name)
    wrapper = wrapper_for(alias, settings_dict)
    connections[alias] = wrapper
    connections.settings[alias] = settings_dict
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections[alias] = original
        connections.settings[alias] = original_settings
