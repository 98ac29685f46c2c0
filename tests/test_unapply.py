"""Rolling a migration back: each backwards entry judged as the forwards operation it
amounts to (safety/unapply.py, safety/inverse.py), on the scenario packages."""

from __future__ import annotations

import pytest

from django_zerodowntime.safety.findings import OperationReport, Verdict
from tests.plan_helpers import operations

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def unapplied(scenario: str) -> list[OperationReport]:
    """0002_change applied, then migrated back to 0001_initial."""
    return operations(scenario, applied=("0001_initial", "0002_change"), target="0001_initial")


def test_unapplying_a_type_widening_narrows_it_back() -> None:
    """int_to_bigint: going back is bigint -> integer, which fails on values that grew."""
    [report] = unapplied("int_to_bigint")
    assert report.operation == "AlterField (unapply)"
    assert report.finding.rule == "ZDT206"
    assert report.finding.verdict in (Verdict.WARNING, Verdict.BLOCKED)
    assert "from bigint to integer" in report.finding.reason


def test_unapplying_a_database_only_drop_adds_the_column_back() -> None:
    [report] = unapplied("separate_drop")
    assert report.operation == "SeparateDatabaseAndState (unapply)"
    assert report.finding.verdict is Verdict.SAFE
    assert "adds column testapp_post.subtitle" in report.finding.reason


def test_unapplying_a_state_only_change_touches_no_table() -> None:
    [report] = unapplied("separate_state_only")
    assert report.finding.verdict is Verdict.SAFE
    assert report.finding.reason == "no database operations to unapply"


def test_unapplying_run_sql_without_reverse_sql_is_blocked() -> None:
    [report] = unapplied("sql_data")
    assert (report.finding.rule, report.finding.verdict) == ("ZDT903", Verdict.BLOCKED)
    assert "RunSQL without reverse_sql" in report.finding.reason


def test_unapplying_run_sql_judges_its_reverse_sql() -> None:
    """sql_drop_column's reverse_sql is RunSQL.noop: nothing runs going back."""
    [report] = unapplied("sql_drop_column")
    assert report.operation == "RunSQL (unapply)"
    assert report.finding.verdict is Verdict.SAFE
    assert report.finding.reason == "RunSQL with no statements"


def test_unapplying_an_unknown_operation_that_emits_nothing_backwards_is_safe() -> None:
    [report] = unapplied("unknown_sql")
    assert report.finding.verdict is Verdict.SAFE
    assert report.finding.reason == "unapplying Shout emits no SQL here"


def test_unapplying_removed_indexes_and_constraints_creates_them_again() -> None:
    """Judged as the AddConstraint and AddIndex they amount to (verdicts per vendor)."""
    reports = operations(
        "remove_index", applied=("0001_initial", "0002_add", "0003_change"), target="0002_add"
    )
    found = {report.operation: report.finding for report in reports}
    assert found["RemoveIndex (unapply)"].rule == "ZDT301"
    assert "index post_views_idx" in found["RemoveIndex (unapply)"].reason
    assert found["RemoveConstraint (unapply)"].rule == "ZDT303"
    assert "check constraint post_views_gte_0" in found["RemoveConstraint (unapply)"].reason


def test_unapplying_a_drop_of_the_triggers_installs_them_again() -> None:
    """DropSync is what unapplying SyncColumns amounts to; unapplying it is SyncColumns."""
    forwards = operations("drop_sync", applied=("0001_initial", "0002_expand"))
    assert [(r.operation, r.finding.rule) for r in forwards] == [("DropSync", "ZDT507")]
    [report] = operations(
        "drop_sync", applied=("0001_initial", "0002_expand", "0003_change"), target="0002_expand"
    )
    assert (report.operation, report.finding.verdict) == ("DropSync (unapply)", Verdict.SAFE)
    assert report.finding.reason.startswith(
        "installs triggers keeping testapp_post.subtitle and testapp_post.tagline equal"
    )
