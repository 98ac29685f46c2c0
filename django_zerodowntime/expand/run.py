"""expand_contract from start to end: check the request, plan the step, write it, say what next."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import connections
from django.db.migrations.loader import MigrationLoader

from django_zerodowntime.expand import history, instructions, plan, writer
from django_zerodowntime.expand.plan import Request
from django_zerodowntime.expand.target import bad_input

VENDORS = {"postgresql": "PostgreSQL", "mysql": "MariaDB/MySQL", "sqlite": "SQLite"}


@dataclass(frozen=True)
class Written:
    path: Path
    lines: list[str]


def check_request(request: Request) -> None:
    if request.kind not in ("rename", "retype"):
        raise bad_input(f"unknown action {request.kind!r}: rename or retype")
    if request.step not in plan.STEPS:
        raise bad_input(f"unknown step {request.step!r}: {', '.join(plan.STEPS)}")
    if request.batch_size < 1:
        raise bad_input(f"--batch-size must be 1 or more, not {request.batch_size}")
    if request.database not in connections:
        raise bad_input(f"no database {request.database!r} in DATABASES")
    vendor = connections[request.database].vendor
    if vendor not in VENDORS:
        raise bad_input(
            f"database {request.database!r} is {vendor}: expand_contract writes triggers for "
            f"{', '.join(VENDORS.values())} only"
        )


def expand_contract(request: Request) -> Written:
    """Write the migration of ``request.step``; raises ExitError (BAD_INPUT) before writing."""
    check_request(request)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    change = plan.resolve(loader, request)
    history.check_order(change, history.done_steps(loader, change), request.step)
    operations, atomic = plan.operations(change, request.step, request.batch_size)
    name = writer.migration_name(loader, change, request.step, request.name)
    writer.leaf(loader, change.app_label)  # refuse before writing anything
    path = writer.write(loader, change, name, operations, atomic)
    shown = display_path(path)
    return Written(path, instructions.lines(change, request.step, shown, request.batch_size))


def display_path(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
