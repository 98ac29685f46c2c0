"""A database schema as plain data, and one difference between two of them.

``expected.py`` builds a ``Schema`` from migration state, ``actual.py`` from
introspection; ``diff.py`` compares two without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRIMARY_KEY, UNIQUE, INDEX, CHECK, FOREIGN_KEY = (
    "primary key",
    "unique",
    "index",
    "check",
    "foreign key",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as the vendor writes it; compared after normalize.type_of
    null: bool
    default: str | None = None  # the database default's SQL; None: none


@dataclass(frozen=True)
class Constraint:
    """An index or a constraint, known by what it covers and, when the models name it, by name."""

    kind: str  # PRIMARY_KEY, UNIQUE, INDEX, CHECK or FOREIGN_KEY
    columns: tuple[str, ...] = ()
    name: str | None = None  # expected: only names the models fix (Meta.indexes, constraints)
    references: tuple[str, str] | None = None  # FOREIGN_KEY: (table, column)

    def describe(self) -> str:
        text = self.kind
        if self.name:
            text += f" {self.name}"
        if self.columns:
            text += f" ({', '.join(self.columns)})"
        if self.references:
            text += f" -> {self.references[0]}.{self.references[1]}"
        return text


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class Schema:
    vendor: str
    tables: dict[str, Table] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # tables neither side compares (unmanaged...)


@dataclass(frozen=True)
class Drift:
    """One difference, in the JSON shape ``--verify-schema`` prints."""

    table: str
    column: str | None
    kind: str  # "table", "column", "type", "null", "default" or a Constraint kind
    expected: str | None
    actual: str | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "table": self.table,
            "column": self.column,
            "kind": self.kind,
            "expected": self.expected,
            "actual": self.actual,
        }

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.kind} expected {self.expected}, found {self.actual}"
