"""The operation registry: one table, looked up along the MRO.

A third-party subclass that keeps its base's SQL and state (django-syzygy's
staged operations are shaped so) is judged exactly like its base, forwards and
backwards; one that rewrites its SQL is judged by the SQL it emits.
"""

from __future__ import annotations

import pytest
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from django_zerodowntime.safety.findings import MigrationReport
from django_zerodowntime.safety.operations import KINDS, State, kind_of, state_effect
from django_zerodowntime.safety.plan import analyse_plan
from tests.plan_helpers import analyse, old_release
from tests.scenarios.thirdparty import StagedAddField, StagedAddIndex, StagedRemoveField

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def verdicts(reports: list[MigrationReport]) -> list[tuple[object, ...]]:
    """Everything a report says, except the operation's class name."""
    return [
        (report.name, op.index, op.target, op.finding, op.operation.replace("Staged", ""))
        for report in reports
        for op in report.operations
    ]


def unapplied(scenario: str) -> list[MigrationReport]:
    """Every migration of the scenario recorded as applied, then planned back to 0001."""
    with override_settings(MIGRATION_MODULES={"testapp": f"tests.scenarios.{scenario}"}):
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        for name in ("0001_initial", "0002_change"):
            recorder.record_applied("testapp", name)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan([("testapp", "0001_initial")])
        return analyse_plan(
            plan, loader=executor.loader, connection=connection, usage_check=old_release
        )


def test_a_subclass_is_judged_as_its_base_forwards() -> None:
    subclass, base = analyse("subclass_ops"), analyse("subclass_ops_base")
    assert verdicts(subclass) == verdicts(base)
    rules = {op.finding.rule for report in subclass for op in report.operations}
    assert {"ZDT201", "ZDT101"} <= rules  # the scenario blocks, so it proves something


def test_a_subclass_is_judged_as_its_base_backwards() -> None:
    subclass, base = unapplied("subclass_ops"), unapplied("subclass_ops_base")
    assert verdicts(subclass) == verdicts(base)
    operations = [op.operation for report in subclass for op in report.operations]
    assert "StagedRemoveField (unapply)" in operations
    assert not any(op.finding.rule == "ZDT901" for r in subclass for op in r.operations)


def test_each_facet_holds_only_while_the_subclass_keeps_that_method() -> None:
    class RewritesSql(migrations.AddField):
        def database_forwards(self, *args: object) -> None:  # pragma: no cover (not run)
            pass

    class RewritesState(migrations.AddField):
        def state_forwards(self, app_label: str, state: object) -> None:  # pragma: no cover
            pass

    field = models.IntegerField(null=True)
    staged = kind_of(StagedAddField("post", "rank", field))
    assert staged is not None
    assert staged.same_sql
    assert staged.same_state
    assert state_effect(StagedAddIndex("post", models.Index(fields=["views"], name="i"))) == (
        State.ONE_MODEL,
        "model_name_lower",
    )
    rewritten = kind_of(RewritesSql("post", "rank", field))
    assert rewritten is not None
    assert not rewritten.same_sql
    assert rewritten.same_state
    assert state_effect(RewritesState("post", "rank", field)) == (State.ANY, "")
    assert kind_of(StagedRemoveField("post", "subtitle")) == kind_of(
        migrations.RemoveField("post", "subtitle")
    )


def test_every_registered_class_exists_in_django() -> None:
    """A typo in the table would silently judge that operation as unknown."""
    import importlib

    for path in KINDS:
        module, _, name = path.rpartition(".")
        assert hasattr(importlib.import_module(module), name), path
