"""RunSQL statements judged one by one, per vendor (safety/sql.py, safety/sql_actions.py).

Pure: a statement's text and a vendor give findings; no database is touched, so
the PostgreSQL and MariaDB verdicts are checked on every run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from django_zerodowntime.safety.findings import Finding, Verdict
from django_zerodowntime.safety.sql import judge_sql, judge_statement, split_actions
from django_zerodowntime.safety.step import Step
from django_zerodowntime.usage import Usage

USED = "release r1 on host web-1 still uses it"


def step(vendor: str = "postgresql", *, atomic: bool = True, **kwargs: Any) -> Step:
    connection: Any = SimpleNamespace(vendor=vendor, mysql_is_mariadb=vendor == "mysql")
    return Step(
        app_label="testapp",
        operation=None,  # type: ignore[arg-type]
        before=None,  # type: ignore[arg-type]
        after=None,  # type: ignore[arg-type]
        connection=connection,
        usage_check=lambda usage: USED,
        atomic=atomic,
        **kwargs,
    )


def verdicts(findings: list[Finding]) -> list[tuple[Verdict, str | None]]:
    return [(f.verdict, f.rule) for f in findings]


SAFE, WARNING, BLOCKED = Verdict.SAFE, Verdict.WARNING, Verdict.BLOCKED


@pytest.mark.parametrize(
    ("vendor", "sql", "expected"),
    [
        # Drops of columns go to the ledger; constraints and indexes do not break old code.
        ("postgresql", "ALTER TABLE t DROP COLUMN c", [(BLOCKED, "ZDT101")]),
        ("postgresql", "ALTER TABLE t DROP CONSTRAINT t_c_check", [(SAFE, None)]),
        ("mysql", "ALTER TABLE t DROP INDEX t_c_idx", [(SAFE, None)]),
        # Renames.
        ("postgresql", 'ALTER TABLE "t" RENAME COLUMN "a" TO "b"', [(BLOCKED, "ZDT401")]),
        ("postgresql", "ALTER TABLE t RENAME TO t2", [(BLOCKED, "ZDT403")]),
        ("mysql", "RENAME TABLE t TO t2", [(BLOCKED, "ZDT403")]),
        ("postgresql", 'ALTER TABLE t RENAME CONSTRAINT "a" TO "b"', [(SAFE, None)]),
        ("mysql", "ALTER TABLE t RENAME INDEX t_a_idx TO t_b_idx", [(SAFE, None)]),
        # Validating scans existing rows; metadata changes take no lock old code waits on.
        ("postgresql", "ALTER TABLE t VALIDATE CONSTRAINT t_c_check", [(WARNING, "ZDT306")]),
        ("postgresql", "ALTER TABLE t SET (fillfactor = 70)", [(SAFE, None)]),
        # NOT NULL: PostgreSQL's SET NOT NULL; elsewhere a MODIFY naming NOT NULL.
        ("postgresql", "ALTER TABLE t ALTER COLUMN c SET NOT NULL", [(BLOCKED, "ZDT204")]),
        ("mysql", "ALTER TABLE t MODIFY c int NOT NULL", [(BLOCKED, "ZDT204")]),
        ("postgresql", "ALTER TABLE t ALTER COLUMN c DROP NOT NULL", [(SAFE, None)]),
        ("postgresql", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0", [(SAFE, None)]),
        ("postgresql", "ALTER TABLE t ALTER COLUMN c TYPE bigint", [(BLOCKED, "ZDT205")]),
        ("mysql", "ALTER TABLE t CHANGE c d bigint", [(BLOCKED, "ZDT205")]),
        # Added columns.
        ("postgresql", "ALTER TABLE t ADD COLUMN c int NOT NULL", [(BLOCKED, "ZDT201")]),
        ("postgresql", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", [(SAFE, None)]),
        (
            "postgresql",
            "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()",
            [(BLOCKED, "ZDT202")],
        ),
        ("mysql", "ALTER TABLE t ADD COLUMN c double DEFAULT (random())", [(SAFE, None)]),
        ("postgresql", "ALTER TABLE t ADD COLUMN c int REFERENCES u (id)", [(BLOCKED, "ZDT208")]),
        ("postgresql", "ALTER TABLE t ADD COLUMN c int UNIQUE", [(BLOCKED, "ZDT302")]),
        ("mysql", "ALTER TABLE t ADD COLUMN c int UNIQUE", [(SAFE, None)]),
        # Added constraints.
        (
            "postgresql",
            "ALTER TABLE t ADD CONSTRAINT c_pos CHECK (c > 0) NOT VALID",
            [(WARNING, "ZDT305")],
        ),
        (
            "postgresql",
            "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (c) REFERENCES u (id) NOT VALID",
            [(SAFE, None)],
        ),
        (
            "postgresql",
            "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_u_idx",
            [(SAFE, None)],
        ),
        ("postgresql", "ALTER TABLE t ADD CONSTRAINT c_pos CHECK (c > 0)", [(BLOCKED, "ZDT303")]),
        (
            "postgresql",
            "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (c) REFERENCES u (id)",
            [(BLOCKED, "ZDT208")],
        ),
        ("postgresql", "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (c)", [(BLOCKED, "ZDT302")]),
        ("mysql", "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (c)", [(SAFE, None)]),
        ("postgresql", "ALTER TABLE t OF some_type", [(BLOCKED, "ZDT501")]),
        # Several actions in one statement: each judged.
        (
            "postgresql",
            "ALTER TABLE t ADD COLUMN c numeric(10, 2), DROP COLUMN d",
            [(SAFE, None), (BLOCKED, "ZDT101")],
        ),
        # Statements other than ALTER TABLE.
        ("postgresql", "DROP TABLE IF EXISTS a, b CASCADE", [(BLOCKED, "ZDT102")] * 2),
        ("postgresql", "DROP INDEX t_c_idx", [(SAFE, None)]),
        ("postgresql", "DROP SEQUENCE s", [(WARNING, "ZDT503")]),
        ("postgresql", "CREATE INDEX t_c_idx ON t (c)", [(BLOCKED, "ZDT301")]),
        ("postgresql", "CREATE UNIQUE INDEX t_c_idx ON t (c)", [(BLOCKED, "ZDT302")]),
        ("mysql", "CREATE INDEX t_c_idx ON t (c)", [(SAFE, None)]),
        ("postgresql", "CREATE VIEW v AS SELECT 1", [(SAFE, None)]),
        ("postgresql", "UPDATE t SET c = 0", [(WARNING, "ZDT503")]),
        ("postgresql", "VACUUM t", [(BLOCKED, "ZDT501")]),
    ],
)
def test_statement_verdict_per_vendor(
    vendor: str, sql: str, expected: list[tuple[Verdict, str | None]]
) -> None:
    assert verdicts(judge_statement(step(vendor), sql)) == expected


def test_concurrently_inside_a_transaction_is_refused_and_outside_it_is_safe() -> None:
    for sql in ("CREATE INDEX CONCURRENTLY i ON t (c)", "DROP INDEX CONCURRENTLY i"):
        assert verdicts(judge_statement(step(atomic=True), sql)) == [(BLOCKED, "ZDT304")]
        assert verdicts(judge_statement(step(atomic=False), sql)) == [(SAFE, None)]


def test_actions_on_a_table_made_earlier_in_the_plan_are_safe() -> None:
    fresh = step(fresh=frozenset({Usage("t")}))
    assert verdicts(judge_statement(fresh, "ALTER TABLE t ALTER COLUMN c TYPE bigint")) == [
        (SAFE, None)
    ]
    assert verdicts(judge_statement(fresh, "CREATE INDEX i ON t (c)")) == [(SAFE, None)]


def test_dropped_column_names_the_real_column_without_quotes() -> None:
    [finding] = judge_statement(step(), 'ALTER TABLE "public"."blog_post" DROP COLUMN "title"')
    assert "blog_post.title" in finding.reason
    assert USED in finding.reason


def test_actions_split_only_at_top_level_commas() -> None:
    assert split_actions("ADD a numeric(10, 2), DROP COLUMN b,") == [
        "ADD a numeric(10, 2)",
        "DROP COLUMN b",
    ]


def test_sql_sqlparse_cannot_read_is_not_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    def gives_up(text: str) -> list[str]:
        raise ValueError("unbalanced quotes")

    monkeypatch.setattr("django_zerodowntime.safety.sql.sqlparse.split", gives_up)
    [finding] = judge_sql(step(), "SELECT 'never read")
    assert (finding.verdict, finding.rule) == (BLOCKED, "ZDT501")
    assert "unbalanced quotes" in finding.reason
