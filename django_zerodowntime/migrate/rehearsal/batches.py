"""A Backfill's batches on the copy: the locks each holds before it commits, one aggregate.

``Backfill`` (and ``CopyToNewColumn``, the expand step's) commits every batch on
its own. ``BatchWatch`` is the batch observer the runner installs
(``observe_batches``): just before a batch commits, while its locks are held,
the vendor's probe reads them; when it has committed, the batch's time from
BEGIN to COMMIT is how long those locks lasted. The batch's own statements run
unprobed (the tracker counts them), so the probe adds nothing to that time but
its one reading, which is taken off. ``summary`` makes the aggregate the report
shows, rather than a line per UPDATE.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django_zerodowntime.migrate.rehearsal.model import Batches, Lock
from django_zerodowntime.migrate.rehearsal.observe import BatchLocks, Probe

if TYPE_CHECKING:
    from django_zerodowntime.migrate.rehearsal.tracker import Tracker


@dataclass(frozen=True)
class BatchSeen:
    rows: int
    seconds: float  # BEGIN to COMMIT, less the probe's reading
    seen: BatchLocks
    tables: tuple[str, ...]  # the tables its statements named
    statements: int


class BatchWatch:
    """A ``BatchObserver`` that files each batch under the operation the tracker says runs."""

    def __init__(self, tracker: Tracker, probe: Probe) -> None:
        self.tracker = tracker
        self.probe = probe
        self.pending: tuple[BatchLocks, float] | None = None

    def before_commit(self, batch: Any, connection: Any) -> None:
        log = self.tracker.current
        if log is None:
            return
        start = time.perf_counter()
        seen = self.probe.batch_locks(connection, tuple(log.batch_tables), batch.rows)
        self.pending = (seen, time.perf_counter() - start)

    def committed(self, batch: Any) -> None:
        log = self.tracker.current
        if log is None or self.pending is None:
            return
        seen, reading = self.pending
        self.pending = None
        tables = tuple(log.batch_tables)
        log.batches.append(
            BatchSeen(batch.rows, max(0.0, batch.seconds - reading), seen, tables, log.in_batch)
        )
        log.batch_tables.clear()
        log.in_batch = 0


def summary(batches: list[BatchSeen]) -> Batches | None:
    """One aggregate of an operation's batches (None when it ran none)."""
    if not batches:
        return None
    seconds = [batch.seconds for batch in batches]
    longest = max(seconds)
    counted = [batch.seen.rows_locked for batch in batches if batch.seen.rows_locked is not None]
    tables = dict.fromkeys(table for batch in batches for table in batch.tables)
    modes = dict.fromkeys(
        (lock.table, lock.mode, lock.blocks, lock.existing)
        for batch in batches
        for lock in batch.seen.locks
    )
    return Batches(
        count=len(batches),
        rows=sum(batch.rows for batch in batches),
        longest_seconds=longest,
        median_seconds=statistics.median(seconds),
        table=next(iter(tables), ""),
        rows_locked=max(counted) if counted else None,
        locks=tuple(
            Lock(table, mode, blocks, longest, existing) for table, mode, blocks, existing in modes
        ),
        statements=sum(batch.statements for batch in batches),
    )
