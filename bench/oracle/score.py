"""Verdicts beside the truth, per operation, and how well they agree: pure functions.

``side_by_side(verdicts, steps)`` pairs each operation of safe_migrate's JSON
document with what the oracle saw it do; ``score(rows)`` counts, for each harm
the oracle can see (``breaks-old-code``, ``fails-on-data``, ``loses-data``):

- true positive: a blocked or warning finding of the operation predicts the
  harm, and it happens;
- false positive: a *blocked* finding predicts the harm and it does not
  happen (a warning that does not come true is counted apart: it stops nothing);
- false negative: the harm happens and no finding of the operation predicts it.

Precision is tp / (tp + fp), recall tp / (tp + fn); None when undefined.
``locks`` is not seen by the oracle: an operation blocked only for locks is
``unverifiable``, and so is one blocked for ``breaks-old-code`` when an earlier
operation of the plan already broke the old code's checks on the same model
(``masked``: the second break cannot show). Operations after one that failed
are ``not reached``.

Each row's ``outcome`` sums it up for one operation: ``false-negative``,
``false-positive`` (blocked, and no blocked finding's harm happened, none of
them for locks), ``unverifiable`` (blocked or warned for locks, nothing the
oracle sees happened), ``true-positive``, ``warned`` (a warning only, whose
harm did not happen), ``true-negative``, ``not-reached``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.oracle.truth import BREAKS, ORACLE_HARMS, StepTruth

LOCKS = "locks"


@dataclass(frozen=True)
class Prediction:
    verdict: str  # "safe", "warning" or "blocked"
    rule: str | None
    harm: str | None


@dataclass(frozen=True)
class Row:
    """One operation: what safe_migrate said and what the oracle saw."""

    app: str
    migration: str
    index: int
    operation: str
    target: str
    verdict: str  # the worst of its findings
    predictions: tuple[Prediction, ...]
    observed: tuple[str, ...]
    reached: bool
    outcome: str
    evidence: str  # the failure, the first broken check or loss: why the oracle says so
    # An earlier operation already broke the old code's checks on this model: a break this
    # one would cause cannot show.
    masked: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


ORDER = {"safe": 0, "warning": 1, "blocked": 2}


def predicted(row_predictions: Iterable[Prediction], *verdicts: str) -> set[str]:
    return {p.harm for p in row_predictions if p.harm and p.verdict in verdicts}


def outcome_of(
    predictions: Sequence[Prediction], observed: set[str], reached: bool, masked: bool = False
) -> str:
    if not reached:
        return "not-reached"
    if observed - predicted(predictions, "blocked", "warning"):
        return "false-negative"
    blocked = predicted(predictions, "blocked")
    if blocked & observed or predicted(predictions, "warning") & observed:
        return "true-positive"
    if blocked:
        hidden = masked and BREAKS in blocked
        return "unverifiable" if LOCKS in blocked or hidden else "false-positive"
    warned = predicted(predictions, "warning")
    if warned:
        return "unverifiable" if warned == {LOCKS} else "warned"
    return "true-negative"


def evidence(step: StepTruth | None) -> str:
    if step is None:
        return "the oracle has no such operation"
    if step.failure:
        return step.failure
    if step.broken:
        check, error = next(iter(step.broken.items()))
        return f"{check}: {error}"
    return step.lost[0] if step.lost else ""


def concerns(target: str, checks: Iterable[str]) -> bool:
    """Whether one of ``checks`` ("app.Model:create") is on the model of ``target``
    ("app.Model.field (table.column)", "app.Model (table)")."""
    name = target.split(" ")[0]
    return any(name == c.split(":")[0] or name.startswith(c.split(":")[0] + ".") for c in checks)


def side_by_side(verdicts: Mapping[str, Any], steps: Sequence[StepTruth]) -> list[Row]:
    """One row per operation of the plan, verdicts (safe_migrate --format json) beside truth."""
    truth = {(s.app, s.migration, s.index): s for s in steps}
    rows: list[Row] = []
    for migration in verdicts["migrations"]:
        by_index: dict[int, list[dict[str, Any]]] = {}
        for op in migration["operations"]:
            by_index.setdefault(op["index"], []).append(op)
        for index, findings in by_index.items():
            step = truth.get((migration["app"], migration["name"], index))
            predictions = tuple(
                Prediction(f["verdict"], f["rule"], f.get("harm")) for f in findings
            )
            observed = set(step.harms) if step else set()
            reached = step is not None and step.reached
            masked = step is not None and concerns(findings[0]["target"], step.masked)
            rows.append(
                Row(
                    app=migration["app"],
                    migration=migration["name"],
                    index=index,
                    operation=findings[0]["operation"],
                    target=findings[0]["target"],
                    verdict=max((f["verdict"] for f in findings), key=ORDER.__getitem__),
                    predictions=predictions,
                    observed=tuple(sorted(observed)),
                    reached=reached,
                    outcome=outcome_of(predictions, observed, reached, masked),
                    evidence=evidence(step),
                    masked=masked,
                )
            )
    return rows


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def score(rows: Iterable[Row]) -> dict[str, Any]:
    """Counts per verdict and outcome, and tp/fp/fn, precision and recall per harm."""
    rows = list(rows)
    reached = [row for row in rows if row.reached]
    per_harm: dict[str, dict[str, Any]] = {}
    for harm in ORACLE_HARMS:
        tp = fp = fn = 0
        for row in reached:
            happened = harm in row.observed
            foreseen = harm in predicted(row.predictions, "blocked", "warning")
            tp += happened and foreseen
            fn += happened and not foreseen
            hidden = row.masked and harm == BREAKS
            fp += not happened and not hidden and harm in predicted(row.predictions, "blocked")
        per_harm[harm] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": ratio(tp, tp + fp),
            "recall": ratio(tp, tp + fn),
        }
    outcomes = [row.outcome for row in rows]
    return {
        "operations": len(rows),
        "blocked": sum(row.verdict == "blocked" for row in rows),
        "warnings": sum(row.verdict == "warning" for row in rows),
        "false_positives": outcomes.count("false-positive"),
        "false_negatives": outcomes.count("false-negative"),
        "unverifiable": outcomes.count("unverifiable"),
        "not_reached": outcomes.count("not-reached"),
        "harms": per_harm,
    }
