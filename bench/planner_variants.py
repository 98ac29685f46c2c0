"""Evidence for issue 8 stage 2: what cheaper rendering would save, and whether it keeps the report.

Each variant patches the planner of ``django_zerodowntime.safety.states`` at run
time (nothing in the package is edited), runs ``safe_migrate --check --format
json`` in a fresh process on a history, and compares the output with that
history's golden file byte for byte:

- ``real``: bench/real_history (wagtail, oscar, allauth, guardian; .venv-bench);
- ``golden``: tests/golden_history (the default suite's guard), with its first
  migrations applied as tests/test_golden_history.py does.

Variants (combine with ``+``):

- ``base``: the code as it is;
- ``small``: a model is rendered with its forward relations, bases, and only the
  models pointing at it through a ManyToManyField (not every ForeignKey
  pointing at it: reverse ForeignKeys add no column and no table to it);
- ``local``: a model is rendered with its bases only, every relation left
  pending. NOT safe (M2M tables vanish); shows the floor;
- ``reuse``: an operation that changes only Meta options (indexes,
  constraints, ordering, unique_together...) reuses the model class rendered
  before it instead of rendering again.

- ``fields``: a field is looked up among the model's forward fields
  (``_meta.fields``, ``_meta.many_to_many``) instead of ``get_fields(include_hidden=True)``,
  which builds the reverse-relation tree of the whole rendered group;
- ``unrendered``: whether an AlterField runs DDL (``describe.changes_schema``) is
  decided on the two ModelStates' Field objects, without rendering either model.

These patches copy internals of today's states.py and will break once stage 2
restructures it: they are measurements, not code to keep.
Writes its table to bench/results/planner_variants.md.
Usage: ``.venv-bench/bin/python bench/planner_variants.py [--rounds N] VARIANT...``.
"""

from __future__ import annotations

import argparse
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
DEFAULT_VARIANTS = [
    "base",
    "small",
    "reuse",
    "fields",
    "unrendered",
    "small+reuse",
    "small+reuse+fields+unrendered",
    "local",
    "local+reuse+fields+unrendered",
]
OPTIONS_ONLY = {
    "AlterModelOptions",
    "AlterModelManagers",
    "AlterUniqueTogether",
    "AlterIndexTogether",
    "AddIndex",
    "RemoveIndex",
    "RenameIndex",
    "AddConstraint",
    "RemoveConstraint",
    "AlterConstraint",
}


def with_bases(state: Any, members: set[tuple[str, str]]) -> set[tuple[str, str]]:
    from django.db.migrations.utils import resolve_relation

    todo = list(members)
    while todo:
        model_state = state.models.get(todo.pop())
        if model_state is None:
            continue
        for base in (b for b in model_state.bases if isinstance(b, str)):
            parent = resolve_relation(base, model_state.app_label)
            if parent not in members:
                members.add(parent)
                todo.append(parent)
    return members


def small_group(renders: Any, state: Any, key: tuple[str, str]) -> set[tuple[str, str]]:
    from django.db.migrations.utils import resolve_relation

    members = {key}
    for other, model_state in state.models.items():
        targets = renders.targets(other, model_state)
        if other == key:
            members |= targets
        elif key in targets and any(
            getattr(field, "many_to_many", False)
            and resolve_relation(field.remote_field.model, *other) == key
            for field in model_state.fields.values()
        ):
            members.add(other)
    return with_bases(state, members)


def patch(variant: str) -> None:
    from django_zerodowntime.safety import plan, states

    groups = {
        "small": small_group,
        "local": lambda renders, state, key: with_bases(state, {key}),
    }
    chosen = [groups[name] for name in variant.split("+") if name in groups]
    if chosen:
        render_model = states.Renders.model

        def model(self: Any, state: Any, key: tuple[str, str]) -> Any:
            # Only the render uses the smaller group; RenameField's copies keep the full one.
            self.group = lambda s, k: chosen[0](self, s, k)
            try:
                return render_model(self, state, key)
            finally:
                del self.group

        states.Renders.model = model  # type: ignore[method-assign]
    if "fields" in variant.split("+"):
        from django_zerodowntime.safety import describe, field_rules, identity

        def forward_field(model: Any, name: str) -> Any:
            if model is None:
                return None
            for field in (*model._meta.fields, *model._meta.many_to_many):
                if field.name == name and not field.auto_created:
                    return field
            return None

        for module in (identity, describe, field_rules):
            module.model_field = forward_field  # type: ignore[attr-defined]
    if "unrendered" in variant.split("+"):
        from django_zerodowntime.safety import columns, describe

        runs_ddl = describe.runs_ddl

        def unrendered_ddl(step: Any) -> bool:
            op = step.operation
            if type(op).__name__ != "AlterField":
                return runs_ddl(step)
            key = (step.app_label, op.model_name_lower)
            old_state, new_state = step.before.models.get(key), step.after.models.get(key)
            if old_state is None or new_state is None:
                return True
            old, new = old_state.fields.get(op.name), new_state.fields.get(op.name)
            if old is None or new is None:
                return True
            old, new = old.clone(), new.clone()
            old.set_attributes_from_name(op.name)
            new.set_attributes_from_name(op.name)
            return not columns.metadata_only(old, new)

        describe.runs_ddl = unrendered_ddl  # type: ignore[attr-defined]
    if "reuse" in variant.split("+"):
        advance = states.advance

        def reusing(state: Any, operation: Any, app_label: str) -> Any:
            kind = type(operation).__name__
            managed = kind == "AlterModelOptions" and "managed" in operation.options
            if kind in OPTIONS_ONLY and isinstance(state, states.PlanState) and not managed:
                name = getattr(operation, "model_name_lower", None) or operation.name_lower
                touched = (app_label, name)
                if touched in state.models:
                    before = state.model(*touched)
                    after = state.derive({touched})
                    operation.state_forwards(app_label, after)
                    after.rendered[touched] = before
                    return after
            return advance(state, operation, app_label)

        plan.advance = reusing  # type: ignore[attr-defined]


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
