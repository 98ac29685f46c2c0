"""analyse_plan: reports, real names in remedies, allow-lists, backwards steps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from django_zerodowntime.safety.findings import (
    CATALOGUE,
    RULES,
    AllowListError,
    Verdict,
    allowed_rules,
)
from tests.plan_helpers import VENDOR, analyse, operations, rules

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_remove_field_remedy_names_the_real_model_field_and_marker() -> None:
    [report] = operations("remove_field")
    assert report.target == "testapp.Post.subtitle (testapp_post.subtitle)"
    assert "release 3f2a9c1 on host web-2" in report.finding.reason
    remedy = report.finding.remedy
    assert "tests/testapp/models.py" in remedy
    assert "subtitle = unused(models.CharField(max_length=200, null=True))" in remedy
    assert "class Post(models.Model):" in remedy
    assert "--mark-live" in remedy


def test_drop_remedy_for_an_installed_package_says_its_versions_do_the_two_steps() -> None:
    from django.contrib.auth.models import User

    from django_zerodowntime.safety.remedies import drop_field, drop_model

    field = User._meta.get_field("first_name")
    for remedy in (drop_field(User, field), drop_model(User)):
        assert "`django.contrib.auth` is an installed package, not your code" in remedy
    [report] = operations("remove_field")  # the project's own app: no such note
    assert "installed package" not in report.finding.remedy


def test_delete_model_remedy_uses_unused_model_on_the_real_class() -> None:
    found = operations("delete_model")
    delete = next(op for op in found if op.finding.rule == "ZDT102")
    assert "@unused_model\n    class Tag(models.Model):" in delete.finding.remedy


def test_add_not_null_remedy_offers_db_default_with_the_users_value() -> None:
    [report] = operations("add_not_null")
    assert "rating = models.IntegerField(db_default=3, default=3)" in report.finding.remedy
    assert "rating = models.IntegerField(default=3, null=True)" in report.finding.remedy


def test_rename_field_remedy_pins_the_old_column_before_the_rename() -> None:
    [report] = operations("rename_field")
    assert "testapp_post.subtitle -> testapp_post.summary" in report.finding.reason
    assert 'db_column="subtitle"' in report.finding.remedy.replace("'", '"')
    assert 'RenameField("post", "subtitle", "summary")' in report.finding.remedy


def test_rename_model_reports_the_m2m_column_that_follows_the_model_name() -> None:
    blocked = [op for op in operations("rename_model_m2m") if op.finding.rule == "ZDT402"]
    assert "testapp_post_tags.tag_id" in blocked[0].finding.reason


@pytest.mark.skipif(VENDOR != "postgresql", reason="PostgreSQL remedy")
def test_add_index_remedy_is_add_index_concurrently_in_a_non_atomic_migration() -> None:
    [report] = operations("add_index")
    assert (
        "AddIndexConcurrently(\"post\", models.Index(fields=['views'], name='post_views_idx'))"
        in report.finding.remedy
    )
    assert "atomic = False" in report.finding.remedy


def test_migration_report_refused_unless_the_rule_is_allowed() -> None:
    [report] = analyse("allowed")
    assert report.allowed == {"ZDT301": "testapp_post has a dozen rows"}
    assert not report.refused
    [other] = analyse("remove_field")
    assert other.refused


def test_allow_list_without_a_reason_raises_a_clear_error() -> None:
    with pytest.raises(AllowListError, match=r"zerodowntime_allow\['ZDT301'\] needs a reason"):
        analyse("allow_no_reason")


@pytest.mark.parametrize(
    ("value", "message"),
    [([("ZDT301", "x")], "must be a dict"), ({"ZDT999": "x"}, "unknown rule 'ZDT999'")],
)
def test_allowed_rules_rejects_malformed_lists(value: object, message: str) -> None:
    migration = type("M", (), {"zerodowntime_allow": value, "app_label": "a", "name": "0001"})()
    with pytest.raises(AllowListError, match=message):
        allowed_rules(migration)


def test_unapplying_an_add_field_is_judged_as_the_drop_it_is() -> None:
    reports = analyse(
        "add_nullable", applied=("0001_initial", "0002_change"), target="0001_initial"
    )
    [report] = reports[0].operations
    assert report.operation == "AddField (unapply)"
    assert (report.finding.rule, report.finding.verdict) == ("ZDT101", Verdict.BLOCKED)
    assert "testapp_post.summary" in report.finding.reason


def test_unapplying_an_irreversible_run_python_is_blocked() -> None:
    found = rules("run_python_ddl", applied=("0001_initial", "0002_change"), target="0001_initial")
    assert found["ZDT903"] is Verdict.BLOCKED


def test_tables_created_in_the_same_plan_are_fresh() -> None:
    """Nothing applied yet: 0001 creates the tables, so 0002's index cannot lock old traffic."""
    found = rules("add_not_null", applied=())
    assert set(found.values()) == {Verdict.SAFE}


