"""The git commands ``safe_migrate --base`` runs, on a real repository (migrate/git.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from django_zerodowntime.errors import ExitError
from django_zerodowntime.migrate import git
from django_zerodowntime.migrate.outcome import ExitCode
from tests.conftest import require_binary


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, str]:
    """A repository with one commit; its root and that commit's id."""
    binary = require_binary("git")
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run([binary, "init", "-q", "-b", "main"], cwd=root, check=True)
    who = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([binary, *who, "commit", "-q", "--allow-empty", "-m", "1"], cwd=root, check=True)
    return root, git.commit_of(root, "main") or ""


def test_a_failing_git_command_is_bad_input_with_git_s_last_line(
    repository: tuple[Path, str],
) -> None:
    root, _commit = repository
    with pytest.raises(ExitError) as caught:
        git.git(root, "worktree", "add", "--detach", str(root / "tree"), "no-such-ref")
    assert caught.value.code == ExitCode.BAD_INPUT
    assert caught.value.message.startswith(f"git worktree failed in {root}: ")
    assert "no-such-ref" in caught.value.message


def test_git_in_a_directory_that_is_gone_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ExitError) as caught:
        git.git(tmp_path / "gone", "status")
    assert caught.value.code == ExitCode.BAD_INPUT
    assert f"git status failed in {tmp_path / 'gone'}" in caught.value.message


def test_without_git_there_is_no_checkout_and_base_says_how_to_install_it(
    repository: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _commit = repository
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no git on it
    assert git.toplevel(root) is None
    with pytest.raises(ExitError) as caught:
        git.commit_of(root, "main")
    assert caught.value.code == ExitCode.BAD_INPUT
    assert "apt-get install git" in caught.value.message


def test_a_worktree_git_cannot_remove_is_deleted_and_pruned(
    repository: tuple[Path, str],
) -> None:
    """REF's code deleted its checkout's .git meanwhile: ``worktree remove`` refuses it,
    so the directory is deleted and git's record of it pruned."""
    root, commit = repository
    with git.worktree(root, commit) as tree:
        (tree / ".git").unlink()
        assert git.git(root, "worktree", "remove", "--force", str(tree), check=False).returncode
    assert not tree.parent.exists()
    listed = git.git(root, "worktree", "list", "--porcelain").stdout
    assert listed.count("worktree ") == 1, listed
