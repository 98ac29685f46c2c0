"""What one SQL statement is, read from its text: pure functions, no database.

The rehearsal needs these facts about each statement Django runs: whether it
only reads or controls a transaction (then it is not reported), which table it
acts on (a trigger's table too), which tables a MariaDB ``LOCK TABLES`` holds
until ``UNLOCK TABLES``, and, on MariaDB, the same statement with an
``ALGORITHM``/``LOCK`` clause to learn the lock it needs.
"""

from __future__ import annotations

import re

_NAME = r"(?:`[^`]+`|\"[^\"]+\"|[\w$.]+)"
_READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "SAVEPOINT", "RELEASE", "DESCRIBE", "WITH")
# Transaction control: the locks are the statements' inside it (SQLite's BEGIN IMMEDIATE
# takes the write lock a moment before the first write would).
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "START", "END")
_LOCKING_READ = re.compile(r"\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b", re.I)
_DDL = ("CREATE", "ALTER", "DROP", "TRUNCATE", "LOCK", "CLUSTER", "REINDEX", "RENAME", "COMMENT")
_TRIGGER = r"(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?TRIGGER\b"
_TABLE = [
    re.compile(rf"^\s*CREATE\s+{_TRIGGER}.*?\bON\s+({_NAME})", re.I | re.S),
    re.compile(rf"^\s*DROP\s+TRIGGER\b.*?\bON\s+({_NAME})", re.I | re.S),
    re.compile(rf"^\s*LOCK\s+TABLES?\s+(?:ONLY\s+)?({_NAME})", re.I),
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
_DROP_TRIGGER = re.compile(rf"^\s*DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?({_NAME})\s*;?\s*$", re.I)
_CLAUSE = re.compile(r"\b(ALGORITHM|LOCK)\s*=\s*(\w+)", re.I)
# "ALGORITHM=DEFAULT" and "LOCK=DEFAULT" leave the choice to the server, as no clause does.
_DEFAULT_CLAUSE = re.compile(r"\s*,\s*(?:ALGORITHM|LOCK)\s*=\s*DEFAULT\b", re.I)
# MariaDB's LOCK TABLES t WRITE, u READ: until UNLOCK TABLES, the serving code's reads
# and writes of t wait (EXCLUSIVE), its writes of u (SHARED).
_LOCK_TABLES = re.compile(r"^\s*LOCK\s+TABLES\s+(.+?)\s*;?\s*$", re.I | re.S)
_LOCKED = re.compile(
    rf"({_NAME})(?:\s+(?:AS\s+)?\w+)?\s+(READ(?:\s+LOCAL)?|(?:LOW_PRIORITY\s+)?WRITE(?:\s+CONCURRENT)?)",
    re.I,
)
_UNLOCK_TABLES = re.compile(r"^\s*UNLOCK\s+TABLES?\s*;?\s*$", re.I)
_NO_TABLE = re.compile(r"^\s*(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b", re.I)

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
    """A statement that neither changes nor locks anything the serving code writes
    (or one that only begins or ends a transaction)."""
    word = first_word(sql)
    if word == "WITH":
        return not re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I)
    if word in _CONTROL:
        return True
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


def touches_no_table(sql: str) -> bool:
    """``CREATE FUNCTION`` and the like: DDL that locks no table (PostgreSQL's trigger
    functions); nothing to watch."""
    return bool(_NO_TABLE.match(sql))


def dropped_trigger(sql: str) -> str | None:
    """The trigger a ``DROP TRIGGER`` that does not name its table drops (MariaDB, SQLite):
    the probe asks the database which table it is on, before it goes."""
    found = _DROP_TRIGGER.match(sql)
    return unquote(found.group(1)) if found else None


def tables_locked(sql: str) -> list[tuple[str, str]]:
    """``[(table, MariaDB lock mode)]`` a ``LOCK TABLES`` holds until ``UNLOCK TABLES``."""
    found = _LOCK_TABLES.match(sql)
    if not found:
        return []
    return [
        (unquote(name), "SHARED" if kind.upper().startswith("READ") else "EXCLUSIVE")
        for name, kind in _LOCKED.findall(found.group(1))
    ]


def unlocks_tables(sql: str) -> bool:
    return bool(_UNLOCK_TABLES.match(sql))


def lock_spans(sqls: list[str]) -> dict[int, int]:
    """{position of a ``LOCK TABLES``: position of the ``UNLOCK TABLES`` that ends it}.

    A ``LOCK TABLES`` with no ``UNLOCK TABLES`` after it is left out (the caller
    decides how long it lasted); a second ``LOCK TABLES`` releases the first.
    """
    spans: dict[int, int] = {}
    opened: int | None = None
    for position, sql in enumerate(sqls):
        if tables_locked(sql):
            if opened is not None:
                spans[opened] = position
            opened = position
        elif unlocks_tables(sql) and opened is not None:
            spans[opened], opened = position, None
    return spans


def algorithm_variants(sql: str) -> list[tuple[str, str]]:
    """``[(lock mode, statement with an ALGORITHM/LOCK clause)]`` to try in order (MariaDB).

    ``DROP INDEX i ON t`` takes no such clause there, so it is tried as its
    equivalent ``ALTER TABLE t DROP INDEX i``; statements other than ALTER TABLE
    and CREATE INDEX have none (empty list). A statement that carries its own
    clause runs as written: with ``LOCK=``, that is its mode; with ``ALGORITHM=``
    alone, only the lock levels are tried.
    """
    body = sql.strip().rstrip(";")
    dropped = _DROP_INDEX.match(body)
    if dropped:
        body = f"ALTER TABLE {dropped.group(2)} DROP INDEX {dropped.group(1)}"
    if _ALTER_TABLE.match(body):
        separator = ", "
    elif _CREATE_INDEX.match(body):
        separator = " "
    else:
        return []
    clauses = {name.upper(): value.upper() for name, value in _CLAUSE.findall(body)}
    lock = clauses.get("LOCK", "DEFAULT")
    if lock != "DEFAULT":
        return [(lock, body)]
    body = _DEFAULT_CLAUSE.sub("", body)  # the server's choice: the same as no clause
    if clauses.get("ALGORITHM", "DEFAULT") != "DEFAULT":  # chosen: only the lock levels are ours
        return [(mode, f"{body}{separator}LOCK={mode}") for mode in ("NONE", "SHARED")]
    return [
        (mode, f"{body}{separator}{clause.replace(', ', separator)}") for mode, clause in LADDER
    ]