def test_every_rule_is_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "rules.rst").read_text()
    assert [rule for rule in RULES if rule not in text] == []


def test_the_harm_of_every_rule_is_documented_as_the_catalogue_has_it() -> None:
    text = (Path(__file__).parent.parent / "docs" / "rules.rst").read_text()
    table = dict(re.findall(r"^(ZDT\d+)  ``([a-z-]+)``", text, re.MULTILINE))
    assert table == {rule: harm.value for rule, (_title, harm) in CATALOGUE.items()}


def test_analysis_runs_no_statement_that_changes_the_database() -> None:
    """Only reads (the migration recorder, introspection) may reach the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for scenario in ("add_fk", "unknown_sql", "delete_model", "sql_drop_table", "add_check"):
            analyse(scenario, applied=())
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"]
        .lstrip()
        .upper()
        .startswith(("SELECT", "SHOW", "PRAGMA", "SAVEPOINT", "RELEASE"))
        and "django_migrations" not in q["sql"]
    ]
    assert writes == []


def test_unknown_operation_sql_is_collected_not_executed() -> None:
    """The Shout operation's UPDATE is reported, and no UPDATE reaches the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        [report] = operations("unknown_sql")
    assert "UPDATE testapp_post SET title = UPPER(title)" in report.finding.reason
    assert not [q for q in queries.captured_queries if "UPPER(title)" in q["sql"]]


def test_callable_unique_remedy_adds_it_nullable_and_not_unique_first() -> None:
    found = [op for op in operations("callable_unique") if op.finding.rule == "ZDT203"]
    assert "token = models.UUIDField(default=uuid.uuid4, null=True)" in found[0].finding.remedy


def test_add_not_null_with_a_callable_default_asks_for_a_constant_db_default() -> None:
    """timezone.now cannot become a db_default literal: the remedy says what to choose."""
    [report] = operations("add_not_null_callable")
    assert report.finding.rule == "ZDT201"
    assert "db_default=<a constant the old rows can take>" in report.finding.remedy


def test_what_django_writes_into_every_existing_row_of_a_new_column() -> None:
    """ZDT203's question, asked of the schema editor as migrate would: one value, or NULLs."""
    from django.db import connection, models

    from django_zerodowntime.safety.columns import one_value_for_every_row

    def field(**kwargs: object) -> models.Field:  # type: ignore[type-arg]
        made = models.CharField(max_length=20, unique=True, **kwargs)  # type: ignore[call-overload]
        made.set_attributes_from_name("code")
        return made

    def broken() -> str:
        raise RuntimeError("needs the request")

    assert one_value_for_every_row(field(null=True), connection) is None
    assert one_value_for_every_row(field(null=True, default=lambda: None), connection) is None
    assert one_value_for_every_row(field(null=True, default="x"), connection) == "default 'x'"
    assert one_value_for_every_row(field(db_default="x"), connection) == "database default 'x'"
    called = one_value_for_every_row(field(default=broken), connection)
    assert called == "a default that cannot be computed before the migration runs"
    # NOT NULL and blank: Django writes "" into every row.
    assert one_value_for_every_row(field(blank=True), connection) == "default ''"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a volatile default of PostgreSQL")
def test_a_volatile_database_default_gives_each_row_its_own_value() -> None:
    from django.contrib.postgres.functions import RandomUUID
    from django.db import models

    from django_zerodowntime.safety.columns import one_value_for_every_row

    made = models.UUIDField(unique=True, db_default=RandomUUID())
    made.set_attributes_from_name("token")
    assert one_value_for_every_row(made, connection) is None
