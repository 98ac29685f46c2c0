"""Each rule's claim against what the database and the old code really do (bench/oracle).

Every rule scenario (tests/scenarios/<name>: the old release 0001 plus one
change) runs through the oracle on the vendor of this run
(``ZERODOWNTIME_TEST_DB``): the old release's own ORM fills and exercises the
database in a process of its own while the new release applies its plan one
operation at a time. The verdicts safe_migrate gives must agree: no false
positive, no false negative, except the disagreements listed (with the reason
the oracle and the rule cannot agree) in ``ACCEPTED`` and docs/oracle.rst.

The whole matrix is slow (a few seconds a scenario): ``make test-oracle``
runs it on every vendor; the default run keeps the ZDT203 pair of the issue.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.oracle import Server, judge_upgrade
from bench.oracle.scenarios import SCENARIOS, releases
from bench.oracle.score import Prediction, Row, concerns, outcome_of, score, side_by_side
from bench.oracle.scratch import PREFIX, drop
from bench.oracle.truth import StepTruth
from tests.conftest import missing

pytestmark = pytest.mark.db

VENDOR = {"sqlite": "sqlite", "postgres": "postgresql", "mariadb": "mariadb"}[
    os.environ.get("ZERODOWNTIME_TEST_DB", "sqlite")
]
AGREE = {"true-positive", "true-negative", "unverifiable"}
# (scenario, vendor or "*", operation index) -> the outcome the rule and the oracle leave
# as it is, with the reason (docs/oracle.rst lists them too).
ACCEPTED: dict[tuple[str, str, int], tuple[str, str]] = {
    ("sql_unparsable", "*", 0): (
        "false-negative",
        "not SQL at all: every database refuses it; ZDT501 cannot read it, so it assumes "
        "the worst for the old code (breaks-old-code) rather than guess",
    ),
    ("sql_drop_table", "mariadb", 0): (
        "false-negative",
        "MariaDB accepts CASCADE and ignores it: testapp_post_tags still references "
        "testapp_tag, so the DROP fails; ZDT102 judges a drop by who uses the table, "
        "not by the foreign keys that point at it",
    ),
    ("good_check_not_valid", "*", 0): (
        "warned",
        "ZDT305: the old code's writes must satisfy views >= 0; the oracle's writes leave "
        "views at its default 0, so they do",
    ),
    ("good_fk_not_valid", "*", 2): (
        "warned",
        "ZDT306: VALIDATE CONSTRAINT of a foreign key on a column this plan added: every "
        "row holds NULL, nothing can violate it",
    ),
    **{
        (scenario, vendor, 0): (
            "false-negative",
            "a Backfill rewrites its column on purpose (views below 0 to 0; subtitle from "
            "title): the old code's values it replaces are what the migration is for, and the "
            "oracle counts every changed value as lost (ZDT505 predicts locks, which it does "
            "not see; on MariaDB an atomic migration runs no transaction: no ZDT504)",
        )
        for scenario, vendor in (
            ("backfill", "*"),
            ("backfill_big_batch", "*"),
            ("backfill_atomic", "mariadb"),
        )
    },
    **{
        (scenario, vendor, 1): (
            "warned",
            "ZDT502: a RunPython may change what the old code wrote; this one fills the "
            "column the plan added (on PostgreSQL it is blocked for locks)",
        )
        for vendor in ("sqlite", "mariadb")
        for scenario in ("run_python_ddl", "fresh_column_not_null")
    },
}
FAST = ("callable_unique",)


def server() -> Server:
    return Server.local(VENDOR)


def judged(scenario: str) -> list[Row]:
    try:
        upgrade = judge_upgrade(*releases(scenario), server())
    except ImportError as error:  # the vendor's driver is not installed
        missing(f"{VENDOR}: {error}")
    return [row for row in upgrade.rows if row.app == "testapp"]


def check_agreement(scenario: str) -> list[Row]:
    """The scenario's rows, after checking each agrees with the oracle (or is ACCEPTED)."""
    if VENDOR not in SCENARIOS[scenario]:
        pytest.skip(f"{scenario} is written for {', '.join(SCENARIOS[scenario])} only")
    rows = judged(scenario)
    assert rows, "the scenario's migration was not in the plan"
    for row in rows:
        said = ", ".join(f"{p.verdict} {p.rule} ({p.harm})" for p in row.predictions)
        what = f"#{row.index} {row.operation}: {said}; observed {row.observed}: {row.evidence}"
        accepted = ACCEPTED.get((scenario, VENDOR, row.index)) or ACCEPTED.get(
            (scenario, "*", row.index)
        )
        assert row.outcome == accepted[0] if accepted else row.outcome in AGREE, what
    return rows


@pytest.mark.parametrize("scenario", FAST)
def test_zdt203_claims_only_what_happens(scenario: str) -> None:
    """A nullable unique column without default is fine; one Django fills with a value fails."""
    check_agreement(scenario)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(set(SCENARIOS) - {*FAST, "add_unique_nullable"}))
def test_rule_scenario_agrees_with_the_oracle(scenario: str) -> None:
    check_agreement(scenario)


def test_nullable_unique_column_is_safe_and_really_harmless() -> None:
    """The false alarm of issue 10: no ZDT203, and the old code keeps working."""
    (row,) = check_agreement("add_unique_nullable")
    assert "ZDT203" not in {p.rule for p in row.predictions}
    assert row.observed == ()
    assert row.reached


