"""Where an applied migration was edited, and the allows of such an edit (migrate/edited.py).

The whole ``--base`` run is tested in tests/test_safe_migrate_base.py on real git
repositories; here the comparison of the two versions of a file, which is pure.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django_zerodowntime.migrate.edited import first_difference, report

OLD = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [
        migrations.RunSQL("SELECT 1"),
        migrations.RunSQL("SELECT 2"),
        migrations.RunSQL("SELECT 3"),
    ]
"""


def loaded(count: int) -> Any:
    """The migration Django loaded from the new file: only its operation count matters."""
    return SimpleNamespace(operations=[object()] * count)


def line(text: str, part: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if part in row)


def test_the_same_code_differently_written_is_no_edit() -> None:
    new = "# Reformatted\n" + OLD.replace('"SELECT 2"', "'SELECT 2'")
    assert first_difference(OLD, new, loaded(3)) is None


def test_an_edited_operation_is_named_by_index_and_line() -> None:
    new = OLD.replace("SELECT 2", "SELECT 20")
    assert first_difference(OLD, new, loaded(3)) == (1, line(new, "SELECT 20"), True)


def test_an_old_version_that_does_not_parse_makes_the_first_operation_the_edit() -> None:
    assert first_difference("class Migration(:\n", OLD, loaded(3)) == (
        0,
        line(OLD, "SELECT 1"),
        True,
    )


def test_an_edit_outside_the_operations_names_the_statement_inside_the_class() -> None:
    new = OLD.replace("dependencies = []", 'dependencies = [("shop", "0001_initial")]')
    assert first_difference(OLD, new, loaded(3)) == (None, line(new, "dependencies"), False)


def test_an_edit_at_module_level_names_that_statement() -> None:
    new = OLD.replace("import migrations", "import migrations, models")
    assert first_difference(OLD, new, loaded(3)) == (None, 1, False)


def test_a_statement_removed_at_the_end_names_the_last_one_left() -> None:
    old = OLD + "\nEXTRA = 1\n"
    assert first_difference(old, OLD, loaded(3)) == (None, line(OLD, "class Migration"), False)


def test_operations_moved_out_of_the_literal_list_are_named_where_the_list_ends() -> None:
    """Two literal operations now come from a helper: the first of them is the edit, but
    its line in the new file is not known (not exact)."""
    new = OLD.replace(
        """        migrations.RunSQL("SELECT 2"),
        migrations.RunSQL("SELECT 3"),
    ]""",
        "    ] + later()",
    )
    assert first_difference(OLD, new, loaded(3)) == (1, line(new, "operations"), False)


ALLOWED = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [
        migrations.RunSQL("SELECT 1"),
        # zerodowntime_allow ZDT904: only the SQL's spacing changed
        migrations.RunSQL("SELECT  2"),
    ]
"""


class Migration:
    app_label, name = "shop", "0001_initial"
    operations = [SimpleNamespace(), SimpleNamespace()]


def edit_report(tmp_path: Path, index: int | None, **attributes: Any) -> Any:
    path = tmp_path / "0001_initial.py"
    path.write_text(ALLOWED)
    migration = Migration()
    for key, value in attributes.items():
        setattr(migration, key, value)
    return report(migration, str(path), "shop/0001_initial.py", ("main", "main"), (index, 9, True))


def test_an_allow_comment_on_the_edited_operation_allows_it(tmp_path: Path) -> None:
    [entry] = edit_report(tmp_path, 1).operations
    assert entry.finding.rule == "ZDT904"
    assert entry.allowed.reason == "only the SQL's spacing changed"
    assert (entry.allowed.scope, entry.allowed.line) == ("operation", line(ALLOWED, "allow"))


def test_an_allow_comment_on_another_operation_does_not_allow_the_edit(tmp_path: Path) -> None:
    [entry] = edit_report(tmp_path, 0).operations
    assert entry.allowed is None
    assert "operation #0 differs" in entry.finding.reason


def test_an_edit_outside_the_operations_is_allowed_only_migration_wide(tmp_path: Path) -> None:
    [entry] = edit_report(tmp_path, None).operations
    assert (entry.operation, entry.allowed) == ("Migration", None)
    assert "outside its operations" in entry.finding.reason
    wide = edit_report(tmp_path, None, zerodowntime_allow={"ZDT904": "dependency renamed"})
    assert (wide.operations[0].allowed.reason, wide.operations[0].allowed.scope) == (
        "dependency renamed",
        "migration",
    )
