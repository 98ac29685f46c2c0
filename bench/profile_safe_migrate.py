"""Where ``safe_migrate --check`` spends its time on the real history (bench/real_history).

Three fresh processes on an empty SQLite file, run under .venv-bench:

1. *phases*: the command runs with light wrappers around Django's and our
   functions; each wrapper charges the CPU time (``time.thread_time``) spent
   inside it, minus the wrappers nested in it, to its phase and to the kind of
   operation being judged (AddField, CreateModel...). ``migrate --plan`` is
   measured the same way, for comparison.
2. *cProfile*: top functions by own time and by cumulative time.
3. *pyinstrument*: the call tree (statistical, lower overhead).

Writes bench/results/safe_migrate_profile.txt. Nothing in django_zerodowntime
is changed: the wrappers are set from here, by module attribute, and a target
that no longer exists (after a refactor) is listed as missing, not fatal.
Usage: ``.venv-bench/bin/python bench/profile_safe_migrate.py``.
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "bench" / "real_history"
OUT = ROOT / "bench" / "results" / "safe_migrate_profile.txt"
COMMANDS = {
    "ours": ["safe_migrate", "--check", "--format", "json"],
    "plan": ["migrate", "--plan"],
}

# (module, attribute path, phase). Django's own functions first: they survive our refactors.
TARGETS = [
    ("django.core.management.base", "BaseCommand.check", "system checks"),
    (
        "django.db.migrations.loader",
        "MigrationLoader.build_graph",
        "loader: migration files, graph",
    ),
    ("django.db.migrations.executor", "MigrationExecutor.migration_plan", "migration_plan"),
    ("django.db.migrations.graph", "MigrationGraph.make_state", "state of applied migrations"),
    ("django_zerodowntime.safety.states", "render", "render model classes"),
    ("django.db.migrations.state", "StateApps.render_multiple", "render model classes"),
    ("django.db.migrations.state", "ModelState.clone", "copy ModelStates"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.schema_editor", "schema editor (SQL)"),
    (
        "django.core.management.commands.migrate",
        "Command.describe_operation",
        "migrate: describe operations",
    ),
    ("django_zerodowntime.safety.plan", "advance", "advance: state_forwards & bookkeeping"),
    ("django_zerodowntime.safety.judge", "advance", "advance: state_forwards & bookkeeping"),
    ("django_zerodowntime.safety.states", "Renders.group", "render: find related group"),
    ("django_zerodowntime.safety.plan", "safely_judged", "rules (judge)"),
    ("django_zerodowntime.safety.describe", "changes_schema", "describe.changes_schema"),
    ("django_zerodowntime.safety.describe", "target", "describe.target"),
    ("django_zerodowntime.safety.describe", "created", "describe.created"),
    ("django_zerodowntime.safety.judge", "emitted_sql", "schema editor (SQL)"),
    ("django_zerodowntime.safety.unapply", "emitted_sql", "schema editor (SQL)"),
    ("django_zerodowntime.migrate.run", "take_snapshot", "snapshot & ledger"),
    ("django_zerodowntime.ledger.fleet", "usage_check_for", "snapshot & ledger"),
    ("django_zerodowntime.ledger.install", "ledger_exists", "snapshot & ledger"),
    ("django_zerodowntime.migrate.report", "as_json", "report: build & print"),
    ("json", "dumps", "report: build & print"),
]


class Phases:
    """Exclusive CPU time per phase and per (operation kind, phase)."""

    def __init__(self) -> None:
        self.stack: list[str] = ["other (command, argument parsing...)"]
        self.kind: list[str] = ["-"]
        self.last = time.thread_time()
        self.by_phase: dict[str, float] = defaultdict(float)
        self.by_kind: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.ops: dict[str, int] = defaultdict(int)
        # Each render of a group of models: (operation kind, who asked, models, CPU seconds).
        self.renders: list[tuple[str, str, int, float]] = []

    def charge(self) -> None:
        now = time.thread_time()
        self.by_phase[self.stack[-1]] += now - self.last
        self.by_kind[(self.kind[-1], self.stack[-1])] += now - self.last
        self.last = now

    def wrap(self, function: Callable[..., Any], phase: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kind = operation_kind(args)
            self.charge()
            caller, began = self.stack[-1], time.thread_time()
            if phase == "render model classes" and caller == phase:
                return function(*args, **kwargs)  # render() -> render_multiple(): one render
            self.stack.append(phase)
            self.kind.append(kind or self.kind[-1])
            self.calls[phase] += 1
            if kind and phase.startswith("advance"):
                self.ops[kind] += 1
            try:
                return function(*args, **kwargs)
            finally:
                self.charge()
                self.stack.pop()
                self.kind.pop()
                if phase == "render model classes":
                    size = len(args[1]) if len(args) > 1 and isinstance(args[1], dict) else -1
                    seconds = time.thread_time() - began
                    self.renders.append((self.kind[-1], caller, size, seconds))

        return wrapper


def operation_kind(args: tuple[Any, ...]) -> str | None:
    """The operation a wrapped call is about: ``advance(state, op, ...)`` or ``rule(step)``."""
    for arg in args[:2]:
        operation = getattr(arg, "operation", None)
        if operation is not None and hasattr(operation, "state_forwards"):
            return type(operation).__name__
        if hasattr(arg, "state_forwards") and hasattr(arg, "reversible"):
            return type(arg).__name__
    return None


def install(phases: Phases) -> list[str]:
    missing = []
    for module_name, path, phase in TARGETS:
        try:
            owner: Any = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        except (ImportError, AttributeError, KeyError):
            missing.append(f"{module_name}.{path}")
            continue
        if isinstance(original, staticmethod):
            setattr(owner, name, staticmethod(phases.wrap(original.__func__, phase)))
        else:
            setattr(owner, name, phases.wrap(original, phase))
    return missing


def child(mode: str, command: str) -> None:
    """Inside the fresh process: set Django up, run the command, print the measurement."""
    sys.path.insert(0, str(PROJECT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    from django.core.management import call_command

    sink = io.StringIO()
    start_cpu = time.process_time()
    if mode == "phases":
        import django

        setup = time.thread_time()
        django.setup()
        setup = time.thread_time() - setup
        phases = Phases()
        missing = install(phases)
        call_command(*COMMANDS[command], stdout=sink, skip_checks=False)
        phases.charge()
        print(phase_table(command, phases, setup, time.process_time() - start_cpu, missing))
    elif mode == "cprofile":
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        import django

        django.setup()
        call_command(*COMMANDS[command], stdout=sink, skip_checks=False)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        print(trim(out.getvalue()))
    else:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        import django

        django.setup()
        call_command(*COMMANDS[command], stdout=sink, skip_checks=False)
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        print("\n".join(line for line in text.splitlines() if line.strip())[:40000])


def trim(text: str) -> str:
    """pstats output with site-packages paths shortened."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def phase_table(
    command: str, phases: Phases, setup: float, total: float, missing: list[str]
) -> str:
    lines = [f"== phases of {' '.join(COMMANDS[command])} (CPU seconds, exclusive) =="]
    lines.append(f"{'django.setup() (start-up)':<44} {setup:7.3f}")
    for phase, seconds in sorted(phases.by_phase.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.0005:
            lines.append(f"{phase:<44} {seconds:7.3f}  ({phases.calls.get(phase, 0)} calls)")
    lines.append(f"{'total CPU of the process (with wrappers)':<44} {total:7.3f}")
    if command == "ours":
        lines += ["", "== per operation kind: count, CPU seconds by phase (exclusive) =="]
        kinds: dict[str, dict[str, float]] = defaultdict(dict)
        for (kind, phase), seconds in phases.by_kind.items():
            if kind != "-":
                kinds[kind][phase] = seconds
        order = sorted(kinds, key=lambda k: -sum(kinds[k].values()))
        for kind in order:
            total_kind = sum(kinds[kind].values())
            count = phases.ops.get(kind, 0)
            top = sorted(kinds[kind].items(), key=lambda kv: -kv[1])[:4]
            shown = "; ".join(f"{p} {s:.3f}" for p, s in top if s >= 0.001)
            per = total_kind / count * 1000 if count else 0.0
            lines.append(
                f"{kind:<28} {count:4d} ops {total_kind:7.3f} s ({per:5.1f} ms/op): {shown}"
            )
    if phases.renders:
        lines += ["", *render_table(phases.renders)]
    if missing:
        lines += ["", "not measured (no longer exists): " + ", ".join(missing)]
    return "\n".join(lines)


def render_table(renders: list[tuple[str, str, int, float]]) -> list[str]:
    """Renders by who asked for them and by the size of the group rendered."""
    lines = ["== renders of model groups (states.render): by who asked =="]
    by_caller: dict[str, list[float]] = defaultdict(list)
    for _kind, caller, _size, seconds in renders:
        by_caller[caller].append(seconds)
    for caller, times in sorted(by_caller.items(), key=lambda kv: -sum(kv[1])):
        lines.append(f"{caller:<44} {len(times):5d} renders {sum(times):7.3f} s")
    lines += ["", "== renders by group size (models rendered together) =="]
    buckets = [(1, 1), (2, 3), (4, 7), (8, 15), (16, 31), (32, 63), (64, 10**6)]
    for low, high in buckets:
        chosen = [r for r in renders if low <= r[2] <= high]
        if chosen:
            seconds = sum(r[3] for r in chosen)
            models = sum(r[2] for r in chosen)
            label = f"{low}" if low == high else f"{low}-{high if high < 10**6 else 'more'}"
            lines.append(
                f"{label:>8} models: {len(chosen):5d} renders, {models:6d} model classes, "
                f"{seconds:7.3f} s ({seconds / models * 1000:.2f} ms per model class)"
            )
    whole = [r for r in renders if r[2] < 0]
    if whole:
        lines.append(f"   whole state: {len(whole):5d} renders, {sum(r[3] for r in whole):7.3f} s")
    return lines


def run_child(mode: str, command: str, database: Path) -> str:
    env = {**os.environ, "BENCH_DATABASE": str(database)}
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, command],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        sys.exit(f"{mode} {command} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        return
    with tempfile.TemporaryDirectory(prefix="zdt-profile-") as tmp:
        database = Path(tmp) / "empty.sqlite3"
        run_child("phases", "plan", database)  # warm the bytecode caches
        sections = [
            run_child("phases", "ours", database),
            run_child("phases", "plan", database),
            "== cProfile of safe_migrate --check --format json ==\n"
            + run_child("cprofile", "ours", database),
            "== cProfile of migrate --plan ==\n" + run_child("cprofile", "plan", database),
            "== pyinstrument of safe_migrate --check --format json ==\n"
            + run_child("pyinstrument", "ours", database),
        ]
    head = (
        f"Profile of safe_migrate --check on bench/real_history (empty SQLite), "
        f"written by bench/profile_safe_migrate.py; load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs; commit "
        + subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(head + "\n\n" + "\n\n".join(s.rstrip() for s in sections) + "\n")
    print(sections[0])
    print()
    print(sections[1])
    print(f"\nwrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
