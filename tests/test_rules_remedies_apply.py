"""The remedies the catalogue recommends really apply (and unapply) on PostgreSQL.

Here the old code writes rows that satisfy the new constraints (subtitle set,
views positive); tests/test_oracle.py shows the same remedies failing, as their
ZDT305/ZDT306 warnings say, when the old code's rows or writes do not.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.plan_helpers import rules

# What the old code's ORM sends: it knows only the columns of 0001.
OLD_CODE_INSERT = "INSERT INTO testapp_post (title, body, subtitle, views) VALUES (%s, '', 'x', %s)"
GOOD = [
    "good_check_not_valid",
    "good_unique_using_index",
    "good_fk_not_valid",
    "good_not_null_via_check",
    "concurrent",
]


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only remedies")
@pytest.mark.parametrize("scenario", GOOD)
def test_recommended_migration_is_judged_safe_and_applies_for_real(scenario: str) -> None:
    with override_settings(MIGRATION_MODULES={"testapp": f"tests.scenarios.{scenario}"}):
        call_command("migrate", "testapp", "0001", verbosity=0)
        try:
            # Never refused; the warnings say the old code's rows and writes must fit.
            assert "blocked" not in set(rules(scenario, applied=()).values())
            with connection.cursor() as cursor:
                cursor.execute(OLD_CODE_INSERT, ["a", 1])
            call_command("migrate", "testapp", "0002", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute(OLD_CODE_INSERT, ["b", 2])
        finally:
            call_command("migrate", "testapp", "zero", verbosity=0)
