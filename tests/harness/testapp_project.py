"""``python -m django`` on the test settings with testapp's migrations from a named package.

``history`` is a migration package (``tests.rehearsals.known``, ``tests.scenarios.x``);
``url`` the database (see ``tests.releases.scenario_database``). Real processes, so
that signals, exit statuses and the target database are the real ones.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.releases import ROOT


def env_for(url: str, history: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.rehearsal_settings",
        "DATABASE_URL": url,
        "ZDT_TESTAPP_MIGRATIONS": history,
        "PYTHONPATH": str(ROOT),
    }


def manage(url: str, history: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env={**env_for(url, history), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def sql(url: str, history: str, *statements: str) -> None:
    """Run ``statements`` on the database by hand, as someone at a psql prompt would."""
    code = "from django.db import connection\nwith connection.cursor() as cursor:\n" + "".join(
        f"    cursor.execute({statement!r})\n" for statement in statements
    )
    ok(manage(url, history, "shell", "-v0", "-c", code))
