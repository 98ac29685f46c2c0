"""Benchmark: safe_migrate on a generated project of 50 apps x 40 migrations.

Side by side, in one run, on the same project and the same SQLite file (each
app's 0001 applied first, so the other 1,950 are judged against real tables):
  1. ``safe_migrate --check`` vs django-migration-linter's ``lintmigrations``
     (safe_migrate judges the 1,950 unapplied ones, the linter all 2,000);
  2. ``safe_migrate`` vs ``migrate`` when there is nothing to apply.
Each command runs in a fresh process (as a deploy script would run it);
rounds alternate so machine noise hits both sides. An unexpected exit code
fails the bench, and so does output that does not say the work was done
(``safe_migrate --check`` must print a refusal in JSON judging all 1,950;
``lintmigrations`` exits 1 for its findings, so its summary must count
every migration). Raw wall and CPU times per round go to
bench/results/safe_migrate.json; bench/report.py makes the table.
Usage: ``python bench/safe_migrate.py [--rounds N] [--lint-rounds N] [--notes TEXT]``.

Second workload (``--workload real``; the default runs both): the real migration
history of wagtail, django-oscar, django-allauth and django-guardian, in
``bench/safe_migrate_real.py``; its results go to bench/results/safe_migrate_real.json.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.record import (  # noqa: E402
    ChildFailed,
    add_notes_option,
    parse_json,
    provenance,
    run_child,
    write_result,
)

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


def generate(base: Path) -> int:
    """Write the project; return how many operations its migrations hold."""
    names = [f"app{i:02d}" for i in range(APPS)]
    count = 0
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
            count += len(ops)
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
    return count


Sample = dict[str, float]  # {"wall": seconds, "cpu": seconds of the child}
Validate = Callable[[subprocess.CompletedProcess[str]], dict[str, Any]]


def timed(
    base: Path, args: list[str], expect: tuple[int, ...] = (0,), validate: Validate | None = None
) -> tuple[Sample, dict[str, Any]]:
    """Wall and CPU time of ``django-admin ARGS``; an unexpected exit or output fails the bench."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{base}{os.pathsep}{ROOT}",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = run_child([sys.executable, "-m", "django", *args], expect=expect, cwd=base, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    facts = validate(result) if validate else {}
    return {"wall": elapsed, "cpu": cpu}, facts


def refused_report(judged: int) -> Validate:
    """``safe_migrate --check --format json`` on this project: exit 1, a refusal, every
    unapplied migration judged (a crash also exits 1, but prints no such JSON)."""

    def validate(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
        report = parse_json(result.stdout, "safe_migrate --check --format json")
        # The generated apps' migrations, and the ledger's own ones (not applied yet).
        migrations = report.get("migrations", [])
        generated = sum(1 for m in migrations if m["app"].startswith("app"))
        operations = sum(len(m["operations"]) for m in migrations)
        if report.get("verdict") != "refused" or generated != judged:
            raise ChildFailed(
                f"safe_migrate --check judged {generated} generated migrations (expected "
                f"{judged}) with verdict {report.get('verdict')!r} (expected 'refused')"
            )
        blocked = sum(1 for m in migrations for o in m["operations"] if o["verdict"] == "blocked")
        return {"migrations": len(migrations), "operations": operations, "blocked": blocked}

    return validate


LINT_SUMMARY = re.compile(r"^(Valid|Erroneous) migrations: (\d+)/(\d+)$", re.MULTILINE)


def lint_summary(total: int) -> Validate:
    """``lintmigrations`` exits 1 when it finds errors (and when it crashes): its summary
    must be there and count every migration."""

    def validate(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
        found = {kind: (int(n), int(of)) for kind, n, of in LINT_SUMMARY.findall(result.stdout)}
        if set(found) != {"Valid", "Erroneous"} or found["Valid"][1] < total:
            raise ChildFailed(f"lintmigrations printed no full summary:\n{result.stdout[-2000:]}")
        return {"linted": found["Valid"][1], "erroneous": found["Erroneous"][0]}

    return validate


FIRST_MIGRATIONS = """
from django.core.management import call_command
for index in range({apps}):
    call_command("migrate", f"app{{index:02d}}", "0001", verbosity=0)
"""


def alternate(
    rounds: int, left: Callable[[], Sample], right: Callable[[], Sample]
) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {"left": [], "right": []}
    for _ in range(rounds):
        samples["left"].append(left())
        samples["right"].append(right())
    return samples


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
    add_notes_option(parser)
    options = parser.parse_args()
    if options.workload in ("real", "both"):
        from bench import safe_migrate_real

        safe_migrate_real.main(
            options.real_rounds, options.real_lint_rounds, options.write_golden, options.notes
        )
    if options.workload in ("synthetic", "both"):
        synthetic(options)


def synthetic(options: argparse.Namespace) -> None:
    environment = provenance(options.notes, ["django-migration-linter"])
    total, judged = APPS * MIGRATIONS, APPS * (MIGRATIONS - 1)
    facts: dict[str, Any] = {}

    def check(base: Path) -> Sample:
        sample, facts["check"] = timed(
            base, ["safe_migrate", "--check", "--format", "json"], (1,), refused_report(judged)
        )
        return sample

    def lint(base: Path) -> Sample:
        sample, facts["lint"] = timed(base, ["lintmigrations"], (0, 1), lint_summary(total))
        return sample

    with tempfile.TemporaryDirectory(prefix="zdt-bench-") as tmp:
        base = Path(tmp)
        operations = generate(base)
        print(f"generated {APPS} apps x {MIGRATIONS} migrations = {total} in {base}", flush=True)
        # Each app's table exists (0001 applied): the other 1,950 are judged against it.
        timed(base, ["shell", "-c", FIRST_MIGRATIONS.format(apps=APPS)])
        analyse = alternate(options.lint_rounds, lambda: check(base), lambda: lint(base))
        print(f"analyse all: {analyse}", flush=True)
        print("migrating the project once with plain migrate...", flush=True)
        timed(base, ["migrate", "--noinput"])
        noop = alternate(
            options.rounds,
            lambda: timed(base, ["safe_migrate"])[0],
            lambda: timed(base, ["migrate", "--noinput"])[0],
        )
        print(f"nothing to apply: {noop}", flush=True)
    data = {
        "apps": APPS,
        "migrations": total,
        "operations": operations,
        "judged": judged,
        "analyse": {"safe_migrate --check": analyse["left"], "lintmigrations": analyse["right"]},
        "nothing_to_apply": {"safe_migrate": noop["left"], "migrate": noop["right"]},
        "facts": facts,
    }
    # The workload first: the command line the report prints must redo this run only.
    bench_options = {
        "workload": "synthetic",
        "rounds": options.rounds,
        "lint_rounds": options.lint_rounds,
    }
    write_result("safe_migrate", environment, bench_options, data)


if __name__ == "__main__":
    main()
