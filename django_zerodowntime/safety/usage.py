"""Contract operations: a drop is allowed only when no running release uses the name."""

from __future__ import annotations

from collections.abc import Sequence

from django_zerodowntime.safety.context import Step, blocked, safe
from django_zerodowntime.safety.findings import Finding, Usage

KINDS = {"ZDT101": "column", "ZDT102": "table", "ZDT103": "M2M table"}


def drop_findings(step: Step, rule: str, usages: Sequence[Usage], remedy: str) -> list[Finding]:
    """One finding per dropped name: blocked while the ledger says a running release uses it."""
    kind = KINDS.get(rule, "table" if all(u.column is None for u in usages) else "column")
    findings: list[Finding] = []
    for usage in usages:
        if step.is_fresh(usage.table, usage.column):
            findings.append(safe(f"drops {kind} {usage}, created earlier in this plan", rule))
            continue
        who = step.usage_check(usage)
        if who is None:
            findings.append(
                safe(f"drops {kind} {usage}; no release that may still run uses it", rule)
            )
        else:
            findings.append(
                blocked(
                    rule,
                    f"drops {kind} {usage}, but {who}: its queries fail once it is gone",
                    remedy,
                )
            )
    return findings
