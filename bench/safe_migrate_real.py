"""safe_migrate's second workload: the real migration history of bench/real_history.

wagtail, django-oscar, django-allauth and django-guardian (pinned in pyproject's
``bench`` extra, with Django 5.2) on an empty SQLite file: every migration is
judged. Side by side, one fresh process per command, the order rotating each
round so machine noise hits every side:

- ``start-up``: ``python -c "import django; django.setup()"`` with the same
  settings: the interpreter, the settings and every app's and model's import,
  which every ``manage.py`` command pays before its own work (no system checks:
  each command below runs them as part of its work);
- ``migrate --plan``: Django's own plan of the same history;
- ``safe_migrate --check --format json``: ours;
- ``lintmigrations --ignore-sqlmigrate-errors``: django-migration-linter. It
  runs on a migrated copy of the database: on an empty one ``sqlmigrate``
  stops at wagtaildocs.0006 (a ForeignKey default that queries
  wagtailcore_collection). It lints every migration file on disk either way.

The children may write Python bytecode whatever PYTHONDONTWRITEBYTECODE says: the
untimed first runs compile this checkout's modules, as installing the package
would, so no timed run pays for compiling them.

A child with an unexpected exit code, output that does not show the whole
history handled, or a report that differs from the golden files in
bench/real_history/golden/ (byte for byte, JSON and text) fails the bench:
the optimisation must not change one byte of the report. ``--write-golden``
rewrites those files from the code checked out. Raw wall and CPU times per
round go to bench/results/safe_migrate_real.json; bench/report.py makes the
tables (renderer ``safe_migrate_real``).
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.record import ChildFailed, check_exit, provenance, write_result  # noqa: E402

PROJECT = ROOT / "bench" / "real_history"
GOLDEN = PROJECT / "golden"
# What issue 8 measured on this history; ours is counted from the plan each run.
ISSUE_COUNTS = {"migrations": 351, "operations": 728}
PACKAGES = [
    "wagtail",
    "django-oscar",
    "django-allauth",
    "django-guardian",
    "django-taggit",
    "django-migration-linter",
]
STARTUP = ["-c", "import django; django.setup()"]
OURS = ["manage.py", "safe_migrate", "--check", "--format", "json"]
PLAN = ["manage.py", "migrate", "--plan"]
LINT = ["manage.py", "lintmigrations", "--ignore-sqlmigrate-errors"]
COMMANDS = {"startup": STARTUP, "plan": PLAN, "ours": OURS, "lint": LINT}


def run(args: list[str], database: Path, expect: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """Run one command of the bench project; wall and CPU seconds of the child, and its output."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_settings"}
    env["BENCH_DATABASE"] = str(database)
    # Compiled, as an installed package is (pip compiles at install): the untimed first runs
    # write the bytecode of this checkout, which would otherwise be compiled again in every
    # child where the environment sets PYTHONDONTWRITEBYTECODE (an editable install has none).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=3600
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    check_exit(result, expect)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 3), "cpu": round(cpu, 3), "stdout": result.stdout}


def plan_counts(stdout: str) -> dict[str, int]:
    """Migrations and operations in ``migrate --plan``'s output (one line each)."""
    lines = stdout.splitlines()
    if not lines or lines[0] != "Planned operations:":
        raise ChildFailed(f"migrate --plan printed no plan:\n{stdout[:2000]}")
    body = [line for line in lines[1:] if line.strip()]
    operations = sum(1 for line in body if line.startswith(" "))
    return {"migrations": len(body) - operations, "operations": operations}


def lint_counts(stdout: str) -> dict[str, int]:
    """The linter's summary; every migration must be counted in one of its four lines."""
    lines = {"valid": "Valid", "erroneous": "Erroneous", "warnings": "Migrations with warnings"}
    lines["ignored"] = "Ignored"
    found: dict[str, int] = {}
    for key, label in lines.items():
        match = re.search(rf"^{label}(?: migrations)?: (\d+)/(\d+)$", stdout, re.M)
        if match:
            found[key], found["linted"] = int(match[1]), int(match[2])
    if len(found) != 5 or sum(found[k] for k in lines) != found["linted"]:
        raise ChildFailed(f"lintmigrations did not lint every migration:\n{stdout[-2000:]}")
    return found


