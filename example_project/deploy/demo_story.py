"""The demo's narrator: runs each step's commands, checks their effects, counts the load.

Each release is a git commit of the project copy, so its release id (what
/healthz reports and the ledger records) is that commit, as on a real server.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench.timeline import Panel, Phase, draw, quick, timeline
from tests.harness.load import LoadClient
from tests.harness.load_report import LoadReport
from tests.harness.site import (
    RETIRED,
    SUBTITLE,
    Gunicorn,
    http_get,
    set_release_text,
    set_subtitle,
    site_env,
)

GIT = ["git", "-c", "user.name=demo", "-c", "user.email=demo@example.com"]
IGNORED = "db.sqlite3*\n*.pid\n*.pid.2\n*.log\n*.lock\n.zerodowntime-*\n__pycache__/\n"
BROKEN_IMPORT = "import release_5_module_that_does_not_exist  # the mistake in release 5\n"


class StepFailed(RuntimeError):
    """A step did not do what it printed."""


@dataclass
class Step:
    title: str
    short: str  # in the summary table and on the timeline
    start: float
    end: float = 0.0
    served: str = ""  # what /version/ answered after it
    checks: list[tuple[str, bool]] = field(default_factory=list)


class Story:
    def __init__(self, project: Path, gunicorn: Gunicorn) -> None:
        self.project = project
        self.gunicorn = gunicorn
        self.load: LoadClient | None = None
        # In a log (not a terminal) rich would assume 80 columns: the table needs more.
        self.console = Console(highlight=False, width=None if sys.stdout.isatty() else 110)
        self.steps: list[Step] = []
        self.started = time.monotonic()

    # -- the code on disk -------------------------------------------------------------
    def git(self, *args: str) -> str:
        done = subprocess.run(
            [*GIT, *args], cwd=self.project, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        """Commit the project as it is on disk; its release id is the commit (12 digits)."""
        if not (self.project / ".git").exists():
            self.git("init", "-q")
            # Only the code: the database, pidfiles and logs change under git's feet.
            (self.project / ".gitignore").write_text(IGNORED)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        release = self.git("rev-parse", "HEAD")[:12]
        self.say(f"[dim]git commit: {escape(message)} -> release id {release}[/]")
        return release

    def abandon_commit(self) -> None:
        self.git("reset", "-q", "--hard", "HEAD~1")
        self.say("[dim]git reset --hard HEAD~1: the code on disk is the release serving again[/]")

    def edit_release(self, text: str, *, subtitle: str) -> None:
        set_release_text(self.project, text)
        set_subtitle(self.project, {"field": SUBTITLE, "unused": RETIRED, "": ""}[subtitle])

    def break_release(self, text: str) -> None:
        """The views import a module nobody committed: the web app fails to import
        (manage.py itself, which never loads the views, still runs)."""
        set_release_text(self.project, text)
        release = self.project / "blog" / "release.py"
        release.write_text(BROKEN_IMPORT + release.read_text())

    # -- commands and checks ----------------------------------------------------------
    def manage(self, *args: str, expect: int = 0) -> str:
        """``manage.py ARGS``; its progress (stderr) goes straight to this terminal, live
        where it is one; its report (stdout) is shown and returned."""
        self.say(f"[bold]$ python manage.py {escape(' '.join(args))}[/]")
        sys.stdout.flush()
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.project,
            env=site_env(self.project, {"PYTHONUNBUFFERED": "1"}),
            stdout=subprocess.PIPE,
            text=True,
            timeout=300,
        )
        if done.stdout.strip():
            print("    " + done.stdout.rstrip().replace("\n", "\n    "), flush=True)
        self.check(
            f"it exited {expect}", done.returncode == expect, quiet=done.returncode == expect
        )
        return done.stdout

    def reload(self, release: str) -> None:
        url = self.gunicorn.url + "/healthz"
        self.manage("graceful_reload", "--check-url", url, "--expect-release", release)

    def has_column(self, column: str) -> bool:
        with sqlite3.connect(self.project / "db.sqlite3") as db:
            return column in {row[1] for row in db.execute("PRAGMA table_info(blog_post)")}

    def applied(self, prefix: str) -> bool:
        query = "SELECT 1 FROM django_migrations WHERE app = 'blog' AND name LIKE ?"
        with sqlite3.connect(self.project / "db.sqlite3") as db:
            return db.execute(query, (prefix + "%",)).fetchone() is not None

    def check(self, what: str, ok: bool, *, quiet: bool = False) -> None:
        if self.steps:
            self.steps[-1].checks.append((what, ok))
        if not quiet:
            self.say(f"  [green]✓[/] {escape(what)}" if ok else f"  [red]✗ {escape(what)}[/]")
        if not ok:
            raise StepFailed(f"step {len(self.steps)}: expected {what}")

    def check_serving(self, text: str) -> None:
        served = http_get(self.gunicorn.url, "/version/")[1].decode()
        self.steps[-1].served = served
        self.check(f"Gunicorn serves {text!r} (it answered {served!r})", served == text)
        assert self.load is not None
        failed = self.load.snapshot().window(self.steps[-1].start, time.monotonic()).failed
        self.check(f"no request failed during this step ({failed} failed)", failed == 0)

    # -- what is printed --------------------------------------------------------------
    def say(self, text: str) -> None:
        self.console.print(text, soft_wrap=True)

    def intro(self) -> None:
        self.started = time.monotonic()
        self.say(
            f"\n[bold]Gunicorn serves release 1 at {self.gunicorn.url}[/] (master "
            f"{self.gunicorn.master_pid}, 2 workers); a load client sends GETs, slow GETs "
            "and POSTs without a pause from now to the end. Not one may fail.\n"
        )

    def begin(self, title: str, short: str, notice: str) -> None:
        now = time.monotonic()
        if self.steps:
            self.steps[-1].end = now
        self.steps.append(Step(title, short, now))
        self.console.rule(f"[bold]Step {len(self.steps)}: {escape(title)}")
        self.say(f"[cyan]Notice:[/] {escape(notice)}")

    def summary(self, report: LoadReport, out: Path) -> int:
        end = time.monotonic()
        self.steps[-1].end = end
        table = Table(title="Step 5: the whole run")
        table.add_column("step")
        table.add_column("requests served", justify="right")
        table.add_column("failed", justify="right")
        table.add_column("release served after it")
        first = self.steps[0].start
        rows = [("before: release 1 serves", self.started, first, "release 1")]
        rows += [(f"{n}. {s.short}", s.start, s.end, s.served) for n, s in enumerate(self.steps, 1)]
        for name, start, stop, served in rows:
            part = report.window(start, stop)
            table.add_row(name, str(part.total - part.failed), str(part.failed), served)
        table.add_row("whole run", str(report.total - report.failed), str(report.failed), "")
        self.console.print(table)
        phases = [Phase(0, first - self.started, "release 1")] + [
            Phase(s.start - self.started, s.end - self.started, f"{n}. {s.short}")
            for n, s in enumerate(self.steps, 1)
        ]
        data = timeline(report.samples, self.started, end, timed=quick)
        picture = draw([Panel("the demo under load", data, phases)], out / "timeline.svg")
        self.say(f"The timeline of the whole run (requests per 100 ms): {picture}")
        ok = report.failed == 0 and report.total > 0
        self.say("[bold green]RESULT: every step did what it said, zero failed requests[/]"
                 if ok else f"[bold red]RESULT: {report.failed} requests failed[/]\n"
                 + escape(report.summary()))  # fmt: skip
        return 0 if ok else 1
