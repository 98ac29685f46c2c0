"""What the planner's choices cost, and whether each keeps the report (issue 8).

Each variant patches ``django_zerodowntime.safety`` at run time (nothing in the
package is edited), runs ``safe_migrate --check --format json`` in a fresh
process on a history, counts the model classes rendered (the cost driver, free
of machine noise) and compares the output with that history's golden file byte
for byte:

- ``real``: bench/real_history (wagtail, oscar, allauth, guardian; .venv-bench);
- ``golden``: tests/golden_history (the default suite's guard), with its first
  migrations applied as tests/test_golden_history.py does.

Variants (combine with ``+``):

- ``base``: the code as it is;
- ``related``: every model rendered with all its direct relations and no render
  reused (what the planner does when DATABASE_ROUTERS is set, and did for every
  project before stage 2);
- ``no-share``: steps of effect ``State.SAME_RENDER`` (unique_together, removed
  indexes and constraints) render their model again;
- ``share-meta``: AlterModelOptions, AlterModelManagers, AlterModelTableComment,
  AddIndex, AddConstraint, AlterConstraint and RenameIndex reuse the render too:
  what stage 2 left out, since Django's render checks what they change (Meta keys,
  %-formatted names), so a hand-edited migration broken there would no longer be
  refused at its step.

Writes its table to bench/results/planner_variants.md.
Usage: ``.venv-bench/bin/python bench/planner_variants.py [--rounds N] VARIANT...``.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "bench" / "results" / "planner_variants.md"
HISTORIES = {
    "real": (ROOT / "bench" / "real_history", "bench_settings", "BENCH_DATABASE"),
    "golden": (ROOT, "tests.golden_history.settings", "GOLDEN_DATABASE"),
}
DEFAULT_VARIANTS = ["base", "related", "no-share", "share-meta"]
OPS = "django.db.migrations.operations.models."
META_KINDS = [
    OPS + name
    for name in (
        "AlterModelOptions",
        "AlterModelManagers",
        "AlterModelTableComment",
        "AddIndex",
        "AddConstraint",
        "AlterConstraint",
        "RenameIndex",
    )
]


def patch(variant: str) -> None:
    from django_zerodowntime.safety import operations, states

    chosen = variant.split("+")
    if "related" in chosen:
        init = states.Renders.__init__

        def routed(self: Any, routed: bool = False, budget: int = 2048) -> None:
            init(self, True, budget)

        states.Renders.__init__ = routed  # type: ignore[method-assign]
    if "no-share" in chosen:
        states.Renders.share = lambda self, before, after, key: False  # type: ignore[method-assign]
    if "share-meta" in chosen:
        for path in META_KINDS:
            kind = operations.KINDS[path]
            operations.KINDS[path] = dataclasses.replace(kind, state=operations.State.SAME_RENDER)
        operations._lookup.cache_clear()


def child(variant: str, golden: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    patch(variant)
    from django.db.migrations.state import ModelState

    rendered = [0]  # model classes rendered: the cost driver, and free of machine noise
    render_one = ModelState.render

    def counted(self: Any, apps: Any) -> Any:
        rendered[0] += 1
        return render_one(self, apps)

    ModelState.render = counted  # type: ignore[method-assign]
    out = io.StringIO()
    start = time.process_time()
    try:
        call_command("safe_migrate", "--check", "--format", "json", stdout=out, skip_checks=False)
    except Exception as error:  # the golden history is refused: exit 1 raises CommandError
        if "refused" not in str(error):
            raise
    cpu = time.process_time() - start
    expected = Path(golden).read_text()
    ours, theirs = json.loads(out.getvalue()), json.loads(expected)
    pairs = [
        (a, b)
        for m, n in zip(ours["migrations"], theirs["migrations"], strict=True)
        for a, b in zip(m["operations"], n["operations"], strict=False)
    ]
    print(
        json.dumps(
            {
                "cpu": cpu,
                "rendered": rendered[0],
                "identical": out.getvalue() == expected,
                "entries_differing": sum(1 for a, b in pairs if a != b),
                "verdicts_differing": sum(
                    1 for a, b in pairs if (a["verdict"], a["rule"]) != (b["verdict"], b["rule"])
                ),
            }
        )
    )


def run(history: str, variant: str, database: Path) -> dict[str, Any]:
    cwd, settings, variable = HISTORIES[history]
    golden = (
        cwd / "golden" / "check.json"
        if history == "real"
        else ROOT / "tests" / "golden_history" / "golden" / "check.json"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, variable: str(database)}
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), str(ROOT)])
    result = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(golden)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        sys.exit(f"{history} {variant} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def prepare_golden(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.test_golden_history import APPLIED, django

    result = django(database, "shell", "-c", APPLIED)
    if result.returncode != 0:
        sys.exit(result.stderr)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("variants", nargs="*", default=DEFAULT_VARIANTS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zdt-variants-") as tmp:
        databases = {"real": Path(tmp) / "real.sqlite3", "golden": Path(tmp) / "golden.sqlite3"}
        prepare_golden(databases["golden"])
        lines = [
            f"Planner variants (bench/planner_variants.py, {options.rounds} rounds, alternating; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the start)",
            "",
            "| variant | real: model classes rendered | real: CPU after django.setup() "
            "(median) | real: report | golden_history: report |",
            "|---|---:|---:|---|---|",
        ]
        print("\n".join(lines), flush=True)
        cpu: dict[str, list[float]] = {variant: [] for variant in options.variants}
        outcomes: dict[str, dict[str, Any]] = {}
        for _ in range(options.rounds):  # alternate variants so load hits each alike
            for variant in options.variants:
                outcomes[variant] = run("real", variant, databases["real"])
                cpu[variant].append(outcomes[variant]["cpu"])
        for variant in options.variants:
            golden = run("golden", variant, databases["golden"])
            line = (
                f"| {variant} | {outcomes[variant]['rendered']:,} "
                f"| {statistics.median(cpu[variant]):.2f} s "
                f"| {verdict(outcomes[variant])} | {verdict(golden)} |"
            )
            lines.append(line)
            print(line, flush=True)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULT.relative_to(ROOT)}")


def verdict(outcome: dict[str, Any]) -> str:
    if outcome["identical"]:
        return "identical"
    return (
        f"DIFFERS ({outcome['entries_differing']} entries, "
        f"{outcome['verdicts_differing']} verdicts)"
    )


if __name__ == "__main__":
    main()
