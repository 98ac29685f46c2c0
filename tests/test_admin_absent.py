"""Without ``django.contrib.admin`` installed, nothing of the ledger's admin loads.

A real process with the test settings less the admin: it sets Django up, runs
the checks, serves a health probe, asks safe_migrate for the fleet and imports
every other module of the package; then lists what got imported. The same
process with the admin installed is the control: it must see our admin load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADMIN_MODULES = ("django_zerodowntime.admin", "django.contrib.admin")

SETTINGS = """
from tests.settings import *
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
if not {with_admin}:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "django.contrib.admin"]
    ROOT_URLCONF = "urls_without_admin"
"""
URLS = "urlpatterns = []\n"  # tests.urls itself mounts the admin
SCRIPT = """
import importlib, json, pathlib, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("check")
assert Client().get("/livez").status_code == 200
at_start = sorted(sys.modules)
call_command("safe_migrate", "--fleet")
import django_zerodowntime
root = pathlib.Path(django_zerodowntime.__file__).parent
for path in sorted(root.rglob("*.py")):
    name = ".".join(("django_zerodowntime", *path.relative_to(root).with_suffix("").parts))
    name = name.removesuffix(".__init__")
    if not name.startswith(("django_zerodowntime.admin", "django_zerodowntime.migrations")):
        importlib.import_module(name)
print(json.dumps({"at_start": at_start, "at_end": sorted(sys.modules)}))
"""


def loaded_modules(tmp_path: Path, with_admin: bool) -> dict[str, list[str]]:
    (tmp_path / "no_admin_settings.py").write_text(
        SETTINGS.format(db=str(tmp_path / "db.sqlite3"), with_admin=with_admin)
    )
    (tmp_path / "urls_without_admin.py").write_text(URLS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "no_admin_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def named(modules: list[str], *prefixes: str) -> list[str]:
    return [name for name in modules if name.startswith(prefixes)]


def test_without_the_admin_nothing_of_it_is_imported(tmp_path: Path) -> None:
    loaded = loaded_modules(tmp_path, with_admin=False)
    assert named(loaded["at_end"], *ADMIN_MODULES) == []


def test_with_the_admin_our_pages_load_but_not_the_analysis(tmp_path: Path) -> None:
    """The control: the same process sees our admin when the admin is installed; a
    process that serves requests loads it at start-up, so it must not load safety/."""
    loaded = loaded_modules(tmp_path, with_admin=True)
    assert "django_zerodowntime.admin_pages.fleet" in loaded["at_start"]
    assert named(loaded["at_start"], "django_zerodowntime.safety") == []