def golden_check(name: str, output: str, write: bool) -> None:
    path = GOLDEN / name
    if write:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(output)
        return
    if not path.exists():
        raise ChildFailed(f"no golden file {path}: run with --write-golden on main's code first")
    if path.read_text() != output:
        raise ChildFailed(
            f"safe_migrate --check output differs from {path.relative_to(ROOT)}: the report "
            "must stay byte-identical (diff it against the output of the same command)"
        )


def report_counts(document: dict[str, Any]) -> dict[str, Any]:
    operations = [op for m in document["migrations"] for op in m["operations"]]
    return {
        "migrations": len(document["migrations"]),
        "operations": len(operations),
        "verdicts": dict(Counter(op["verdict"] for op in operations)),
        "operation_kinds": dict(Counter(op["operation"] for op in operations).most_common()),
    }


def assert_empty(database: Path) -> None:
    tables = sqlite3.connect(database).execute("SELECT name FROM sqlite_master").fetchall()
    if tables:
        raise ChildFailed(f"the 'empty' database gained tables during the bench: {tables[:5]}")


def measure(rounds: int, lint_rounds: int, write_golden: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zdt-bench-real-") as tmp:
        empty, migrated = Path(tmp) / "empty.sqlite3", Path(tmp) / "migrated.sqlite3"
        if lint_rounds:
            print("migrating a copy of the history for the linter...", flush=True)
            run(["manage.py", "migrate", "--noinput", "-v0"], migrated)
        # Untimed first runs: the text report for the golden check, warm caches, bytecode.
        golden_check(
            "check.txt",
            run(["manage.py", "safe_migrate", "--check"], empty)["stdout"],
            write_golden,
        )
        counts = plan_counts(run(PLAN, empty)["stdout"])
        run(STARTUP, empty)
        per_round: list[dict[str, dict[str, float]]] = []
        report: dict[str, Any] = {}
        lint: dict[str, int] = {}
        for index in range(max(rounds, lint_rounds)):
            names = [n for n in COMMANDS if index < (lint_rounds if n == "lint" else rounds)]
            names = names[index % len(names) :] + names[: index % len(names)]
            this_round: dict[str, dict[str, float]] = {}
            for name in names:
                result = run(COMMANDS[name], migrated if name == "lint" else empty, (0, 1))
                if name == "ours":
                    golden_check("check.json", result["stdout"], write_golden and index == 0)
                    report = report_counts(json.loads(result["stdout"]))
                elif name == "plan" and plan_counts(result["stdout"]) != counts:
                    raise ChildFailed("migrate --plan changed between rounds")
                elif name == "lint":
                    lint = lint_counts(result["stdout"])
                this_round[name] = {"wall": result["wall"], "cpu": result["cpu"]}
            per_round.append(this_round)
            shown = ", ".join(f"{n} {s['cpu']:.2f} s CPU" for n, s in this_round.items())
            print(f"round {index + 1}: {shown}", flush=True)
        assert_empty(empty)
    if (report["migrations"], report["operations"]) != (counts["migrations"], counts["operations"]):
        raise ChildFailed(f"safe_migrate judged {report} but the plan holds {counts}")
    return {
        "history": {**counts, "issue_8": ISSUE_COUNTS, "report": report, "lint": lint},
        "golden": "identical to bench/real_history/golden/ (JSON and text)",
        "bytecode": "compiled by the untimed first runs, as an installed package is",
        "rounds": per_round,
    }


def main(rounds: int, lint_rounds: int, write_golden: bool, notes: str = "") -> None:
    environment = provenance(notes, PACKAGES)
    data = measure(rounds, lint_rounds, write_golden)
    if not lint_rounds:  # a quick golden check: keep the last full run's figures
        print("no lintmigrations round: bench/results/safe_migrate_real.json left as it was")
        return
    options = {"workload": "real", "real_rounds": rounds, "real_lint_rounds": lint_rounds}
    write_result("safe_migrate_real", environment, options, data)
