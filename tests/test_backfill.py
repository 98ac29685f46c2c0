"""``Backfill`` and the expand step's copy, run for real on the vendor under test.

A table made from a migration state (no app owns it), filled, then backfilled
through a non-atomic schema editor as Django's executor would run the
operation: batches committed one by one, a stop that names the row, a second
run that resumes and a third that writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, models
from django.db.migrations.state import ModelState, ProjectState
from django.db.models import F, Q, Value
from django.db.models.functions import Upper
from django.test import override_settings

from django_zerodowntime.operations import (
    AddShadowColumn,
    Backfill,
    BackfillError,
    Batch,
    CopyToNewColumn,
    DropOldColumn,
    DropSync,
    SetNewColumnNotNull,
    SyncColumns,
    observe_batches,
)
from django_zerodowntime.operations.batches import fraction

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]


class Recorder:
    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.inside: list[bool] = []

    def before_commit(self, batch: Batch, connection: Any) -> None:
        self.inside.append(connection.in_atomic_block)

    def committed(self, batch: Batch) -> None:
        self.batches.append(batch)


@pytest.fixture
def state() -> Iterator[ProjectState]:
    """testapp.Row (zdt_backfill_row): name, copy (nullable), number, code."""
    project = ProjectState()
    project.add_model(
        ModelState(
            "testapp",
            "Row",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=50)),
                ("copy", models.CharField(max_length=50, null=True)),
                ("number", models.IntegerField(default=0)),
                ("code", models.CharField(max_length=10, default="")),
            ],
            {"db_table": "zdt_backfill_row"},
        )
    )
    model = project.apps.get_model("testapp", "Row")
    with connection.schema_editor() as editor:
        editor.create_model(model)
    try:
        yield project
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(project.apps.get_model("testapp", "Row"))


def rows(state: ProjectState) -> Any:
    return state.apps.get_model("testapp", "Row")._base_manager


def forwards(operation: Any, state: ProjectState, atomic: bool = False) -> None:
    with connection.schema_editor(atomic=atomic) as editor:
        operation.database_forwards("testapp", editor, state, state)


def backwards(operation: Any, state: ProjectState) -> None:
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("testapp", editor, state, state)


def seed(state: ProjectState, count: int) -> list[int]:
    Row = state.apps.get_model("testapp", "Row")
    rows(state).bulk_create([Row(name=f"n{i}", number=i, code=str(i)) for i in range(count)])
    return list(rows(state).order_by("pk").values_list("pk", flat=True))


def test_batches_commit_one_by_one_and_cover_every_row(state: ProjectState) -> None:
    seed(state, 45)
    recorder = Recorder()
    with observe_batches(recorder):
        forwards(Backfill("row", "copy", Upper("name"), batch_size=10), state)
    assert [b.rows for b in recorder.batches] == [10, 10, 10, 10, 5]
    assert all(recorder.inside)  # each batch inside its own transaction
    assert not connection.in_atomic_block  # ... and none left open
    assert list(rows(state).exclude(copy=Upper("name"))) == []


def test_a_stop_names_the_row_and_a_second_run_resumes(state: ProjectState) -> None:
    pks = seed(state, 30)
    bad = pks[17]
    rows(state).filter(pk=bad).update(code="bad")

    def bumped(row: Any) -> int | None:
        return None if row.code == "bad" else int(row.number) + 1000  # NULL: refused

    with pytest.raises(BackfillError) as stopped:
        forwards(Backfill("row", "number", bumped, batch_size=5), state)
    assert f"primary key {bad!r}" in str(stopped.value)
    assert rows(state).filter(number__gte=1000).count() == 15  # three batches committed
    rows(state).filter(pk=bad).update(code="")
    recorder = Recorder()
    todo = Q(number__lt=1000)
    with observe_batches(recorder):
        forwards(Backfill("row", "number", bumped, batch_size=5, only=todo), state)
    assert sum(b.rows for b in recorder.batches) == 15  # only the rows not done yet
    assert rows(state).filter(number__lt=1000).count() == 0
    recorder = Recorder()
    with observe_batches(recorder):
        forwards(Backfill("row", "number", bumped, batch_size=5, only=todo), state)
    assert recorder.batches == []  # idempotent: nothing left to do


def test_an_expression_backfill_run_again_writes_nothing(state: ProjectState) -> None:
    seed(state, 12)
    forwards(Backfill("row", "copy", F("name"), batch_size=5), state)
    recorder = Recorder()
    with observe_batches(recorder):
        forwards(Backfill("row", "copy", F("name"), batch_size=5), state)
    assert recorder.batches == []


@pytest.mark.skipif(connection.vendor == "mysql", reason="MariaDB has no atomic migrations")
def test_an_atomic_migration_is_refused_before_any_batch(state: ProjectState) -> None:
    seed(state, 3)
    with pytest.raises(BackfillError, match="atomic = False"):
        forwards(Backfill("row", "copy", Value("x")), state, atomic=True)
    assert rows(state).filter(copy="x").count() == 0


def test_unapplying_does_nothing_unless_given_a_reverse(state: ProjectState) -> None:
    seed(state, 4)
    forwards(Backfill("row", "copy", Value("x")), state)
    backwards(Backfill("row", "copy", Value("x")), state)
    assert rows(state).filter(copy="x").count() == 4
    backwards(Backfill("row", "copy", Value("x"), reverse=Value(None)), state)
    assert rows(state).filter(copy__isnull=True).count() == 4


def test_progress_on_a_terminal_and_the_pause(
    state: ProjectState, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(state, 9)
    slept: list[float] = []
    monkeypatch.setattr("django_zerodowntime.operations.backfill.time.sleep", slept.append)
    forwards(Backfill("row", "copy", Value("x"), batch_size=4, pause=0.25, progress=True), state)
    assert slept == [0.25, 0.25, 0.25]
    err = capsys.readouterr().err
    assert "Backfill testapp.Row.copy: 9 rows in 3 batches" in err
    forwards(Backfill("row", "code", Value("y"), batch_size=4), state)  # not a terminal: silent
    assert capsys.readouterr().err == ""


def test_the_operation_round_trips_through_a_migration_file() -> None:
    from django.db.migrations.writer import OperationWriter

    text, imports = OperationWriter(
        Backfill("row", "copy", Upper("name"), batch_size=500, only=Q(copy__isnull=True)),
        indentation=0,
    ).serialize()
    assert text.startswith("django_zerodowntime.operations.Backfill(")
    assert "batch_size=500" in text
    assert "import django_zerodowntime.operations" in imports


PAIR = {
    "model_name": "row",
    "old_name": "code",
    "old_field": models.CharField(max_length=10, default=""),
    "new_name": "code",
    "new_field": models.IntegerField(default=0, db_column="code_v2"),
}


def test_a_value_that_does_not_convert_stops_the_expand_step_with_its_key(
    state: ProjectState,
) -> None:
    pks = seed(state, 20)
    rows(state).filter(pk=pks[13]).update(code="abc")
    forwards(AddShadowColumn(**PAIR), state)
    forwards(SyncColumns(**PAIR), state)
    with pytest.raises(BackfillError) as stopped:
        forwards(CopyToNewColumn(**PAIR, batch_size=4), state)
    assert f"primary key {pks[13]!r}" in str(stopped.value)
    rows(state).filter(pk=pks[13]).update(code="13")  # fixed: the trigger converts it now
    forwards(CopyToNewColumn(**PAIR, batch_size=4), state)  # resumes
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, code_v2 FROM zdt_backfill_row")
        assert all(int(code) == copy for code, copy in cursor.fetchall())
    backwards(SyncColumns(**PAIR), state)
    backwards(AddShadowColumn(**PAIR), state)


RENAME = {
    "model_name": "row",
    "old_name": "name",
    "old_field": models.CharField(max_length=50),
    "new_name": "label",
    "new_field": models.CharField(max_length=50),
}


def test_the_three_steps_apply_and_unapply_back_to_the_old_column(state: ProjectState) -> None:
    """Forwards through the contract, then backwards: the old column comes back, refilled."""
    from django.db import migrations

    from django_zerodowntime.operations import DropOldColumn, SetNewColumnNotNull

    seed(state, 25)
    expand = [AddShadowColumn(**RENAME), SyncColumns(**RENAME), CopyToNewColumn(**RENAME)]
    for operation in expand:
        forwards(operation, state)
    forwards(SetNewColumnNotNull(**RENAME), state)
    switched = state.clone()
    migrations.RenameField("row", "name", "label").state_forwards("testapp", switched)
    with connection.schema_editor(atomic=connection.features.can_rollback_ddl) as editor:
        DropOldColumn(**RENAME).database_forwards("testapp", editor, switched, switched)
    labels = dict(rows(switched).values_list("pk", "label"))
    assert labels == {pk: f"n{i}" for i, pk in enumerate(sorted(labels))}
    rows(switched).filter(pk=min(labels)).update(label="written after the contract")

    # Unapplying, as Django's executor does: states after and before (equal: no state change).
    with connection.schema_editor(atomic=connection.features.can_rollback_ddl) as editor:
        DropOldColumn(**RENAME).database_backwards("testapp", editor, switched, switched)
    with connection.schema_editor(atomic=False) as editor:
        SetNewColumnNotNull(**RENAME).database_backwards("testapp", editor, switched, state)
        for operation in reversed(expand):
            operation.database_backwards("testapp", editor, state, state)
    names = dict(rows(state).values_list("pk", "name"))
    assert names[min(labels)] == "written after the contract"
    assert {pk: name for pk, name in names.items() if pk != min(labels)} == {
        pk: label for pk, label in labels.items() if pk != min(labels)
    }
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, "zdt_backfill_row")
    assert "label" not in {column.name for column in described}


def test_dropping_the_triggers_alone_ends_the_copy_and_unapplying_puts_it_back(
    state: ProjectState,
) -> None:
    """DropSync (what unapplying SyncColumns amounts to) and its own unapply."""
    from django_zerodowntime.operations import DropSync

    pks = seed(state, 3)
    forwards(AddShadowColumn(**RENAME), state)
    forwards(SyncColumns(**RENAME), state)

    def label_of(pk: int) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT label FROM zdt_backfill_row WHERE id = %s", [pk])
            return cursor.fetchone()[0]

    rows(state).filter(pk=pks[0]).update(name="copied")
    assert label_of(pks[0]) == "copied"
    forwards(DropSync(**RENAME), state)
    rows(state).filter(pk=pks[1]).update(name="not copied")
    assert label_of(pks[1]) is None
    backwards(DropSync(**RENAME), state)
    rows(state).filter(pk=pks[2]).update(name="copied again")
    assert label_of(pks[2]) == "copied again"
    backwards(SyncColumns(**RENAME), state)
    backwards(AddShadowColumn(**RENAME), state)


def test_the_operation_names_itself_as_makemigrations_shows_it() -> None:
    operation = Backfill("Row", "Copy", Upper("name"), batch_size=250, hints={"shard": "eu"})
    assert operation.describe() == "Backfill Row.Copy in batches of 250"
    assert operation.migration_name_fragment == "backfill_row_copy"
    assert operation.deconstruct()[2] == {"batch_size": 250, "hints": {"shard": "eu"}}
    with pytest.raises(ValueError, match=r"Backfill row\.copy: batch_size must be 1 or more"):
        Backfill("row", "copy", Upper("name"), batch_size=0)


class KeepTestappOff:
    """A router that keeps testapp's models off every database."""

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if app_label == "testapp" else None


