"""The schema a database has, read from its catalog.

Columns come from each vendor's catalog (the type as it spells it, nullability,
the default's SQL); indexes and constraints from Django's introspection
(``get_constraints``), which every backend implements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from django_zerodowntime.migrate.schema.model import (
    CHECK,
    FOREIGN_KEY,
    INDEX,
    PRIMARY_KEY,
    UNIQUE,
    Column,
    Constraint,
    Schema,
    Table,
)

COLUMNS = {
    "postgresql": (
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d "
        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = to_regclass(quote_ident(%s)) AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum"
    ),
    "mysql": (
        "SELECT column_name, column_type, is_nullable = 'YES', column_default "
        "FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position"
    ),
}


def actual_schema(connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None) -> Schema:
    """The tables of ``connection`` (or only ``tables``, those that exist) as they are."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        wanted = present if tables is None else present & set(tables)
        found = {name: read_table(connection, cursor, name) for name in sorted(wanted)}
    return Schema(connection.vendor, found)


def read_table(connection: BaseDatabaseWrapper, cursor: Any, name: str) -> Table:
    columns = tuple(Column(*row) for row in _column_rows(connection, cursor, name))
    constraints: list[Constraint] = []
    for constraint_name, info in connection.introspection.get_constraints(cursor, name).items():
        constraints += constraints_of(str(constraint_name), info)
    return Table(name, columns, tuple(constraints))


def constraints_of(name: str, info: Mapping[str, Any]) -> list[Constraint]:
    """What one entry of ``get_constraints`` is; an InnoDB foreign key's own index is the key."""
    columns = tuple(str(c) for c in info.get("columns") or () if c is not None)
    if info.get("primary_key"):
        return [Constraint(PRIMARY_KEY, columns, name)]
    if info.get("foreign_key"):
        table, column = info["foreign_key"][:2]
        return [Constraint(FOREIGN_KEY, columns, name, (str(table), str(column)))]
    if info.get("unique"):
        return [Constraint(UNIQUE, columns, name)]
    if info.get("check"):  # SQLite names a column once per mention in the expression
        return [Constraint(CHECK, tuple(dict.fromkeys(columns)), name)]
    if info.get("index"):
        return [Constraint(INDEX, columns, name)]
    return []


def _column_rows(connection: BaseDatabaseWrapper, cursor: Any, name: str) -> list[tuple[Any, ...]]:
    query = COLUMNS.get(connection.vendor)
    if query is not None:
        cursor.execute(query, [name])
        return [(str(n), str(t), bool(null), d) for n, t, null, d in cursor.fetchall()]
    # SQLite, and any other backend: PRAGMA table_info has (cid, name, type, notnull, default, pk)
    cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(name)})")
    return [(str(r[1]), str(r[2]), not r[3] and not r[5], r[4]) for r in cursor.fetchall()]
