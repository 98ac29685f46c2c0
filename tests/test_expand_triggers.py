"""The trigger SQL per vendor, as text: names that fit, casts only for a retype, NULL-safe tests.

The behaviour itself is proven on the real databases (test_expand_contract_live.py);
these pin the shapes every vendor depends on.
"""

from __future__ import annotations

import pytest

from django_zerodowntime.expand import triggers
from django_zerodowntime.expand.sqlite import RemakeError, changed_definition
from django_zerodowntime.expand.triggers import Pair


def q(name: str) -> str:
    return f'"{name}"'


RENAME = Pair("blog_post", "id", "title", "headline", "varchar(200)", "varchar(200)")
RETYPE = Pair("shop_order", "id", "total", "total_v2", "integer", "bigint")


def test_names_fit_every_vendor_and_differ_per_pair() -> None:
    long = Pair("t" * 60, "id", "a" * 60, "b" * 60, "integer", "bigint")
    assert len(long.name) + len("_bu") <= 63
    assert len(long.not_null_check) <= 63
    assert RENAME.name != Pair("blog_post", "id", "title", "heading", "text", "text").name


@pytest.mark.parametrize("vendor", ["postgresql", "mysql", "sqlite"])
def test_a_rename_copies_without_casts_and_a_retype_casts(vendor: str) -> None:
    assert "AS varchar" not in " ".join(triggers.install(RENAME, vendor, q))
    if vendor != "mysql":  # MariaDB converts by assigning to the column
        assert 'CAST(NEW."total" AS bigint)' in " ".join(triggers.install(RETYPE, vendor, q))


def test_postgresql_uses_one_before_trigger_that_only_assigns_new() -> None:
    function, trigger = triggers.install(RENAME, "postgresql", q)
    assert "BEFORE INSERT OR UPDATE" in trigger
    assert "IS DISTINCT FROM OLD" in function
    assert "UPDATE " not in function.replace("TG_OP = 'UPDATE'", "")  # no statement: no recursion


def test_sqlite_triggers_fire_only_while_the_columns_differ() -> None:
    for statement in triggers.install(RENAME, "sqlite", q):
        assert 'WHEN NEW."headline" IS NOT NEW."title"' in statement


def test_mariadb_compares_bytes_not_collations() -> None:
    _insert, update = triggers.install(RENAME, "mysql", q)
    assert 'CAST(NEW."headline" AS BINARY) <=> CAST(OLD."headline" AS BINARY)' in update


@pytest.mark.parametrize(
    ("db_type", "target"),
    [
        ("integer", "SIGNED"),
        ("bigint", "SIGNED"),
        ("bool", "SIGNED"),
        ("numeric(10, 2)", "DECIMAL(10, 2)"),
        ("double precision", "DOUBLE"),
        ("datetime(6)", "DATETIME(6)"),
        ("varchar(200)", "CHAR"),
        ("longtext", "CHAR"),
    ],
)
def test_mariadb_cast_targets(db_type: str, target: str) -> None:
    assert triggers.mysql_cast_type(db_type) == target


@pytest.mark.parametrize("vendor", ["postgresql", "mysql", "sqlite"])
def test_the_unconverted_check_reads_the_new_value_back(vendor: str) -> None:
    sql = triggers.unconverted(RETYPE, vendor, q)
    assert sql.count("%s") == 2
    assert '"total" IS NOT NULL' in sql
    assert "CAST(" in sql


def test_not_null_without_a_long_lock() -> None:
    steps = triggers.not_null(RETYPE, "postgresql", q, "bigint NOT NULL")
    assert [s.split(" ", 4)[3] for s in steps] == ["ADD", "VALIDATE", "ALTER", "DROP"]
    assert "NOT VALID" in steps[0]
    [mariadb] = triggers.not_null(RETYPE, "mysql", q, "bigint NOT NULL")
    assert mariadb.endswith('MODIFY "total_v2" bigint NOT NULL, ALGORITHM=INPLACE, LOCK=NONE')


def test_sqlite_remake_changes_one_column_only() -> None:
    create = (
        'CREATE TABLE "blog_post" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
        '"title" varchar(200) NOT NULL, "title_v2" text NULL)'
    )
    changed = changed_definition(create, "blog_post", "new__blog_post", "title", null=True)
    assert changed == (
        'CREATE TABLE "new__blog_post" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
        '"title" varchar(200) NULL, "title_v2" text NULL)'
    )
    with pytest.raises(RemakeError, match=r"cannot find the nullability of blog_post\.missing"):
        changed_definition(create, "blog_post", "new__blog_post", "missing", null=True)
    with pytest.raises(RemakeError, match="cannot read the definition of 'blog_post'"):
        changed_definition(
            create.replace('"blog_post"', "blog_posts"),
            "blog_post",
            "new__blog_post",
            "title",
            null=True,
        )
