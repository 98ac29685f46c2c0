"""What safe_migrate prints: the JSON document (shape fixed by DESIGN.md) and its text form.

Text lines are lists of (style, text) segments; the command maps the style
names to its terminal styles, so this module stays free of I/O.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django_zerodowntime.ledger.fleet import FleetEntry
from django_zerodowntime.migrate import github, sarif
from django_zerodowntime.migrate.outcome import Line
from django_zerodowntime.safety.findings import Allowance, MigrationReport

VERDICT_STYLES = {"safe": "success", "warning": "warning", "blocked": "error"}


def render(output_format: str, document: dict[str, Any]) -> str:
    """The document as ``--format json``, ``sarif`` or ``github`` prints it."""
    renderers = {"sarif": sarif.render, "github": github.render}
    return renderers.get(output_format, lambda d: json.dumps(d, indent=2))(document)


def as_json(
    reports: Sequence[MigrationReport],
    *,
    release: str,
    database: str,
    force: bool,
    root: Path | None = None,
) -> dict[str, Any]:
    """The document ``--format json`` prints (and the sarif and github formats render).

    ``file`` is relative to ``root`` (the repository) when the migration is inside it,
    else below its import root (``wagtail/migrations/0001_initial.py``): the same on
    every machine.
    """
    refused = any(report.refused for report in reports) and not force
    return {
        "verdict": "refused" if refused else "ok",
        "release": release,
        "database": database,
        "migrations": [
            {
                "app": report.app,
                "name": report.name,
                "file": relative(report.file, root) or import_path(report.module),
                "in_repository": relative(report.file, root) is not None,
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
                        "allowed": allowance(op.allowed),
                        "line": op.line,
                        "line_exact": op.line_exact,
                    }
                    for op in report.operations
                ],
            }
            for report in reports
        ],
    }


def allowance(allowed: Allowance | None) -> dict[str, Any] | None:
    if allowed is None:
        return None
    return {"reason": allowed.reason, "scope": allowed.scope, "line": allowed.line}


INSTALLED = {"site-packages", "dist-packages"}  # a virtualenv inside the checkout is not code


def relative(path: str | None, root: Path | None) -> str | None:
    """``path`` relative to ``root`` with forward slashes, or None when outside it
    (or inside an environment's installed packages, wherever that environment is)."""
    if path is None or root is None:
        return None
    for candidate, base in ((path, str(root)), (real(path), real(str(root)))):
        try:
            inside = Path(candidate).relative_to(base)
        except ValueError:
            continue
        return None if INSTALLED & set(inside.parts) else inside.as_posix()
    return None


def import_path(module: str | None) -> str | None:
    """``wagtail.migrations.0001_initial`` -> ``wagtail/migrations/0001_initial.py``."""
    return module.replace(".", "/") + ".py" if module else None


def real(path: str) -> str:
    """``os.path.realpath``, the directory's looked up once (a report names hundreds)."""
    directory, name = os.path.split(path)
    return os.path.join(_real_directory(directory), name)


@functools.lru_cache(maxsize=1024)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


def text_lines(document: dict[str, Any], *, applying: bool, note: str | None = None) -> list[Line]:
    head = f"Release {document['release']} on database {document['database']!r}: "
    migrations = document["migrations"]
    if not migrations:
        return [[("", head + "no migrations to apply.")]]
    if note is None:
        note = "" if applying else " (--check: nothing is applied)"
    lines: list[Line] = [[("", head + f"{len(migrations)} migration(s) in the plan{note}.")]]
    for migration in migrations:
        verdict = migration["verdict"]
        line = f"{migration['app']}.{migration['name']}: {verdict}"
        lines.append([("error" if verdict == "refused" else "", line)])
        for op in migration["operations"]:
            labels = [label for label in (op["rule"], op.get("harm")) if label]
            rule = f" [{', '.join(labels)}]" if labels else ""
            index = "-" if op["index"] is None else op["index"]
            lines.append(
                [
                    ("", "  "),
                    (VERDICT_STYLES[op["verdict"]], f"{op['verdict']:<7}"),
                    ("", f" #{index} {op['operation']} {op['target']}{rule}: {op['reason']}"),
                ]
            )
            if op.get("allowed"):
                lines.append([("", f"            allowed ({allowed_by(op['allowed'])})")])
            if op["remedy"] and op["verdict"] != "safe":
                lines += [
                    [("", f"            {remedy_line}".rstrip())]
                    for remedy_line in op["remedy"].splitlines()
                ]
    return lines


def allowed_by(allowed: dict[str, Any]) -> str:
    """``comment on line 12: reason`` or ``zerodowntime_allow: reason``."""
    where = "comment" if allowed["scope"] == "operation" else "zerodowntime_allow"
    line = f" on line {allowed['line']}" if allowed["line"] and where == "comment" else ""
    return f"{where}{line}: {allowed['reason']}"


def refusal(reports: Sequence[MigrationReport]) -> str:
    """The exit status line of a refused plan ("" when nothing is refused)."""
    refused = [f"{r.app}.{r.name}" for r in reports if r.refused]
    if not refused:
        return ""
    named = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if refused[5:] else "")
    return (
        f"refused: {len(refused)} migration(s) would break the code still serving "
        f"({named}); nothing was applied. Follow the remedies above, or allow the "
        f"operation (`# zerodowntime_allow RULE: reason` on it), or pass --force REASON."
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
