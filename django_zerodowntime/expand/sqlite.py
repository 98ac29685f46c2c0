"""SQLite: one column's NULL or NOT NULL changed, every other column, index and trigger kept.

SQLite cannot alter a column's nullability: the table is remade. Django's schema
editor remakes it from the migration state, which between the expand and the
contract steps lacks the columns only the database holds (the new column of
every pair in progress), so it would drop them and their triggers. This remake
starts from the table's own CREATE statement instead (SQLite's documented
procedure): create the changed copy, copy the rows, drop, rename, then put back
the indexes and triggers exactly as they were. It runs in one transaction; other
writers wait on SQLite's database lock, as they do for any write.
"""

from __future__ import annotations

import re
from typing import Any


class RemakeError(RuntimeError):
    pass


def set_null(schema_editor: Any, table: str, column: str, null: bool) -> None:
    connection = schema_editor.connection
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        row = cursor.fetchone()
        if row is None:
            raise RemakeError(f"no table {table!r}")
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name",
            [table],
        )
        others = [str(sql) for (sql,) in cursor.fetchall()]
    temporary = f"new__{table}"
    create = changed_definition(str(row[0]), table, temporary, column, null)
    for statement in [
        create,
        f"INSERT INTO {q(temporary)} SELECT * FROM {q(table)}",
        f"DROP TABLE {q(table)}",
        f"ALTER TABLE {q(temporary)} RENAME TO {q(table)}",
        *others,
    ]:
        schema_editor.execute(statement, params=None)


def changed_definition(create: str, table: str, temporary: str, column: str, null: bool) -> str:
    """The CREATE TABLE statement of ``temporary``: ``table``'s, with ``column`` (NOT) NULL."""
    head = re.match(
        rf'CREATE TABLE (?:IF NOT EXISTS )?(?:"{re.escape(table)}"|{re.escape(table)})\s*\(',
        create,
        re.I,
    )
    if head is None:
        raise RemakeError(f"cannot read the definition of {table!r}: {create[:80]}")
    body = create[head.end() :]
    pattern = re.compile(rf'("{re.escape(column)}"\s[^,]*?)\b(NOT NULL|NULL)\b', re.I)
    changed, count = pattern.subn(
        lambda m: m.group(1) + ("NULL" if null else "NOT NULL"), body, count=1
    )
    if count != 1:
        raise RemakeError(f"cannot find the nullability of {table}.{column} in: {create[:120]}")
    return f'CREATE TABLE "{temporary}" (' + changed
