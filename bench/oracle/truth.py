"""What really happens when the new release's migrations run under the old release's code.

On a scratch database of one vendor:

1. the old release migrates its own schema, then fills every model of its
   apps with rows its own ORM writes (model_bakery), and exercises its code
   once (a check that fails already here is the old code's own problem and
   is left out of the comparisons);
2. the old release records itself in the deploy ledger (``safe_migrate
   --mark-live``) and the new release judges its plan (``safe_migrate --check
   --format json``): the verdicts, taken before anything changes;
3. the new release applies its plan one operation at a time, and after each
   one the old release's process compares the rows it remembers, then
   exercises its code again (create, read, filter, update, delete of every
   model) and remembers the rows as they are now: what the exercise itself
   changed (cascades, signals, ``auto_now``) is never taken for the next
   operation's doing.

Per operation: a failure to apply is ``fails-on-data`` (and ends the plan:
the rest is not reached); a check that passed before and fails now is
``breaks-old-code``; a remembered row gone or value changed that was intact
before is ``loses-data``. ``locks`` is not measured here.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.oracle.process import OracleError, Release, worker
from bench.oracle.scratch import Server, scratch_database

BREAKS, FAILS, LOSES = "breaks-old-code", "fails-on-data", "loses-data"
ORACLE_HARMS = (BREAKS, FAILS, LOSES)


@dataclass(frozen=True)
class StepTruth:
    """What one operation of the plan did to the database and to the old code."""

    app: str
    migration: str
    index: int
    operation: str
    description: str
    reached: bool = True
    harms: tuple[str, ...] = ()
    failure: str | None = None  # the error applying it
    broken: dict[str, str] = field(default_factory=dict)  # old-code check -> its error
    lost: tuple[str, ...] = ()  # rows gone, values changed
    # Checks an earlier operation of the plan already broke: this one cannot break them again.
    masked: tuple[str, ...] = ()


@dataclass(frozen=True)
class OracleRun:
    """The truth of one upgrade on one vendor, with the verdicts of the same plan."""

    old: str
    new: str
    vendor: str
    verdicts: dict[str, Any]  # safe_migrate --check --format json, as printed
    steps: tuple[StepTruth, ...]
    baseline: dict[str, Any]  # fill failures, row counts, checks failing before any change

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def establish_truth(
    old: Release, new: Release, server: Server, *, rows: int = 3, seed: int = 1
) -> OracleRun:
    """Run the new release's plan under the old release's code on a scratch database."""
    with (
        tempfile.TemporaryDirectory(prefix="zdt_oracle_logs_") as logs,
        scratch_database(server) as database,
        worker(old, database, logs=Path(logs)) as old_code,
        worker(new, database, logs=Path(logs)) as new_code,
    ):
        old_code.answer("start", 300)
        new_code.answer("start", 300)
        old_code.request("migrate", args=[])
        filled = old_code.request("fill", rows=rows, seed=seed)
        checks = old_code.request("exercise", seed=seed)
        old_code.request("remember")
        failing = {check: error for check, error in checks.items() if failed(error)}
        marked = old_code.request("call", name="safe_migrate", args=["--mark-live", *release(old)])
        if marked["code"] != 0:
            raise OracleError(f"safe_migrate --mark-live failed in {old.name}: {marked}")
        judged = new_code.request(
            "call", name="safe_migrate", args=["--check", "--format", "json", *release(new)]
        )
        if not judged["stdout"].strip():
            raise OracleError(f"safe_migrate --check printed nothing in {new.name}: {judged}")
        verdicts = json.loads(judged["stdout"])
        plan = new_code.request("plan")
        steps = walk(plan, old_code, new_code, checks, seed)
        baseline = {"fill": filled, "failing_checks": failing}
        return OracleRun(old.name, new.name, server.vendor, verdicts, tuple(steps), baseline)


def failed(status: str | None) -> bool:
    """A check's status: None passed, "skipped: ..." could not run, anything else its error."""
    return bool(status) and not str(status).startswith("skipped")


def release(code: Release) -> list[str]:
    return ["--release", code.name]


def walk(
    plan: list[dict[str, Any]], old_code: Any, new_code: Any, checks: dict[str, Any], seed: int
) -> list[StepTruth]:
    """Apply each operation, then look at the old code and its rows; attribute what is new."""
    steps: list[StepTruth] = []
    lost_before: set[str] = set()
    baseline = checks
    for number, entry in enumerate(plan):
        masked = tuple(
            c for c, e in checks.items() if failed(e) and c in baseline and not failed(baseline[c])
        )
        applied = new_code.request("step")
        if applied["error"]:
            steps.append(StepTruth(**entry, harms=(FAILS,), failure=applied["error"]))
            steps += [StepTruth(**rest, reached=False) for rest in plan[number + 1 :]]
            break
        # Rows first, before the old code's own writes (cascades, signals) can touch them.
        lost = [loss for loss in old_code.request("compare") if loss not in lost_before]
        now = old_code.request("exercise", seed=seed + number + 1)
        old_code.request("remember")  # what the exercise wrote is not the next step's doing
        broken = {
            c: e for c, e in now.items() if failed(e) and c in checks and not failed(checks[c])
        }
        harms = tuple(h for h, seen in ((BREAKS, broken), (LOSES, lost)) if seen)
        steps.append(
            StepTruth(**entry, harms=harms, broken=broken, lost=tuple(lost), masked=masked)
        )
        checks = {c: e for c, e in now.items()}
        lost_before |= set(lost)
    return steps


__all__ = ["ORACLE_HARMS", "OracleError", "OracleRun", "StepTruth", "establish_truth"]
