import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from tests.harness.site import copy_example_project, manage


def require_binary(name: str) -> str:
    """The path of a system binary a test needs.

    Outside CI a missing binary skips with the reason; in CI (CI=true) it
    fails, so a missing install step can never pass silently.
    """
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path:
        return path
    missing(f"{name} is not installed (apt-get install {name})")
    raise AssertionError("unreachable")


def require_module(name: str) -> None:
    """Like require_binary, for a Python package of the test extra (uvicorn...)."""
    if importlib.util.find_spec(name) is None:
        missing(f"{name} is not installed (it is in the test extra: pip install -e '.[test]')")


def missing(reason: str) -> None:
    """Skip outside CI, with the reason; fail in CI (CI=true), where nothing may be missing."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def migrated_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project, migrated once per test module (on SQLite)."""
    project = copy_example_project(tmp_path_factory.mktemp("example"))
    manage(project, "migrate", "-v0")
    return project


@pytest.fixture
def site(migrated_example: Path, tmp_path: Path) -> Path:
    """A fresh, migrated copy of the example project serving "release 1"."""
    project = tmp_path / "site"
    shutil.copytree(migrated_example, project)
    return project
