"""Operations on a model Django does not manage run no SQL, so they are safe whatever they
would do to a managed one (safety/field_rules.py, safety/model_rules.py)."""

from __future__ import annotations

import pytest

from django_zerodowntime.safety.field_rules import NOT_MIGRATED
from django_zerodowntime.safety.findings import Verdict
from tests.plan_helpers import operations

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_field_and_model_changes_on_an_unmanaged_model_are_safe() -> None:
    """On a managed model the NOT NULL add, the narrowing, the renames and the drop would
    be flagged (and the ledger says an old release uses every name)."""
    found = operations("unmanaged", applied=("0001_initial", "0002_legacy"))
    assert [(op.operation, op.finding.verdict, op.finding.reason) for op in found] == [
        (name, Verdict.SAFE, NOT_MIGRATED)
        for name in ("AddField", "AlterField", "RenameField", "RemoveField", "RenameModel")
    ]
