"""The release id: setting, environment, git HEAD, then a hash of the migrations.

The git cases run on real repositories made with the git binary; each is read
by ``git rev-parse`` (git_head), by the file reader alone (read_git_head), and
by git_head with no git on PATH (the fallback a server without git takes).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import override_settings

from django_zerodowntime.release import (
    _derived_release,
    _git_release,
    current_release,
    git_head,
    read_git_head,
)
from tests.conftest import missing, require_binary


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZERODOWNTIME_RELEASE", raising=False)
    _derived_release.cache_clear()
    _git_release.cache_clear()


@pytest.fixture
def git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Run the real git binary in a directory; its output. No user or system
    config (an empty HOME), so the repositories are the same on every machine."""
    binary = require_binary("git")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    identity = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }

    def run(cwd: Path, *args: str) -> str:
        done = subprocess.run(
            [binary, *args],
            cwd=cwd,
            env={**os.environ, **identity},
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout.strip()

    return run


def new_repository(git: Callable[..., str], path: Path, commits: int = 1) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "src").mkdir()
    for number in range(commits):
        (path / "src" / "code.py").write_text(f"VERSION = {number}\n")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"commit {number}")
    return path


def branch(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    repo = new_repository(git, tmp_path / "repo")
    return repo / "src", git(repo, "rev-parse", "HEAD")


def packed(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    repo = new_repository(git, tmp_path / "repo")
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    return repo, git(repo, "rev-parse", "HEAD")


def detached(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    repo = new_repository(git, tmp_path / "repo", commits=2)
    first = git(repo, "rev-parse", "HEAD~1")
    git(repo, "checkout", "-q", "--detach", first)
    return repo / "src", first


def worktree(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    repo = new_repository(git, tmp_path / "repo")
    checkout = tmp_path / "feature-checkout"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(checkout))
    (checkout / "src" / "code.py").write_text("VERSION = 'feature'\n")
    git(checkout, "commit", "-q", "-am", "on the feature branch")
    commit = git(checkout, "rev-parse", "HEAD")
    assert commit != git(repo, "rev-parse", "HEAD")
    assert (checkout / ".git").is_file()
    return checkout / "src", commit


def no_commit_yet(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    return new_repository(git, tmp_path / "repo", commits=0), None


def orphan_branch(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    """A new branch with no commit yet, beside packed ones (``git checkout --orphan``)."""
    repo = new_repository(git, tmp_path / "repo")
    git(repo, "pack-refs", "--all")
    git(repo, "checkout", "-q", "--orphan", "fresh")
    return repo, None


def outside_any_repository(git: Callable[..., str], tmp_path: Path) -> tuple[Path, str | None]:
    plain = tmp_path / "plain" / "src"
    plain.mkdir(parents=True)
    with pytest.raises(subprocess.CalledProcessError):
        git(plain, "rev-parse", "--git-dir")
    return plain, None


REPOSITORIES = [
    branch,
    packed,
    detached,
    worktree,
    no_commit_yet,
    orphan_branch,
    outside_any_repository,
]
Layout = Callable[[Callable[..., str], Path], tuple[Path, "str | None"]]


@pytest.mark.parametrize("layout", REPOSITORIES, ids=lambda layout: layout.__name__)
def test_git_head_is_what_git_says(layout: Layout, git: Callable[..., str], tmp_path: Path) -> None:
    directory, commit = layout(git, tmp_path)
    assert git_head(directory) == commit


@pytest.mark.parametrize("layout", REPOSITORIES, ids=lambda layout: layout.__name__)
def test_the_file_reader_agrees_with_git(
    layout: Layout, git: Callable[..., str], tmp_path: Path
) -> None:
    directory, commit = layout(git, tmp_path)
    assert read_git_head(directory) == commit


@pytest.mark.parametrize("layout", REPOSITORIES, ids=lambda layout: layout.__name__)
def test_without_git_on_path_the_files_are_read(
    layout: Layout, git: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, commit = layout(git, tmp_path)
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert git_head(directory) == commit


def test_git_knows_what_the_reader_does_not_a_symbolic_branch(
    git: Callable[..., str], tmp_path: Path
) -> None:
    """HEAD -> main -> trunk (``git symbolic-ref``): only git follows the chain."""
    repo = new_repository(git, tmp_path / "repo")
    git(repo, "branch", "-m", "main", "trunk")
    git(repo, "symbolic-ref", "refs/heads/main", "refs/heads/trunk")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    commit = git(repo, "rev-parse", "HEAD")
    assert git_head(repo) == commit
    assert read_git_head(repo) is None  # not "ref: refs/heads/trunk" taken for a commit


def test_git_variables_of_a_hook_do_not_point_it_at_another_repository(
    git: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy run from a git hook inherits GIT_DIR (e.g. of the bare repository
    pushed to); the release is still BASE_DIR's commit."""
    ours = new_repository(git, tmp_path / "ours")
    theirs = new_repository(git, tmp_path / "theirs", commits=2)
    commit = git(ours, "rev-parse", "HEAD")
    assert commit != git(theirs, "rev-parse", "HEAD")
    monkeypatch.setenv("GIT_DIR", str(theirs / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(theirs))
    assert git_head(ours / "src") == commit


def test_a_checkout_git_refuses_to_read_is_read_from_the_files(
    git: Callable[..., str], tmp_path: Path
) -> None:
    """git refuses a repository owned by another user ("dubious ownership"), as
    when Gunicorn's user serves the deploy user's checkout: the files answer."""
    if os.geteuid() != 0:
        missing("needs root to give the repository to another user")
    repo = new_repository(git, tmp_path / "repo")
    commit = git(repo, "rev-parse", "HEAD")
    for path in (repo, *repo.rglob("*")):
        os.lchown(path, 65534, 65534)
    with pytest.raises(subprocess.CalledProcessError):
        git(repo, "rev-parse", "HEAD")
    assert git_head(repo / "src") == commit


def test_a_directory_git_cannot_run_in_is_read_from_the_files(
    git: Callable[..., str], tmp_path: Path
) -> None:
    """A BASE_DIR that is gone (or not there yet): its repository still names the commit."""
    directory, commit = branch(git, tmp_path)
    assert git_head(directory / "not-there") == commit


def test_the_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZERODOWNTIME_RELEASE", "from-env")
    with override_settings(ZERODOWNTIME={"RELEASE": "from-setting"}):
        assert current_release() == "from-setting"


def test_the_environment_comes_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZERODOWNTIME_RELEASE", "from-env")
    with override_settings(ZERODOWNTIME={}):
        assert current_release() == "from-env"


def test_then_the_git_head_of_base_dir(git: Callable[..., str], tmp_path: Path) -> None:
    directory, commit = branch(git, tmp_path)
    assert commit is not None
    with override_settings(ZERODOWNTIME={}, BASE_DIR=directory):
        assert current_release() == commit[:12]


def test_the_release_is_read_at_boot_not_when_first_asked(
    git: Callable[..., str], tmp_path: Path
) -> None:
    """A server's checkout moves on (``git pull``) before the server reloads; what
    the old process reports must stay the commit its code came from."""
    from django.apps import apps

    repo = new_repository(git, tmp_path / "repo")
    booted = git(repo, "rev-parse", "HEAD")[:12]
    with override_settings(ZERODOWNTIME={}, BASE_DIR=str(repo / "src")):
        apps.get_app_config("django_zerodowntime").ready()  # what django.setup() runs
        (repo / "src" / "code.py").write_text("VERSION = 'next'\n")
        git(repo, "commit", "-qam", "the next release, pulled")
        assert current_release() == booted


def test_reading_the_release_at_boot_never_fails_app_loading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from django_zerodowntime import release

    def broken(start: Path) -> str | None:
        raise OSError("the file system hangs")

    monkeypatch.setattr(release, "git_head", broken)
    with override_settings(ZERODOWNTIME={}, BASE_DIR=str(tmp_path)):
        release.read_at_boot()  # no exception: asked later, the error shows there


@pytest.mark.parametrize("layout", [no_commit_yet, outside_any_repository])
def test_without_a_commit_the_migrations_hash_names_the_release(
    layout: Layout, git: Callable[..., str], tmp_path: Path
) -> None:
    directory, _ = layout(git, tmp_path)
    with override_settings(ZERODOWNTIME={}, BASE_DIR=directory):
        release = current_release()
    assert release.startswith("schema-")
    assert len(release) == len("schema-") + 12
    with override_settings(ZERODOWNTIME={}, BASE_DIR=None):
        assert current_release() == release


def test_the_reader_ignores_a_dot_git_file_that_is_not_a_gitdir_link(tmp_path: Path) -> None:
    (tmp_path / ".git").write_text("something else\n")
    assert read_git_head(tmp_path) is None


def test_an_empty_dot_git_directory_names_no_commit(
    git: Callable[..., str], tmp_path: Path
) -> None:
    """What an interrupted clone can leave: git says "not a repository", the
    reader finds no HEAD; neither fails."""
    (tmp_path / "broken" / ".git").mkdir(parents=True)
    assert git_head(tmp_path / "broken") is None
