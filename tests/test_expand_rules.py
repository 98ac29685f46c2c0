"""safe_migrate on Backfill and on the steps expand_contract writes, and its remedies.

The triggers copy every write, so the expand and switch steps are safe while
release N runs; the contract step is a drop, judged against the ledger, and so
is unapplying the expand step (it drops the column release N+1 uses).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from django_zerodowntime.safety.findings import Verdict
from django_zerodowntime.safety.plan import analyse_plan
from django_zerodowntime.usage import Usage
from tests.plan_helpers import operations

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def using(column: str):  # type: ignore[no-untyped-def]
    def check(usage: Usage) -> str | None:
        return f"release r1 on web-1 uses {usage}" if usage.column == column else None

    return check


def test_expand_and_switch_are_safe_and_contract_waits_for_the_old_column() -> None:
    found = operations("expand_contract_steps", usage_check=using("subtitle"))
    verdicts = [(op.operation, op.finding.verdict, op.finding.rule) for op in found]
    assert verdicts == [
        ("AddShadowColumn", Verdict.SAFE, None),
        ("SyncColumns", Verdict.SAFE, None),
        ("CopyToNewColumn", Verdict.SAFE, None),
        ("SeparateDatabaseAndState", Verdict.SAFE, None),
        ("DropOldColumn", Verdict.BLOCKED, "ZDT101"),
    ]
    contract = found[-1]
    assert contract.target == "testapp.Post (testapp_post.subtitle -> tagline)"
    assert "testapp_post.subtitle" in contract.finding.reason
    assert "release r1" in contract.finding.reason


def test_contract_is_safe_once_no_running_release_uses_the_old_column() -> None:
    found = operations("expand_contract_steps", usage_check=using("tagline"))
    assert {op.finding.verdict for op in found} == {Verdict.SAFE}
    assert found[-1].finding.rule == "ZDT101"


def unapplied_expand(check):  # type: ignore[no-untyped-def]
    with override_settings(MIGRATION_MODULES={"testapp": "tests.scenarios.expand_contract_steps"}):
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        for name in ("0001_initial", "0002_expand"):
            recorder.record_applied("testapp", name)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan([("testapp", "0001_initial")])
        reports = analyse_plan(
            plan, loader=executor.loader, connection=connection, usage_check=check
        )
    return {op.operation: op.finding for report in reports for op in report.operations}


def test_unapplying_the_expand_step_is_a_drop_of_the_new_column() -> None:
    refused = unapplied_expand(using("tagline"))
    assert refused["AddShadowColumn (unapply)"].rule == "ZDT101"
    assert refused["AddShadowColumn (unapply)"].verdict is Verdict.BLOCKED
    assert "testapp_post.tagline" in refused["AddShadowColumn (unapply)"].reason
    assert refused["SyncColumns (unapply)"].rule == "ZDT507"
    allowed = unapplied_expand(using("subtitle"))  # release N still runs: it never knew tagline
    assert {f.verdict for f in allowed.values()} == {Verdict.SAFE}


def test_a_blocked_rename_names_the_expand_contract_commands() -> None:
    [finding] = [op.finding for op in operations("rename_field")]
    assert finding.rule == "ZDT401"
    for step in ("expand", "switch", "contract"):
        assert (
            f"python manage.py expand_contract rename testapp.Post.subtitle summary --step {step}"
            in finding.remedy
        )


@pytest.mark.skipif(connection.vendor == "sqlite", reason="a warning on SQLite: no remedy")
def test_a_blocked_type_change_names_the_expand_contract_commands() -> None:
    [finding] = [op.finding for op in operations("int_to_bigint")]
    assert finding.rule == "ZDT205"
    command = 'expand_contract retype testapp.Post.views "models.BigIntegerField(default=0)"'
    for step in ("expand", "switch", "contract"):
        assert f"python manage.py {command} --step {step}" in finding.remedy


def test_an_indexed_field_gets_no_command_expand_contract_would_refuse() -> None:
    from django.db import models

    from django_zerodowntime.safety import remedies

    assert not remedies.movable(models.CharField(max_length=5, db_index=True))
    assert remedies.movable(models.CharField(max_length=5))
