"""The analysis' vocabulary: verdicts, harms, findings, the rule catalogue, reports, allow-lists."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Harm(enum.StrEnum):
    """What a finding predicts will go wrong if the operation runs while the old code serves."""

    # The release still serving fails on the new schema: a SELECT, INSERT, UPDATE or DELETE errors.
    BREAKS_OLD_CODE = "breaks-old-code"
    # The migration itself fails on a table that has rows (e.g. a unique index over equal values).
    FAILS_ON_DATA = "fails-on-data"
    # It blocks reads or writes for a time that grows with the table.
    LOCKS = "locks"
    # Rows or values the old code wrote are gone or changed.
    LOSES_DATA = "loses-data"


B, F, L, D = Harm.BREAKS_OLD_CODE, Harm.FAILS_ON_DATA, Harm.LOCKS, Harm.LOSES_DATA

# Every rule id: (the one-line title the docs and reports use, the harm it predicts
# whenever it blocks or warns). A finding may name another harm where the same
# rule predicts something else on one vendor (e.g. ZDT206 on SQLite only locks).
CATALOGUE: dict[str, tuple[str, Harm]] = {
    "ZDT101": ("drops a column a running release still uses", B),
    "ZDT102": ("drops a table a running release still uses", B),
    "ZDT103": ("drops an M2M table a running release still uses", B),
    "ZDT201": ("adds a NOT NULL column without a database default", B),
    "ZDT202": ("adds a column with a volatile database default (PostgreSQL)", L),
    "ZDT203": ("adds a unique column with a default written into every existing row", F),
    "ZDT204": ("sets an existing column NOT NULL", B),
    "ZDT205": ("changes a column type in a way that rewrites the table", L),
    "ZDT206": ("narrows a column type (varchar shrink, bigint to int)", F),
    "ZDT207": ("changes an indexed varchar to text (PostgreSQL)", L),
    "ZDT208": ("adds a foreign key constraint on an existing table", L),
    "ZDT209": ("drops the database default of a NOT NULL column", B),
    "ZDT301": ("creates an index without CONCURRENTLY (PostgreSQL)", L),
    "ZDT302": ("creates a unique constraint without CONCURRENTLY (PostgreSQL)", L),
    "ZDT303": ("adds a check constraint that existing rows must satisfy, under a lock", F),
    "ZDT304": ("runs a CONCURRENTLY operation where it cannot run", F),
    "ZDT305": ("adds a check constraint NOT VALID: the old code's writes must satisfy it", B),
    "ZDT306": ("validates a constraint against every existing row", F),
    "ZDT401": ("renames a column", B),
    "ZDT402": ("renames a model's table or M2M tables", B),
    "ZDT403": ("changes a model's db_table", B),
    "ZDT501": ("RunSQL that cannot be understood", B),
    "ZDT502": ("RunPython (blocked on PostgreSQL beside DDL in an atomic migration)", D),
    "ZDT503": ("RunSQL that changes data or drops other objects", D),
    "ZDT504": ("Backfill in an atomic migration", L),
    "ZDT505": ("Backfill batches of more than 10,000 rows", L),
    "ZDT506": ("expand_contract step that rebuilds a SQLite table", L),
    "ZDT507": ("drops expand_contract's triggers while a running release writes the old column", D),
    "ZDT901": ("unknown operation that emits SQL", B),
    "ZDT902": ("operation that could not be analysed", B),
    "ZDT903": ("operation that cannot be unapplied", F),
    "ZDT904": ("edits a migration the serving release already applied", B),
    "ZDT905": ("an allow that matches no finding", B),
}
# Every rule id with its title (what reports and allow-lists check against).
RULES: dict[str, str] = {rule: title for rule, (title, _harm) in CATALOGUE.items()}


def rule_harm(rule: str) -> Harm:
    """The harm ``rule`` predicts unless a finding names another."""
    return CATALOGUE[rule][1]


# Where each rule's entry lives (docs/rules.rst has a ``.. _zdt101:`` label per rule).
DOCS_URL = "https://django-zerodowntime.readthedocs.io/en/latest/"


def rule_url(rule: str) -> str:
    return f"{DOCS_URL}rules.html#{rule.lower()}"


class Verdict(enum.StrEnum):
    SAFE = "safe"
    WARNING = "warning"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Finding:
    """What one rule says about one operation.

    ``remedy`` is written for the user's real model/field/table names; ``harm``
    is what goes wrong if it runs anyway (always set on blocked and warning
    findings, None on safe ones).
    """

    verdict: Verdict
    rule: str | None
    reason: str
    remedy: str = ""
    harm: Harm | None = None


def safe(reason: str, rule: str | None = None) -> Finding:
    return Finding(Verdict.SAFE, rule, reason)


def warning(rule: str, reason: str, remedy: str = "", harm: Harm | None = None) -> Finding:
    return Finding(Verdict.WARNING, rule, reason, remedy, harm or rule_harm(rule))


def blocked(rule: str, reason: str, remedy: str, harm: Harm | None = None) -> Finding:
    return Finding(Verdict.BLOCKED, rule, reason, remedy, harm or rule_harm(rule))


@dataclass(frozen=True)
class Allowance:
    """Why a finding is accepted anyway, and where that is written."""

    reason: str
    scope: str  # "operation": a comment on the operation; "migration": zerodowntime_allow
    line: int | None = None  # the line of the comment or of ``zerodowntime_allow``


@dataclass(frozen=True)
class OperationReport:
    index: int | None  # None: about the migration as a whole (a stale allow, an edit)
    operation: str
    target: str
    finding: Finding
    allowed: Allowance | None = None
    # Where the operation starts in its file (set for what a report points at: warnings,
    # blocked and allowed findings); not exact when code builds the operations list.
    line: int | None = None
    line_exact: bool = True


@dataclass(frozen=True)
class MigrationReport:
    app: str
    name: str
    operations: tuple[OperationReport, ...]
    allowed: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None  # the migration's source file (absolute), when there is one
    module: str | None = None  # the module it was imported from

    @property
    def refused(self) -> bool:
        """Any blocked operation that no allow (comment or migration-wide) accepts."""
        return any(
            report.finding.verdict is Verdict.BLOCKED
            and report.allowed is None
            and report.finding.rule not in self.allowed
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
