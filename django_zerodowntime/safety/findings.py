"""The vocabulary shared by the rules, the planner and the command."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(enum.StrEnum):
    SAFE = "safe"
    WARNING = "warning"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Finding:
    """What one rule says about one operation.

    ``remedy`` is written for the user's real model/field/table names.
    """

    verdict: Verdict
    rule: str | None
    reason: str
    remedy: str = ""


@dataclass(frozen=True)
class Usage:
    """A table, or one column of it, by its real database name."""

    table: str
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table
