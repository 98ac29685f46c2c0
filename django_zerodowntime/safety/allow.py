"""The per-migration opt-out: ``zerodowntime_allow = {"RULE_ID": "why this is fine here"}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_zerodowntime.safety.catalogue import RULES


class AllowListError(ValueError):
    """A migration's ``zerodowntime_allow`` is malformed (bad input: exit status 2)."""


def allowed_rules(migration: Any) -> dict[str, str]:
    """The validated allow-list of ``migration``; raises AllowListError naming what is wrong."""
    value = getattr(migration, "zerodowntime_allow", None)
    label = f"{migration.app_label}.{migration.name}"
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AllowListError(
            f"{label}: zerodowntime_allow must be a dict like "
            f'{{"ZDT301": "why this is fine here"}}, not {type(value).__name__}'
        )
    for rule, reason in value.items():
        if rule not in RULES:
            raise AllowListError(
                f"{label}: zerodowntime_allow names unknown rule {rule!r} "
                f"(known: {', '.join(sorted(RULES))})"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise AllowListError(
                f"{label}: zerodowntime_allow[{rule!r}] needs a reason, e.g. "
                f'{{"{rule}": "the table has 40 rows"}}'
            )
    return {str(rule): str(reason) for rule, reason in value.items()}
