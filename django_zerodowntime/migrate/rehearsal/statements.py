"""What one SQL statement is, read from its text: pure functions, no database.

The rehearsal needs three facts about each statement Django runs: whether it
only reads (then it is not reported), which table it acts on, and, on MariaDB,
the same statement with an ``ALGORITHM``/``LOCK`` clause to learn the lock it needs.
"""

from __future__ import annotations

import re

_NAME = r"(?:`[^`]+`|\"[^\"]+\"|[\w$.]+)"
_READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "SAVEPOINT", "RELEASE", "DESCRIBE", "WITH")
_LOCKING_READ = re.compile(r"\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b", re.I)
_DDL = ("CREATE", "ALTER", "DROP", "TRUNCATE", "LOCK", "CLUSTER", "REINDEX", "RENAME", "COMMENT")
_TABLE = [
    re.compile(rf"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?({_NAME})", re.I),
    re.compile(rf"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON\s+(?:ONLY\s+)?({_NAME})", re.I | re.S),
    re.compile(rf"^\s*DROP\s+INDEX\b.*?\bON\s+({_NAME})", re.I | re.S),
    re.compile(rf"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})", re.I),
    re.compile(rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?({_NAME})", re.I),
    re.compile(rf"^\s*TRUNCATE\s+(?:TABLE\s+)?({_NAME})", re.I),
    re.compile(rf"^\s*RENAME\s+TABLE\s+({_NAME})", re.I),
    re.compile(rf"^\s*INSERT\s+(?:IGNORE\s+)?INTO\s+({_NAME})", re.I),
    re.compile(rf"^\s*UPDATE\s+({_NAME})", re.I),
    re.compile(rf"^\s*DELETE\s+FROM\s+({_NAME})", re.I),
]
_DROP_INDEX = re.compile(rf"^\s*DROP\s+INDEX\s+({_NAME})\s+ON\s+({_NAME})\s*$", re.I | re.S)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\b", re.I)
_ALTER_TABLE = re.compile(r"^\s*ALTER\s+TABLE\b", re.I)

# MariaDB's ALTER TABLE, least locking first: the first one the server accepts is
# what the plain statement does (the server picks the cheapest algorithm and lock).
LADDER: tuple[tuple[str, str], ...] = (
    ("NONE", "ALGORITHM=INSTANT"),
    ("NONE", "ALGORITHM=NOCOPY, LOCK=NONE"),
    ("NONE", "ALGORITHM=INPLACE, LOCK=NONE"),
    ("SHARED", "ALGORITHM=INPLACE, LOCK=SHARED"),
    ("SHARED", "ALGORITHM=COPY, LOCK=SHARED"),
)


def first_word(sql: str) -> str:
    words = sql.lstrip(" \t\n(").split(None, 1)
    return words[0].upper() if words else ""


def only_reads(sql: str) -> bool:
    """A statement that neither changes nor locks anything the serving code writes."""
    word = first_word(sql)
    if word == "WITH":
        return not re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I)
    return word in _READS and not _LOCKING_READ.search(sql)


def is_ddl(sql: str) -> bool:
    return first_word(sql) in _DDL


def unquote(name: str) -> str:
    name = name.strip()
    if name[:1] in '`"' and name[-1:] == name[:1]:
        return name[1:-1]
    return name.rsplit(".", 1)[-1]


def table_of(sql: str) -> str | None:
    """The table a statement acts on, as written in it; None when it names none."""
    for pattern in _TABLE:
        found = pattern.search(sql)
        if found:
            return unquote(found.group(1))
    return None


def algorithm_variants(sql: str) -> list[tuple[str, str]]:
    """``[(lock mode, statement with an ALGORITHM/LOCK clause)]`` to try in order (MariaDB).

    ``DROP INDEX i ON t`` takes no such clause there, so it is tried as its
    equivalent ``ALTER TABLE t DROP INDEX i``; statements other than ALTER TABLE
    and CREATE INDEX have none (empty list).
    """
    body = sql.strip().rstrip(";")
    dropped = _DROP_INDEX.match(body)
    if dropped:
        body = f"ALTER TABLE {dropped.group(2)} DROP INDEX {dropped.group(1)}"
    if _ALTER_TABLE.match(body):
        return [(mode, f"{body}, {clause}") for mode, clause in LADDER]
    if _CREATE_INDEX.match(body):
        return [(mode, f"{body} {clause.replace(', ', ' ')}") for mode, clause in LADDER]
    return []
