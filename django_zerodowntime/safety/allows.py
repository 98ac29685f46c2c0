"""Allows applied to a migration's findings: per operation (a comment) and migration-wide.

A comment ``# zerodowntime_allow ZDT101: reason`` belongs to the operation whose
lines hold it, or to the operation that starts right below it (only blank or
comment lines between). The migration-wide ``zerodowntime_allow = {"ZDT101":
"reason"}`` accepts that rule for every operation. An allow matches when its
operation (or, migration-wide, any operation) is judged under that rule, whatever
the verdict; one that matches nothing is reported as ZDT905, so stale allows do
not pile up. This module also gives each reported finding the line it points at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django_zerodowntime.safety import source
from django_zerodowntime.safety.findings import (
    Allowance,
    OperationReport,
    Verdict,
    warning,
)
from django_zerodowntime.safety.source import AllowComment, MigrationSource


def annotate(
    migration: Any,
    reports: Sequence[OperationReport],
    allowed: Mapping[str, str],
    database_label: str,
) -> tuple[OperationReport, ...]:
    """``reports`` with their allows and lines, plus a ZDT905 warning per stale allow."""
    path = source.source_file(migration)
    text = source.read_text(path)
    wanted = allowed or any(r.finding.verdict is not Verdict.SAFE for r in reports)
    if path is None or text is None or not (wanted or source.ALLOW_MARK.search(text)):
        return tuple(reports)  # nothing to point at: the file is not even parsed
    located = source.locate(path, text, len(migration.operations))
    if located is None:
        return tuple(reports)
    owners = {comment: owned_by(comment, located) for comment in located.comments}
    annotated = [allow_one(report, owners, allowed, located) for report in reports]
    stale = stale_comments(owners, reports, migration, located, database_label)
    stale += stale_rules(allowed, reports, located, database_label)
    return tuple(annotated + stale)


def owned_by(comment: AllowComment, located: MigrationSource) -> set[int]:
    """The operations (indexes) a comment belongs to."""
    holding = {i for i, span in enumerate(located.spans) if span.holds(comment.line)}
    if holding:
        return holding
    below = [(span.start, i) for i, span in enumerate(located.spans) if span.start > comment.line]
    if not below:
        return set()
    start, index = min(below)
    between = range(comment.line + 1, start)
    return {index} if all(located.is_blank_or_comment(line) for line in between) else set()


def allow_one(
    report: OperationReport,
    owners: Mapping[AllowComment, set[int]],
    allowed: Mapping[str, str],
    located: MigrationSource,
) -> OperationReport:
    rule = report.finding.rule
    allowance = None
    for comment, indexes in owners.items():
        if report.index in indexes and rule in comment.rules:
            allowance = Allowance(comment.reason, "operation", comment.line)
    if allowance is None and rule is not None and rule in allowed:
        allowance = Allowance(allowed[rule], "migration", located.allow_line)
    if allowance is None and report.finding.verdict is Verdict.SAFE:
        return report
    span = located.spans[report.index] if report.index is not None else None
    return replace(
        report,
        allowed=allowance,
        line=span.start if span else report.line,
        line_exact=span.exact if span else report.line_exact,
    )


def stale_comments(
    owners: Mapping[AllowComment, set[int]],
    reports: Sequence[OperationReport],
    migration: Any,
    located: MigrationSource,
    database_label: str,
) -> list[OperationReport]:
    stale: list[OperationReport] = []
    for comment, indexes in owners.items():
        for rule in comment.rules:
            if any(r.index in indexes and r.finding.rule == rule for r in reports):
                continue
            index = min(indexes) if indexes else None
            operation = (
                type(migration.operations[index]).__name__ if index is not None else "comment"
            )
            where = (
                f"operation #{index} ({operation})"
                if index is not None
                else "no operation (it is neither on one nor right above one)"
            )
            stale.append(
                stale_report(
                    index,
                    operation,
                    rule,
                    f"`# zerodowntime_allow {rule}` on line {comment.line} belongs to {where}, "
                    f"which is not judged under {rule} on {database_label}",
                    f"Delete that comment, or move it onto the operation that {rule} reports.",
                    comment.line,
                )
            )
    return stale


def stale_rules(
    allowed: Mapping[str, str],
    reports: Sequence[OperationReport],
    located: MigrationSource,
    database_label: str,
) -> list[OperationReport]:
    judged = {report.finding.rule for report in reports}
    return [
        stale_report(
            None,
            "zerodowntime_allow",
            rule,
            f"zerodowntime_allow allows {rule}, but no operation of this migration is judged "
            f"under {rule} on {database_label}",
            f'Remove "{rule}" from zerodowntime_allow.',
            located.allow_line,
        )
        for rule in allowed
        if rule not in judged
    ]


def stale_report(
    index: int | None, operation: str, rule: str, reason: str, remedy: str, line: int | None
) -> OperationReport:
    return OperationReport(
        index,
        operation,
        f"allow of {rule}",
        warning("ZDT905", reason, remedy),
        line=line,
    )
