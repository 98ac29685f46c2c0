"""The oracle: safe_migrate's verdicts proven against what really happens.

Given two releases of a project, the old one serving and the new one about
to migrate, and a database vendor, the oracle establishes on a scratch
database what each operation of the new release's plan really does to the old
release's code and rows, and puts safe_migrate's verdicts beside it::

    from bench.oracle import Release, Server, judge_upgrade

    old = Release("oscar-4.0", "/venvs/oscar-4.0/bin/python", "sandbox.settings",
                  apps=("address", "order"), pythonpath=("/src/oscar-4.0/sandbox",))
    new = Release("oscar-4.2.1", "/venvs/oscar-4.2.1/bin/python", "sandbox.settings",
                  apps=("address", "order"), pythonpath=("/src/oscar-4.2.1/sandbox",))
    upgrade = judge_upgrade(old, new, Server.local("postgresql"))
    upgrade.rows    # one Row per operation: verdict, predicted harms, observed harms, outcome
    upgrade.score   # counts and precision / recall per harm (score.score)
    upgrade.as_json()  # what a bench writes into bench/results/<bench>.json

Each release runs in processes of its own (its Python, its settings module,
its migrations); its virtualenv needs Django, model_bakery and the
dependencies of django_zerodowntime (this checkout is put on its path). The
scratch database is named, created and dropped by the oracle, even when the
run is interrupted; it never touches another (``scratch.py``).

Modules: ``truth.py`` (what happens, step by step), ``worker.py`` (the script
each release runs), ``process.py`` (``Release`` and its worker process),
``scratch.py`` (scratch databases, ``Server``), ``score.py`` (verdicts beside
the truth, precision and recall: pure). ``docs/oracle.rst`` says what the
oracle sees and what it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.oracle.process import OracleError, Release
from bench.oracle.score import Row, score, side_by_side
from bench.oracle.scratch import Server
from bench.oracle.truth import ORACLE_HARMS, OracleRun, StepTruth, establish_truth


@dataclass(frozen=True)
class Upgrade:
    """One upgrade on one vendor: the oracle's run, the rows side by side, the score."""

    run: OracleRun
    rows: tuple[Row, ...]
    score: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.run.old,
            "new": self.run.new,
            "vendor": self.run.vendor,
            "score": self.score,
            "rows": [row.as_json() for row in self.rows],
            "baseline": self.run.baseline,
            "steps": [step for step in self.run.as_json()["steps"]],
        }


def judge_upgrade(
    old: Release, new: Release, server: Server, *, rows: int = 3, seed: int = 1
) -> Upgrade:
    """The truth of ``new``'s plan under ``old``'s code on ``server``, beside the verdicts."""
    run = establish_truth(old, new, server, rows=rows, seed=seed)
    table = tuple(side_by_side(run.verdicts, run.steps))
    return Upgrade(run, table, score(table))


__all__ = [
    "ORACLE_HARMS",
    "OracleError",
    "OracleRun",
    "Release",
    "Row",
    "Server",
    "StepTruth",
    "Upgrade",
    "establish_truth",
    "judge_upgrade",
    "score",
    "side_by_side",
]
