"""Column types and defaults written two ways (Django's SQL, the catalog's answer), made comparable.

Pure: each vendor writes the same type differently from how Django asks for it
(PostgreSQL ``varchar(50)`` is ``character varying(50)``; MariaDB ``integer`` is
``int(11)``; a default comes back with casts or parentheses). Both sides go
through the same function before they are compared; reports show them as written.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_PG_ALIASES = [
    (r"^varchar\b", "character varying"),
    (r"^char\b", "character"),
    (r"^timestamptz$", "timestamp with time zone"),
    (r"^timestamp$", "timestamp without time zone"),
    (r"^timestamp\((\d+)\)$", r"timestamp(\1) without time zone"),
    (r"^time$", "time without time zone"),
    (r"^time\((\d+)\)$", r"time(\1) without time zone"),
    (r"^(int|int4|serial)$", "integer"),
    (r"^(int8|bigserial)$", "bigint"),
    (r"^(int2|smallserial)$", "smallint"),
    (r"^float8$", "double precision"),
    (r"^float4$", "real"),
    (r"^bool$", "boolean"),
    (r"^decimal\b", "numeric"),
]
_MYSQL_ALIASES = [
    (r"\bauto_increment\b", ""),
    (r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1"),
    (r"^integer\b", "int"),
    (r"^(bool|boolean)$", "tinyint(1)"),
    (r"^tinyint$", "tinyint(1)"),
    (r"^numeric\b", "decimal"),
    (r"^(double precision|real)$", "double"),
]
_PG_CAST = re.compile(r"::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?")


def type_of(vendor: str, written: str, *, mariadb: bool = False) -> str:
    """One spelling per type for ``vendor``."""
    text = _SPACES.sub(" ", written.strip().lower())
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*,\s*", ",", text).replace(" )", ")")
    if vendor == "postgresql":
        array = ""
        while text.endswith("[]"):
            text, array = text[:-2], array + "[]"
        for pattern, replacement in _PG_ALIASES:
            text = re.sub(pattern, replacement, text)
        return text + array
    if vendor == "mysql":
        for pattern, replacement in _MYSQL_ALIASES:
            text = re.sub(pattern, replacement, text).strip()
        if mariadb and text == "json":
            text = "longtext"  # MariaDB's JSON is LONGTEXT with a CHECK (json_valid(...))
        return _SPACES.sub(" ", text)
    return text


def default_of(vendor: str, written: str | None) -> str | None:
    """A default's SQL without what only the catalog adds (casts, parentheses, case)."""
    if written is None:
        return None
    text = _SPACES.sub(" ", written.strip())
    if vendor == "postgresql":
        if text.startswith("nextval("):
            return None  # a serial column's sequence, not a default the models set
        text = _PG_CAST.sub("", text.lower()) if "'" not in text else _strip_pg_casts(text)
    if text.upper() == "NULL":
        return None
    previous = None
    while previous != text:
        previous = text
        if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
    return text if "'" in text else text.lower()


def _strip_pg_casts(text: str) -> str:
    """Casts outside quoted literals only: 'a::b' stays as it is."""
    parts = re.split(r"('(?:[^']|'')*')", text)
    return "".join(
        part if part.startswith("'") else _PG_CAST.sub("", part.lower()) for part in parts
    )


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
