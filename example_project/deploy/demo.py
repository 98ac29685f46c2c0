"""`make demo`: the whole story of a zero-downtime deploy, under continuous load.

A copy of the example project (SQLite, a git repository: each release is a
commit, its id the commit) is served by Gunicorn while a load client sends
GETs, slow GETs and POSTs without a pause. Then, each step printed with what
to notice and its effect checked:

1. release 2 adds a nullable field: safe_migrate applies it, graceful_reload swaps the workers;
2. release 3 deletes that field while release 2, still serving, reads it: safe_migrate
   refuses, prints the remedy, applies nothing;
3. following the remedy, release 3 marks the field unused() and is rolled out; release 4
   drops it: applied;
4. release 5 fails to import: graceful_reload's preflight refuses it, release 4 keeps serving;
5. a summary table (per step: requests served, failed, the release served after it) and the
   timeline of the whole run, written next to it (demo-output/ by default).

Exits 1 if any request failed or any step did not do what it printed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from demo_story import Story  # noqa: E402

from tests.harness.load import LoadClient, Resend, streams  # noqa: E402
from tests.harness.site import Gunicorn, copy_example_project, manage  # noqa: E402


def step_1(story: Story) -> None:
    story.begin(
        "Release 2 adds a nullable field (Post.subtitle)",
        "a nullable field added",
        "safe_migrate judges the AddField safe (release 1 ignores a nullable column) and "
        "applies it while release 1 serves; graceful_reload boots a new master beside the "
        "old one and retires the old workers only once the new ones have booted.",
    )
    story.edit_release("release 2", subtitle="field")
    story.manage("makemigrations", "blog", "--name", "post_subtitle")
    release = story.commit("release 2: Post.subtitle")
    story.manage("safe_migrate")
    story.reload(release)
    story.check("the column blog_post.subtitle is there", story.has_column("subtitle"))
    story.check_serving("release 2")


def step_2(story: Story) -> None:
    story.begin(
        "Release 3 deletes Post.subtitle, which release 2 (serving) still reads",
        "a drop refused",
        "safe_migrate refuses: the ledger shows this host running release 2, whose models "
        "use blog_post.subtitle. It prints the remedy (two deploys) and applies nothing, "
        "so release 2 never sees its column vanish.",
    )
    story.edit_release("release 3", subtitle="")
    story.manage("makemigrations", "blog", "--name", "remove_post_subtitle")
    story.commit("release 3, first try: delete Post.subtitle")
    output = story.manage("safe_migrate", expect=1)
    story.check("safe_migrate refused the drop (ZDT101)", "ZDT101" in output)
    story.check("it printed the remedy: mark the field unused()", "unused(" in output)
    story.check("nothing was applied: the column is still there", story.has_column("subtitle"))
    story.check("0003_remove_post_subtitle is not applied", not story.applied("0003"))
    story.check_serving("release 2")
    story.abandon_commit()


def step_3(story: Story) -> None:
    story.begin(
        "Following the remedy: release 3 marks subtitle unused(), release 4 drops it",
        "unused(), then the drop",
        "release 3 keeps the field in the migration state but stops reading and writing "
        "the column; once graceful_reload records it as serving, nothing running uses "
        "blog_post.subtitle, and release 4's RemoveField is applied under load.",
    )
    story.edit_release("release 3", subtitle="unused")
    story.manage("makemigrations", "blog", "--name", "stop_using_subtitle")
    release_3 = story.commit("release 3: Post.subtitle marked unused()")
    story.manage("safe_migrate")
    story.reload(release_3)
    story.check_serving("release 3")
    story.edit_release("release 4", subtitle="")
    story.manage("makemigrations", "blog", "--name", "remove_post_subtitle")
    release_4 = story.commit("release 4: Post.subtitle deleted")
    story.manage("safe_migrate")
    story.check("the column blog_post.subtitle is gone", not story.has_column("subtitle"))
    story.reload(release_4)
    story.check_serving("release 4")


def step_4(story: Story) -> None:
    story.begin(
        "Release 5 fails to import",
        "a broken release refused",
        "graceful_reload boots the new code in a subprocess first (preflight); it fails, "
        "so no signal is sent and release 4 keeps serving, untouched (exit status 3).",
    )
    master = story.gunicorn.master_pid
    story.break_release("release 5")
    story.commit("release 5: imports a module that does not exist")
    story.manage("graceful_reload", expect=3)
    story.check("the Gunicorn master is the same process", story.gunicorn.master_pid == master)
    story.check_serving("release 4")
    story.abandon_commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="for the picture")
    out = parser.parse_args().out.resolve()
    workdir = Path(tempfile.mkdtemp(prefix="zerodowntime-demo-"))
    gunicorn: Gunicorn | None = None
    load: LoadClient | None = None
    story: Story | None = None
    try:
        project = copy_example_project(workdir)
        manage(project, "migrate", "-v0")
        gunicorn = Gunicorn(project, workers=2)
        story = Story(project, gunicorn)
        story.commit("release 1")
        gunicorn.start()
        # The strict client: anything but the expected status fails; nothing is sent twice.
        load = LoadClient(gunicorn.url, streams(posts=1), Resend.NEVER).start()
        story.load = load
        story.intro()
        time.sleep(1.5)  # steady state first
        for step in (step_1, step_2, step_3, step_4):
            step(story)
        time.sleep(1.0)
        report = load.stop()
        load = None
        return story.summary(report, out)
    except Exception as exc:
        print(f"demo FAILED: {exc}", file=sys.stderr)
        if gunicorn is not None:
            print(gunicorn.log()[-3000:], file=sys.stderr)
        return 1
    finally:
        if load is not None:
            load.stop()
        if gunicorn is not None:
            gunicorn.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
