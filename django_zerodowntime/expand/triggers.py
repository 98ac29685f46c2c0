"""The SQL that keeps an old and a new column equal, per vendor (pure: strings only).

While two releases write one table, release N writes the old column and release
N+1 the new one. Row triggers copy each write across, converting the value
(``fwd``: old type to new, ``back``: new to old):

- an INSERT that sets the new column copies it to the old one; otherwise the
  old one is copied to the new one (release N's INSERTs never set the new one);
- an UPDATE that changes the new column copies it to the old one; otherwise the
  old one is copied to the new one. An UPDATE that writes both (raw SQL) keeps
  the new one: it is the column that stays.

PostgreSQL and MariaDB run BEFORE triggers that only assign ``NEW``: they issue
no statement, so nothing can recurse, and the NOT NULL checks see the copied
value (MariaDB forbids a trigger to update its own table anyway). SQLite cannot
assign ``NEW``: AFTER triggers update the row, and only WHEN the two columns
differ, so the trigger's own UPDATE (which finds them equal) fires nothing
more, whatever ``recursive_triggers`` says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.backends.utils import names_digest

Quote = Callable[[str], str]


@dataclass(frozen=True)
class Pair:
    """The two columns of one table, by their real names and database types."""

    table: str
    pk: str
    old: str
    new: str
    old_type: str
    new_type: str

    @property
    def retyped(self) -> bool:
        return self.old_type != self.new_type

    @property
    def name(self) -> str:
        """The triggers' (and PostgreSQL function's) name: short enough for every vendor."""
        digest = names_digest(self.table, self.old, self.new, length=8)
        return f"zdt_sync_{self.table[:30]}_{digest}"

    @property
    def not_null_check(self) -> str:
        return f"zdt_nn_{self.table[:30]}_{names_digest(self.table, self.new, length=8)}"


def install(pair: Pair, vendor: str, q: Quote) -> list[str]:
    return {"postgresql": _pg_install, "mysql": _mysql_install, "sqlite": _sqlite_install}[vendor](
        pair, q
    )


def remove(pair: Pair, vendor: str, q: Quote) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {q(pair.name)} ON {q(pair.table)}",
            f"DROP FUNCTION IF EXISTS {q(pair.name)}()",
        ]
    suffixes = ("bi", "bu") if vendor == "mysql" else ("ai", "au")
    return [f"DROP TRIGGER IF EXISTS {q(pair.name + '_' + s)}" for s in suffixes]


def cast(value: str, db_type: str, retyped: bool) -> str:
    return f"CAST({value} AS {db_type})" if retyped else value


def _pg_install(pair: Pair, q: Quote) -> list[str]:
    old, new = q(pair.old), q(pair.new)
    fwd = cast(f"NEW.{old}", pair.new_type, pair.retyped)
    back = cast(f"NEW.{new}", pair.old_type, pair.retyped)
    function = f"""CREATE OR REPLACE FUNCTION {q(pair.name)}() RETURNS trigger
LANGUAGE plpgsql AS $zdt$
BEGIN
    -- django-zerodowntime: keeps {pair.table}.{pair.old} and .{pair.new} equal
    IF (TG_OP = 'INSERT' AND NEW.{new} IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND NEW.{new} IS DISTINCT FROM OLD.{new}) THEN
        NEW.{old} := {back};
    ELSE
        NEW.{new} := {fwd};
    END IF;
    RETURN NEW;
