"""The release id: setting, environment, git HEAD, then a hash of the migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from django_zerodowntime.release import _derived_release, current_release, git_head

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZERODOWNTIME_RELEASE", raising=False)
    _derived_release.cache_clear()


def test_the_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZERODOWNTIME_RELEASE", "from-env")
    with override_settings(ZERODOWNTIME={"RELEASE": "from-setting"}):
        assert current_release() == "from-setting"


def test_the_environment_comes_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZERODOWNTIME_RELEASE", "from-env")
    with override_settings(ZERODOWNTIME={}):
        assert current_release() == "from-env"


def test_git_head_of_base_dir_on_a_branch(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    (tmp_path / "src").mkdir()
    with override_settings(ZERODOWNTIME={}, BASE_DIR=tmp_path / "src"):
        assert current_release() == SHA[:12]


def test_git_head_detached_and_packed(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    git.mkdir()
    (git / "HEAD").write_text(SHA + "\n")
    assert git_head(tmp_path) == SHA
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text(
        f"# pack-refs\n{'f' * 40} refs/heads/other\n{SHA} refs/heads/main\n"
    )
    assert git_head(tmp_path) == SHA


def test_git_head_of_a_worktree(tmp_path: Path) -> None:
    common = tmp_path / "repo" / ".git"
    worktree_git = common / "worktrees" / "wt"
    worktree_git.mkdir(parents=True)
    (common / "refs" / "heads").mkdir(parents=True)
    (common / "refs" / "heads" / "feature").write_text(SHA)
    (worktree_git / "HEAD").write_text("ref: refs/heads/feature")
    (worktree_git / "commondir").write_text("../..")
    checkout = tmp_path / "wt"
    checkout.mkdir()
    (checkout / ".git").write_text(f"gitdir: {worktree_git}\n")
    assert git_head(checkout) == SHA


def test_git_head_of_an_empty_repository_or_none(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    git.mkdir()
    assert git_head(tmp_path) is None  # no HEAD file
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    assert git_head(tmp_path) is None  # a branch with no commit yet


def test_without_git_the_migrations_hash_names_the_release(tmp_path: Path) -> None:
    with override_settings(ZERODOWNTIME={}, BASE_DIR=tmp_path):
        release = current_release()
    assert release.startswith("schema-")
    assert len(release) == len("schema-") + 12
    with override_settings(ZERODOWNTIME={}, BASE_DIR=None):
        assert current_release().startswith("schema-")


def test_git_head_ignores_a_dot_git_file_that_is_not_a_gitdir_link(tmp_path: Path) -> None:
    (tmp_path / ".git").write_text("something else\n")
    assert git_head(tmp_path) is None


def test_git_head_with_packed_refs_lacking_the_branch(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    git.mkdir()
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text(f"{SHA} refs/heads/other\n")
    assert git_head(tmp_path) is None
