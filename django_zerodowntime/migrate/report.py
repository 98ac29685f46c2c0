"""What safe_migrate prints: the JSON document (shape fixed by DESIGN.md) and its text form.

Text lines are lists of (style, text) segments; the command maps the style
names to its terminal styles, so this module stays free of I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django_zerodowntime.ledger.fleet import FleetEntry
from django_zerodowntime.migrate.outcome import Line
from django_zerodowntime.safety.findings import MigrationReport

VERDICT_STYLES = {"safe": "success", "warning": "warning", "blocked": "error"}


def as_json(
    reports: Sequence[MigrationReport], *, release: str, database: str, force: bool
) -> dict[str, Any]:
    """The document ``--format json`` prints."""
    refused = any(report.refused for report in reports) and not force
    return {
        "verdict": "refused" if refused else "ok",
        "release": release,
        "database": database,
        "migrations": [
            {
                "app": report.app,
                "name": report.name,
                "verdict": "refused" if report.refused and not force else "apply",
                "operations": [
                    {
                        "index": op.index,
                        "operation": op.operation,
                        "target": op.target,
                        "verdict": op.finding.verdict.value,
                        "rule": op.finding.rule,
                        "reason": op.finding.reason,
                        "remedy": op.finding.remedy,
                        "harm": op.finding.harm.value if op.finding.harm else None,
                    }
                    for op in report.operations
                ],
            }
            for report in reports
        ],
    }


def text_lines(document: dict[str, Any], *, applying: bool) -> list[Line]:
    head = f"Release {document['release']} on database {document['database']!r}: "
    migrations = document["migrations"]
    if not migrations:
        return [[("", head + "no migrations to apply.")]]
    note = "" if applying else " (--check: nothing is applied)"
    lines: list[Line] = [[("", head + f"{len(migrations)} migration(s) in the plan{note}.")]]
    for migration in migrations:
        verdict = migration["verdict"]
        line = f"{migration['app']}.{migration['name']}: {verdict}"
        lines.append([("error" if verdict == "refused" else "", line)])
        for op in migration["operations"]:
            labels = [label for label in (op["rule"], op.get("harm")) if label]
            rule = f" [{', '.join(labels)}]" if labels else ""
            lines.append(
                [
                    ("", "  "),
                    (VERDICT_STYLES[op["verdict"]], f"{op['verdict']:<7}"),
                    ("", f" #{op['index']} {op['operation']} {op['target']}{rule}: {op['reason']}"),
                ]
            )
            if op["remedy"] and op["verdict"] != "safe":
                lines += [
                    [("", f"            {remedy_line}".rstrip())]
                    for remedy_line in op["remedy"].splitlines()
                ]
    return lines


def refusal(reports: Sequence[MigrationReport]) -> str:
    """The exit status line of a refused plan ("" when nothing is refused)."""
    refused = [f"{r.app}.{r.name}" for r in reports if r.refused]
    if not refused:
        return ""
    named = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if refused[5:] else "")
    return (
        f"refused: {len(refused)} migration(s) would break the code still serving "
        f"({named}); nothing was applied. Follow the remedies above, or "
        f"add zerodowntime_allow to the migration, or pass --force REASON."
    )


def fleet_document(entries: Sequence[FleetEntry]) -> dict[str, Any]:
    return {
        "hosts": [
            {
                "host": entry.host,
                "release": entry.release,
                "source": entry.source,
                "since": entry.since.isoformat(),
                "seen": entry.seen.isoformat(),
            }
            for entry in entries
        ]
    }


def fleet_lines(document: dict[str, Any]) -> list[Line]:
    rows = document["hosts"]
    if not rows:
        return [[("", "No host in the ledger yet: run `safe_migrate --mark-live`.")]]
    lines = [f"{'HOST':<24} {'RELEASE':<16} {'SOURCE':<10} {'SINCE':<26} LAST SEEN"]
    lines += [
        f"{row['host']:<24} {row['release']:<16} {row['source']:<10} {row['since']:<26} "
        f"{row['seen']}"
        for row in rows
    ]
    return [[("", line)] for line in lines]
