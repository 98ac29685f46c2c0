"""``--base REF``: REF's code and migrations, made ready to judge the change against.

1. REF must be a commit of the git checkout safe_migrate runs in (exit 2 if not).
2. A temporary ``git worktree`` of REF; a scratch database (``scratch.py``).
3. A subprocess started from the worktree with the same settings module
   (``base_probe.py``) imports REF's code, takes its schema snapshot and makes
   the scratch database hold REF's migrations as applied. Meanwhile this
   process runs the system checks and loads the change's migrations.
4. The scratch database is swapped in for the alias; the caller judges the plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from django_zerodowntime.ledger.snapshot import Snapshot, stored_snapshot
from django_zerodowntime.migrate import base_probe, git, scratch
from django_zerodowntime.migrate.outcome import Console, Request
from django_zerodowntime.migrate.planning import bad_input
from django_zerodowntime.migrate.scratch import Scratch

PROBE_TIMEOUT_SECONDS = 1800.0
SHALLOW_HINT = (
    "in a shallow CI clone fetch it first (actions/checkout with fetch-depth: 0, "
    "GitLab's GIT_DEPTH: 0)"
)


@dataclass(frozen=True)
class Base:
    """REF, ready: its commit, its schema snapshot, and the scratch database holding it."""

    ref: str
    commit: str
    root: Path
    snapshot: Snapshot
    scratch: Scratch
    connection: BaseDatabaseWrapper
    migrations: int  # recorded as applied on the scratch database
    replayed: bool  # True: Django's migrate replayed REF's history

    @property
    def label(self) -> str:
        return f"{self.ref} ({self.commit[:12]})"


def resolve(ref: str, start: Path) -> tuple[Path, str]:
    """The repository root and the full commit id of ``ref``; exit 2 with one line if not."""
    root = git.toplevel(start)
    if root is None:
        raise bad_input(
            f"--base needs a git checkout, and {start} is not inside one: run safe_migrate "
            f"from the project's repository"
        )
    commit = git.commit_of(root, ref)
    if commit is None:
        raise bad_input(
            f"--base {ref!r} is not a commit of the repository at {root}: name a branch, "
            f"tag or commit id ({SHALLOW_HINT})"
        )
    return root, commit


@contextmanager
def prepared(request: Request, console: Console) -> Iterator[Base]:
    """REF checked out, built on the scratch database, swapped in for the alias."""
    assert request.base is not None
    alias = request.database
    if alias not in connections.settings:
        raise bad_input(f"no database alias {alias!r} in settings.DATABASES")
    if not settings.SETTINGS_MODULE:
        raise bad_input("--base loads REF's code with the same settings module: set one")
    root, commit = resolve(request.base, Path.cwd())
    with (
        git.worktree(root, commit) as tree,
        scratch.scratch_database(alias, request.database_given, console.progress) as database,
        tempfile.TemporaryDirectory(prefix="zerodowntime-probe-") as holder,
    ):
        label = f"{request.base} ({commit[:12]})"
        console.progress(f"--base {label}: applying its migrations on {database.label}...")
        probe = Probe(tree, root, database, Path(holder))
        try:
            probe.start(replay=False)
            with scratch.swapped_in(database):  # in parallel with the subprocess
                if request.system_checks:
                    console.system_checks(alias)
                MigrationLoader(None, ignore_no_migrations=True)  # imports the change's files
            code, result = probe.wait()
            if code == base_probe.BUILD_FAILED:
                console.progress(
                    f"--base {label}: its schema could not be built from its migration state "
                    f"({result.get('error')}); replaying its migrations instead"
                )
                scratch.reset(database)
                probe.start(replay=True)
                code, result = probe.wait()
        finally:
            probe.stop()
        failed(code, result, request.base, database, probe)
        snapshot = stored_snapshot(label, result["snapshot"])
        with scratch.swapped_in(database) as connection:
            yield Base(
                request.base,
                commit,
                root,
                snapshot,
                database,
                connection,
                int(result["migrations"]),
                bool(result["replayed"]),
            )


def failed(code: int, result: dict[str, Any], ref: str, database: Scratch, probe: Probe) -> None:
    """Exit 2 with one line when the subprocess did not build REF."""
    if code == 0:
        return
    error = probe.in_repository(str(result.get("error")))
    if code == base_probe.IMPORT_FAILED:
        raise bad_input(
            f"--base {ref!r}: its code failed to import: {error} (check it out and run "
            f"`python manage.py check` to see the whole error)"
        )
    if code == base_probe.BUILD_FAILED:
        hint = " (pass --database ALIAS to build it on your database server)"
        raise bad_input(
            f"--base {ref!r}: its migrations could not be applied on {database.label}: "
            f"{error}{hint if database.sqlite_file else ''}"
        )
    raise bad_input(
        f"--base {ref!r}: the subprocess that loads its code failed: {probe.last_words()}"
    )


class Probe:
    """The subprocess of ``base_probe.py``, run from REF's worktree."""

    def __init__(self, tree: Path, root: Path, database: Scratch, holder: Path) -> None:
        self.tree, self.root, self.database = tree, root, database
        self.result = holder / "result.json"
        self.stderr = holder / "stderr.txt"
        self.process: subprocess.Popen[bytes] | None = None

    def mapped(self, path: str) -> str:
        """``path`` inside the repository becomes the same path inside REF's worktree."""
        try:
            inside = Path(os.path.realpath(path)).relative_to(os.path.realpath(self.root))
        except ValueError:
            return path
        return str(self.tree / inside)

    def in_repository(self, text: str) -> str:
        """Paths of REF's worktree in ``text`` as paths of the repository."""
        return text.replace(f"{self.tree}{os.sep}", "")

    def environment(self) -> dict[str, str]:
        given = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        ours = [p for p in sys.path if p and self.mapped(p) != p]
        paths = dict.fromkeys(self.mapped(p) for p in [*ours, *given] if p)
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": str(settings.SETTINGS_MODULE),
            "PYTHONPATH": os.pathsep.join(paths),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def start(self, *, replay: bool) -> None:
        self.result.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "django_zerodowntime.migrate.base_probe"]
        argv += [*self.database.argv(), "--result", str(self.result)]
        with self.stderr.open("wb") as stderr:
            self.process = subprocess.Popen(
                argv + (["--replay"] if replay else []),
                cwd=self.mapped(os.getcwd()),
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # REF's code may print; it is not our output
                stderr=stderr,
            )

    def wait(self) -> tuple[int, dict[str, Any]]:
        assert self.process is not None
        try:
            code = self.process.wait(PROBE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise bad_input(
                f"loading the --base code took over {PROBE_TIMEOUT_SECONDS:.0f} s: stopped"
            ) from None
        try:
            result = json.loads(self.result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return (code or 1), {}
        return code, result

    def stop(self) -> None:
        """End the subprocess if it still runs (the command failed meanwhile)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def last_words(self) -> str:
        lines = self.stderr.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no message"
