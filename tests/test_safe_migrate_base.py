"""``safe_migrate --check --base REF`` on real git repositories, in real subprocesses.

Each test takes the base project (``main``: ``Product.sku`` in use,
``legacy_code`` marked unused), commits a change on a branch and judges it
against ``main``. On SQLite (the default) the project's own database does not
even exist: ``--base`` needs none. With ``ZERODOWNTIME_TEST_DB=postgres`` (or
``mariadb``) the project's database is a real, empty one, ``--database default``
builds the scratch database on that server, and the tests check that the
project's database was not touched and the scratch one was dropped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_binary
from tests.harness.git_project import Project, create, migration
from tests.releases import VENDOR, _admin_connection, scenario_database

pytestmark = pytest.mark.db

Result = subprocess.CompletedProcess[str]
DROP_SKU = 'migrations.RemoveField(model_name="product", name="sku"),'
ADD_COLOR = 'migrations.AddField("product", "color", models.CharField(max_length=20, null=True)),'
MODELS_WITHOUT_SKU = """\
from django.db import models

from django_zerodowntime import unused


class Product(models.Model):
    name = models.CharField(max_length=100)
    legacy_code = unused(models.CharField(max_length=32, null=True))
"""


@pytest.fixture(scope="module")
def base_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    git = require_binary("git")
    return create(tmp_path_factory.mktemp("base") / "project", git, "sqlite://").root


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The project's own database: absent on SQLite, a real empty one on a server."""
    if VENDOR == "sqlite":
        yield f"sqlite:///{tmp_path / 'absent' / 'production.sqlite3'}"
        return
    with scenario_database(tmp_path) as url:
        yield url


@pytest.fixture
def project(base_repository: Path, tmp_path: Path, database_url: str) -> Iterator[Project]:
    root = tmp_path / "project"
    shutil.copytree(base_repository, root, symlinks=True)
    checkout = Project(root, require_binary("git"), database_url)
    yield checkout
    assert checkout.git("worktree", "list").count("\n") == 0, "a worktree was left behind"
    if VENDOR != "sqlite":
        assert tables_of(database_url) == set(), "the project's own database was written"


def tables_of(url: str) -> set[str]:
    """The tables of the project's own database on the server."""
    name = url.rsplit("/", 1)[-1]
    admin = _admin_connection()
    try:
        with admin.cursor() as cursor:
            if VENDOR == "postgres":
                import psycopg

                with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as db:
                    rows = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    return {row[0] for row in rows.fetchall()}
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [name]
            )
            return {row[0] for row in cursor.fetchall()}
    finally:
        admin.close()


def database_exists(name: str) -> bool:
    admin = _admin_connection()
    try:
        with admin.cursor() as cursor:
            if VENDOR == "postgres":
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            else:
                cursor.execute("SHOW DATABASES LIKE %s", [name])
            return cursor.fetchone() is not None
    finally:
        admin.close()


def check(project: Project, *args: str, base: str = "main") -> Result:
    server = [] if VENDOR == "sqlite" else ["--database", "default"]
    return project.manage("safe_migrate", "--check", "--base", base, *server, *args)


def document(result: Result, code: int) -> dict[str, Any]:
    assert result.returncode == code, result.stdout + result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    if VENDOR != "sqlite":
        name = re.search(r"scratch database '([^']+)'", parsed["base"]["scratch"])
        assert name is not None, parsed["base"]
        assert name[1].startswith("test_")
        assert not database_exists(name[1]), f"scratch database {name[1]} was not dropped"
    return parsed


def findings(parsed: dict[str, Any]) -> dict[tuple[str, int | None], dict[str, Any]]:
    """``(migration name, operation index) -> operation`` of every migration reported."""
    return {
        (migration_["name"], op["index"]): op
        for migration_ in parsed["migrations"]
        for op in migration_["operations"]
    }