def columns_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def test_operations_a_router_keeps_off_this_database_change_nothing(state: ProjectState) -> None:
    seed(state, 3)
    before = columns_of("zdt_backfill_row"), list(rows(state).values_list("copy", "code"))
    operations = [
        AddShadowColumn(**PAIR),
        SyncColumns(**PAIR),
        CopyToNewColumn(**PAIR),
        SetNewColumnNotNull(**PAIR),
        DropSync(**PAIR),
        DropOldColumn(**PAIR),
        Backfill("row", "copy", Upper("name"), reverse=Value(None)),
    ]
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.KeepTestappOff"]):
        for operation in operations:
            forwards(operation, state)
            backwards(operation, state)
    assert (columns_of("zdt_backfill_row"), list(rows(state).values_list("copy", "code"))) == before


def test_column_pair_operations_describe_both_columns() -> None:
    assert AddShadowColumn(**PAIR).describe() == "AddShadowColumn row: code -> code_v2"
    assert CopyToNewColumn(**PAIR, batch_size=50).describe() == (
        "Copy row.code into code_v2 in batches of 50"
    )
    assert SyncColumns(**PAIR).model_name_lower == "row"


def test_a_batch_key_that_does_not_subtract_has_no_fraction() -> None:
    """Backfill progress over string or UUID primary keys shows no percentage."""
    assert fraction("a", "z", "m") == 0.0
    assert fraction(10, 20, 15) == 0.5
    assert fraction(7, 7, 7) == 1.0
