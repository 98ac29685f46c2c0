"""The id of the release this process runs.

Order (docs/settings.rst): setting ``RELEASE``, env ``ZERODOWNTIME_RELEASE``,
the git HEAD commit of ``BASE_DIR``, then a hash of the migrations the code
ships.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from django_zerodowntime.conf import conf

# ``git rev-parse`` answers in milliseconds; the bound is for a hung file system.
GIT_TIMEOUT_SECONDS = 5.0
# What git itself clears before it works in another repository (``git rev-parse
# --local-env-vars``): set by a hook or a wrapper, they would point it elsewhere.
REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    }
)
_COMMIT_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")  # SHA-1 or SHA-256


def current_release() -> str:
    configured = conf.RELEASE or os.environ.get("ZERODOWNTIME_RELEASE")
    if configured:
        return str(configured)
    base_dir = getattr(settings, "BASE_DIR", None)
    return _derived_release(str(base_dir) if base_dir else "")


def read_at_boot() -> None:
    """Read the checkout's git HEAD now, while it is the running code's commit.

    Read later, after a deploy pulled the next commit into the checkout a server
    runs from, it would name the new commit while the old code serves (and the
    ledger would file the old code's columns under the new release). Only git:
    the migrations hash would import every migration at startup.
    """
    if conf.RELEASE or os.environ.get("ZERODOWNTIME_RELEASE"):
        return
    base_dir = getattr(settings, "BASE_DIR", None)
    if base_dir:
        try:
            _git_release(str(base_dir))
        except Exception:  # app loading must never fail for this; read when asked
            return


@functools.lru_cache(maxsize=8)
def _git_release(base_dir: str) -> str | None:
    commit = git_head(Path(base_dir))
    return commit[:12] if commit else None


@functools.lru_cache(maxsize=8)
def _derived_release(base_dir: str) -> str:
    # The code of a running process does not change, so this is computed once.
    commit = _git_release(base_dir) if base_dir else None
    return commit or "schema-" + migrations_hash()[:12]


def git_head(start: Path) -> str | None:
    """The commit HEAD points at in the repository holding ``start``, or None
    (no repository, or no commit yet).

    Asked of ``git rev-parse`` in ``start``: git knows every layout. Where git
    cannot answer (not installed, hung, or refusing a checkout owned by
    another user, as when the server's user reads the deploy user's checkout)
    the files are read instead.
    """
    git = shutil.which("git")
    if git is None:
        return read_git_head(start)
    environment = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
    try:
        done = subprocess.run(
            [git, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            cwd=start,
            env=environment,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return read_git_head(start)
    if done.returncode == 0:
        return done.stdout.strip() or None
    if done.returncode == 1:  # --verify --quiet: HEAD names no commit yet
        return None
    return read_git_head(start)  # 128: no repository here, or git refuses this one


def read_git_head(start: Path) -> str | None:
    """The same, read from the files: loose and packed refs, detached HEAD,
    worktrees and submodules (not symbolic branches or reftable: None)."""
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
        return _commit_or_none(head)
    ref = head.partition(":")[2].strip()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text().strip()).resolve()
    for root in (git_dir, common):
        ref_file = root / ref
        if ref_file.is_file():
            return _commit_or_none(ref_file.read_text().strip())
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return _commit_or_none(sha)
    return None  # a branch with no commit yet


def _commit_or_none(text: str) -> str | None:
    return text if _COMMIT_ID.match(text) else None


def migrations_hash() -> str:
    """A stable hash of every migration the loaded code ships."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()
