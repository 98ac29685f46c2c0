"""RunSQL judged by what its statements do (parsed with sqlparse, which ships with Django)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import sqlparse

from django_zerodowntime.safety import remedies
from django_zerodowntime.safety.findings import Finding, Harm, blocked, safe, warning
from django_zerodowntime.safety.sql_actions import (
    NAME,
    judge_action,
    not_understood,
    renamed,
    unquote,
)
from django_zerodowntime.safety.step import Step, drop_findings
from django_zerodowntime.usage import Usage

DDL = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "LOCK")
HARMLESS = ("SELECT", "SET", "SHOW", "COMMENT", "GRANT", "REVOKE", "ANALYZE", "RESET")
DATA = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "REPLACE", "LOCK")


def statements(sql: Any) -> Iterator[str]:
    """Each statement of a RunSQL argument (str, list of str, or (sql, params) pairs)."""
    items = [sql] if isinstance(sql, str) else list(sql or ())
    for item in items:
        yield from split_statements(str(item[0] if isinstance(item, list | tuple) else item))


@functools.lru_cache(maxsize=1024)
def split_statements(text: str) -> tuple[str, ...]:
    """Comment-free, whitespace-normalised statements (cached: the plan asks several times)."""
    found = []
    for raw in sqlparse.split(text):
        clean = sqlparse.format(raw, strip_comments=True).strip().rstrip(";").strip()
        if clean:
            found.append(" ".join(clean.split()))
    return tuple(found)


def has_ddl(sql: Any) -> bool:
    return any(s.upper().startswith(DDL) for s in statements(sql))


def split_actions(body: str) -> list[str]:
    """Split ``ADD a int, DROP COLUMN b`` at top-level commas."""
    parts, depth, current = [], 0, ""
    for char in body:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts


def judge_sql(step: Step, sql: Any) -> list[Finding]:
    findings: list[Finding] = []
    try:
        for statement in statements(sql):
            findings += judge_statement(step, statement)
    except (ValueError, IndexError, StopIteration) as error:  # sqlparse gave up
        findings.append(not_understood(str(sql)[:120], f"({error})"))
    return findings or [safe("RunSQL with no statements")]


def judge_statement(step: Step, statement: str) -> list[Finding]:
    upper = statement.upper()
    first = upper.split(" ", 1)[0]
    if match := re.match(
        r"DROP (TABLE|VIEW|MATERIALIZED VIEW) (?:IF EXISTS )?(.+)", statement, re.I
    ):
        names = [
            unquote(n)
            for n in re.findall(NAME, re.sub(r"(?i)\b(CASCADE|RESTRICT)\b", "", match.group(2)))
        ]
        return drop_findings(
            step, "ZDT102", [Usage(n) for n in names], remedies.drop_by_sql(", ".join(names))
        )
    if match := re.match(r"DROP INDEX (CONCURRENTLY )?", statement, re.I):
        return concurrency(step, bool(match.group(1)), statement) or [safe("drops an index")]
    if first == "DROP":
        return [
            warning(
                "ZDT503",
                f"{statement[:120]}: make sure no running code uses it",
                harm=Harm.BREAKS_OLD_CODE,
            )
        ]
    if match := re.match(rf"ALTER TABLE (?:IF EXISTS )?(?:ONLY )?({NAME}) (.+)", statement, re.I):
        table = unquote(match.group(1))
        findings: list[Finding] = []
        for action in split_actions(match.group(2)):
            findings += judge_action(step, table, action)
        return findings
    if match := re.match(
        rf"CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:{NAME} )?"
        rf"ON (?:ONLY )?({NAME})",
        statement,
        re.I,
    ):
        return create_index(
            step, statement, bool(match.group(1)), bool(match.group(2)), unquote(match.group(3))
        )
    if match := re.match(rf"RENAME TABLE ({NAME}) TO", statement, re.I):
        return [renamed(f"table {unquote(match.group(1))}", "ZDT403")]
    if first in ("CREATE", *HARMLESS):
        return [safe(f"{first} statement: the old code is not affected")]
    if first in DATA or upper.startswith("WITH"):
        return [
            warning(
                "ZDT503",
                f"data change in the deploy ({statement[:80]}): it holds row locks until the "
                "migration commits; batch large updates",
            )
        ]
    return [not_understood(statement)]


def concurrency(step: Step, concurrently: bool, statement: str) -> list[Finding]:
    if concurrently and step.atomic:
        return [
            blocked(
                "ZDT304",
                f"{statement[:80]} cannot run inside a transaction",
                "Put it in a migration of its own with `atomic = False`.",
            )
        ]
    return []


def create_index(
    step: Step, statement: str, unique: bool, concurrently: bool, table: str
) -> list[Finding]:
    refused = concurrency(step, concurrently, statement)
    if refused or concurrently or step.vendor != "postgresql" or step.is_fresh(table):
        return refused or [safe(f"creates an index on {table} without blocking writes")]
    return [
        blocked(
            "ZDT302" if unique else "ZDT301",
            f"{statement[:100]}: without CONCURRENTLY PostgreSQL blocks writes to {table} "
            "for the whole build",
            "Write CREATE INDEX CONCURRENTLY (and DROP INDEX CONCURRENTLY in reverse_sql) "
            "in a migration with `atomic = False`.",
        )
    ]


def runs_ddl(step: Step) -> bool:
    """Does this RunSQL change the schema (and so hold locks until the migration commits)?"""
    return has_ddl(getattr(step.operation, "sql", None))