def line_of(project: Project, name: str, text: str) -> int:
    lines = (project.root / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_safe_add_passes(project: Project) -> None:
    """Exit 0: a nullable column added while main's code serves."""
    project.write({"shop/migrations/0002_color.py": migration(ADD_COLOR)})
    project.commit("add Product.color")
    parsed = document(check(project, "--format", "json"), 0)
    assert parsed["verdict"] == "ok"
    [(key, op)] = findings(parsed).items()
    assert key == ("0002_color", 0)
    assert (op["operation"], op["verdict"]) == ("AddField", "safe")
    assert parsed["base"]["migrations_applied"] >= 2  # shop.0001 and the ledger's own


def test_drop_of_a_field_base_marked_unused_passes(project: Project) -> None:
    """Exit 0: main already marked legacy_code unused(), so nothing serving reads it."""
    project.write(
        {
            "shop/models.py": MODELS_WITHOUT_SKU.replace(
                "    legacy_code = unused(models.CharField(max_length=32, null=True))\n",
                "    sku = models.CharField(max_length=32, null=True)\n",
            ),
            "shop/migrations/0002_drop_legacy.py": migration(
                'migrations.RemoveField(model_name="product", name="legacy_code"),'
            ),
        }
    )
    project.commit("drop Product.legacy_code")
    op = findings(document(check(project, "--format", "json"), 0))[("0002_drop_legacy", 0)]
    assert (op["verdict"], op["rule"]) == ("safe", "ZDT101")
    assert "no release that may still run uses it" in op["reason"]


def test_drop_of_a_field_base_uses_is_blocked_naming_the_base(project: Project) -> None:
    """Exit 1: main's code reads sku; the refusal names main and its commit."""
    base_commit = project.git("rev-parse", "main")
    project.write(
        {
            "shop/models.py": MODELS_WITHOUT_SKU,
            "shop/migrations/0002_drop_sku.py": migration(DROP_SKU),
        }
    )
    project.commit("drop Product.sku")
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"--base main ({base_commit[:12]})" in result.stdout
    assert (
        f"shop_product.sku is still used by the serving release main ({base_commit[:12]})"
        in result.stdout
    )
    assert "sku = unused(models.CharField(max_length=32, null=True))" in result.stdout
    op = findings(document(check(project, "--format", "json"), 1))[("0002_drop_sku", 0)]
    assert (op["verdict"], op["rule"]) == ("blocked", "ZDT101")
    assert op["line"] == line_of(project, "shop/migrations/0002_drop_sku.py", "RemoveField")


def test_rename_of_a_column_base_uses_is_blocked(project: Project) -> None:
    """Exit 1: main's code still selects sku under its old column name."""
    project.write(
        {
            "shop/models.py": (project.root / "shop/models.py")
            .read_text()
            .replace("    sku = ", "    stock_code = "),
            "shop/migrations/0002_rename.py": migration(
                'migrations.RenameField("product", "sku", "stock_code"),'
            ),
        }
    )
    project.commit("rename sku")
    op = findings(document(check(project, "--format", "json"), 1))[("0002_rename", 0)]
    assert (op["verdict"], op["rule"]) == ("blocked", "ZDT401")
    assert "shop_product.sku -> shop_product.stock_code" in op["reason"]


def test_an_edited_applied_migration_is_blocked(project: Project) -> None:
    """Exit 1: 0001 ran everywhere main serves; editing it changes no such database."""
    initial = "shop/migrations/0001_initial.py"
    text = (project.root / initial).read_text()
    project.write(
        {
            initial: text.replace(
                '("name", models.CharField(max_length=100))',
                '("name", models.CharField(max_length=120))',
            )
        }
    )
    project.commit("edit 0001")
    op = findings(document(check(project, "--format", "json"), 1))[("0001_initial", 0)]
    assert (op["verdict"], op["rule"], op["operation"]) == ("blocked", "ZDT904", "CreateModel")
    assert op["target"] == initial
    assert op["line"] == line_of(project, initial, "migrations.CreateModel(")
    assert f"git checkout main -- {initial}" in op["remedy"]


def test_comments_and_formatting_in_an_applied_migration_are_not_edits(project: Project) -> None:
    """Exit 0: the files differ as text but not as code."""
    initial = "shop/migrations/0001_initial.py"
    text = (project.root / initial).read_text()
    project.write(
        {
            initial: "# Reformatted.\n"
            + text.replace("    dependencies = []", "    dependencies = [  # none\n    ]")
        }
    )
    project.commit("reformat 0001")
    parsed = document(check(project, "--format", "json"), 0)
    assert parsed["migrations"] == []


def test_a_base_whose_code_fails_to_import_exits_2_with_one_line(project: Project) -> None:
    """Exit 2: one line naming the base, the error and the file of REF that raised it."""
    models = (project.root / "shop/models.py").read_text()
    project.git("checkout", "-q", "main")
    project.write({"shop/models.py": "import a_module_nobody_installed\n" + models})
    project.commit("break the base")
    project.git("checkout", "-q", "-b", "fixed")
    project.write({"shop/models.py": models})
    project.commit("fix it")
    result = check(project)
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("CommandError")]
    assert line == (
        "CommandError: --base 'main': its code failed to import: ModuleNotFoundError: No module "
        "named 'a_module_nobody_installed' (shop/models.py, line 1) (check it out and run "
        "`python manage.py check` to see the whole error)"
    )


def test_a_ref_that_is_not_a_commit_exits_2(project: Project) -> None:
    result = check(project, base="no-such-branch")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("CommandError: --base 'no-such-branch' is not a commit of the repository at ")
    )
    assert "fetch-depth: 0" in result.stderr


def test_outside_a_git_checkout_exits_2(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = project.manage("safe_migrate", "--check", "--base", "main", cwd=elsewhere)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"CommandError: --base needs a git checkout, and {elsewhere} is not inside one: run "
        f"safe_migrate from the project's repository"
    )


def test_base_needs_check(project: Project) -> None:
    result = project.manage("safe_migrate", "--base", "main")
    assert result.returncode == 2
    assert "use it with --check" in result.stderr
