"""Pure facts about one column: its type, nullability, defaults and what a change rewrites."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import NOT_PROVIDED
from django.db.models.expressions import Value

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# Functions PostgreSQL marks VOLATILE: a default using them is computed per row (a rewrite).
VOLATILE_SQL = re.compile(
    r"\b(random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|nextval|"
    r"txid_current|setseed)\s*\(",
    re.IGNORECASE,
)
VARCHAR = re.compile(r"^(?:varchar|character varying)\((\d+)\)$", re.IGNORECASE)
NUMERIC = re.compile(r"^numeric\((\d+),\s*(\d+)\)$", re.IGNORECASE)
INTEGER_WIDTH = {"smallint": 2, "integer": 4, "int": 4, "bigint": 8}
# Bytes per character MySQL/MariaDB reserve for utf8mb4, the charset Django recommends.
MYSQL_BYTES_PER_CHAR = 4


def db_type(field: Any, connection: BaseDatabaseWrapper) -> str | None:
    value = field.db_parameters(connection)["type"]
    return None if value is None else str(value).strip()


def has_db_default(field: Any) -> bool:
    return field.db_default is not NOT_PROVIDED


def is_not_null(field: Any) -> bool:
    return not field.null and not getattr(field, "generated", False)


def is_indexed(field: Any) -> bool:
    return bool(field.db_index or field.unique)


def metadata_only(old: Any, new: Any) -> bool:
    """True when the two fields differ only in what never reaches the database."""
    return not database_differences(old, new)


def database_differences(old: Any, new: Any) -> set[str]:
    """What differs beyond attributes that never reach the database.

    deconstruct() keywords by name, and "type", "args" and "column".
    """
    ignored = set(old.non_db_attrs) - {"db_column"} | {"default"}
    *_, old_args, old_kwargs = old.deconstruct()
    *_, new_args, new_kwargs = new.deconstruct()
    differences = {
        key
        for key in (old_kwargs.keys() | new_kwargs.keys()) - ignored
        if key not in old_kwargs
        or key not in new_kwargs
        or not (old_kwargs[key] is new_kwargs[key] or old_kwargs[key] == new_kwargs[key])
    }
    named = {"type": type(old) is type(new), "args": old_args == new_args}
    named["column"] = old.column == new.column
    return differences | {name for name, same in named.items() if not same}


def db_default_sql(field: Any, connection: BaseDatabaseWrapper) -> str:
    """The SQL of the field's db_default, compiled for this database (no query runs)."""
    from django.db.models.sql.query import Query

    expression = field.db_default
    if not hasattr(expression, "resolve_expression"):
        expression = Value(expression)
    compiler = Query(None).get_compiler(connection=connection)
    sql, _params = expression.resolve_expression(compiler.query).as_sql(compiler, connection)
    return str(sql)


def volatile_default(field: Any, connection: BaseDatabaseWrapper) -> bool:
    if not has_db_default(field) or isinstance(field.db_default, Value):
        return False
    return bool(VOLATILE_SQL.search(db_default_sql(field, connection)))


def one_value_for_every_row(field: Any, connection: BaseDatabaseWrapper) -> str | None:
    """What Django writes into every existing row when it adds ``field``, if one value.

    A database default is computed once, unless PostgreSQL computes a volatile
    one per row; otherwise Django evaluates the Python default once (a callable
    too, and "" for a NOT NULL blank text field) and uses it for every row.
    None when existing rows get NULL (or one value each).
    """
    if has_db_default(field):
        if connection.vendor == "postgresql" and volatile_default(field, connection):
            return None
        default = field.db_default
        plain = not hasattr(default, "resolve_expression") or isinstance(default, Value)
        shown = repr(getattr(default, "value", default)) if plain else str(default)
        return f"database default {shown}"
    try:  # what the schema editor computes; it evaluates a callable default as migrate does
        value = connection.schema_editor(collect_sql=True, atomic=False).effective_default(field)
    except Exception:  # a default that cannot be computed here: assume the worst
        return "a default that cannot be computed before the migration runs"
    if value is None:
        return None
    if field.has_default() and callable(field.default):  # NOT_PROVIDED is a class: callable
        name = getattr(field.default, "__qualname__", type(field.default).__name__)
        return f"callable default {getattr(field.default, '__module__', '')}.{name}()"
    return f"default {str(value)[:40]!r}"


def varchar_length(type_sql: str | None) -> int | None:
    match = VARCHAR.match(type_sql or "")
    return int(match.group(1)) if match else None


def mysql_length_bytes(chars: int) -> int:
    """Size of the length prefix MySQL stores per VARCHAR value (1 up to 255 bytes)."""
    return 1 if chars * MYSQL_BYTES_PER_CHAR <= 255 else 2


def type_change(old: str, new: str, vendor: str) -> str:
    """Classify a column type change: ``none``, ``grow`` (no rewrite), ``rewrite`` or ``shrink``.

    ``text`` is returned for a varchar -> text change, which PostgreSQL does in place.
    """
    if old == new:
        return "none"
    old_len, new_len = varchar_length(old), varchar_length(new)
    if old_len is not None and new_len is not None:
        if new_len < old_len:
            return "shrink"
        if vendor == "mysql" and mysql_length_bytes(old_len) != mysql_length_bytes(new_len):
            return "rewrite"
        return "grow" if vendor in ("postgresql", "mysql") else "rewrite"
    if old_len is not None and new.lower() == "text":
        return "text" if vendor == "postgresql" else "rewrite"
    old_num, new_num = NUMERIC.match(old), NUMERIC.match(new)
    if old_num and new_num and old_num.group(2) == new_num.group(2):
        if int(new_num.group(1)) < int(old_num.group(1)):
            return "shrink"
        return "grow" if vendor == "postgresql" else "rewrite"
    old_width, new_width = integer_width(old), integer_width(new)
    if old_width and new_width and new_width < old_width:
        return "shrink"
    return "rewrite"


def integer_width(type_sql: str) -> int:
    words = type_sql.lower().replace("auto_increment", "").split()
    return INTEGER_WIDTH.get(words[0], 0) if words else 0
