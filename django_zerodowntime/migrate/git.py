"""The git commands ``--base`` needs: the repository, a commit, a temporary worktree, changes.

Run with git's repository variables cleared (as ``release.py`` does): a hook or
a wrapper such as pre-commit sets ``GIT_INDEX_FILE`` or ``GIT_DIR``, which
would point these commands at another index or repository. Hooks are off for
the worktree: checking REF out must run nothing of the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django_zerodowntime.migrate.planning import bad_input
from django_zerodowntime.release import REPOSITORY_VARIABLES

TIMEOUT_SECONDS = 300.0  # a checkout of a large repository on a slow disk


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("git")
    if binary is None:
        raise bad_input("--base needs git, which is not installed (apt-get install git)")
    environment = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
    try:
        done = subprocess.run(
            [binary, "-c", "core.hooksPath=/dev/null", *args],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise bad_input(f"git {args[0]} failed in {root}: {error}") from None
    if check and done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise bad_input(f"git {args[0]} failed in {root}: {detail}")
    return done


def toplevel(start: Path) -> Path | None:
    """The root of the git checkout holding ``start``, or None (none, or no git at all)."""
    if shutil.which("git") is None:
        return None
    done = git(start, "rev-parse", "--show-toplevel", check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def commit_of(root: Path, ref: str) -> str | None:
    """The full id of the commit ``ref`` names (branch, tag, sha, ``HEAD~2``), or None."""
    done = git(
        root,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


@contextmanager
def worktree(root: Path, commit: str) -> Iterator[Path]:
    """A temporary checkout of ``commit`` (``git worktree add --detach``), removed after."""
    holder = Path(tempfile.mkdtemp(prefix="zerodowntime-base-"))
    tree = holder / "tree"
    try:
        git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        yield tree
    finally:
        removed = git(root, "worktree", "remove", "--force", str(tree), check=False)
        shutil.rmtree(holder, ignore_errors=True)
        if removed.returncode != 0:
            git(root, "worktree", "prune", check=False)


def changed_files(root: Path, commit: str) -> dict[str, str]:
    """Tracked files that differ between ``commit`` and the working tree: path -> status
    (``M`` modified, ``A`` added, ``D`` deleted...), paths relative to ``root``."""
    done = git(root, "diff", "--name-status", "--no-renames", "-z", commit, "--")
    fields = done.stdout.split("\0")
    return {path: status for status, path in zip(fields[::2], fields[1::2], strict=False) if path}


def file_at(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit``, or None if it did not exist there."""
    done = git(root, "show", f"{commit}:{path}", check=False)
    return done.stdout if done.returncode == 0 else None
