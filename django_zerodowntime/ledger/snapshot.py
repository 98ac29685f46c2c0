"""Which tables and columns a release's models use, and which they mark unused.

Everything is by real database name (``db_table``, ``db_column``, the
``<name>_id`` of a ForeignKey, auto-created M2M through tables), never by
attribute name, because that is what a migration drops. Names compare
case-insensitively: a false "still used" blocks a drop, which is the safe side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models

from django_zerodowntime.fields import is_unused_field, is_unused_model
from django_zerodowntime.usage import Usage

Column = tuple[str, str]


class LedgerError(Exception):
    """The ledger holds something this code cannot trust (a corrupt row)."""


def _key(name: str) -> str:
    return name.strip('`"[]').casefold()


@dataclass(frozen=True)
class Snapshot:
    tables: frozenset[str]
    columns: frozenset[Column]
    unused_tables: frozenset[str] = frozenset()
    unused_columns: frozenset[Column] = frozenset()

    def uses(self, usage: Usage) -> bool:
        table = _key(usage.table)
        if usage.column is None:
            return table in {_key(name) for name in self.tables}
        column = _key(usage.column)
        return any(_key(t) == table and _key(c) == column for t, c in self.columns)

    def marked_unused(self) -> list[Usage]:
        """What the models keep but no longer use: a later release may drop these."""
        tables = [Usage(table) for table in sorted(self.unused_tables)]
        return tables + [Usage(table, column) for table, column in sorted(self.unused_columns)]

    def union(self, other: Snapshot) -> Snapshot:
        """Both versions may be running: used wins over unused."""
        tables = self.tables | other.tables
        columns = self.columns | other.columns
        return Snapshot(
            tables=tables,
            columns=columns,
            unused_tables=(self.unused_tables | other.unused_tables) - tables,
            unused_columns=(self.unused_columns | other.unused_columns) - columns,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tables": sorted(self.tables),
            "columns": [list(pair) for pair in sorted(self.columns)],
            "unused_tables": sorted(self.unused_tables),
            "unused_columns": [list(pair) for pair in sorted(self.unused_columns)],
        }

    @classmethod
    def from_json(cls, data: object) -> Snapshot:
        """Parse a stored snapshot; ValueError names what is wrong with it."""
        if not isinstance(data, dict):
            raise ValueError("the schema snapshot is not a JSON object")
        try:
            return cls(
                tables=frozenset(_names(data["tables"])),
                columns=frozenset(_pairs(data["columns"])),
                unused_tables=frozenset(_names(data.get("unused_tables", []))),
                unused_columns=frozenset(_pairs(data.get("unused_columns", []))),
            )
        except KeyError as missing:
            raise ValueError(f"the schema snapshot has no {missing} key") from None


def _names(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("the schema snapshot lists tables that are not strings")
    return value


def _pairs(value: object) -> list[Column]:
    if not isinstance(value, list):
        raise ValueError("the schema snapshot's columns are not a list")
    pairs: list[Column] = []
    for item in value:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(p, str) for p in item)
        ):
            raise ValueError("the schema snapshot has a column that is not [table, column]")
        pairs.append((item[0], item[1]))
    return pairs


def take_snapshot(apps: Apps | None = None) -> Snapshot:
    """The snapshot of the models loaded in ``apps`` (the running code by default)."""
    registry = apps or global_apps
    tables: set[str] = set()
    columns: set[Column] = set()
    unused_tables: set[str] = set()
    unused_columns: set[Column] = set()
    retired_through = _through_tables_of_unused_m2m(registry.get_models())
    for model in registry.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy:
            continue  # same table as its concrete model
        table = opts.db_table
        retired = is_unused_model(model) or table in retired_through
        for field in opts.local_fields:
            pair = _column_of(field, table)
            if pair is None:
                continue
            if retired or is_unused_field(field):
                unused_columns.add(pair)
            else:
                columns.add(pair)
        (unused_tables if retired else tables).add(table)
    return Snapshot(
        tables=frozenset(tables),
        columns=frozenset(columns),
        unused_tables=frozenset(unused_tables - tables),
        unused_columns=frozenset(unused_columns - columns),
    )


def _column_of(field: models.Field[Any, Any], table: str) -> Column | None:
    if is_unused_field(field):
        real_column = getattr(field, "real_column")  # noqa: B009  (mixin method)
        return (table, str(real_column()))
    if field.column is None:
        return None  # not a real column (GenericForeignKey, ForeignObject)
    return (table, field.column)


def _through_tables_of_unused_m2m(models_: Iterable[type[models.Model]]) -> set[str]:
    through: set[str] = set()
    for model in models_:
        for field in model._meta.local_many_to_many:
            remote = field.remote_field
            through_model = getattr(remote, "through", None)
            if through_model is None or isinstance(through_model, str):
                continue
            auto = through_model._meta.auto_created
            if is_unused_model(model) or (is_unused_field(field) and auto):
                through.add(through_model._meta.db_table)
    return through


def stored_snapshot(release: str, data: object) -> Snapshot:
    """The snapshot stored for ``release``; LedgerError says how to repair a corrupt one."""
    try:
        return Snapshot.from_json(data)
    except ValueError as error:
        raise LedgerError(
            f"corrupt ledger row: release {release!r}: {error}; delete that Release row "
            f"and record it again with `safe_migrate --mark-live` from its code"
        ) from None
