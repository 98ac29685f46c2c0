"""DATABASE_URL, read by dj-database-url, gives the test and example settings the
databases they need: the same entries as before on every vendor, unix-socket
hosts and PostGIS included. Each settings module is loaded in a fresh process,
as Gunicorn and manage.py load it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing
from tests.harness.site import EXAMPLE, REPO, copy_example_project, manage

# The keys that decide where and how Django connects, and how it names test databases.
KEYS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS", "TEST")
TESTS = REPO / "tests"


def databases(module: str, env: dict[str, str], cwd: Path = REPO) -> dict[str, Any]:
    """``DATABASES`` of settings ``module`` loaded in a new interpreter with ``env``."""
    script = (
        "import importlib, json, sys\n"
        "sys.path.insert(0, '.')\n"
        f"settings = importlib.import_module({module!r})\n"
        "print(json.dumps(settings.DATABASES, default=str))\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ZDT_RELEASE")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env={**clean, "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def essentials(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's connection keys, PORT as text (Django accepts "5432" and 5432 alike)."""
    picked = {key: entry[key] for key in KEYS if key in entry}
    picked["PORT"] = str(picked.get("PORT", ""))
    return picked


def test_the_sqlite_run_uses_the_file_beside_the_test_settings() -> None:
    default = databases("tests.settings", {"ZERODOWNTIME_TEST_DB": "sqlite"})["default"]
    assert essentials(default) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(TESTS / "test.sqlite3"),
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }


def test_the_postgres_run_gets_its_own_test_database() -> None:
    env = {"ZERODOWNTIME_TEST_DB": "postgres", "ZERODOWNTIME_TEST_RUN": "4242"}
    default = databases("tests.settings", env)["default"]
    assert essentials(default) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "test",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "TEST": {"NAME": "test_zdt_4242"},
    }


def test_the_mariadb_run_gets_its_own_utf8mb4_test_database() -> None:
    env = {"ZERODOWNTIME_TEST_DB": "mariadb", "ZERODOWNTIME_TEST_RUN": "4242"}
    default = databases("tests.settings", env)["default"]
    assert essentials(default) == {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "test",
        "USER": "root",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "3306",
        "TEST": {
            "NAME": "test_zdt_4242",
            "CHARSET": "utf8mb4",
            "COLLATION": "utf8mb4_unicode_ci",
        },
    }


def test_the_release_and_topology_settings_read_database_url() -> None:
    url = "postgres://postgres@127.0.0.1:5432/zdt_scratch_0123456789"
    expected = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "zdt_scratch_0123456789",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }
    releases = databases("tests.releases.settings", {"DATABASE_URL": url})
    assert essentials(releases["default"]) == expected
    other = "mysql://root@127.0.0.1:3306/zdt_other"
    topology = databases(
        "tests.topology.settings", {"DATABASE_URL": url, "OTHER_DATABASE_URL": other}
    )
    assert essentials(topology["default"]) == expected
    assert essentials(topology["other"])["NAME"] == "zdt_other"


def test_the_example_project_defaults_to_sqlite_with_a_lock_wait() -> None:
    default = databases("config.settings", {}, cwd=EXAMPLE)["default"]
    assert essentials(default) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(EXAMPLE / "db.sqlite3"),
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {"timeout": 20},
    }


@pytest.mark.parametrize(
    ("url", "engine", "host", "options"),
    [
        (
            "postgres://app@%2Fvar%2Frun%2Fpostgresql/shop",
            "django.db.backends.postgresql",
            "/var/run/postgresql",
            None,
        ),
        (
            "postgis://app:s%40cret@db.internal:5433/shop?sslmode=require",
            "django.contrib.gis.db.backends.postgis",
            "db.internal",
            {"sslmode": "require"},
        ),
        (
            "mysql://app@%2Frun%2Fmysqld%2Fmysqld.sock/shop",
            "django.db.backends.mysql",
            "/run/mysqld/mysqld.sock",
            None,
        ),
    ],
)
def test_the_example_project_reads_socket_hosts_and_postgis(
    url: str, engine: str, host: str, options: dict[str, str] | None
) -> None:
    default = databases("config.settings", {"DATABASE_URL": url}, cwd=EXAMPLE)["default"]
    assert (default["ENGINE"], default["HOST"], default["NAME"]) == (engine, host, "shop")
    assert default.get("OPTIONS") == options


SOCKETS = {
    "postgres": ("/var/run/postgresql", "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/postgres"),
    "mariadb": ("/run/mysqld/mysqld.sock", "mysql://root@%2Frun%2Fmysqld%2Fmysqld.sock/mysql"),
}
VENDOR = os.environ.get("ZERODOWNTIME_TEST_DB", "sqlite")


@pytest.mark.db
@pytest.mark.skipif(VENDOR not in SOCKETS, reason="a database server's unix socket")
def test_the_example_project_connects_through_the_servers_unix_socket(tmp_path: Path) -> None:
    path, url = SOCKETS[VENDOR]
    if not os.path.exists(path):
        missing(f"{VENDOR}'s unix socket {path} is not there")
    shown = manage(
        copy_example_project(tmp_path),
        "shell",
        "-v0",
        "-c",
        "from django.db import connection as c; c.ensure_connection(); "
        "print(c.vendor, c.settings_dict['HOST'])",
        env={"DATABASE_URL": url},
    ).stdout.split()
    assert shown == [{"postgres": "postgresql", "mariadb": "mysql"}[VENDOR], path]
