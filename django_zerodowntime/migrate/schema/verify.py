"""``safe_migrate --verify-schema``: the live schema against the applied migrations' state.

Exit status 0 when they agree, 1 with every difference when they do not.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections

from django_zerodowntime.migrate import planning, run
from django_zerodowntime.migrate.outcome import Console, ExitCode, Line, Outcome, Request
from django_zerodowntime.migrate.schema.drift import schema_drift
from django_zerodowntime.migrate.schema.model import Drift


def verify_schema(request: Request, console: Console) -> Outcome:
    run.prepare(request, console)
    drift = schema_drift(planning.executor_for(connections[request.database]))
    document = {"database": request.database, "drift": [d.as_json() for d in drift]}
    message = (
        f"database {request.database!r} has drifted from its applied migrations: "
        f"{len(drift)} difference(s)"
        if drift
        else ""
    )
    head = (
        f"Database {request.database!r} matches the state of its applied migrations."
        if not drift
        else f"Database {request.database!r} differs from its applied migrations:"
    )
    outcome = Outcome(
        ExitCode.REFUSED if drift else ExitCode.APPLIED,
        document,
        [[("", head)], *drift_lines(drift)],
        message,
    )
    console.report(outcome)
    return outcome


def drift_lines(drift: Sequence[Drift]) -> list[Line]:
    return [[("", "  "), ("error", item.describe())] for item in drift]
