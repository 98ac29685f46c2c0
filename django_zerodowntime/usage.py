"""What a release uses, by real database name: the words the ledger and the analysis share.

Kept apart from both so that code serving requests (the heartbeat writes the
ledger) never loads the migration analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """A table, or one column of it, by its real database name."""

    table: str
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table


# None: no release that may still be running uses the table/column; else who does.
UsageCheck = Callable[[Usage], "str | None"]
