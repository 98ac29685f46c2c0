"""``manage.py expand_contract``: the files it writes, what it prints, and what it refuses.

Run as a real command (a subprocess) on a copy of the catalog app; it reads
migration files only, so SQLite stands in for every vendor here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.expand.releases import ROOT, manage, new_release, ok

Result = object


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return new_release(tmp_path, "release")


def command(release: Path, *args: str):  # type: ignore[no-untyped-def]
    return manage(
        release, "expand_contract", *args, url=f"sqlite:///{release}/db.sqlite3", release_id="r"
    )


def migrations(release: Path) -> list[str]:
    return sorted(p.name for p in (release / "catalog" / "migrations").glob("0*.py"))


def test_rename_writes_three_migrations_one_per_step(release: Path) -> None:
    rename = ("rename", "catalog.Item.title", "headline")
    expand = ok(command(release, *rename, "--step", "expand")).stdout
    assert migrations(release)[-1] == "0002_expand_item_title_headline.py"
    assert "Release N: change nothing in catalog/models.py." in expand
    assert (
        "python manage.py expand_contract rename catalog.Item.title headline --step switch"
        in expand
    )
    text = (release / "catalog/migrations/0002_expand_item_title_headline.py").read_text()
    assert "atomic = False" in text
    for operation in ("AddShadowColumn", "SyncColumns", "CopyToNewColumn"):
        assert f"django_zerodowntime.operations.{operation}(" in text
    url = f"sqlite:///{release}/db.sqlite3"
    ok(manage(release, "makemigrations", "--check", "--dry-run", url=url, release_id="r"))

    switch = ok(command(release, *rename, "--step", "switch", "--name", "use_headline")).stdout
    assert migrations(release)[-1] == "0003_use_headline.py"
    assert (
        "in class Item, replace\n"
        "    title = models.CharField(max_length=200)\n"
        "with\n"
        "    headline = models.CharField(max_length=200)\n"
    ) in switch
    assert "safe_migrate refuses that step until the ledger shows" in switch
    text = (release / "catalog/migrations/0003_use_headline.py").read_text()
    assert "migrations.RenameField(" in text
    assert "SetNewColumnNotNull(" in text

    contract = ok(command(release, *rename, "--step", "contract")).stdout
    assert migrations(release)[-1] == "0004_contract_item_title_headline.py"
    assert "drops the triggers and catalog_item.title" in contract
    text = (release / "catalog/migrations/0004_contract_item_title_headline.py").read_text()
    assert "DropOldColumn(" in text
    assert "atomic" not in text


def test_retype_names_a_new_column_and_prints_the_new_field(release: Path) -> None:
    retype = ("retype", "catalog.Item.views", "models.BigIntegerField(default=0)")
    ok(command(release, *retype, "--step", "expand"))
    assert migrations(release)[-1] == "0002_expand_item_views_views_v2.py"
    switch = ok(command(release, *retype, "--step", "switch")).stdout
    assert "    views = models.BigIntegerField(db_column='views_v2', default=0)\n" in switch
    other = ("retype", "catalog.Item.note", "models.TextField(default='')")
    ok(command(release, *other, "--step", "expand", "--column", "note_text"))
    assert migrations(release)[-1] == "0004_expand_item_note_note_text.py"


BAD = [
    (("rename", "catalog.Item", "x", "--step", "expand"), "is not APP_LABEL.Model.field"),
    (("rename", "nope.Item.title", "x", "--step", "expand"), "no installed app 'nope'"),
    (("rename", "catalog.Nope.title", "x", "--step", "expand"), "have no model 'Nope'"),
    (("rename", "catalog.Item.nope", "x", "--step", "expand"), "has no field 'nope'"),
    (("rename", "catalog.Item.id", "x", "--step", "expand"), "is the primary key"),
    (("rename", "catalog.Item.sku", "x", "--step", "expand"), "is indexed or constrained"),
    (("rename", "catalog.Item.title", "views", "--step", "expand"), "already taken"),
    (("rename", "catalog.Item.title", "2nd", "--step", "expand"), "not a valid field name"),
    (("rename", "catalog.Item.title", "x", "--step", "switch"), "has no expand step"),
    (("rename", "catalog.Item.title", "x", "--step", "sideways"), "unknown step 'sideways'"),
    (("move", "catalog.Item.title", "x", "--step", "expand"), "unknown action 'move'"),
    (
        ("rename", "catalog.Item.title", "x", "--step", "expand", "--name", "my-step"),
        "--name 'my-step' is not a valid migration name",
    ),
    (("retype", "catalog.Item.views", "models.Nope()", "--step", "expand"), "not a field class"),
    (("retype", "catalog.Item.views", "open('x')", "--step", "expand"), "not a field expression"),
    (
        ("retype", "catalog.Item.views", "models.IntegerField(default=0)", "--step", "expand"),
        "nothing to retype",
    ),
    (
        ("retype", "catalog.Item.views", "models.BigIntegerField(null=True)", "--step", "expand"),
        "sets null=True but catalog.Item.views has null=False",
    ),
    (
        ("rename", "catalog.Item.title", "x", "--step", "expand", "--database", "elsewhere"),
        "expand_contract writes triggers for PostgreSQL, MariaDB/MySQL, SQLite only",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[m for _a, m in BAD])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    release: Path, args: tuple[str, ...], message: str
) -> None:
    """Exit status 2; stderr is one line naming the problem; no migration file appears."""
    result = command(release, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert result.stdout == ""
    assert migrations(release) == ["0001_initial.py"]


def test_a_step_out_of_order_or_twice_is_refused(release: Path) -> None:
    rename = ("rename", "catalog.Item.title", "headline")
    ok(command(release, *rename, "--step", "expand"))
    twice = command(release, *rename, "--step", "expand")
    assert twice.returncode == 2
    assert "already written in 0002_expand_item_title_headline; next: --step switch" in twice.stderr
    early = command(release, *rename, "--step", "contract")
    assert early.returncode == 2
    assert re.search(r"comes after the switch step, which is not written yet", early.stderr)
    other = command(release, "rename", "catalog.Item.title", "heading", "--step", "switch")
    assert other.returncode == 2
    assert "not a rename to 'heading'" in other.stderr
    assert migrations(release) == ["0001_initial.py", "0002_expand_item_title_headline.py"]


def test_a_retype_step_with_another_field_than_its_expand_step_is_refused(
    release: Path,
) -> None:
    retype = ("retype", "catalog.Item.views", "models.BigIntegerField(default=0)")
    ok(command(release, *retype, "--step", "expand"))
    other = command(
        release,
        "retype",
        "catalog.Item.views",
        "models.BigIntegerField(default=1)",
        "--step",
        "switch",
    )
    assert other.returncode == 2
    assert (
        "the expand step of catalog.Item.views made it "
        "models.BigIntegerField(db_column='views_v2', default=0), "
        "not models.BigIntegerField(default=1)"
    ) in other.stderr
    assert migrations(release) == ["0001_initial.py", "0002_expand_item_views_views_v2.py"]


BRANCH = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = []
"""


