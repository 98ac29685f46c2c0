"""The drops a release prepares (what its models mark unused), judged against the fleet now.

The same judgement as a RemoveField or DeleteModel in safe_migrate's plan
(``step.judge_drop``), asked before anyone writes that migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django_zerodowntime.safety.findings import Finding
from django_zerodowntime.safety.remedies import ROLLOUT
from django_zerodowntime.safety.step import DROP_KINDS, judge_drop
from django_zerodowntime.usage import Usage, UsageCheck


@dataclass(frozen=True)
class Drop:
    usage: Usage
    kind: str  # "column" or "table"
    finding: Finding


def release_drops(release: str, marked: Sequence[Usage], usage_check: UsageCheck) -> list[Drop]:
    """Per name ``release`` marks unused: could a migration drop it now, and why (not)."""
    drops = []
    for usage in marked:
        rule = "ZDT102" if usage.column is None else "ZDT101"
        remedy = (
            f"Wait until every host named runs {release} or a later release that does not "
            f"use {usage}. {ROLLOUT}"
        )
        kind = DROP_KINDS[rule]
        drops.append(Drop(usage, kind, judge_drop(rule, kind, usage, usage_check, remedy)))
    return drops
