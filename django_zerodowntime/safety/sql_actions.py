"""ALTER TABLE actions of a RunSQL statement, one at a time."""

from __future__ import annotations

import re

from django_zerodowntime.safety import remedies
from django_zerodowntime.safety.columns import VOLATILE_SQL
from django_zerodowntime.safety.findings import Finding, blocked, safe
from django_zerodowntime.safety.index_rules import not_valid_check, validated
from django_zerodowntime.safety.step import Step, drop_findings
from django_zerodowntime.usage import Usage

NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?'
NOT_UNDERSTOOD = "ZDT501"


def unquote(name: str) -> str:
    """``"public"."blog_post"`` -> ``blog_post``."""
    last = re.findall(r'"([^"]+)"|`([^`]+)`|\[([^\]]+)\]|([\w$]+)', name)[-1]
    return str(next(part for part in last if part))


def not_understood(statement: str, why: str = "") -> Finding:
    return blocked(
        NOT_UNDERSTOOD,
        f"cannot tell what this SQL does to the old code: {statement[:160]} {why}".strip(),
        "Split it into plain statements safe_migrate understands, or after checking it by "
        f'hand allow it in that migration: zerodowntime_allow = {{"{NOT_UNDERSTOOD}": "<why>"}}',
    )


def renamed(what: str, rule: str) -> Finding:
    return blocked(
        rule,
        f"renames {what}: the old code still uses the old name",
        "Expand and contract: add the new name beside the old one, write both, backfill, "
        "switch reads, stop using the old one, drop it in a later release.",
    )


def judge_action(step: Step, table: str, action: str) -> list[Finding]:
    upper = action.upper()
    pg, fresh = step.vendor == "postgresql", step.is_fresh(table)
    if match := re.match(rf"DROP (?:COLUMN )?(?:IF EXISTS )?({NAME})", action, re.I):
        if match.group(1).upper() not in (
            "CONSTRAINT",
            "INDEX",
            "KEY",
            "FOREIGN",
            "PRIMARY",
            "CHECK",
        ):
            column = unquote(match.group(1))
            return drop_findings(
                step, "ZDT101", [Usage(table, column)], remedies.drop_by_sql(f"{table}.{column}")
            )
        return [safe("drops a constraint or index: the old code keeps working")]
    if re.match(rf"RENAME (?:CONSTRAINT|INDEX|KEY) {NAME} TO ", action, re.I):
        return [safe("renames a constraint or index: the old code never names one")]
    if match := re.match(rf"RENAME (?:COLUMN )?({NAME}) TO", action, re.I):
        return [renamed(f"column {table}.{unquote(match.group(1))}", "ZDT401")]
    if re.match(r"RENAME TO ", action, re.I):
        return [renamed(f"table {table}", "ZDT403")]
    if not fresh and (match := re.match(rf"VALIDATE CONSTRAINT ({NAME})", action, re.I)):
        return [validated(unquote(match.group(1)))]
    if fresh or upper.startswith(("VALIDATE CONSTRAINT", "SET (", "OWNER", "ALTER CONSTRAINT")):
        return [safe(f"{action[:60]}: no lock the old code waits on")]
    if upper.startswith("ADD") and not re.match(
        r"ADD (CONSTRAINT|UNIQUE|PRIMARY|FOREIGN|CHECK|INDEX|KEY)\b", upper
    ):
        return add_column(step, table, action)
    if upper.startswith("ADD"):
        return add_constraint(step, table, action)
    if match := re.match(rf"(?:ALTER|MODIFY|CHANGE) (?:COLUMN )?({NAME}) ?(.*)", action, re.I):
        column, rest = unquote(match.group(1)), match.group(2).upper()
        if "SET NOT NULL" in rest or (not pg and "NOT NULL" in rest):
            return [
                blocked(
                    "ZDT204",
                    f"sets {table}.{column} NOT NULL",
                    remedies.set_not_null(table, column, table, column, step.vendor),
                )
            ]
        if rest.startswith(
            ("DROP NOT NULL", "SET DEFAULT", "DROP DEFAULT", "SET STATISTICS", "SET STORAGE")
        ):
            return [safe(f"{action[:60]}: metadata only")]
        return [
            blocked(
                "ZDT205",
                f"changes the type of {table}.{column} ({action[:80]}): "
                "may rewrite the table under a lock",
                remedies.new_column(table, column, "Changing the type"),
            )
        ]
    return [not_understood(f"ALTER TABLE {table} {action}")]


def add_column(step: Step, table: str, action: str) -> list[Finding]:
    upper = action.upper()
    if "NOT NULL" in upper and " DEFAULT " not in f" {upper} ":
        return [
            blocked(
                "ZDT201",
                f"adds a NOT NULL column to {table} without a default: the old code's INSERTs fail",
                "Add it nullable (or with a DEFAULT), backfill, then set NOT NULL "
                "in a later release.",
            )
        ]
    if step.vendor == "postgresql" and VOLATILE_SQL.search(action):
        return [
            blocked(
                "ZDT202",
                f"adds a column to {table} with a volatile default: PostgreSQL rewrites the table",
                "Add it without the default, backfill in batches, then set the default.",
            )
        ]
    if " REFERENCES " in f" {upper} ":
        return [
            blocked(
                "ZDT208",
                f"adds a foreign key column to {table}: the constraint is validated under a lock",
                "Add the column plain, then the constraint with NOT VALID and "
                "VALIDATE CONSTRAINT separately.",
            )
        ]
    if step.vendor == "postgresql" and re.search(r"\b(UNIQUE|PRIMARY KEY)\b", upper):
        return [
            blocked(
                "ZDT302",
                f"adds a unique column to {table}: PostgreSQL builds the index "
                "without CONCURRENTLY",
                "Add the column plain, then CREATE UNIQUE INDEX CONCURRENTLY (atomic = False).",
            )
        ]
    return [safe(f"adds a nullable or defaulted column to {table}")]


def add_constraint(step: Step, table: str, action: str) -> list[Finding]:
    upper = action.upper()
    if "NOT VALID" in upper and re.search(r"\bCHECK\b", upper):
        name = re.match(rf"ADD CONSTRAINT ({NAME})", action, re.I)
        return [not_valid_check(table, unquote(name.group(1)) if name else "a check constraint")]
    if "NOT VALID" in upper or "USING INDEX" in upper:
        return [safe("adds a constraint without checking existing rows")]
    if re.search(r"\bCHECK\b", upper):
        return [
            blocked(
                "ZDT303",
                f"adds a check constraint to {table}, checked on every row under a lock",
                "On PostgreSQL add it NOT VALID, then VALIDATE CONSTRAINT in a later migration.",
            )
        ]
    if re.search(r"\bFOREIGN KEY\b", upper):
        return [
            blocked(
                "ZDT208",
                f"adds a foreign key to {table}, validated under a lock",
                "On PostgreSQL add it NOT VALID, then VALIDATE CONSTRAINT in a later migration.",
            )
        ]
    if re.search(r"\b(UNIQUE|PRIMARY KEY|EXCLUDE)\b", upper) and step.vendor == "postgresql":
        return [
            blocked(
                "ZDT302",
                f"adds a unique constraint to {table}: its index builds without CONCURRENTLY",
                "CREATE UNIQUE INDEX CONCURRENTLY first (atomic = False), then "
                "ADD CONSTRAINT ... UNIQUE USING INDEX.",
            )
        ]
    return [safe(f"{step.database_label} adds it online")]
