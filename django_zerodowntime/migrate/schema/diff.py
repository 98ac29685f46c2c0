"""Two schemas compared: every missing, extra or different table, column and constraint.

Pure. Indexes and constraints that the models name (``Meta.indexes``,
``Meta.constraints``) are matched by name; the others (``db_index``, ``unique``,
foreign keys, ``unique_together``) by what they cover, since Django derives
their names from a history the database may have taken another way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from django_zerodowntime.migrate.schema.model import Constraint, Drift, Schema, Table
from django_zerodowntime.migrate.schema.normalize import default_of, type_of

Signature = tuple[str, tuple[str, ...], tuple[str, str] | None]


def compare(
    expected: Schema,
    actual: Schema,
    *,
    only: Collection[str] | None = None,
    mariadb: bool = False,
) -> list[Drift]:
    """Every difference, table by table in name order; ``only``: just those tables."""
    names = set(expected.tables) | set(actual.tables)
    if only is not None:
        names &= set(only)
    drift: list[Drift] = []
    for name in sorted(names - expected.ignored - actual.ignored):
        want, have = expected.tables.get(name), actual.tables.get(name)
        if want is None:
            drift.append(Drift(name, None, "table", "absent", "present"))
        elif have is None:
            drift.append(Drift(name, None, "table", "present", "missing"))
        else:
            drift += columns_drift(expected.vendor, want, have, mariadb=mariadb)
            drift += constraints_drift(want, have)
    return drift


def columns_drift(vendor: str, want: Table, have: Table, *, mariadb: bool = False) -> list[Drift]:
    drift = []
    for column in want.columns:
        found = have.column(column.name)
        where = (want.name, column.name)
        if found is None:
            drift.append(Drift(*where, "column", "present", "missing"))
            continue
        if type_of(vendor, column.type, mariadb=mariadb) != type_of(
            vendor, found.type, mariadb=mariadb
        ):
            drift.append(Drift(*where, "type", column.type, found.type))
        if column.null != found.null:
            drift.append(Drift(*where, "null", _null(column.null), _null(found.null)))
        if default_of(vendor, column.default) != default_of(vendor, found.default):
            drift.append(Drift(*where, "default", column.default, found.default))
    expected_names = {column.name for column in want.columns}
    drift += [
        Drift(want.name, column.name, "column", "absent", "present")
        for column in have.columns
        if column.name not in expected_names
    ]
    return drift


def constraints_drift(want: Table, have: Table) -> list[Drift]:
    drift = []
    pool = list(have.constraints)
    for constraint in (c for c in want.constraints if c.name):
        found = next((c for c in pool if c.name == constraint.name), None)
        if found is None:
            drift.append(_drift(want.name, constraint, constraint.describe(), "missing"))
            continue
        pool.remove(found)
        columns_differ = (
            constraint.columns and found.columns and constraint.columns != found.columns
        )
        if found.kind != constraint.kind or columns_differ:
            drift.append(_drift(want.name, constraint, constraint.describe(), found.describe()))
    wanted = Counter(signature(c) for c in want.constraints if not c.name)
    present = Counter(signature(c) for c in pool)
    by_signature = {signature(c): c for c in (*want.constraints, *pool)}
    for missing in sorted((wanted - present).elements(), key=str):
        drift.append(_drift(want.name, by_signature[missing], _text(missing), "missing"))
    for extra in sorted((present - wanted).elements(), key=str):
        drift.append(
            _drift(want.name, by_signature[extra], "absent", by_signature[extra].describe())
        )
    return drift


def signature(constraint: Constraint) -> Signature:
    return (constraint.kind, constraint.columns, constraint.references)


def _text(found: Signature) -> str:
    return Constraint(found[0], found[1], None, found[2]).describe()


def _drift(table: str, constraint: Constraint, expected: str, actual: str) -> Drift:
    column = constraint.columns[0] if len(constraint.columns) == 1 else None
    return Drift(table, column, constraint.kind, expected, actual)


def _null(null: bool) -> str:
    return "NULL" if null else "NOT NULL"
