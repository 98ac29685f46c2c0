"""The worked example in docs/expand_contract.rst is what a fresh run of it prints and writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_worked_example_is_what_the_command_makes() -> None:
    result = subprocess.run(
        [sys.executable, "example_project/deploy/expand_example.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_docs_page_includes_every_generated_file() -> None:
    page = (ROOT / "docs" / "expand_contract.rst").read_text()
    for path in sorted((ROOT / "docs" / "_expand").iterdir()):
        assert f".. literalinclude:: _expand/{path.name}" in page
