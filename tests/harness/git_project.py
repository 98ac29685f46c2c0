"""A small Django project in a real git repository: a base commit, then a change.

For ``safe_migrate --check --base REF``: the project (``config`` settings, one
``shop`` app) is written, committed on ``main`` with the git binary, then each
test writes its change and commits it on a branch. Commands run as a CI job
runs them: ``python manage.py ...`` in the checkout, in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

SETTINGS = """\
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "base-check-only"
USE_TZ = True
INSTALLED_APPS = ["django_zerodowntime", "shop"]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "config.urls"
"""

# The serving code: ``sku`` in use, ``legacy_code`` already marked unused.
MODELS = """\
from django.db import models

from django_zerodowntime import unused


class Product(models.Model):
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=32, null=True)
    legacy_code = unused(models.CharField(max_length=32, null=True))
"""

INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("sku", models.CharField(max_length=32, null=True)),
                ("legacy_code", models.CharField(max_length=32, null=True)),
            ],
        ),
    ]
"""

FILES = {
    "manage.py": MANAGE,
    "config/__init__.py": "",
    "config/settings.py": SETTINGS,
    "config/urls.py": "urlpatterns = []\n",
    "shop/__init__.py": "",
    "shop/models.py": MODELS,
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": INITIAL,
}


def migration(*operations: str, imports: str = "from django.db import migrations, models") -> str:
    """A migration of ``shop`` after 0001, one operation per line as makemigrations writes."""
    body = "".join(f"        {operation}\n" for operation in operations)
    return (
        f"{imports}\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n\n'
        f"    operations = [\n{body}    ]\n"
    )


class Project:
    """The checkout: write files, commit them, run manage.py."""

    def __init__(self, root: Path, git_binary: str, database_url: str) -> None:
        self.root = root
        self.git_binary = git_binary
        self.database_url = database_url

    def write(self, files: Mapping[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def delete(self, name: str) -> None:
        (self.root / name).unlink()

    def git(self, *args: str) -> str:
        done = subprocess.run(
            [self.git_binary, "-c", "user.name=Tests", "-c", "user.email=tests@example.com", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        )
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def manage(
        self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python manage.py ARGS``, or with ``env`` PYTHONPATH set, ``python -m django ARGS``
        (as CI jobs often run it, from wherever they are)."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        environment.update(
            {
                "DATABASE_URL": self.database_url,
                "PYTHONDONTWRITEBYTECODE": "1",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
        )
        environment.pop("ZERODOWNTIME_RELEASE", None)
        environment.update(env or {})
        program = ["-m", "django"] if env else [str(self.root / "manage.py")]
        return subprocess.run(
            [sys.executable, *program, *args],
            cwd=cwd or self.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )


def create(root: Path, git_binary: str, database_url: str) -> Project:
    """The project committed on ``main``: the base every test changes."""
    root.mkdir(parents=True)
    project = Project(root, git_binary, database_url)
    project.git("init", "-q")
    project.git("checkout", "-q", "-b", "main")
    project.write(FILES)
    project.commit("base: Product with sku in use and legacy_code marked unused")
    project.git("checkout", "-q", "-b", "change")
    return project
