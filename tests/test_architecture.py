"""docs/architecture.rst is the true map: every module of the package is on it, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = (ROOT / "docs" / "architecture.rst").read_text()


def modules() -> set[str]:
    package = ROOT / "django_zerodowntime"
    return {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(package).parts
    }


def test_every_module_is_on_the_map() -> None:
    missing = sorted(module for module in modules() if f"``{module}``" not in MAP)
    assert missing == [], "add a line for each to docs/architecture.rst"


def test_the_map_names_no_module_that_is_gone() -> None:
    named = set(re.findall(r"``(django_zerodowntime/[\w/]+\.py)``", MAP))
    assert sorted(named - modules()) == []
