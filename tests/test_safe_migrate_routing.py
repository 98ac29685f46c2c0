"""The analyser honours database routers as Django's migrate does.

Every rule scenario is analysed with a router that keeps ``testapp`` off the
database under test: Django would skip those operations there, so none may be
blocked (except what Django fails on before it asks the router).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from django_zerodowntime.safety.findings import Verdict
from tests.plan_helpers import operations
from tests.test_rules_scenarios import EXPECTED

ROUTER = "tests.test_safe_migrate_routing.NoTestappRouter"
# Django raises for AddIndexConcurrently in a transaction before asking the router; a custom
# operation's own database_forwards is judged by the SQL it emits, router or not; a state
# Django cannot render stops its migrate whatever the router says.
STILL_BLOCKED = {
    "concurrent_atomic": {"ZDT304"},
    "unknown_sql": {"ZDT901"},
    "index_breaks_render": {"ZDT902"},
}


class NoTestappRouter:
    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if app_label == "testapp" else None


@pytest.mark.db
@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_operations_the_router_skips_are_never_blocked(scenario: str) -> None:
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        found = operations(scenario)
    blocked = {op.finding.rule for op in found if op.finding.verdict is Verdict.BLOCKED}
    assert blocked == STILL_BLOCKED.get(scenario, set())


@pytest.mark.db
@pytest.mark.django_db
def test_router_skip_names_the_model_and_the_database() -> None:
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        (op,) = operations("remove_field")
    assert op.finding.verdict is Verdict.SAFE
    assert op.finding.reason.startswith("testapp.")
    assert "is not migrated on database 'default' by the router" in op.finding.reason


@pytest.mark.db
@pytest.mark.django_db
def test_without_a_router_the_same_drop_is_blocked() -> None:
    """Control: the scenario above really is a blocked drop when the router allows it."""
    (op,) = operations("remove_field")
    assert (op.finding.verdict, op.finding.rule) == (Verdict.BLOCKED, "ZDT101")


@pytest.mark.db
@pytest.mark.django_db
def test_operations_without_their_own_router_check_are_skipped_too() -> None:
    """AlterOrderWithRespectTo adds a NOT NULL _order column: blocked, unless routed away."""
    assert operations("routed_only")[0].finding.rule == "ZDT201"
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        found = operations("routed_only")
    assert [op.operation for op in found] == ["AlterOrderWithRespectTo", "AlterUniqueTogether"]
    assert {op.finding.verdict for op in found} == {Verdict.SAFE}
