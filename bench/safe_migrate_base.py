"""What ``--base`` costs: ``safe_migrate --check --base REF`` on the real history of issue 8.

The project is bench/real_history (wagtail, django-oscar, django-allauth and
django-guardian on Django 5.2: 351 migrations), copied into a temporary git
repository with one app of the project's own, ``store``. The base commit
(``main``) has ``store.0001`` and models that read ``sku``; the change commit
drops ``sku`` and adds ``color`` (``store.0002``), as a pull request would.
Side by side, one fresh process per command, the order rotating each round:

- ``check``: ``safe_migrate --check --format json`` on an empty SQLite file:
  every migration of the history judged (issue 8's workload);
- ``base``: ``safe_migrate --check --base main --format json``: main's
  history applied on a scratch SQLite file, the change judged against it;
- ``check_at_base``: ``safe_migrate --check --format json`` on a copy of a
  database migrated to main (made once, untimed): the same judgement with the
  applied state already there.

The goal (issue 12): ``base`` adds at most the cost of one ``check`` to the
check it replaces, that is ``base - check_at_base <= check``. A run whose
``base`` report is not exactly the refusal of the ``sku`` drop fails the bench.
Raw wall and CPU seconds (the child's and its children's, the subprocess
``--base`` starts included) go to bench/results/safe_migrate_base.json.

    .venv-bench/bin/python bench/safe_migrate_base.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.record import (  # noqa: E402
    ChildFailed,
    add_notes_option,
    check_exit,
    parse_json,
    provenance,
    write_result,
)

PROJECT = ROOT / "bench" / "real_history"
SETTINGS = """\
from bench_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "store"]  # noqa: F405
ZERODOWNTIME = {}  # the release is the commit, as in a real checkout
"""
MODELS = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
{extra}"""
INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("sku", models.CharField(max_length=32, null=True)),
            ],
        ),
    ]
"""
CHANGE = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0001_initial")]
    operations = [
        migrations.AddField("product", "color", models.CharField(max_length=20, null=True)),
        migrations.RemoveField("product", "sku"),
    ]
"""
COMMANDS = {
    "check": ["safe_migrate", "--check", "--format", "json"],
    "base": ["safe_migrate", "--check", "--base", "main", "--format", "json"],
    "check_at_base": ["safe_migrate", "--check", "--format", "json"],
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def make_repository(repo: Path, project: Path) -> None:
    """The bench project and ``store`` committed as ``main``, the change on ``change``."""
    repo.mkdir()
    for name in ("manage.py", "bench_settings.py", "bench_urls.py"):
        shutil.copy(project / name, repo / name)
    (repo / "base_settings.py").write_text(SETTINGS)
    (repo / "store" / "migrations").mkdir(parents=True)
    (repo / "store" / "__init__.py").write_text("")
    (repo / "store" / "migrations" / "__init__.py").write_text("")
    (repo / "store" / "migrations" / "0001_initial.py").write_text(INITIAL)
    sku = "    sku = models.CharField(max_length=32, null=True)\n"
    (repo / "store" / "models.py").write_text(MODELS.format(extra=sku))
    git(repo, "init", "-q")
    git(repo, "checkout", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "change")
    color = "    color = models.CharField(max_length=20, null=True)\n"
    (repo / "store" / "models.py").write_text(MODELS.format(extra=color))
    (repo / "store" / "migrations" / "0002_change.py").write_text(CHANGE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change: drop sku, add color")


def run(repo: Path, args: list[str], database: Path, *expect: int) -> dict[str, Any]:
    """One command in a fresh process: wall and CPU seconds (children included)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "DJANGO_SETTINGS_MODULE": "base_settings",
        "BENCH_DATABASE": str(database),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    check_exit(result, expect)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 3), "cpu": round(cpu, 3), "stdout": result.stdout}


def judged(stdout: str, what: str) -> dict[str, int]:
    document = parse_json(stdout, what)
    operations = [op for m in document["migrations"] for op in m["operations"]]
    blocked = [op for op in operations if op["verdict"] == "blocked"]
    return {"migrations": len(document["migrations"]), "operations": len(operations),
            "blocked": len(blocked), "document": document}  # type: ignore[dict-item]  # fmt: skip


def check_base_report(stdout: str) -> dict[str, Any]:
    """The base run must refuse exactly the drop of store_product.sku, naming main."""
    facts = judged(stdout, "safe_migrate --check --base main")
    document: Any = facts.pop("document")
    [migration] = document["migrations"]
    blocked = [op for op in migration["operations"] if op["verdict"] == "blocked"]
    if (migration["name"], len(blocked)) != ("0002_change", 1) or blocked[0]["rule"] != "ZDT101":
        raise ChildFailed(f"--base judged something else than the change: {document}")
    if "the serving release main (" not in blocked[0]["reason"]:
        raise ChildFailed(f"--base did not name main: {blocked[0]['reason']}")
    return {**facts, "applied_at_base": document["base"]["migrations_applied"]}


def measure(project: Path, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zdt-bench-base-") as tmp:
        repo, empty, at_base = Path(tmp) / "repo", Path(tmp) / "empty.sqlite3", Path(tmp) / "base"
        make_repository(repo, project)
        print("migrating a database to main (untimed)...", flush=True)
        git(repo, "checkout", "-q", "main")
        run(repo, ["migrate", "--noinput", "-v0"], at_base, 0)
        git(repo, "checkout", "-q", "change")
        # Untimed first runs: the reports checked, caches warm.
        facts = {
            "check": {
                k: v
                for k, v in judged(
                    run(repo, COMMANDS["check"], empty, 0, 1)["stdout"], "check"
                ).items()
                if k != "document"
            },
            "base": check_base_report(run(repo, COMMANDS["base"], empty, 1)["stdout"]),
        }
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in COMMANDS}
        order = list(COMMANDS)
        for round_number in range(rounds):
            for name in order[round_number % 3 :] + order[: round_number % 3]:
                database = empty
                if name == "check_at_base":
                    database = Path(tmp) / "at_base_copy.sqlite3"
                    shutil.copy(at_base, database)
                sample = run(repo, COMMANDS[name], database, 0, 1)
                samples[name].append({"wall": sample["wall"], "cpu": sample["cpu"]})
                print(f"round {round_number + 1} {name}: {sample['wall']:.2f} s wall, "
                      f"{sample['cpu']:.2f} s CPU", flush=True)  # fmt: skip
    return {"facts": facts, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--project", type=Path, default=PROJECT, help=argparse.SUPPRESS)
    add_notes_option(parser)
    options = parser.parse_args()
    environment = provenance(
        options.notes, ("wagtail", "django-oscar", "django-allauth", "django-guardian")
    )
    data = measure(options.project, options.rounds)
    write_result("safe_migrate_base", environment, {"rounds": options.rounds}, data)


if __name__ == "__main__":
    main()
