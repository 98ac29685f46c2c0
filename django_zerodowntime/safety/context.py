"""What a rule sees about one operation: the states around it and the plan facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django_zerodowntime.safety.findings import Finding, Usage, Verdict

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import ProjectState

# None: no release that may still be running uses the table/column; else who does.
UsageCheck = Callable[[Usage], "str | None"]


@dataclass(frozen=True)
class Step:
    """One operation about to run (or be unapplied) against one database."""

    app_label: str
    operation: Operation
    before: ProjectState
    after: ProjectState
    connection: BaseDatabaseWrapper
    usage_check: UsageCheck
    # Tables and columns created earlier in this same plan: no old code knows them.
    fresh: frozenset[Usage] = frozenset()
    atomic: bool = True
    # Another operation of the same migration changes the schema (locks held until commit).
    migration_has_ddl: bool = False

    @property
    def vendor(self) -> str:
        """``sqlite``, ``postgresql`` or ``mysql`` (MariaDB included)."""
        return str(self.connection.vendor)

    @property
    def mariadb(self) -> bool:
        return self.vendor == "mysql" and bool(getattr(self.connection, "mysql_is_mariadb", False))

    @property
    def database_label(self) -> str:
        if self.vendor == "mysql":
            return "MariaDB" if self.mariadb else "MySQL"
        return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(self.vendor, self.vendor)

    def is_fresh(self, table: str, column: str | None = None) -> bool:
        """True when the table (or column) was created earlier in this plan."""
        return Usage(table) in self.fresh or (
            column is not None and Usage(table, column) in self.fresh
        )


def safe(reason: str, rule: str | None = None) -> Finding:
    return Finding(Verdict.SAFE, rule, reason)


def warning(rule: str, reason: str, remedy: str = "") -> Finding:
    return Finding(Verdict.WARNING, rule, reason, remedy)


def blocked(rule: str, reason: str, remedy: str) -> Finding:
    return Finding(Verdict.BLOCKED, rule, reason, remedy)
