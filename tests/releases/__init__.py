"""Successive code releases of one ``scenario`` app, driven in real subprocesses.

release1 uses every field; release2 marks subtitle, summary (db_column
"abstract"), author (FK, column author_id), tags (M2M through table) and the
Legacy model unused; release3 deletes those lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = os.environ.get("ZERODOWNTIME_TEST_DB", "sqlite")


@contextmanager
def scenario_database(tmp_path: Path) -> Iterator[str]:
    """A fresh, uniquely named database on the vendor under test; dropped after."""
    name = "zdt_" + uuid.uuid4().hex[:12]
    if VENDOR == "sqlite":
        yield f"sqlite:///{tmp_path / name}.sqlite3"
        return
    admin = _admin_connection()
    try:
        with admin.cursor() as cursor:
            if VENDOR == "postgres":
                cursor.execute(f'CREATE DATABASE "{name}"')
            else:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        if VENDOR == "postgres":
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        else:
            yield f"mysql://root@127.0.0.1:3306/{name}"
    finally:
        with admin.cursor() as cursor:
            if VENDOR == "postgres":
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def _admin_connection():  # type: ignore[no-untyped-def]
    try:
        if VENDOR == "postgres":
            import psycopg

            return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
        import MySQLdb

        return MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    except Exception as error:  # the server is down or the driver missing
        message = f"{VENDOR} is not reachable on 127.0.0.1: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def release_env(
    release: str, database_url: str, host: str = "web-1", release_id: str | None = None
) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.releases.settings",
        "DATABASE_URL": database_url,
        "ZDT_RELEASE": release,
        "ZDT_RELEASE_ID": release_id or release,
        "ZERODOWNTIME_HOST": host,
        "PYTHONPATH": str(ROOT),
    }


def run_release(
    release: str,
    *args: str,
    database_url: str,
    host: str = "web-1",
    release_id: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m django <args>`` with ``release``'s code loaded."""
    env = {**release_env(release, database_url, host, release_id), **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def popen_release(release: str, *args: str, database_url: str) -> subprocess.Popen[str]:
    """Like run_release, but running in the background with pipes."""
    return subprocess.Popen(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=release_env(release, database_url),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def exercise(release: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """Run the release's ORM code (insert, select, update) against the database."""
    code = "from scenario.exercise import run; print(run())"
    return run_release(release, "shell", "-v", "0", "-c", code, database_url=database_url)
