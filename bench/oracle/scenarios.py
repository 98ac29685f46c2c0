"""The rule scenarios of the test suite (tests/scenarios/) as old and new releases.

Each scenario is the old release (``0001_initial``, the models of
``tests/scenarios/oldcode``) plus one change (``0002_change``); the new
release is the same code with the scenario's migrations. Both run with
``tests.scenarios.settings`` from this checkout.
"""

from __future__ import annotations

import sys

from bench.oracle.process import Release

SETTINGS = "tests.scenarios.settings"
ALL = ("sqlite", "postgresql", "mariadb")
PG = ("postgresql",)
# scenario -> the vendors it is meant for (PostgreSQL-only SQL and operations).
SCENARIOS: dict[str, tuple[str, ...]] = {
    "add_check": ALL,
    "add_db_default": ALL,
    "add_fk": ALL,
    "add_index": ALL,
    "add_not_null": ALL,
    "add_not_null_callable": ALL,
    "add_not_null_no_default": ALL,
    "add_nullable": ALL,
    "add_unique": ALL,
    "add_unique_callable_null_result": ALL,
    "add_unique_constant_default": ALL,
    "add_unique_db_default": ALL,
    "add_unique_null_subclass": ALL,
    "add_unique_nullable": ALL,
    "alter_table": ALL,
    "backfill": ALL,
    "backfill_atomic": ALL,
    "backfill_big_batch": ALL,
    "callable_unique": ALL,
    "concurrent": PG,
    "concurrent_atomic": PG,
    "delete_model": ALL,
    "drop_db_default": ALL,
    "drop_not_null": ALL,
    "expand_contract_steps": ALL,
    "field_index": ALL,
    "fresh_column_not_null": ALL,
    "fresh_then_renamed": ALL,
    "good_check_not_valid": PG,
    "good_fk_not_valid": PG,
    "good_not_null_via_check": PG,
    "good_unique_using_index": PG,
    "indexed_text": ALL,
    "int_to_bigint": ALL,
    "metadata": ALL,
    "plain_text": ALL,
    "remove_field": ALL,
    "remove_fk": ALL,
    "remove_m2m": ALL,
    "rename_field": ALL,
    "rename_field_pinned": ALL,
    "rename_model": ALL,
    "rename_model_m2m": ALL,
    "rename_model_pinned": ALL,
    "run_python_alone": ALL,
    "run_python_ddl": ALL,
    "run_python_noop": ALL,
    "separate_drop": ALL,
    "separate_state_only": ALL,
    "set_not_null": ALL,
    "sql_create_index": ALL,
    "sql_data": ALL,
    "sql_drop_column": ALL,
    "sql_drop_table": ("postgresql", "mariadb"),  # DROP TABLE ... CASCADE
    "sql_unparsable": ALL,
    "text_to_json": ALL,
    "unknown_quiet": ALL,
    "unknown_sql": ALL,
    "varchar_cross": ALL,
    "varchar_grow": ALL,
    "varchar_shrink": ALL,
    "volatile_default": ALL,
}


def releases(scenario: str, python: str = sys.executable) -> tuple[Release, Release]:
    """(old, new) of ``scenario``: 0001 only, then the scenario's migrations."""
    old = Release(
        "old",
        python,
        SETTINGS,
        ("testapp",),
        overrides={"MIGRATION_MODULES": {"testapp": "tests.scenarios.old"}},
    )
    new = Release(
        "new",
        python,
        SETTINGS,
        ("testapp",),
        overrides={"MIGRATION_MODULES": {"testapp": f"tests.scenarios.{scenario}"}},
    )
    return old, new
