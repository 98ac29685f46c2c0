"""The analysis' vocabulary: verdicts, findings, the rule catalogue, reports, allow-lists."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Every rule id, with the one-line title the docs and reports use.
RULES: dict[str, str] = {
    "ZDT101": "drops a column a running release still uses",
    "ZDT102": "drops a table a running release still uses",
    "ZDT103": "drops an M2M table a running release still uses",
    "ZDT201": "adds a NOT NULL column without a database default",
    "ZDT202": "adds a column with a volatile database default (PostgreSQL)",
    "ZDT203": "adds a unique column with a callable default",
    "ZDT204": "sets an existing column NOT NULL",
    "ZDT205": "changes a column type in a way that rewrites the table",
    "ZDT206": "narrows a column type (varchar shrink, bigint to int)",
    "ZDT207": "changes an indexed varchar to text (PostgreSQL)",
    "ZDT208": "adds a foreign key constraint on an existing table",
    "ZDT209": "drops the database default of a NOT NULL column",
    "ZDT301": "creates an index without CONCURRENTLY (PostgreSQL)",
    "ZDT302": "creates a unique constraint without CONCURRENTLY (PostgreSQL)",
    "ZDT303": "adds a check constraint validated under a lock",
    "ZDT304": "runs a CONCURRENTLY operation inside an atomic migration",
    "ZDT401": "renames a column",
    "ZDT402": "renames a model's table or M2M tables",
    "ZDT403": "changes a model's db_table",
    "ZDT501": "RunSQL that cannot be understood",
    "ZDT502": "RunPython (blocked on PostgreSQL beside DDL in an atomic migration)",
    "ZDT503": "RunSQL that changes data or drops other objects",
    "ZDT901": "unknown operation that emits SQL",
    "ZDT902": "operation that could not be analysed",
    "ZDT903": "operation that cannot be unapplied",
}


class Verdict(enum.StrEnum):
    SAFE = "safe"
    WARNING = "warning"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Finding:
    """What one rule says about one operation.

    ``remedy`` is written for the user's real model/field/table names.
    """

    verdict: Verdict
    rule: str | None
    reason: str
    remedy: str = ""


def safe(reason: str, rule: str | None = None) -> Finding:
    return Finding(Verdict.SAFE, rule, reason)


def warning(rule: str, reason: str, remedy: str = "") -> Finding:
    return Finding(Verdict.WARNING, rule, reason, remedy)


def blocked(rule: str, reason: str, remedy: str) -> Finding:
    return Finding(Verdict.BLOCKED, rule, reason, remedy)


@dataclass(frozen=True)
class OperationReport:
    index: int
    operation: str
    target: str
    finding: Finding


@dataclass(frozen=True)
class MigrationReport:
    app: str
    name: str
    operations: tuple[OperationReport, ...]
    allowed: Mapping[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        """Any blocked operation whose rule the migration does not allow."""
        return any(
            report.finding.verdict is Verdict.BLOCKED and report.finding.rule not in self.allowed
            for report in self.operations
        )


class AllowListError(ValueError):
    """A migration's ``zerodowntime_allow`` is malformed (bad input: exit status 2)."""


def allowed_rules(migration: Any) -> dict[str, str]:
    """The validated ``zerodowntime_allow = {"RULE_ID": "why this is fine here"}`` of
    ``migration``; raises AllowListError naming what is wrong."""
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
