"""A project with two databases, a router, squashed migrations and a third-party app.

Driven in real subprocesses (``tests.topology.settings``), one fresh database
(or two) per test. ``ZDT_STAGE`` picks the code release: ``1`` uses every
column, ``2`` has stopped using the ones the later migrations drop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RETIRED = os.environ.get("ZDT_STAGE", "1") == "2"


def run_topology(
    *args: str,
    default_url: str,
    other_url: str | None = None,
    stage: int = 1,
    squash: str = "plain",
    host: str = "web-1",
) -> subprocess.CompletedProcess[str]:
    """``python -m django <args>`` with stage ``stage`` of the code loaded."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.topology.settings",
        "DATABASE_URL": default_url,
        "ZDT_STAGE": str(stage),
        "ZDT_SQUASH": squash,
        "ZERODOWNTIME_HOST": host,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("OTHER_DATABASE_URL", None)
    if other_url is not None:
        env["OTHER_DATABASE_URL"] = other_url
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
