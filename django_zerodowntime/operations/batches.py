"""What a Backfill tells about its batches: to observers (rehearsal, bench), on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Batch:
    """One batch, as observers see it (``seconds``: how long its transaction held its locks)."""

    label: str  # app.Model.field
    index: int
    first_pk: Any
    last_pk: Any
    rows: int
    seconds: float = 0.0


class BatchObserver(Protocol):
    """Told about every batch: ``--rehearse`` reads the locks a batch holds before it commits."""

    def before_commit(self, batch: Batch, connection: Any) -> None: ...

    def committed(self, batch: Batch) -> None: ...


_observers: list[BatchObserver] = []


@contextmanager
def observe_batches(observer: BatchObserver) -> Iterator[None]:
    """Tell ``observer`` about every batch any Backfill runs inside this block."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


class Progress:
    """One line, rewritten in place, on a terminal; nothing when stderr is not one."""

    def __init__(self, label: str, enabled: bool | None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = self.shown = time.monotonic()

    def show(self, rows: int, batches: int, fraction: float, done: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not done and now - self.shown < 0.5):
            return
        self.shown = now
        rate = rows / max(now - self.started, 1e-9)
        sys.stderr.write(
            f"\r  Backfill {self.label}: {rows:,} rows in {batches:,} batches, "
            f"{fraction:.0%} of the keys, {rate:,.0f} rows/s" + ("\n" if done else "")
        )
        sys.stderr.flush()


def key_range(manager: Any) -> tuple[Any, Any]:
    """The smallest and largest primary key now (for the progress line only)."""
    first = manager.order_by("pk").values_list("pk", flat=True).first()
    last = manager.order_by("-pk").values_list("pk", flat=True).first()
    return first, last


def fraction(first: Any, last: Any, at: Any) -> float:
    try:
        return max(0.0, min(1.0, (at - first) / (last - first))) if last != first else 1.0
    except TypeError:  # keys that do not subtract (strings, UUIDs): no fraction
        return 0.0