def test_an_app_with_two_leaf_migrations_is_asked_to_merge_first(release: Path) -> None:
    for name in ("0002_left", "0002_right"):
        (release / "catalog" / "migrations" / f"{name}.py").write_text(BRANCH)
    result = command(release, "rename", "catalog.Item.title", "headline", "--step", "expand")
    assert result.returncode == 2
    assert "catalog has 2 leaf migrations (0002_left, 0002_right)" in result.stderr.replace(
        "0002_right, 0002_left", "0002_left, 0002_right"
    )
    assert "makemigrations --merge" in result.stderr
    assert migrations(release) == ["0001_initial.py", "0002_left.py", "0002_right.py"]


def test_the_backfill_shows_progress_on_a_terminal_only(release: Path) -> None:
    """Applied with stderr on a pseudo-terminal, the copy prints its progress line there."""
    import os
    import pty
    import subprocess

    from tests.expand.releases import env

    ok(command(release, "rename", "catalog.Item.title", "headline", "--step", "expand"))
    url = f"sqlite:///{release}/db.sqlite3"
    ok(manage(release, "migrate", "catalog", "0001", url=url, release_id="r"))
    code = "from catalog.models import Item; Item.objects.bulk_create(Item() for _ in range(50))"
    ok(manage(release, "shell", "-c", code, url=url, release_id="r"))
    leader, follower = pty.openpty()
    result = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "catalog"],
        cwd=ROOT,
        env=env(release, url, "r"),
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=120,
    )
    os.close(follower)
    shown = os.read(leader, 65536).decode()
    os.close(leader)
    assert result.returncode == 0, result.stdout
    assert "Backfill catalog.Item title -> headline: 50 rows in 1 batches" in shown
    assert "Backfill" not in result.stdout  # never on stdout, nor on a pipe
