"""The static verdict and the rehearsal side by side: contradictions, and the measured harm.

Pure functions over ``model`` data and the analysis' reports. An operation
judged safe contradicts its rehearsal when, on a table the serving code
already uses, it rewrote the table under a lock that blocks that code, or held
such a lock longer than ``REHEARSE_MAX_LOCK_SECONDS``; an operation that failed
on the copy contradicts any verdict that let it through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django_zerodowntime.migrate.rehearsal.model import Lock, OperationRun, Rehearsal
from django_zerodowntime.safety.findings import MigrationReport, Verdict

SEVERITY = {Verdict.SAFE: 0, Verdict.WARNING: 1, Verdict.BLOCKED: 2}
Key = tuple[str, str, int]  # (app, migration, operation index)


def static_verdicts(reports: Sequence[MigrationReport]) -> dict[Key, Verdict]:
    """The worst verdict of each operation (an operation may have several findings)."""
    verdicts: dict[Key, Verdict] = {}
    for report in reports:
        for op in report.operations:
            if op.index is None:  # about the migration as a whole (an edit, a stale allow)
                continue
            key = (report.app, report.name, op.index)
            known = verdicts.get(key)
            if known is None or SEVERITY[op.finding.verdict] > SEVERITY[known]:
                verdicts[key] = op.finding.verdict
    return verdicts


def blocking_locks(operation: OperationRun) -> list[Lock]:
    return [
        lock
        for statement in operation.statements
        for lock in statement.locks
        if lock.blocks and lock.reaches_serving_code
    ]


def blocking_rewrites(operation: OperationRun) -> list[tuple[str, Lock]]:
    """(table, the blocking lock it was rewritten under), for tables that existed before."""
    found = []
    for statement in operation.statements:
        for table in statement.rewrote_existing:
            locks = [lock for lock in statement.locks if lock.blocks and lock.table == table]
            if locks:
                found.append((table, strongest(locks)))
    return found


def longest_held(operation: OperationRun, max_seconds: float) -> Lock | None:
    over = [lock for lock in blocking_locks(operation) if lock.held_seconds > max_seconds]
    return max(over, key=lambda lock: lock.held_seconds) if over else None


def contradiction(
    operation: OperationRun, verdict: Verdict | None, max_seconds: float
) -> str | None:
    """A sentence when the rehearsal shows what the verdict said would not happen."""
    if operation.error:
        return f"failed on the copy: {operation.error}"
    if verdict is not Verdict.SAFE:
        return None
    rewrites = blocking_rewrites(operation)
    if rewrites:
        table, lock = rewrites[0]
        return (
            f"judged safe, but it rewrote table {table} under {lock.mode} "
            f"(blocks {' and '.join(lock.blocks)} of the serving code)"
        )
    held = longest_held(operation, max_seconds)
    if held is not None:
        return (
            f"judged safe, but it held {held.mode} on {held.table} (blocks "
            f"{' and '.join(held.blocks)}) for {held.held_seconds:.3f} s at the copied size, "
            f"over REHEARSE_MAX_LOCK_SECONDS ({max_seconds:g} s)"
        )
    return None


def locks_harm(operation: OperationRun, max_seconds: float) -> bool:
    """The measured ``locks`` harm: the serving code blocked by a rewrite or for too long."""
    return bool(blocking_rewrites(operation)) or longest_held(operation, max_seconds) is not None


def measured_harms(rehearsal: Rehearsal, max_seconds: float) -> dict[Key, str | None]:
    """Each rehearsed operation's measured harm, in the words of the ``harm`` field:
    ``"locks"`` or None. The rehearsal measures only this one harm."""
    return {
        (migration.app, migration.name, op.index): "locks" if locks_harm(op, max_seconds) else None
        for migration in rehearsal.migrations
        for op in migration.operations
    }


def strongest(locks: Iterable[Lock]) -> Lock:
    return max(locks, key=lambda lock: (len(lock.blocks), lock.held_seconds))
