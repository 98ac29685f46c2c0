"""The real-world corpus (bench/corpus.py) held to the oracle's targets.

The committed results (``bench/results/corpus.json``) must show, for the harms
the oracle sees, no false positive and no false negative on any vendor, except
the disagreements listed in ``ACCEPTED`` with the reason the oracle cannot
see them (docs/oracle.rst lists them too). Small real upgrades of the corpus also
run here (``slow``: each builds two virtualenvs with pip the first time; the
old code needs its own virtualenv, so none can run in the test suite's).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus import releases
from bench.corpus_project.upgrades import UPGRADES
from bench.oracle import Server, judge_upgrade
from bench.oracle.truth import ORACLE_HARMS
from tests.conftest import missing

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results" / "corpus.json"
DISAGREE = {"false-positive", "false-negative"}
# (upgrade, app, migration, operation index) -> why the oracle cannot see what the rule
# says (or says what the rule cannot), on every vendor where it shows.
ACCEPTED: dict[tuple[str, str, str, int], str] = {}


def disagreements(data: dict[str, object]) -> set[tuple[str, str, str, int]]:
    found = set()
    for upgrade in data["upgrades"]:  # type: ignore[attr-defined]
        for row in upgrade["rows"]:
            if row["outcome"] in DISAGREE:
                found.add((upgrade["name"], row["app"], row["migration"], row["index"]))
    return found


def test_committed_corpus_results_meet_the_targets() -> None:
    data = json.loads(RESULTS.read_text())["data"]
    assert {u["name"] for u in data["upgrades"]} == {u.name for u in UPGRADES}
    assert disagreements(data) - set(ACCEPTED) == set()


def test_every_accepted_disagreement_still_shows() -> None:
    """An entry the corpus no longer shows is stale: remove it (and its docs line)."""
    data = json.loads(RESULTS.read_text())["data"]
    assert set(ACCEPTED) - disagreements(data) == set()


# Small real upgrades that each hold a fix: axes (ZDT201), auditlog (ZDT206, text to JSON),
# oauth-toolkit (ZDT204 on a column added in the plan; a masked second break), celery-beat
# (the old code's own writes are not losses: a signal rewrites PeriodicTasks.last_update).
SMALL = ("axes", "auditlog", "oauth-toolkit", "celery-beat")


@pytest.mark.slow
@pytest.mark.parametrize("name", SMALL)
def test_a_real_upgrade_agrees_with_the_oracle_on_sqlite(name: str) -> None:
    """The old code in its own virtualenv, on SQLite: no false positive or negative."""
    upgrade = next(u for u in UPGRADES if u.name == name)
    try:
        old, new = releases(upgrade)
    except Exception as error:  # no pip, no index: the virtualenvs cannot be built
        missing(f"cannot build the corpus virtualenvs: {error}")
    judged = judge_upgrade(old, new, Server.local("sqlite"))
    assert judged.rows, "the upgrade has operations to judge"
    for harm in ORACLE_HARMS:
        assert judged.score["harms"][harm]["fp"] == 0, (harm, judged.score)
        assert judged.score["harms"][harm]["fn"] == 0, (harm, judged.score)
    if name == "axes":  # a harm the rules must foresee really happens
        assert "breaks-old-code" in {harm for row in judged.rows for harm in row.observed}
