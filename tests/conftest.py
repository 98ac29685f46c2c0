import os
import shutil

import pytest


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


def missing(reason: str) -> None:
    """Skip outside CI, with the reason; fail in CI (CI=true), where nothing may be missing."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