def test_scratch_database_is_dropped_when_the_run_is_killed(tmp_path: Path) -> None:
    """SIGTERM in the middle of a run: the oracle's scratch database is gone after."""
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
            from bench.oracle.scratch import Server, scratch_database
            with scratch_database(Server.local({VENDOR!r})) as database:
                print(database.name, database.url, flush=True)
                time.sleep(60)
            """
        )
    )
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        missing(f"{VENDOR} scratch database: {process.communicate()[1][-500:]}")
    name, url = line.split()
    assert name.startswith(PREFIX)
    assert exists(name, url)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 128 + signal.SIGTERM
    assert not exists(name, url)


def test_drop_refuses_a_database_the_oracle_did_not_name() -> None:
    with pytest.raises(ValueError, match="not a scratch database"):
        drop(Server.local("postgresql"), "test")


def exists(name: str, url: str) -> bool:
    if VENDOR == "sqlite":  # the file appears on first connection; its folder at once
        return Path(url).parent.exists()
    if VENDOR == "postgresql":
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return found.fetchone() is not None
    import MySQLdb

    connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW DATABASES LIKE %s", [name])
        return cursor.fetchone() is not None
    finally:
        connection.close()


# -- the scoring, a pure function: each outcome from a made-up row -------------------------

BLOCKED_BREAKS = Prediction("blocked", "ZDT101", "breaks-old-code")
BLOCKED_LOCKS = Prediction("blocked", "ZDT301", "locks")
WARNING_LOSES = Prediction("warning", "ZDT503", "loses-data")
SAFE = Prediction("safe", None, None)


@pytest.mark.parametrize(
    ("predictions", "observed", "reached", "outcome"),
    [
        ((BLOCKED_BREAKS,), {"breaks-old-code"}, True, "true-positive"),
        ((BLOCKED_BREAKS,), set(), True, "false-positive"),
        ((BLOCKED_BREAKS, BLOCKED_LOCKS), set(), True, "unverifiable"),
        ((BLOCKED_LOCKS,), set(), True, "unverifiable"),
        ((SAFE,), {"fails-on-data"}, True, "false-negative"),
        ((BLOCKED_BREAKS,), {"breaks-old-code", "loses-data"}, True, "false-negative"),
        ((WARNING_LOSES,), {"loses-data"}, True, "true-positive"),
        ((WARNING_LOSES,), set(), True, "warned"),
        ((Prediction("warning", "ZDT205", "locks"),), set(), True, "unverifiable"),
        ((SAFE,), set(), True, "true-negative"),
        ((BLOCKED_BREAKS,), set(), False, "not-reached"),
    ],
)
def test_outcome_of_one_operation(
    predictions: tuple[Prediction, ...], observed: set[str], reached: bool, outcome: str
) -> None:
    assert outcome_of(predictions, observed, reached) == outcome


def test_a_break_an_earlier_operation_already_caused_is_unverifiable_not_false() -> None:
    """oscar's catalogue.0032: the first NOT NULL column breaks Category's INSERTs, so the
    second cannot be seen breaking them again; a model it did not break still counts."""
    assert outcome_of((BLOCKED_BREAKS,), set(), True, masked=True) == "unverifiable"
    assert outcome_of((BLOCKED_BREAKS,), set(), True, masked=False) == "false-positive"
    assert outcome_of((BLOCKED_BREAKS,), {"loses-data"}, True, masked=True) == "false-negative"
    broken = ("catalogue.Category:create",)
    assert concerns("catalogue.Category.long_description (catalogue_category.x)", broken)
    assert concerns("catalogue.Category (catalogue_category)", broken)
    assert not concerns("catalogue.CategoryImage.title (catalogue_categoryimage.title)", broken)
    assert not concerns("catalogue.Product.title (catalogue_product.title)", broken)


def test_side_by_side_and_score_count_per_harm() -> None:
    verdicts = {
        "migrations": [
            {
                "app": "shop",
                "name": "0002",
                "operations": [
                    op(0, "blocked", "ZDT203", "fails-on-data"),
                    op(0, "blocked", "ZDT302", "locks"),
                    op(1, "blocked", "ZDT201", "breaks-old-code"),
                    op(2, "safe", None, None),
                    op(3, "safe", None, None),
                ],
            }
        ]
    }
    steps = [
        step(0, harms=("fails-on-data",)),
        step(1, reached=False),
        step(2, reached=False),
        step(3, reached=False),
    ]
    rows = side_by_side(verdicts, steps)
    assert [row.outcome for row in rows] == ["true-positive"] + ["not-reached"] * 3
    assert rows[0].verdict == "blocked"
    assert len(rows[0].predictions) == 2
    counts = score(rows)
    assert counts["operations"] == 4
    assert counts["blocked"] == 2
    assert counts["not_reached"] == 3
    assert counts["harms"]["fails-on-data"] == {
        "tp": 1,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
    }
    assert counts["harms"]["breaks-old-code"]["precision"] is None  # never judged: reached 0
    steps[1] = step(1)  # reached, and nothing happened: ZDT201 was a false alarm
    counts = score(side_by_side(verdicts, steps))
    assert counts["false_positives"] == 1
    assert counts["harms"]["breaks-old-code"] == {
        "tp": 0,
        "fp": 1,
        "fn": 0,
        "precision": 0.0,
        "recall": None,
    }


def op(index: int, verdict: str, rule: str | None, harm: str | None) -> dict[str, object]:
    return {
        "index": index,
        "operation": "AddField",
        "target": "shop.Item.code",
        "verdict": verdict,
        "rule": rule,
        "harm": harm,
    }


def step(index: int, harms: tuple[str, ...] = (), reached: bool = True) -> StepTruth:
    return StepTruth("shop", "0002", index, "AddField", "", reached=reached, harms=harms)
