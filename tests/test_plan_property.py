"""Property: random operation sequences never crash the analyser; every operation is reported.

The analyser turns an internal exception into a blocked ZDT902 finding, so "never
crashes" alone would hold even with a broken rule. The stronger property: no
ZDT902 before the operation where Django's own ``migrate`` fails (its
state_forwards raises, or its SQL cannot be produced, replayed on a plain
ProjectState as the executor would); Django runs nothing after that. A rule
that crashes on a valid operation fails these tests;
``test_a_crashing_rule_is_caught`` proves it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_zerodowntime.safety import judge
from django_zerodowntime.safety.findings import OperationReport
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.safety.step import Step
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


def refuse_writes(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if str(sql).lstrip().lower().startswith(("select", "pragma", "show")):
        return execute(sql, params, many, context)
    raise AssertionError(f"the oracle only collects SQL, it ran {sql[:60]!r}")


def sqlmigrate(op: Any, before: Any, after: Any, backwards: bool) -> None:
    """Django's own database_forwards/backwards of ``op``, collecting SQL (like sqlmigrate)."""
    editor: Any = connection.schema_editor(collect_sql=True, atomic=False)
    editor.deferred_sql = []
    with connection.execute_wrapper(refuse_writes):
        if backwards:
            op.database_backwards("testapp", editor, after, before)
        else:
            op.database_forwards("testapp", editor, before, after)


def django_stops_at(ops: list[Any], state: Any) -> int:
    """The index of the first operation Django's ``migrate`` fails at (len(ops): none).

    It fails where state_forwards raises or the operation's SQL cannot be
    produced; Django runs nothing after that, so the analyser may say anything
    about the operations from there on, but must not crash before.
    """
    state = state.clone()
    _ = state.apps
    for index, op in enumerate(ops):
        after = state.clone()
        try:
            op.state_forwards("testapp", after)
            sqlmigrate(op, state, after, backwards=False)
        except AssertionError:
            raise
        except Exception:
            return index
        state = after
    return len(ops)


def django_stops_unapplying_at(ops: list[Any], state: Any) -> int:
    """The same for unapplying, where operations run from the last to the first.

    Django replays every state first: a failure there stops it before anything
    ran (len(ops): the analyser may crash anywhere). Then it runs
    database_backwards from the last operation down; the index it fails at, or
    -1 when it fails nowhere.
    """
    states = [state.clone()]
    _ = states[0].apps
    for op in ops:
        after = states[-1].clone()
        try:
            op.state_forwards("testapp", after)
        except Exception:
            return len(ops)
        states.append(after)
    for index in reversed(range(len(ops))):
        try:
            sqlmigrate(ops[index], states[index], states[index + 1], backwards=True)
        except AssertionError:
            raise
        except Exception:
            return index
    return -1


def crashed_at(reports: list[OperationReport]) -> set[int]:
    return {op.index for op in reports if op.finding.rule == "ZDT902"}


def initial_state() -> Any:
    loader = MigrationExecutor(connection).loader
    return loader.project_state(("testapp", "0001_initial"), at_end=True)


def judged_forwards(ops: list[Any], atomic: bool = True) -> list[OperationReport]:
    migration = migrations.Migration("0002_random", "testapp")
    migration.operations = ops
    migration.atomic = atomic
    MigrationRecorder(connection).record_applied("testapp", "0001_initial")
    executor = MigrationExecutor(connection)
    [report] = analyse_plan(
        [(migration, False)],
        loader=executor.loader,
        connection=connection,
        usage_check=old_release,
    )
    return list(report.operations)


def check_forwards(ops: list[Any], atomic: bool = True) -> None:
    with override_settings(MIGRATION_MODULES={"testapp": "tests.scenarios.add_nullable"}):
        reports = judged_forwards(ops, atomic)
        assert {op.index for op in reports} == set(range(len(ops)))
        assert all(op.finding.reason for op in reports)
        stop = django_stops_at(ops, initial_state())
        assert all(index >= stop for index in crashed_at(reports)), [
            op.finding.reason for op in reports if op.finding.rule == "ZDT902"
        ]


@pytest.mark.db
@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations(), min_size=1, max_size=6), atomic=st.booleans())
def test_random_operation_sequences_never_crash_the_analyser(ops: list[Any], atomic: bool) -> None:
    check_forwards(ops, atomic)


@pytest.mark.db
@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 30)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations(), min_size=1, max_size=5))
def test_unapplying_random_operation_sequences_never_crashes(ops: list[Any]) -> None:
    migration = migrations.Migration("0002_random", "testapp")
    migration.operations = ops
    with override_settings(MIGRATION_MODULES={"testapp": "tests.scenarios.add_nullable"}):
        before = initial_state()
        context = Step("testapp", Operation(), before, before, connection, old_release)
        reports = judge_unapply(migration, before, context)
        stop = django_stops_unapplying_at(ops, before)
    assert {op.index for op in reports} == set(range(len(ops)))
    assert all(index <= stop for index in crashed_at(reports)), [
        op.finding.reason for op in reports if op.finding.rule == "ZDT902"
    ]


@pytest.mark.db
@pytest.mark.django_db
def test_a_crashing_rule_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property above fails when a rule crashes on an operation Django accepts."""
    valid = [migrations.AddField("post", "extra", models.IntegerField(null=True))]
    check_forwards(valid)  # holds on the real rules

    def crash(step: Step) -> list[Any]:
        raise TypeError("planted")

    monkeypatch.setattr(judge, "judge", crash)
    with pytest.raises(AssertionError, match="planted"):
        check_forwards(valid)
