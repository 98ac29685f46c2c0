"""Schemas compared as plain data: no database, every kind of difference."""

from __future__ import annotations

import pytest

from django_zerodowntime.migrate.schema.actual import constraints_of
from django_zerodowntime.migrate.schema.diff import compare
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
from django_zerodowntime.migrate.schema.normalize import default_of, type_of

ITEM = Table(
    "shop_item",
    (
        Column("id", "bigint", False),
        Column("sku", "varchar(20)", False),
        Column("stock", "integer", False, "0"),
        Column("note", "text", True),
    ),
    (
        Constraint(PRIMARY_KEY, ("id",)),
        Constraint(UNIQUE, ("sku",)),
        Constraint(INDEX, ("stock",), "item_stock_idx"),
        Constraint(FOREIGN_KEY, ("id",), references=("shop_base", "id")),
    ),
)


def schema(*tables: Table, ignored: frozenset[str] = frozenset()) -> Schema:
    return Schema("postgresql", {t.name: t for t in tables}, ignored)


def as_found(table: Table) -> Table:
    """The same table as introspection reports it: every constraint has a (derived) name."""
    named = tuple(
        Constraint(c.kind, c.columns, c.name or f"{table.name}_{i}_auto", c.references)
        for i, c in enumerate(table.constraints)
    )
    return Table(table.name, table.columns, named)


def test_equal_schemas_have_no_drift() -> None:
    assert compare(schema(ITEM), schema(as_found(ITEM))) == []


def test_missing_and_extra_tables() -> None:
    other = Table("shop_other")
    drift = compare(schema(ITEM), schema(as_found(other)))
    assert [(d.table, d.kind, d.expected, d.actual) for d in drift] == [
        ("shop_item", "table", "present", "missing"),
        ("shop_other", "table", "absent", "present"),
    ]
    assert (
        compare(
            schema(ITEM, ignored=frozenset({"shop_other"})), schema(as_found(ITEM), as_found(other))
        )
        == []
    )
    assert compare(schema(ITEM), schema(as_found(other)), only={"shop_item"})[0].actual == "missing"


def test_column_type_null_and_default() -> None:
    found = Table(
        "shop_item",
        (
            Column("id", "bigint", False),
            Column("sku", "character varying(40)", True),
            Column("stock", "integer", False, "1"),
            Column("extra", "integer", True),
        ),
        as_found(ITEM).constraints,
    )
    drift = [(d.column, d.kind, d.expected, d.actual) for d in compare(schema(ITEM), schema(found))]
    assert drift == [
        ("sku", "type", "varchar(20)", "character varying(40)"),
        ("sku", "null", "NOT NULL", "NULL"),
        ("stock", "default", "0", "1"),
        ("note", "column", "present", "missing"),
        ("extra", "column", "absent", "present"),
    ]


def test_constraints_by_name_and_by_what_they_cover() -> None:
    found = Table(
        "shop_item",
        ITEM.columns,
        (
            Constraint(PRIMARY_KEY, ("id",), "shop_item_pkey"),
            Constraint(INDEX, ("sku",), "item_stock_idx"),  # the named index, on another column
            Constraint(CHECK, ("stock",), "shop_item_stock_check"),
        ),
    )
    drift = [(d.column, d.kind, d.expected, d.actual) for d in compare(schema(ITEM), schema(found))]
    assert drift == [
        ("stock", "index", "index item_stock_idx (stock)", "index item_stock_idx (sku)"),
        ("id", "foreign key", "foreign key (id) -> shop_base.id", "missing"),
        ("sku", "unique", "unique (sku)", "missing"),
        ("stock", "check", "absent", "check shop_item_stock_check (stock)"),
    ]


def test_two_indexes_on_one_column_are_counted() -> None:
    """PostgreSQL's varchar db_index makes two (plain and _like): one missing is drift."""
    twice = Table("t", (), (Constraint(INDEX, ("c",)), Constraint(INDEX, ("c",))))
    once = Table("t", (), (Constraint(INDEX, ("c",), "t_c_1"),))
    drift = compare(schema(twice), schema(once))
    assert [(d.kind, d.actual) for d in drift] == [("index", "missing")]


@pytest.mark.parametrize(
    ("vendor", "django", "catalog"),
    [
        ("postgresql", "varchar(50)", "character varying(50)"),
        ("postgresql", "timestamp with time zone", "timestamp with time zone"),
        ("postgresql", "numeric(10, 2)", "numeric(10,2)"),
        ("postgresql", "varchar(10)[]", "character varying(10)[]"),
        ("postgresql", "time", "time without time zone"),
        ("mysql", "integer AUTO_INCREMENT", "int(11)"),
        ("mysql", "bigint", "bigint(20)"),
        ("mysql", "bool", "tinyint(1)"),
        ("mysql", "numeric(10, 2)", "decimal(10,2)"),
        ("mysql", "double precision", "double"),
        ("mysql", "integer UNSIGNED", "int(10) unsigned"),
        ("sqlite", "varchar(20)", "VARCHAR(20)"),
    ],
)
def test_types_written_two_ways_are_one(vendor: str, django: str, catalog: str) -> None:
    assert type_of(vendor, django) == type_of(vendor, catalog)


def test_types_that_differ_stay_apart() -> None:
    assert type_of("postgresql", "varchar(50)") != type_of("postgresql", "varchar(60)")
    assert type_of("postgresql", "integer") != type_of("postgresql", "bigint")
    assert type_of("mysql", "int(11)") != type_of("mysql", "bigint(20)")
    assert type_of("mysql", "json", mariadb=True) == type_of("mysql", "longtext", mariadb=True)


@pytest.mark.parametrize(
    ("vendor", "django", "catalog"),
    [
        ("postgresql", "'x'", "'x'::character varying"),
        ("postgresql", "(STATEMENT_TIMESTAMP())", "statement_timestamp()"),
        ("postgresql", None, "nextval('shop_item_id_seq'::regclass)"),
        ("mysql", "(CURRENT_TIMESTAMP(6))", "current_timestamp(6)"),
        ("mysql", None, "NULL"),
        ("sqlite", "3", "3"),
    ],
)
def test_defaults_written_two_ways_are_one(vendor: str, django: str | None, catalog: str) -> None:
    assert default_of(vendor, django) == default_of(vendor, catalog)


def test_defaults_that_differ_stay_apart() -> None:
    assert default_of("postgresql", "'X'") != default_of("postgresql", "'x'::text")
    assert default_of("postgresql", "'a::b'") == "'a::b'"
    assert default_of("mysql", "3") != default_of("mysql", "4")


def test_introspected_entries() -> None:
    fk = {"columns": ["owner_id"], "foreign_key": ("auth_user", "id"), "index": True}
    assert constraints_of("fk", fk) == [
        Constraint(FOREIGN_KEY, ("owner_id",), "fk", ("auth_user", "id"))
    ]
    check = {"columns": ["data", "data"], "check": True}
    assert constraints_of("c", check) == [Constraint(CHECK, ("data",), "c")]
    assert constraints_of("pk", {"columns": ["id"], "primary_key": True, "unique": True}) == [
        Constraint(PRIMARY_KEY, ("id",), "pk")
    ]
    assert constraints_of("x", {"columns": [None]}) == []
