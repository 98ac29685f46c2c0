"""Three releases of the catalog app made by expand_contract itself, driven in subprocesses.

Each release is a directory holding a ``catalog`` package: the base app, then
the migration the command wrote for that step and the models.py edit it
printed. Writers, safe_migrate and the command run with that directory on the
path (``tests/expand/settings.py``) against one shared database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.releases import VENDOR

ROOT = Path(__file__).resolve().parents[2]
BASE = Path(__file__).resolve().parent / "base"
Result = subprocess.CompletedProcess[str]


def env(release: Path, url: str, release_id: str, host: str = "web-1") -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.expand.settings",
        "ZDT_EXPAND_RELEASE_DIR": str(release),
        "DATABASE_URL": url,
        "ZDT_RELEASE_ID": release_id,
        "ZERODOWNTIME_HOST": host,
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(release: Path, *args: str, url: str, release_id: str, host: str = "web-1") -> Result:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env(release, url, release_id, host),
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result: Result) -> Result:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def new_release(tmp: Path, name: str, previous: Path | None = None) -> Path:
    """A copy of the previous release's directory (or of the base app)."""
    target = tmp / name
    shutil.copytree(previous or BASE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def apply_printed_edit(release: Path, printed: str) -> tuple[str, str]:
    """Make the models.py edit the switch step printed: ``replace\\n    OLD\\nwith\\n    NEW``."""
    match = re.search(r"replace\n    (.+)\nwith\n    (.+)\n", printed)
    assert match, printed
    old_line, new_line = match.groups()
    models_py = release / "catalog" / "models.py"
    name = old_line.split(" = ", 1)[0]
    text, count = re.subn(
        rf"^    {name} = .*$", "    " + new_line, models_py.read_text(), flags=re.M
    )
    assert count == 1, (name, text)
    models_py.write_text(text)
    return old_line, new_line


class Writer:
    """A writer process (tests/expand/writer.py) running one release's code."""

    def __init__(self, release: Path, url: str, role: str, fields: list[str], tmp: Path) -> None:
        self.stop_file = tmp / f"stop-{role}"
        self.report_file = tmp / f"report-{role}.json"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.expand.writer",
                role,
                *fields,
                "--stop",
                str(self.stop_file),
                "--report",
                str(self.report_file),
            ],
            cwd=ROOT,
            env=env(release, url, "writer"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> dict[str, Any]:
        self.stop_file.touch()
        _out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, err
        report: dict[str, Any] = json.loads(self.report_file.read_text())
        return report

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the shared database, through the vendor's own driver."""
    if VENDOR == "postgres":
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as c:
            return list(c.execute(sql).fetchall())  # type: ignore[arg-type]
    if VENDOR == "mariadb":
        import MySQLdb

        name = url.rsplit("/", 1)[1]
        connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", db=name)
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            connection.close()
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
        return list(connection.execute(sql).fetchall())


def differing(url: str, table: str, old: str, new: str) -> int:
    """Rows whose two columns differ (NULL-safe; MariaDB compared as bytes)."""
    if VENDOR == "postgres":
        condition = f'"{old}" IS DISTINCT FROM "{new}"'
    elif VENDOR == "mariadb":
        condition = f"NOT (CAST(`{old}` AS BINARY) <=> CAST(`{new}` AS BINARY))"
    else:
        condition = f'"{old}" IS NOT "{new}"'
    return int(query(url, f"SELECT COUNT(*) FROM {table} WHERE {condition}")[0][0])


def columns(url: str, table: str) -> set[str]:
    if VENDOR == "sqlite":
        return {row[1] for row in query(url, f"PRAGMA table_info({table})")}
    if VENDOR == "postgres":
        sql = f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
    else:
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
            f"AND table_name = '{table}'"
        )
    return {row[0] for row in query(url, sql)}
