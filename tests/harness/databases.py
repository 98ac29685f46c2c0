"""A scratch database for a real process (Gunicorn, manage.py) to use, on the
vendor the suite runs on (``ZERODOWNTIME_TEST_DB``), dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """Yield the ``DATABASE_URL`` of a new, empty database."""
    vendor = os.environ.get("ZERODOWNTIME_TEST_DB", "sqlite")
    name = f"zdt_scratch_{uuid.uuid4().hex[:10]}"
    if vendor == "postgres":
        import psycopg

        admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        finally:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif vendor == "mariadb":
        import MySQLdb

        connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
        connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        try:
            yield f"mysql://root@127.0.0.1:3306/{name}"
        finally:
            connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
            connection.close()
    else:
        yield "sqlite:///" + str(tmp_path / f"{name}.sqlite3")
