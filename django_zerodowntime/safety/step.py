"""What a rule sees about one operation (a Step), and what it asks of it: its SQL, the ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django_zerodowntime.safety.findings import Finding, blocked, safe
from django_zerodowntime.usage import Usage, UsageCheck

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import ProjectState

READ_ONLY = ("select", "show", "pragma", "explain")
DROP_KINDS = {"ZDT101": "column", "ZDT102": "table", "ZDT103": "M2M table"}


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


class WriteRefused(RuntimeError):
    """An operation tried to run a statement while its SQL was only being collected."""


def refuse_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    # Introspection reads are allowed; anything else would change the database.
    if str(sql).lstrip().lower().startswith(READ_ONLY):
        return execute(sql, params, many, context)
    raise WriteRefused(f"refused to run {str(sql)[:80]!r} while only collecting SQL")


def emitted_sql(step: Step, backwards: bool = False) -> list[str]:
    """Statements ``step.operation`` would run, forwards (or backwards) on this connection.

    The schema editor is used without entering it: entering would open a
    transaction (and, on SQLite, switch foreign key checks off).
    """
    editor: Any = step.connection.schema_editor(collect_sql=True, atomic=False)
    editor.deferred_sql = []
    with step.connection.execute_wrapper(refuse_writes):
        if backwards:
            step.operation.database_backwards(step.app_label, editor, step.before, step.after)
        else:
            step.operation.database_forwards(step.app_label, editor, step.before, step.after)
    return [str(s) for s in [*editor.collected_sql, *editor.deferred_sql]]


def drop_findings(step: Step, rule: str, usages: Sequence[Usage], remedy: str) -> list[Finding]:
    """One finding per dropped name: blocked while the ledger says a running release uses it."""
    kind = DROP_KINDS.get(rule, "table" if all(u.column is None for u in usages) else "column")
    findings: list[Finding] = []
    for usage in usages:
        if step.is_fresh(usage.table, usage.column):
            findings.append(safe(f"drops {kind} {usage}, created earlier in this plan", rule))
            continue
        findings.append(judge_drop(rule, kind, usage, step.usage_check, remedy))
    return findings


def judge_drop(rule: str, kind: str, usage: Usage, usage_check: UsageCheck, remedy: str) -> Finding:
    """Dropping ``usage`` now: safe unless a release that may still run uses it."""
    who = usage_check(usage)
    if who is None:
        return safe(f"drops {kind} {usage}; no release that may still run uses it", rule)
    return blocked(
        rule, f"drops {kind} {usage}, but {who}: its queries fail once it is gone", remedy
    )
