"""The worked example of docs/concepts.rst, run for real on a copy of example_project.

blog.Post gains ``subtitle`` (release 1), stops using it (release 2), deletes it
(release 3); deleting it in release 2 directly is refused.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.harness.site import RETIRED, SUBTITLE, copy_example_project, manage, set_subtitle


def run(site: Path, release: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"ZERODOWNTIME_RELEASE": release, "ZERODOWNTIME_HOST": "web-1"}
    return manage(site, *args, env=env, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def post_columns(site: Path) -> set[str]:
    code = (
        "from django.db import connection as c; "
        "print(','.join(d.name for d in "
        "c.introspection.get_table_description(c.cursor(), 'blog_post')))"
    )
    out = ok(manage(site, "shell", "-v", "0", "-c", code, check=False)).stdout
    return set(out.strip().splitlines()[-1].split(","))


def test_blog_post_gains_then_retires_subtitle_across_three_releases(tmp_path: Path) -> None:
    site = copy_example_project(tmp_path)
    ok(run(site, "release-0", "safe_migrate"))
    ok(run(site, "release-0", "safe_migrate", "--mark-live"))

    set_subtitle(site, SUBTITLE)  # release 1: add a nullable column
    ok(run(site, "release-1", "makemigrations", "blog", "-n", "post_subtitle"))
    ok(run(site, "release-1", "safe_migrate"))
    ok(run(site, "release-1", "safe_migrate", "--mark-live"))
    assert "subtitle" in post_columns(site)

    set_subtitle(site, "")  # the wrong release 2: delete the line straight away
    ok(run(site, "release-2", "makemigrations", "blog", "-n", "remove_post_subtitle"))
    refused = run(site, "release-2", "safe_migrate")
    assert refused.returncode == 1
    assert "RemoveField blog.Post.subtitle" in refused.stdout
    assert "still used by host web-1 running release release-1" in refused.stdout
    assert "subtitle = unused(" in refused.stdout  # the remedy, for this model
    assert "nothing was applied" in refused.stderr
    (site / "blog" / "migrations" / "0003_remove_post_subtitle.py").unlink()

    set_subtitle(site, RETIRED)  # release 2: stop using it; already nullable
    assert "No changes detected" in ok(run(site, "release-2", "makemigrations", "blog")).stdout
    ok(run(site, "release-2", "safe_migrate"))
    ok(run(site, "release-2", "safe_migrate", "--mark-live"))

    set_subtitle(site, "")  # release 3: delete the line
    ok(run(site, "release-3", "makemigrations", "blog", "-n", "remove_post_subtitle"))
    applied = ok(run(site, "release-3", "safe_migrate"))
    assert "blog.0003_remove_post_subtitle: apply" in applied.stdout
    assert "subtitle" not in post_columns(site)
