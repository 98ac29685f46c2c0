"""The id of the release this process runs.

Order (DESIGN.md): setting ``RELEASE``, env ``ZERODOWNTIME_RELEASE``, the git
HEAD commit of ``BASE_DIR``, then a hash of the migrations the code ships.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from django.conf import settings

from django_zerodowntime.conf import conf


def current_release() -> str:
    configured = conf.RELEASE or os.environ.get("ZERODOWNTIME_RELEASE")
    if configured:
        return str(configured)
    base_dir = getattr(settings, "BASE_DIR", None)
    return _derived_release(str(base_dir) if base_dir else "")


@functools.lru_cache(maxsize=8)
def _derived_release(base_dir: str) -> str:
    # The code of a running process does not change, so this is computed once.
    commit = git_head(Path(base_dir)) if base_dir else None
    return commit[:12] if commit else "schema-" + migrations_hash()[:12]


def git_head(start: Path) -> str | None:
    """The commit HEAD points at, read from the files (no git binary needed)."""
    for directory in (start, *start.parents):
        git_dir = directory / ".git"
        if git_dir.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = git_dir.read_text().strip()
            if text.startswith("gitdir:"):
                git_dir = (directory / text.partition(":")[2].strip()).resolve()
        if git_dir.is_dir():
            return _resolve_head(git_dir)
    return None


def _resolve_head(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head.partition(":")[2].strip()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text().strip()).resolve()
    for root in (git_dir, common):
        ref_file = root / ref
        if ref_file.is_file():
            return ref_file.read_text().strip() or None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return sha
    return None  # a branch with no commit yet


def migrations_hash() -> str:
    """A stable hash of every migration the loaded code ships."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()
