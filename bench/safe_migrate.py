"""Benchmark: safe_migrate on a generated project of 50 apps x 40 migrations.

Side by side, in one run, on the same project and the same SQLite file (each
app's 0001 applied first, so the other 1,950 are judged against real tables):
  1. ``safe_migrate --check`` vs django-migration-linter's ``lintmigrations``
     (safe_migrate judges the 1,950 unapplied ones, the linter all 2,000);
  2. ``safe_migrate`` vs ``migrate`` when there is nothing to apply.
Each command runs in a fresh process (as a deploy script would run it);
rounds alternate so machine noise hits both sides. Prints a table of median
wall and CPU times and ratios.
Usage: ``python bench/safe_migrate.py [--rounds N] [--lint-rounds N]``.

Second workload (``--workload real``, default both): the real migration history
of wagtail, django-oscar, django-allauth and django-guardian, in
``bench/safe_migrate_real.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = 50
MIGRATIONS = 40

SETTINGS = """\
INSTALLED_APPS = ["django_zerodowntime", "django_migration_linter", {apps}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
SECRET_KEY = "bench"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "bench_urls"
ZERODOWNTIME = {{"RELEASE": "bench"}}
MIGRATION_LINTER_OPTIONS = {{"no_cache": True}}
"""


def operations(app: str, step: int, fields: list[str]) -> list[str]:
    """A mix of operation kinds; keeps ``fields`` (added, not yet removed) up to date."""
    ops: list[str] = []
    new = f"f{step}"
    if step % 6 == 1:
        ops.append(
            f"migrations.AddField('item', '{new}', models.IntegerField(default=0), "
            f"preserve_default=False)"
        )
    else:
        ops.append(
            f"migrations.AddField('item', '{new}', models.CharField(max_length=40, null=True))"
        )
    if step % 4 == 0 and len(fields) > 2:
        ops.append(f"migrations.RemoveField('item', '{fields.pop(0)}')")
    if step % 5 == 0 and fields:
        ops.append(
            f"migrations.AlterField('item', '{fields[-1]}', "
            f"models.CharField(max_length=80, null=True, help_text='x'))"
        )
    if step % 7 == 0:
        ops.append(
            f"migrations.AddIndex('item', models.Index(fields=['name'], name='{app}_i{step}'))"
        )
    if step % 9 == 0:
        ops.append("migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)")
    if step % 11 == 0:
        ops.append(f"migrations.RunSQL('UPDATE {app}_item SET name = name WHERE 1 = 0', '')")
    if step % 13 == 0 and fields:
        old = fields.pop()
        ops.append(f"migrations.RenameField('item', '{old}', '{old}r')")
        fields.append(f"{old}r")
    fields.append(new)
    return ops


def generate(base: Path) -> None:
    names = [f"app{i:02d}" for i in range(APPS)]
    for app in names:
        migrations = base / app / "migrations"
        migrations.mkdir(parents=True)
        (base / app / "__init__.py").write_text("")
        (migrations / "__init__.py").write_text("")
        fields: list[str] = []
        previous = None
        for step in range(1, MIGRATIONS + 1):
            name = f"{step:04d}_step"
            if step == 1:
                ops = [
                    "migrations.CreateModel('Item', [('id', models.BigAutoField(primary_key=True)),"
                    " ('name', models.CharField(max_length=100))])"
                ]
                deps = "[]"
            else:
                ops = operations(app, step, fields)
                deps = f"[('{app}', '{previous}')]"
            body = ",\n        ".join(ops)
            (migrations / f"{name}.py").write_text(
                "from django.db import migrations, models\n\n\n"
                "class Migration(migrations.Migration):\n"
                f"    dependencies = {deps}\n"
                f"    operations = [\n        {body},\n    ]\n"
            )
            previous = name
    apps = ", ".join(repr(n) for n in names)
    (base / "bench_settings.py").write_text(SETTINGS.format(apps=apps, db=str(base / "db.sqlite3")))
    (base / "bench_urls.py").write_text("urlpatterns = []\n")


def timed(base: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): CPU time resists a busy shared machine."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{base}{os.pathsep}{ROOT}",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed, cpu


Timing = tuple[float, float]  # median wall, median CPU


def compare(base: Path, rounds: int, left: list[str], right: list[str]) -> tuple[Timing, Timing]:
    runs: dict[str, list[tuple[float, float]]] = {"left": [], "right": []}
    for _ in range(rounds):
        runs["left"].append(timed(base, *left))
        runs["right"].append(timed(base, *right))
    return _median(runs["left"]), _median(runs["right"])


def _median(samples: list[tuple[float, float]]) -> Timing:
    return (
        statistics.median(wall for wall, _ in samples),
        statistics.median(cpu for _, cpu in samples),
    )


FIRST_MIGRATIONS = """
from django.core.management import call_command
for index in range({apps}):
    call_command("migrate", f"app{{index:02d}}", "0001", verbosity=0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workload",
        choices=["synthetic", "real", "both"],
        default="both",
        help="the generated project, the real history of bench/real_history, or both",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the no-op comparison")
    parser.add_argument(
        "--lint-rounds", type=int, default=1, help="rounds of --check vs lintmigrations (slow)"
    )
    parser.add_argument("--real-rounds", type=int, default=5, help="rounds on the real history")
    parser.add_argument(
        "--real-lint-rounds", type=int, default=3, help="of which with lintmigrations (slow)"
    )
    parser.add_argument(
        "--write-golden",
        action="store_true",
        help="rewrite bench/real_history/golden/ from this code instead of comparing with it",
    )
    options = parser.parse_args()
    if options.workload in ("real", "both"):
        sys.path.insert(0, str(ROOT / "bench"))
        import safe_migrate_real

        safe_migrate_real.main(options.real_rounds, options.real_lint_rounds, options.write_golden)
    if options.workload in ("synthetic", "both"):
        synthetic(options.rounds, options.lint_rounds)


def synthetic(rounds: int, lint_rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="zdt-bench-") as tmp:
        base = Path(tmp)
        generate(base)
        total = APPS * MIGRATIONS
        print(f"generated {APPS} apps x {MIGRATIONS} migrations = {total} in {base}", flush=True)
        # Each app's table exists (0001 applied): the other 1,950 are judged against it.
        timed(base, "shell", "-c", FIRST_MIGRATIONS.format(apps=APPS))
        check, lint = compare(
            base, lint_rounds, ["safe_migrate", "--check", "--format", "json"], ["lintmigrations"]
        )
        print(f"analyse all: safe_migrate --check {check}, lintmigrations {lint}", flush=True)
        print("migrating the project once with plain migrate...", flush=True)
        timed(base, "migrate", "--noinput")
        noop_safe, noop_plain = compare(base, rounds, ["safe_migrate"], ["migrate", "--noinput"])
        print(f"nothing to apply: safe_migrate {noop_safe}, migrate {noop_plain}", flush=True)
    print()
    print(
        f"| {total} migrations (medians of {lint_rounds} / {rounds} rounds) "
        "| safe_migrate wall / CPU | other wall / CPU | ratio (wall / CPU) |"
    )
    print("|---|---|---|---|")
    rows = [
        ("analyse all: `safe_migrate --check` vs `lintmigrations`", check, lint, True),
        ("nothing to apply: `safe_migrate` vs `migrate`", noop_safe, noop_plain, False),
    ]
    for label, ours, other, inverse in rows:
        ratios = [o / t if inverse else t / o for t, o in zip(ours, other, strict=True)]
        name = "other / safe_migrate" if inverse else "safe_migrate / migrate"
        print(
            f"| {label} | {ours[0]:.2f} s / {ours[1]:.2f} s | {other[0]:.2f} s / {other[1]:.2f} s "
            f"| {name} = {ratios[0]:.2f}x / {ratios[1]:.2f}x |"
        )


if __name__ == "__main__":
    main()
