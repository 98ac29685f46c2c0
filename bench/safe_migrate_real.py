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

A child with an unexpected exit code, output that does not show the whole
history handled, or a report that differs from the golden files in
bench/real_history/golden/ (byte for byte, JSON and text) fails the bench:
the optimisation must not change one byte of the report. ``--write-golden``
rewrites those files from the code checked out.
"""

from __future__ import annotations

import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "bench" / "real_history"
GOLDEN = PROJECT / "golden"
# What issue 8 measured on this history; ours is counted from the plan each run.
ISSUE_COUNTS = {"migrations": 351, "operations": 728}
STARTUP = ["-c", "import django; django.setup()"]
OURS = ["manage.py", "safe_migrate", "--check", "--format", "json"]
PLAN = ["manage.py", "migrate", "--plan"]
LINT = ["manage.py", "lintmigrations", "--ignore-sqlmigrate-errors"]


class BenchFailed(SystemExit):
    """A child crashed, did not do the whole job, or the report changed."""


def run(args: list[str], database: Path, expect: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """Run one command of the bench project; wall and CPU seconds of the child, and its output."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_settings"}
    env["BENCH_DATABASE"] = str(database)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=3600
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in expect:
        raise BenchFailed(
            f"{' '.join(args)} exited {result.returncode} (expected {expect}):\n"
            f"{result.stderr[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "stdout": result.stdout}


def plan_counts(stdout: str) -> dict[str, int]:
    """Migrations and operations in ``migrate --plan``'s output (one line each)."""
    lines = stdout.splitlines()
    if not lines or lines[0] != "Planned operations:":
        raise BenchFailed(f"migrate --plan printed no plan:\n{stdout[:2000]}")
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
        raise BenchFailed(f"lintmigrations did not lint every migration:\n{stdout[-2000:]}")
    return found


def golden_check(name: str, output: str, write: bool) -> None:
    path = GOLDEN / name
    if write:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(output)
        return
    if not path.exists():
        raise BenchFailed(f"no golden file {path}: run with --write-golden on main's code first")
    if path.read_text() != output:
        raise BenchFailed(
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
        raise BenchFailed(f"the 'empty' database gained tables during the bench: {tables[:5]}")


def summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    if not samples:
        return {"median_wall": None, "median_cpu": None, "samples": []}
    return {
        "median_wall": statistics.median(s["wall"] for s in samples),
        "median_cpu": statistics.median(s["cpu"] for s in samples),
        "samples": [{"wall": round(s["wall"], 3), "cpu": round(s["cpu"], 3)} for s in samples],
    }


def ratios(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(rounds: int, lint_rounds: int, write_golden: bool) -> dict[str, Any]:
    import json

    with tempfile.TemporaryDirectory(prefix="zdt-bench-real-") as tmp:
        empty, migrated = Path(tmp) / "empty.sqlite3", Path(tmp) / "migrated.sqlite3"
        if lint_rounds:
            print("migrating a copy of the history for the linter...", flush=True)
            run(["manage.py", "migrate", "--noinput", "-v0"], migrated)
        # Untimed first runs: the text report for the golden check, and warm caches.
        text = run(["manage.py", "safe_migrate", "--check"], empty)["stdout"]
        golden_check("check.txt", text, write_golden)
        counts = plan_counts(run(PLAN, empty)["stdout"])
        run(STARTUP, empty)
        commands = {"startup": STARTUP, "plan": PLAN, "ours": OURS, "lint": LINT}
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        per_round: list[dict[str, dict[str, float]]] = []
        report: dict[str, Any] = {}
        lint: dict[str, int] = {}
        for index in range(max(rounds, lint_rounds)):
            names = [n for n in commands if index < (lint_rounds if n == "lint" else rounds)]
            names = names[index % len(names) :] + names[: index % len(names)]
            this_round: dict[str, dict[str, float]] = {}
            for name in names:
                result = run(commands[name], migrated if name == "lint" else empty, (0, 1))
                if name == "ours":
                    golden_check("check.json", result["stdout"], write_golden and index == 0)
                    report = report_counts(json.loads(result["stdout"]))
                elif name == "plan":
                    if plan_counts(result["stdout"]) != counts:
                        raise BenchFailed("migrate --plan changed between rounds")
                elif name == "lint":
                    lint = lint_counts(result["stdout"])
                sample = {"wall": result["wall"], "cpu": result["cpu"]}
                samples[name].append(sample)
                this_round[name] = sample
            per_round.append(this_round)
            shown = ", ".join(f"{n} {s['cpu']:.2f} s CPU" for n, s in this_round.items())
            print(f"round {index + 1}: {shown}", flush=True)
        assert_empty(empty)
    if (report["migrations"], report["operations"]) != (counts["migrations"], counts["operations"]):
        raise BenchFailed(f"safe_migrate judged {report} but the plan holds {counts}")
    return {
        "history": {**counts, "issue_8": ISSUE_COUNTS, "report": report, "lint": lint},
        "commands": {name: summary(values) for name, values in samples.items()},
        "ratios": compute_ratios(per_round),
    }


def compute_ratios(per_round: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    """Per round (same machine state), then median and range over rounds."""
    out: dict[str, Any] = {}
    if not any("lint" in sample for sample in per_round):
        return out  # --real-lint-rounds 0: only the golden check and the plan comparison
    for measure_name in ("cpu", "wall"):
        lint_vs_ours, ours_vs_plan = [], []
        for sample in per_round:
            start = sample["startup"][measure_name]
            ours = sample["ours"][measure_name]
            if "lint" in sample:
                lint_vs_ours.append((sample["lint"][measure_name] - start) / (ours - start))
            ours_vs_plan.append(ours / sample["plan"][measure_name])
        out[measure_name] = {
            "lint_net_over_ours_net": ratios(lint_vs_ours),
            "ours_over_plan": ratios(ours_vs_plan),
        }
    return out


def table(result: dict[str, Any]) -> str:
    history, commands = result["history"], result["commands"]
    rows = [
        f"real history: {history['migrations']} migrations, {history['operations']} operations "
        f"(issue 8 counted {ISSUE_COUNTS['migrations']} / {ISSUE_COUNTS['operations']}); "
        f"the linter lints {history['lint'].get('linted', '?')} migration files",
        "",
        "| command | median wall | median CPU | rounds |",
        "|---|---:|---:|---:|",
    ]
    labels = {
        "startup": "start-up (`django.setup()`)",
        "plan": "`migrate --plan`",
        "ours": "`safe_migrate --check --format json`",
        "lint": "`lintmigrations --ignore-sqlmigrate-errors`",
    }
    for name, label in labels.items():
        c = commands[name]
        if not c["samples"]:
            continue
        median_wall, median_cpu, count = c["median_wall"], c["median_cpu"], len(c["samples"])
        rows.append(f"| {label} | {median_wall:.2f} s | {median_cpu:.2f} s | {count} |")
    if not result["ratios"]:
        return "\n".join([*rows, "", "(no lintmigrations round: no ratios)"])
    cpu, wall = result["ratios"]["cpu"], result["ratios"]["wall"]
    rows += [
        "",
        "| ratio (per round, median [min-max]) | CPU | wall | target |",
        "|---|---|---|---|",
    ]
    for key, label, target in (
        ("lint_net_over_ours_net", "linter / ours, net of start-up", ">= 10x"),
        ("ours_over_plan", "ours / `migrate --plan`", "<= 2x"),
    ):
        c, w = cpu[key], wall[key]
        rows.append(
            f"| {label} | {c['median']:.2f}x [{c['min']:.2f}-{c['max']:.2f}] "
            f"| {w['median']:.2f}x [{w['min']:.2f}-{w['max']:.2f}] | {target} |"
        )
    return "\n".join(rows)


def environment() -> dict[str, Any]:
    import datetime
    import platform
    from importlib import metadata

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip()

    packages = ("django", "wagtail", "django-oscar", "django-allauth", "django-guardian")
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "versions": {
            name: metadata.version(name)
            for name in (*packages, "django-taggit", "django-migration-linter")
        },
        "cpu_count": os.cpu_count(),
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
    }


def write_results(workload: str, env: dict[str, Any], options: dict[str, Any], data: Any) -> Path:
    """bench/results/safe_migrate.json, keeping the other workload's figures if present."""
    import json

    path = ROOT / "bench" / "results" / "safe_migrate.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {"bench": "safe_migrate", "workloads": {}}
    if path.exists():
        document = json.loads(path.read_text())
    env = {**env, "load_average_end": [round(v, 2) for v in os.getloadavg()]}
    document.setdefault("workloads", {})[workload] = {
        "environment": env,
        "options": options,
        "data": data,
    }
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return path


def main(rounds: int, lint_rounds: int, write_golden: bool) -> None:
    env = environment()
    data = measure(rounds, lint_rounds, write_golden)
    options = {"rounds": rounds, "lint_rounds": lint_rounds}
    print()
    print(table(data))
    if not lint_rounds:  # a quick golden check: keep the last full run's figures
        print("\nno lintmigrations round: bench/results/safe_migrate.json left as it was")
        return
    path = write_results("real_history", env, options, data)
    print(f"\nwrote {path.relative_to(ROOT)}", flush=True)
