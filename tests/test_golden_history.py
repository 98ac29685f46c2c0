"""The report of ``safe_migrate --check`` on a committed history stays byte-identical.

``tests/golden_history`` holds the history (see its docstring); its reports, JSON
and text, are in ``tests/golden_history/golden/``. A change to the planner that
is meant to be invisible (issue 8: speed) must leave them as they are; a change
that is meant to change the report regenerates them with
``ZERODOWNTIME_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_history.py``
and the diff goes in the same commit. SQLite only: the golden files are
SQLite's report (the vendor rules have their own tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden_history" / "golden"
# Applied before the check, so later migrations are judged against existing tables.
APPLIED = """
from django.core.management import call_command
for app, name in [("contenttypes", None), ("auth", None), ("django_zerodowntime", None),
                  ("people", "0001"), ("catalog", "0001"), ("orders", "0001")]:
    call_command("migrate", app, *([name] if name else []), verbosity=0)
"""


def django(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.golden_history.settings",
        "GOLDEN_DATABASE": str(database),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("golden") / "db.sqlite3"
    applied = django(database, "shell", "-c", APPLIED)
    assert applied.returncode == 0, applied.stderr
    outputs: dict[str, str] = {}
    for name, args in {"check.json": ["--format", "json"], "check.txt": []}.items():
        result = django(database, "safe_migrate", "--check", *args)
        assert result.returncode == 1, result.stderr  # refused: the history has blocked steps
        outputs[name] = result.stdout
        outputs["refusal.txt"] = result.stderr
    return outputs


@pytest.mark.parametrize("name", ["check.json", "check.txt", "refusal.txt"])
def test_report_is_byte_identical_to_the_golden_file(reports: dict[str, str], name: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ZERODOWNTIME_WRITE_GOLDEN") == "1":
        path.write_text(reports[name])
        pytest.skip(f"rewrote {path.relative_to(ROOT)}: review and commit the diff")
    assert reports[name] == path.read_text(), (
        f"safe_migrate --check no longer prints {path.relative_to(ROOT)} byte for byte; "
        "if the change is intended, regenerate the golden files (see this module's docstring)"
    )


def test_history_covers_every_verdict_and_the_crash(reports: dict[str, str]) -> None:
    """The history keeps exercising what it is there for (so the golden stays meaningful)."""
    text = reports["check.txt"]
    for needle in ("safe ", "warning ", "blocked ", "[ZDT902", "[ZDT901", "[ZDT103", "[ZDT402"):
        assert needle in text
