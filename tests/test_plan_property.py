"""Property: random operation sequences never crash the analyser; every operation is reported."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_zerodowntime.safety.step import Step
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.safety.unapply import judge_unapply
from tests.plan_helpers import old_release

NAMES = st.sampled_from(["title", "subtitle", "views", "author", "tags", "extra", "body"])
MODELS = st.sampled_from(["post", "tag", "author", "ghost"])


@st.composite
def fields(draw: Any) -> models.Field[Any, Any]:
    kind = draw(st.sampled_from(["char", "int", "bigint", "text", "fk", "m2m"]))
    null, unique, index = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    default = draw(st.sampled_from([models.NOT_PROVIDED, 0, "x"]))
    if kind == "fk":
        return models.ForeignKey("testapp.Author", models.CASCADE, null=null, db_index=index)
    if kind == "m2m":
        return models.ManyToManyField("testapp.Tag", related_name="+")
    if kind == "char":
        length = draw(st.integers(1, 300))
        return models.CharField(
            max_length=length, null=null, unique=unique, db_index=index, default=default
        )
    cls = {"int": models.IntegerField, "bigint": models.BigIntegerField, "text": models.TextField}[
        kind
    ]
    return cls(
        null=null,
        unique=unique,
        db_index=index,
        db_default=draw(st.sampled_from([models.NOT_PROVIDED, 1])),
    )


def noop(apps: Any, schema_editor: Any) -> None:
    pass


def constraints() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            models.UniqueConstraint,
            fields=st.lists(NAMES, min_size=1, max_size=2),
            name=st.just("rand_c"),
        ),
        st.just(models.CheckConstraint(condition=models.Q(views__gte=0), name="rand_c")),
    )


def operations() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(migrations.AddField, MODELS, NAMES, fields()),
        st.builds(migrations.AlterField, MODELS, NAMES, fields()),
        st.builds(migrations.RemoveField, MODELS, NAMES),
        st.builds(migrations.RenameField, MODELS, NAMES, NAMES),
        st.builds(migrations.DeleteModel, MODELS),
        st.builds(migrations.RenameModel, MODELS, st.sampled_from(["Label", "Writer"])),
        st.builds(migrations.AlterModelTable, MODELS, st.sampled_from(["t1", None])),
        st.builds(
            migrations.AddIndex,
            MODELS,
            st.builds(
                models.Index,
                fields=st.lists(NAMES, min_size=1, max_size=2),
                name=st.just("rand_idx"),
            ),
        ),
        st.builds(
            migrations.RunSQL,
            st.text(max_size=40)
            | st.sampled_from(
                [
                    "DROP TABLE testapp_post",
                    "ALTER TABLE x RENAME TO y",
                    "ALTER TABLE testapp_post ADD COLUMN z int NOT NULL",
                ]
            ),
        ),
        st.builds(migrations.RemoveIndex, MODELS, st.sampled_from(["rand_idx", "nope"])),
        st.builds(migrations.AddConstraint, MODELS, constraints()),
        st.builds(migrations.RemoveConstraint, MODELS, st.sampled_from(["rand_c", "nope"])),
        st.builds(
            migrations.AlterUniqueTogether, MODELS, st.sets(st.tuples(NAMES, NAMES), max_size=2)
        ),
        st.builds(migrations.AlterOrderWithRespectTo, MODELS, st.sampled_from(["author", None])),
        st.builds(
            migrations.CreateModel,
            st.sampled_from(["Fresh", "Post"]),
            st.just([("id", models.BigAutoField(primary_key=True))]),
        ),
        st.builds(migrations.RunPython, st.just(noop), st.sampled_from([None, noop])),
        st.builds(
            migrations.SeparateDatabaseAndState,
            st.lists(st.builds(migrations.RemoveField, MODELS, NAMES), max_size=2),
        ),
    )


@pytest.mark.db
@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations(), min_size=1, max_size=6), atomic=st.booleans())
def test_random_operation_sequences_never_crash_the_analyser(ops: list[Any], atomic: bool) -> None:
    migration = migrations.Migration("0002_random", "testapp")
    migration.operations = ops
    migration.atomic = atomic
    with override_settings(MIGRATION_MODULES={"testapp": "tests.scenarios.add_nullable"}):
        MigrationRecorder(connection).record_applied("testapp", "0001_initial")
        executor = MigrationExecutor(connection)
        [report] = analyse_plan(
            [(migration, False)],
            loader=executor.loader,
            connection=connection,
            usage_check=old_release,
        )
    assert {op.index for op in report.operations} == set(range(len(ops)))
    assert all(op.finding.reason for op in report.operations)


@pytest.mark.db
@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations(), min_size=1, max_size=5))
def test_unapplying_random_operation_sequences_never_crashes(ops: list[Any]) -> None:
    migration = migrations.Migration("0002_random", "testapp")
    migration.operations = ops
    with override_settings(MIGRATION_MODULES={"testapp": "tests.scenarios.add_nullable"}):
        loader = MigrationExecutor(connection).loader
        before = loader.project_state(("testapp", "0001_initial"), at_end=True)
        context = Step("testapp", Operation(), before, before, connection, old_release)
        reports = judge_unapply(migration, before, context)
    assert {op.index for op in reports} == set(range(len(ops)))
