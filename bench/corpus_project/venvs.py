"""One virtualenv per release of the corpus, built once and kept in ``.corpus-venvs/``.

Each holds the release (``package==version`` and its dependencies), Django
5.2, model_bakery, psycopg, mysqlclient and this checkout installed editable. The release
is installed first, then Django 5.2 and this checkout over it: an old release
whose metadata caps Django below 5.2 still gets 5.2 (pip warns), which is what
the corpus is about (old code that still runs on the Django the project now
has). A virtualenv counts as built once ``.built`` is written, after both steps.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENVS = REPO / ".corpus-venvs"
DJANGO = "django>=5.2,<5.3"
ALWAYS = ("model-bakery>=1.20", "psycopg[binary]>=3.1", "mysqlclient>=2.2")


def venv_path(package: str, version: str) -> Path:
    return VENVS / f"{package}-{version}"


def python_of(package: str, version: str) -> str:
    return str(venv_path(package, version) / "bin" / "python")


def build(package: str, version: str, extra: tuple[str, ...] = ()) -> str:
    """The Python of the release's virtualenv, built first if it is not there yet."""
    folder = venv_path(package, version)
    python = folder / "bin" / "python"
    if (folder / ".built").exists():
        return str(python)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(folder)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"{package}=={version}", *extra], check=True)
    subprocess.run([*pip, DJANGO, *ALWAYS, "-e", str(REPO)], check=True)
    (folder / ".built").write_text(f"{package}=={version}\n")
    return str(python)
