"""The rehearsal in the JSON document (under "rehearsal") and as text lines. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_zerodowntime.migrate.outcome import Line
from django_zerodowntime.migrate.rehearsal.model import OperationRun, Rehearsal, Statement

Contradictions = Mapping[tuple[str, str, int], str]


def as_json(rehearsal: Rehearsal, contradictions: Contradictions) -> dict[str, Any]:
    return {
        "vendor": rehearsal.vendor,
        "database": rehearsal.database,
        "rows": rehearsal.rows,
        "seconds": _seconds(rehearsal.seconds),
        "migrations": [
            {
                "app": migration.app,
                "name": migration.name,
                "seconds": _seconds(migration.seconds),
                "operations": [
                    {
                        "index": op.index,
                        "operation": op.operation,
                        "seconds": _seconds(op.seconds),
                        "statements": [_statement(s) for s in op.statements],
                        "contradicts": contradictions.get(
                            (migration.app, migration.name, op.index)
                        ),
                    }
                    for op in migration.operations
                ],
            }
            for migration in rehearsal.migrations
        ],
    }


def _statement(statement: Statement) -> dict[str, Any]:
    return {
        "sql": statement.sql,
        "seconds": _seconds(statement.seconds),
        "locks": [
            {"table": lock.table, "mode": lock.mode, "blocks": list(lock.blocks)}
            for lock in statement.locks
        ],
        "rewrote": list(statement.rewrote),
    }


def _seconds(value: float) -> float:
    return round(value, 6)


def text_lines(rehearsal: Rehearsal, contradictions: Contradictions) -> list[Line]:
    head = (
        f"Rehearsal on a copy of database {rehearsal.database!r} ({rehearsal.vendor}, up to "
        f"{rehearsal.rows} rows per table): {len(rehearsal.migrations)} migration(s) in "
        f"{rehearsal.seconds:.3f} s."
    )
    lines: list[Line] = [[("", head)]]
    for migration in rehearsal.migrations:
        lines.append([("", f"{migration.app}.{migration.name}: {migration.seconds:.3f} s")])
        for op in migration.operations:
            lines.append([("", f"  #{op.index} {op.operation} {op.seconds:.3f} s: {_summary(op)}")])
            sentence = contradictions.get((migration.app, migration.name, op.index))
            if sentence:
                lines.append([("", "    "), ("error", f"contradicts the analysis: {sentence}")])
    return lines


def _summary(op: OperationRun) -> str:
    if op.error:
        return f"failed: {op.error}"
    blocking = sorted(
        {
            f"{lock.mode} on {lock.table} (blocks {' and '.join(lock.blocks)})"
            for statement in op.statements
            for lock in statement.locks
            if lock.blocks
        }
    )
    rewrote = sorted({table for statement in op.statements for table in statement.rewrote})
    return ", ".join(
        [
            f"{len(op.statements)} statement(s)",
            "; ".join(blocking) if blocking else "no lock that blocks reads or writes",
            "rewrote " + ", ".join(rewrote) if rewrote else "rewrote nothing",
        ]
    )
