"""`make demo` tells the whole story and fails when any part of it does not happen.

Marked slow (about a minute: four reloads under load): run by ``make test-slow``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.harness.terminal import ESCAPES

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[1] / "example_project" / "deploy" / "demo.py"


def test_the_demo_walks_through_every_step_with_zero_failed_requests(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        missing("matplotlib is not installed (pip install -e '.[demo]'; make test-slow does)")
    done = subprocess.run(
        [sys.executable, str(DEMO), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = ESCAPES.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, output[-6000:]
    for step in ("Step 1:", "Step 2:", "Step 3:", "Step 4:", "Step 5: the whole run"):
        assert step in output
    assert "Notice:" in output
    assert "✗" not in output
    assert "ZDT101" in output  # step 2's refusal, with its remedy
    assert "preflight failed" in output  # step 4
    rows = {line.split("│")[1].strip(): line for line in output.splitlines() if "│" in line}
    assert rows["4. a broken release refused"].split("│")[3].strip() == "0"
    assert rows["4. a broken release refused"].split("│")[4].strip() == "release 4"
    assert rows["2. a drop refused"].split("│")[4].strip() == "release 2"
    assert "RESULT: every step did what it said, zero failed requests" in output
    picture = tmp_path / "timeline.svg"
    assert picture.read_text().startswith("<?xml")
    assert str(picture) in output.replace("\n", "")
