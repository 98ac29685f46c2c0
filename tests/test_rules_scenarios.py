"""Each rule against its scenario migration, on the vendor the suite runs on.

Run on SQLite by default; ``ZERODOWNTIME_TEST_DB=postgres`` / ``mariadb`` runs the
same table against PostgreSQL and MariaDB (expected verdicts differ per vendor).
"""

from __future__ import annotations

import pytest

from django_zerodowntime.safety.findings import Harm, Verdict
from tests.plan_helpers import VENDOR, operations, rules

S, W, B = Verdict.SAFE, Verdict.WARNING, Verdict.BLOCKED
PG, MY, LITE = "postgresql", "mysql", "sqlite"

# scenario -> {vendor: {rule: verdict}}; "*" applies to every vendor.
EXPECTED: dict[str, dict[str, dict[str | None, Verdict]]] = {
    "add_nullable": {"*": {None: S}},
    "add_not_null": {"*": {"ZDT201": B}},
    "add_db_default": {"*": {None: S}},
    "volatile_default": {PG: {"ZDT202": B}, MY: {None: S}, LITE: {None: S}},
    "callable_unique": {PG: {"ZDT203": B, "ZDT302": B}, MY: {"ZDT203": B}, LITE: {"ZDT203": B}},
    # A unique column is blocked only when Django writes one value into every existing row.
    "add_unique_nullable": {PG: {"ZDT302": B}, MY: {None: S}, LITE: {None: S}},
    "add_unique_null_subclass": {PG: {"ZDT302": B}, MY: {None: S}, LITE: {None: S}},
    "add_unique_callable_null_result": {PG: {"ZDT302": B}, MY: {None: S}, LITE: {None: S}},
    "add_unique_constant_default": {PG: {"ZDT203": B, "ZDT302": B}, "*": {"ZDT203": B}},
    "add_unique_db_default": {PG: {"ZDT203": B, "ZDT302": B}, "*": {"ZDT203": B}},
    "add_not_null_no_default": {"*": {"ZDT201": B}},
    "set_not_null": {"*": {"ZDT204": B}},
    "drop_not_null": {"*": {None: S}},
    "fk_not_null": {"*": {"ZDT204": B}},
    "fk_to_pk_with_python": {"*": {None: S, "ZDT502": W}},
    "drop_db_default": {"*": {"ZDT209": B}},
    "varchar_grow": {PG: {None: S}, MY: {None: S}, LITE: {"ZDT205": W}},
    "varchar_cross": {PG: {None: S}, MY: {"ZDT205": B}, LITE: {"ZDT205": W}},
    "varchar_shrink": {PG: {"ZDT206": B}, MY: {"ZDT206": B}, LITE: {"ZDT206": W}},
    "int_to_bigint": {PG: {"ZDT205": B}, MY: {"ZDT205": B}, LITE: {"ZDT205": W}},
    "indexed_text": {PG: {"ZDT207": B}, MY: {"ZDT205": B}, LITE: {"ZDT205": W}},
    "plain_text": {PG: {None: S}, MY: {"ZDT205": B}, LITE: {"ZDT205": W}},
    "add_index": {PG: {"ZDT301": B}, MY: {"ZDT301": S}, LITE: {"ZDT301": S}},
    "field_index": {PG: {"ZDT301": B}, MY: {None: S}, LITE: {None: S}},
    "add_unique": {PG: {"ZDT302": B}, MY: {"ZDT302": S}, LITE: {"ZDT302": S}},
    "add_check": {PG: {"ZDT303": B}, MY: {"ZDT303": B}, LITE: {"ZDT303": W}},
    "index_breaks_render": {"*": {"ZDT902": B}},
    "add_fk": {PG: {"ZDT208": B, "ZDT301": B}, MY: {"ZDT208": B}, LITE: {None: S}},
    "concurrent": {"*": {None: S}},
    "concurrent_atomic": {"*": {"ZDT304": B}},
    "rename_field": {"*": {"ZDT401": B}},
    "rename_field_pinned": {"*": {None: S}},
    "rename_model": {"*": {"ZDT402": B}},
    "rename_model_m2m": {"*": {None: S, "ZDT402": B}},
    "rename_model_pinned": {"*": {None: S}},
    "alter_table": {"*": {"ZDT403": B}},
    "remove_field": {"*": {"ZDT101": B}},
    "remove_fk": {"*": {"ZDT101": B}},
    "remove_m2m": {"*": {"ZDT103": B}},
    "delete_model": {"*": {"ZDT103": B, "ZDT102": B}},
    "sql_drop_column": {"*": {"ZDT101": B}},
    "sql_drop_table": {"*": {"ZDT102": B}},
    "sql_unparsable": {"*": {"ZDT501": B}},
    "sql_create_index": {PG: {"ZDT301": B}, MY: {None: S}, LITE: {None: S}},
    "sql_data": {"*": {"ZDT503": W}},
    "run_python_alone": {"*": {"ZDT502": W}},
    # RunPython.noop runs no code: nothing to warn about (the corpus found many).
    "run_python_noop": {"*": {None: S}},
    # A column added earlier in the plan, then NOT NULL: the old code leaves it out.
    "fresh_column_not_null": {
        PG: {None: S, "ZDT502": B, "ZDT204": B},
        "*": {None: S, "ZDT502": W, "ZDT204": B},
    },
    # Text to JSON: every existing value must parse (django-auditlog 3.0, the corpus).
    "text_to_json": {
        PG: {"ZDT206": W, "ZDT205": B},
        MY: {"ZDT206": W, "ZDT205": B},
        LITE: {"ZDT206": W},
    },
    "run_python_ddl": {
        PG: {None: S, "ZDT502": B},
        MY: {None: S, "ZDT502": W},
        LITE: {None: S, "ZDT502": W},
    },
    "backfill": {"*": {None: S}},
    "backfill_atomic": {PG: {"ZDT504": B}, LITE: {"ZDT504": B}, MY: {None: S}},
    "backfill_big_batch": {"*": {"ZDT505": W}},
    "expand_contract_steps": {"*": {None: S, "ZDT101": B}},
    "separate_drop": {"*": {"ZDT101": B}},
    "separate_state_only": {"*": {None: S}},
    "metadata": {"*": {None: S}},
    "unknown_sql": {"*": {"ZDT901": B}},
    "unknown_quiet": {"*": {None: S}},
    "fresh_then_renamed": {"*": {None: S, "ZDT101": S}},
    # The remedies the rules recommend: no lock; the rows and writes of the old code
    # must satisfy a new check constraint (warnings the oracle proved).
    "good_check_not_valid": {"*": {"ZDT305": W, "ZDT306": W}},
    "good_unique_using_index": {"*": {None: S}},
    "good_fk_not_valid": {"*": {None: S, "ZDT306": W}},
    "good_not_null_via_check": {"*": {"ZDT305": W, "ZDT306": W}},
}


@pytest.mark.db
@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_verdicts_on_this_vendor(scenario: str) -> None:
    expected = EXPECTED[scenario].get(VENDOR) or EXPECTED[scenario]["*"]
    assert rules(scenario) == expected


@pytest.mark.db
@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_blocked_and_warning_findings_name_their_harm(scenario: str) -> None:
    """Every blocked or warning finding predicts a harm (the catalogue's unless it says
    otherwise); a safe one predicts none."""
    for op in operations(scenario):
        finding = op.finding
        if finding.verdict is S:
            assert finding.harm is None, op
        else:
            assert finding.harm in set(Harm), op


@pytest.mark.db
@pytest.mark.django_db
@pytest.mark.parametrize(
    "scenario", ["remove_field", "remove_m2m", "delete_model", "sql_drop_column"]
)
def test_drop_allowed_once_no_running_release_uses_it(scenario: str) -> None:
    found = rules(scenario, usage_check=lambda usage: None)
    assert set(found.values()) == {S}
    assert None not in found  # the passing drop still names the rule that judged it
