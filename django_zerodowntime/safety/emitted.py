"""The SQL an operation would emit, collected without executing anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_zerodowntime.safety.context import Step

READ_ONLY = ("select", "show", "pragma", "explain")


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
