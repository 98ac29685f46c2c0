"""The rehearsal in the JSON document (under "rehearsal") and as text lines. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_zerodowntime.migrate.outcome import Line
from django_zerodowntime.migrate.rehearsal.model import (
    Batches,
    Lock,
    OperationRun,
    Rehearsal,
    Statement,
)

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
                        "batches": _batches(op.batches),
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
        "locks": [_lock(lock) for lock in statement.locks],
        "rewrote": list(statement.rewrote),
    }


def _lock(lock: Lock) -> dict[str, Any]:
    return {
        "table": lock.table,
        "mode": lock.mode,
        "blocks": list(lock.blocks),
        "held_seconds": _seconds(lock.held_seconds),
    }


def _batches(batches: Batches | None) -> dict[str, Any] | None:
    """A Backfill's batches as one object (its UPDATEs are not listed one by one)."""
    if batches is None:
        return None
    return {
        "count": batches.count,
        "rows": batches.rows,
        "table": batches.table,
        "rows_locked": batches.rows_locked,
        "longest_seconds": _seconds(batches.longest_seconds),
        "median_seconds": _seconds(batches.median_seconds),
        "locks": [_lock(lock) for lock in batches.locks],
        "statements": batches.statements,
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
    parts = []
    if op.statements or not op.batches:  # a Backfill's batches are told as one
        parts.append(f"{len(op.statements)} statement(s)")
        parts.append("; ".join(blocking) if blocking else "no lock that blocks reads or writes")
    if op.batches:
        parts.append(batches_text(op.batches))
    parts.append("rewrote " + ", ".join(rewrote) if rewrote else "rewrote nothing")
    return ", ".join(parts)


def batches_text(batches: Batches) -> str:
    """What a Backfill's batches held and for how long, in one phrase."""
    held = [
        f"{lock.mode} on {lock.table} (blocks {' and '.join(lock.blocks) or 'nothing'})"
        for lock in batches.locks
    ]
    if batches.rows_locked:
        held.append(
            f"row locks on up to {batches.rows_locked:,} row(s) of {batches.table} "
            "(writes to them wait)"
        )
    return (
        f"{batches.count:,} batch(es) ({batches.statements:,} statement(s)) wrote "
        f"{batches.rows:,} row(s), each holding {' and '.join(held) or 'no lock seen'} "
        f"for at most {batches.longest_seconds:.3f} s (median {batches.median_seconds:.3f} s)"
    )