END
$zdt$"""
    trigger = (
        f"CREATE TRIGGER {q(pair.name)} BEFORE INSERT OR UPDATE ON {q(pair.table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {q(pair.name)}()"
    )
    return [function, trigger]


def _mysql_install(pair: Pair, q: Quote) -> list[str]:
    # Assigning converts to the column's type (and fails, in strict mode, on a value
    # that does not fit): no CAST needed. Compared as bytes: collations ignore case.
    old, new, table = q(pair.old), q(pair.new), q(pair.table)
    changed = f"NOT (CAST(NEW.{new} AS BINARY) <=> CAST(OLD.{new} AS BINARY))"
    copy = f"SET NEW.{old} = NEW.{new}; ELSE SET NEW.{new} = NEW.{old}; END IF;"
    return [
        f"CREATE TRIGGER {q(pair.name + '_bi')} BEFORE INSERT ON {table} FOR EACH ROW "
        f"BEGIN IF NEW.{new} IS NOT NULL THEN {copy} END",
        f"CREATE TRIGGER {q(pair.name + '_bu')} BEFORE UPDATE ON {table} FOR EACH ROW "
        f"BEGIN IF {changed} THEN {copy} END",
    ]


def _sqlite_install(pair: Pair, q: Quote) -> list[str]:
    old, new, table, pk = q(pair.old), q(pair.new), q(pair.table), q(pair.pk)
    fwd = cast(f"NEW.{old}", pair.new_type, pair.retyped)
    back = cast(f"NEW.{new}", pair.old_type, pair.retyped)

    def trigger(suffix: str, event: str, new_written: str) -> str:
        return (
            f"CREATE TRIGGER {q(pair.name + '_' + suffix)} AFTER {event} ON {table} "
            f"FOR EACH ROW WHEN NEW.{new} IS NOT {fwd} BEGIN "
            f"UPDATE {table} SET "
            f"{old} = CASE WHEN {new_written} THEN {back} ELSE NEW.{old} END, "
            f"{new} = CASE WHEN {new_written} THEN NEW.{new} ELSE {fwd} END "
            f"WHERE {pk} = NEW.{pk}; END"
        )

    return [
        trigger("ai", "INSERT", f"NEW.{new} IS NOT NULL"),
        trigger("au", "UPDATE", f"NEW.{new} IS NOT OLD.{new}"),
    ]


def unconverted(pair: Pair, vendor: str, q: Quote) -> str:
    """A row of the key range [%s, %s] whose new value does not read back as the old one."""
    old, new = q(pair.old), q(pair.new)
    if vendor == "postgresql":
        differs = f"CAST({new} AS {pair.old_type}) IS DISTINCT FROM {old}"
    elif vendor == "sqlite":
        differs = f"CAST({new} AS {pair.old_type}) IS NOT {old}"
    else:
        target = mysql_cast_type(pair.old_type)
        back, was = f"CAST({new} AS {target})", old
        if target == "CHAR":
            back, was = f"CAST({back} AS BINARY)", f"CAST({old} AS BINARY)"
        differs = f"NOT ({back} <=> {was})"
    return (
        f"SELECT {q(pair.pk)}, {old} FROM {q(pair.table)} WHERE {q(pair.pk)} >= %s AND "
        f"{q(pair.pk)} <= %s AND {old} IS NOT NULL AND {differs} ORDER BY {q(pair.pk)}"
    )


MYSQL_CASTS = [
    (re.compile(r"^(tiny|small|medium|big)?int(eger)?\b|^bool"), "SIGNED"),
    (re.compile(r"^(numeric|decimal)\(\d+,\s*\d+\)"), None),  # kept as written
    (re.compile(r"^(double|float|real)"), "DOUBLE"),
    (re.compile(r"^(date|datetime|time)(\(\d\))?$"), None),
]


def mysql_cast_type(db_type: str) -> str:
    """The CAST target MariaDB/MySQL accept for a column type (CHAR when unsure)."""
    lowered = db_type.lower().strip()
    for pattern, target in MYSQL_CASTS:
        if pattern.match(lowered):
            return target or lowered.replace("numeric", "decimal").upper()
    return "CHAR"


def not_null(pair: Pair, vendor: str, q: Quote, definition: str) -> list[str]:
    """Make the new column NOT NULL without a long lock (PostgreSQL, MariaDB/MySQL).

    PostgreSQL: a NOT VALID check takes its lock only briefly; VALIDATE scans
    under SHARE UPDATE EXCLUSIVE (reads and writes go on); SET NOT NULL then
    uses the valid check instead of scanning. MariaDB rebuilds online.
    ``definition`` is the column's full NOT NULL definition (MariaDB restates it).
    """
    table, new = q(pair.table), q(pair.new)
    if vendor == "postgresql":
        check = q(pair.not_null_check)
        return [
            f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({new} IS NOT NULL) NOT VALID",
            f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}",
            f"ALTER TABLE {table} ALTER COLUMN {new} SET NOT NULL",
            f"ALTER TABLE {table} DROP CONSTRAINT {check}",
        ]
    return [f"ALTER TABLE {table} MODIFY {new} {definition}, ALGORITHM=INPLACE, LOCK=NONE"]


def drop_not_null(pair: Pair, vendor: str, q: Quote, definition: str) -> list[str]:
    table, new = q(pair.table), q(pair.new)
    if vendor == "postgresql":
        return [f"ALTER TABLE {table} ALTER COLUMN {new} DROP NOT NULL"]
    return [f"ALTER TABLE {table} MODIFY {new} {definition}"]
